"""The plain LangChain recipe, measured beside the project: fixed 500-character chunks of the raw files,
dense-only retrieval, always an answer (no refusal). Same embedding model, same sentence reader and composer,
same questions."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.reader import load_reader
from assistant.answering.terms import QuestionTerms
from assistant.models import Answer, Chunk, Citation, GroundingReport, Hit
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.lexical import TermCounts
from assistant.text import detect_language, tokenize


class BaselineRAG:
    def __init__(self, corpus: Path, embedder: Embedder, composer_settings, cache_dir: Path):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0)
        files = sorted(corpus.rglob("*.md"))
        self.chunks = [Chunk(hashlib.sha256(f"{f}{i}{t}".encode()).hexdigest()[:24], t, f.relative_to(corpus.parent)
                             .as_posix(), f.stem, detect_language(t), position=i)
                       for f in files for i, t in enumerate(splitter.split_text(f.read_text(encoding="utf-8")))]
        self.embedder = embedder
        self.vectors = self._vectors(cache_dir)
        # The composer weighs question terms by idf; the baseline retrieves by vectors alone.
        self.lexical = TermCounts([tokenize(c.text) for c in self.chunks])
        self.composer = ExtractiveComposer(composer_settings.answer_sentences)

    def _vectors(self, cache_dir: Path) -> np.ndarray:
        """Embeddings of the 500-character chunks, cached by their content (embedding takes ~30 s)."""
        key = hashlib.sha256("".join(c.chunk_id for c in self.chunks).encode() + self.embedder.name.encode())
        cache = cache_dir / f"baseline-{key.hexdigest()[:16]}.npy"
        if cache.exists():
            return np.load(cache)
        vectors = self.embedder.embed([c.text for c in self.chunks])
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
        return vectors

    def search(self, question: str, k: int = 5) -> list[Hit]:
        scores = self.vectors @ self.embedder.embed([question])[0]
        return [Hit(self.chunks[i], dense_score=float(scores[i]), fused_score=float(scores[i]))
                for i in np.argsort(-scores)[:k]]

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        language = detect_language(question)
        hits = self.search(question)
        reading = load_reader().read(question, QuestionTerms(question, self.lexical), hits)
        composition = self.composer.compose(replace(reading, status="answered"), hits, language)
        citations = [Citation(n, h.chunk.source, h.chunk.title, None, "", h.chunk.chunk_id, h.chunk.text)
                     for n, h in sorted(composition.cited.items())]
        return Answer(question, question, language, composition.text, composition.refused, "baseline", citations,
                      GroundingReport(None), [], {"total": round((time.perf_counter() - started) * 1000, 1)})
