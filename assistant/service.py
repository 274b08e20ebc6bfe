"""The one object the CLI, the app and the evals use: models load once, knowledge bases open on demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.embeddings import Embedder, get_embedder
from assistant.errors import BadInputError
from assistant.generation.extractive import ExtractiveComposer
from assistant.industries import normalize_industry
from assistant.lexical import LexicalIndex, load_lexical_index
from assistant.models import Answer
from assistant.retrieval import HybridSearcher, SearchFilters, SearchResult
from assistant.store import KnowledgeBase, make_client, validate_kb_name


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._client = None
        self._kbs: dict[str, KnowledgeBase] = {}
        self._lexical: dict[str, LexicalIndex] = {}
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.embedding_model, self.settings.embedding_batch_size)

    def kb(self, name: str = "default") -> KnowledgeBase:
        validate_kb_name(name)  # before any model loads, so a typo fails fast
        with self._lock:
            if name not in self._kbs:
                if self._client is None:
                    self._client = make_client(self.settings)
                self._kbs[name] = KnowledgeBase(self._client, name, self.embedder.name)
            return self._kbs[name]

    def lexical(self, name: str = "default") -> LexicalIndex:
        """The BM25 index, rebuilt when the collection changed (by this process or another one)."""
        kb = self.kb(name)
        with self._lock:
            cached = self._lexical.get(name)
            if cached is None or cached.fingerprint != kb.fingerprint():
                cached = self._lexical[name] = load_lexical_index(kb, self.settings.kb_dir(name))
            return cached

    def require_content(self, name: str = "default") -> None:
        """Work products and evals on an empty knowledge base would only refuse; say why instead."""
        if not self.lexical(name).chunks:
            hint = " (run: qcassist ingest corpus/)" if name == "default" else ""
            raise BadInputError(f"knowledge base '{name}' is empty{hint}; data directory: {self.settings.data_dir}")

    def searcher(self, name: str = "default") -> HybridSearcher:
        return HybridSearcher(self.kb(name), self.lexical(name), self.embedder, self.settings)

    def search(self, query: str, kb: str = "default", industry: str | None = None, doc_type: str | None = None,
               lang: str | None = None, source: str | None = None, k: int | None = None) -> SearchResult:
        _require_text(query, "query")
        filters = SearchFilters(normalize_industry(industry), doc_type, lang, source)
        return self.searcher(validate_kb_name(kb)).search(query, filters, k)

    def context(self, kb: str = "default", backend: str | None = None):
        """Everything one answer needs, from parts loaded once and shared between requests."""
        from assistant.chain import ChainContext
        from assistant.generation.llm import LLMComposer, make_chat_model, parse_backend

        spec = parse_backend(backend or self.settings.backend)
        searcher = self.searcher(validate_kb_name(kb))
        llm = None if spec.provider == "extractive" else LLMComposer(make_chat_model(spec, self.settings), spec,
                                                                     self.settings)
        return ChainContext(searcher, ExtractiveComposer(self.embedder, searcher.lexical, self.settings),
                            self.settings, llm)

    def _state(self, question: str, industry: str | None, history: list[dict[str, str]] | None):
        from assistant.chain import ChainState

        _require_text(question, "question")
        return ChainState(question.strip(), history or [], SearchFilters(normalize_industry(industry)))

    def ask(self, question: str, kb: str = "default", industry: str | None = None,
            history: list[dict[str, str]] | None = None, backend: str | None = None) -> Answer:
        from assistant.chain import build_chain

        state = self._state(question, industry, history)
        return build_chain(self.context(kb, backend)).invoke(state)

    def stream(self, question: str, kb: str = "default", industry: str | None = None,
               history: list[dict[str, str]] | None = None, backend: str | None = None) -> Iterator[str | Answer]:
        """Text deltas as they are produced (tokens from an LLM, sentences from the extractive composer),
        then the verified Answer, whose text replaces what was streamed."""
        from assistant.chain import stream_answer

        state = self._state(question, industry, history)
        return stream_answer(self.context(kb, backend), state)

    def ingest(self, paths: list[Path], kb: str = "default", reindex: bool = False, progress: bool = True):
        from ingest.pipeline import ingest_paths

        knowledge_base = self.kb(kb)
        if reindex:
            knowledge_base.reset()
        return ingest_paths(paths, knowledge_base, self.embedder, self.settings, progress)

    def list_sources(self, kb: str = "default") -> dict:
        entries = sorted(self.kb(kb).manifest().values(), key=lambda e: e.source)
        return {"kb": kb, "sources": [{"source": e.source, "title": e.title, "chunks": len(e.chunk_ids),
                                       "ingested_at": e.ingested_at} for e in entries]}

    def stats(self, kb: str = "default") -> dict:
        chunks = self.lexical(kb).chunks
        by_lang: dict[str, int] = {"zh": 0, "en": 0}
        for chunk in chunks:
            by_lang[chunk.lang] = by_lang.get(chunk.lang, 0) + 1
        return {"kb": kb, "sources": len({c.source for c in chunks}), "chunks": len(chunks), "by_lang": by_lang}

    def delete_source(self, source: str, kb: str = "default") -> dict:
        removed = self.kb(kb).delete_source(source)
        return {"kb": kb, "source": source, "chunks_removed": removed}


def _require_text(value: str, what: str) -> None:
    if not value or not value.strip():
        raise BadInputError(f"the {what} is empty")
