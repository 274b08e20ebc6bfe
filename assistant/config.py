"""One settings object for the whole project, read from QCA_* variables and a .env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
BUNDLED_INT8 = "bundled-int8:all-MiniLM-L6-v2"  # the same model as int8 ONNX (assistant/retrieval/onnx_embeddings.py)


def default_data_dir() -> Path:
    """The user's data folder (XDG), the same whatever folder a command is started in."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "qcassist"


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as QCA_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="QCA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Everything written at run time lives here.")
    reports_dir: Path | None = Field(None, description="Eval reports; default <data_dir>/reports.")
    model_cache_dir: Path | None = Field(None, description="Models made here from bundled ones (the int8 "
                                         "embedder, the GGUF copy); default <data_dir>/models.")
    host: str = Field("127.0.0.1", description="Address the app listens on.")
    port: int = Field(7860, ge=1, le=65535)
    chroma_host: str | None = Field(None, description="Use a Chroma server instead of the embedded store.")
    chroma_port: int = 8000
    # The bundled model as int8 ONNX: 1.29x the PyTorch model's throughput at recall@5 within 0.01 (README).
    embedding_model: str = Field(BUNDLED_INT8, description="sentence-transformers name/path, openai:NAME or "
                                 f"ollama:NAME (an embedding server), {BUNDLED_MODEL} (the bundled model on "
                                 "PyTorch), or 'hash'.")
    embedding_url: str | None = Field(None, description="The embedding server of openai:/ollama: models; default "
                                      "QCA_OPENAI_BASE_URL or QCA_OLLAMA_URL.")
    embedding_batch_size: int = 32

    chunk_tokens: int = Field(160, description="Target chunk size in the embedding model's word pieces.")
    chunk_overlap_tokens: int = 32
    max_file_mb: float = 30.0
    max_upload_mb: float = Field(20.0, description="Largest file the app accepts for upload.")
    cjk_font: Path | None = Field(None, description="A TrueType (.ttf/.ttc) Chinese font for PDFs and charts; "
                                  "default: WenQuanYi Micro Hei (fonts-wqy-microhei) where installed.")
    max_table_rows: int = Field(200_000, ge=1, description="Most data rows a table for `qcassist analyze` may have.")
    max_unpacked_mb: float = Field(60.0, gt=0, description="Most a zip-based document (DOCX) may unpack to.")
    max_question_chars: int = Field(4000, ge=1, description="Longest question (and history turn) a request may send.")
    auth_file: Path | None = Field(None, description="Users JSON file (qcassist users); set, the app asks to sign in.")
    signin_free_failures: int = Field(3, ge=1, description="Failed sign-ins per name or address before back-off.")
    signin_longest_wait_s: float = Field(300.0, gt=0, description="Longest back-off after repeated failures.")

    top_k: int = Field(5, description="Passages an LLM backend is given (the reader's best ones).")
    reader_k: int = Field(12, description="Passages the reader reads for an answer; it cites only what it uses.")
    candidate_k: int = 30
    rrf_k: int = 60
    # The bundled model reads English only: dense ranks break ties, BM25 + glossary lead (see README).
    dense_weight: float = 0.2
    lexical_weight: float = 1.0
    dedup_jaccard: float = 0.85
    industry_boost: float = Field(0.3, description="Fused-score boost for documents of an industry the query names.")
    faq_boost: float = Field(0.5, description="Fused-score boost for FAQ entries (editors' corrected answers).")
    glossary_expansion: bool = Field(True, description="Expand queries with glossary synonyms and translations.")
    cross_language_expansion: bool = Field(
        True, description="Add the other language's renderings of query words (CC-CEDICT) the knowledge base uses.")

    answer_sentences: int = Field(6, description="Most sentences in an extractive answer (the direct answer first).")
    backend: str = Field("extractive", description="extractive | llamacpp:PATH|bundled | openai:MODEL | ollama:MODEL")
    backends: list[str] = Field(["extractive"], description="What app users may choose besides QCA_BACKEND (JSON "
                                "list); only admins may choose when sign-in is on. A request never names a model file.")
    fallback: str = Field("extractive", description="'extractive' answers offline when the LLM fails; 'none' errors")
    grounding: str = Field("annotate", pattern="^(annotate|strip|off)$")
    llm_timeout: float = 60.0
    llm_max_tokens: int = 400
    llm_context: int = 4096
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    ollama_url: str = "http://127.0.0.1:11434"

    @field_validator("data_dir", "reports_dir", "model_cache_dir", "auth_file", "cjk_font")
    @classmethod
    def _absolute(cls, path: Path | None) -> Path | None:
        """A relative path the user gives is taken from where they gave it, once, not wherever code runs later."""
        return path.expanduser().resolve() if path is not None else None

    def embedding_server(self) -> str | None:
        """Where an openai:/ollama: embedding model is served: QCA_EMBEDDING_URL, else the chat backend's server."""
        provider = self.embedding_model.split(":", 1)[0]
        default = {"openai": self.openai_base_url, "ollama": self.ollama_url}.get(provider)
        return self.embedding_url or default

    # Every path the project writes, derived here and nowhere else.
    @property
    def offered_backends(self) -> list[str]:
        """The backends an app request may name: the configured one first, then QCA_BACKENDS."""
        return list(dict.fromkeys([self.backend, *self.backends]))

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    def kb_dir(self, kb: str) -> Path:
        return self.data_dir / "kbs" / kb

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    def uploads_dir(self, kb: str) -> Path:
        return self.data_dir / "uploads" / kb

    def faq_dir(self, kb: str) -> Path:
        return self.data_dir / "faq" / kb

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def conversations_dir(self) -> Path:
        return self.data_dir / "conversations"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def reports_root(self) -> Path:
        return self.reports_dir or self.data_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use (never at import time)."""
    return Settings()
