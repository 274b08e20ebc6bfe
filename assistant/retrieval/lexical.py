"""BM25 over jieba / word tokens: a cache derived from the Chroma collection (local Chroma has no sparse index)."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.files import atomic_path
from assistant.models import Chunk
from assistant.retrieval.store import KnowledgeBase
from assistant.text import tokenize, tokenizer_key


class LexicalIndex:
    """BM25 scores over every chunk of one knowledge base, plus the token sets used to explain matches."""

    def __init__(self, version: str, chunks: list[Chunk], tokens: list[list[str]]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        self.version = version
        self.chunks = chunks
        self.token_sets = [set(t) for t in tokens]
        self.tokens_by_id = {c.chunk_id: ts for c, ts in zip(chunks, self.token_sets, strict=True)}
        self._bm25 = bm25s.BM25() if chunks else None
        if self._bm25 is not None:
            self._bm25.index(tokens, show_progress=False)
        df: dict[str, int] = {}
        for token_set in self.token_sets:
            for token in token_set:
                df[token] = df.get(token, 0) + 1
        self._df = df

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each source's title, for finding the documents about a named entity."""
        return {chunk.source: chunk.title for chunk in self.chunks}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if self._bm25 is None or not query_tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

    def document_frequency(self, token: str) -> int:
        return self._df.get(token, 0)

    def idf(self, token: str) -> float:
        """BM25's idf; a token no chunk contains gets the highest weight (that is what makes it telling)."""
        n = max(len(self.chunks), 1)
        df = self._df.get(token, 0)
        return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


def load_lexical_index(kb: KnowledgeBase, cache_dir: Path) -> LexicalIndex:
    """The cached index when the collection has not changed; otherwise rebuilt, re-tokenizing only new chunks."""
    version = kb.version()
    cache_file = cache_dir / "bm25.json"
    cached: dict = {}
    if cache_file.exists():
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = {}  # a damaged cache is only a cache: rebuild it
    if cached.get("tokenizer") != tokenizer_key():
        cached = {}  # tokens made by another tokenizer, glossary or jieba cannot be reused
    if cached.get("version") == version:
        chunks = [Chunk(**{**c, "industries": tuple(c["industries"]), "tags": tuple(c["tags"])})
                  for c in cached["chunks"]]
        return LexicalIndex(version, chunks, cached["tokens"])
    known = dict(zip([c["chunk_id"] for c in cached.get("chunks", [])], cached.get("tokens", []), strict=False))
    chunks = sorted(kb.all_chunks(), key=lambda c: c.chunk_id)  # Chroma's order is not stable across stores
    tokens = [known.get(c.chunk_id) or tokenize(c.indexed_text) for c in chunks]
    payload = {"tokenizer": tokenizer_key(), "version": version, "chunks": [asdict(c) for c in chunks],
               "tokens": tokens}
    _write_atomically(cache_file, payload)
    return LexicalIndex(version, chunks, tokens)


def _write_atomically(path: Path, payload: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
