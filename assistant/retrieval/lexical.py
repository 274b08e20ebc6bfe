"""Term statistics: how many chunks hold a token, and BM25's idf from it. The reader weighs question words by
idf; the knowledge base's figures come from its LexicalStore (lexical_store.py), and a set of chunks held in
memory (the baseline's, a test's) uses TermCounts."""

from __future__ import annotations

import math
from typing import Protocol


def bm25_idf(documents: int, frequency: int) -> float:
    """BM25's idf (Lucene's form, as tantivy computes it); a token no chunk contains gets the highest weight,
    which is what makes it telling."""
    return math.log((max(documents, 1) - frequency + 0.5) / (frequency + 0.5) + 1.0)


class TermStatistics(Protocol):
    def document_frequency(self, token: str) -> int: ...

    def idf(self, token: str) -> float: ...


class TermCounts:
    """TermStatistics of token lists held in memory."""

    def __init__(self, tokens: list[list[str]]):
        self.documents = len(tokens)
        self._df: dict[str, int] = {}
        for token_set in map(set, tokens):
            for token in token_set:
                self._df[token] = self._df.get(token, 0) + 1

    def document_frequency(self, token: str) -> int:
        return self._df.get(token, 0)

    def idf(self, token: str) -> float:
        return bm25_idf(self.documents, self.document_frequency(token))
