"""Is a question about quality control at all? A linear text classifier over the question's words and Chinese
character pairs (tf-idf, logistic regression), trained by `make train-reader` on in-domain questions and
sentences of the training documents against out-of-domain questions. Lexical overlap cannot tell "cooking
rice" from a HACCP sentence about cooking temperatures; the vocabulary of a whole question can."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from assistant.answering.question import cjk_bigrams
from assistant.text import tokenize


def domain_terms(text: str) -> list[str]:
    """The classifier's features: tokens as BM25 sees them, plus Chinese character pairs (robust to typos)."""
    return tokenize(text, search=False) + sorted(cjk_bigrams(text))


class DomainModel:
    """P(about quality control) for a question, as scikit-learn's TfidfVectorizer + LogisticRegression."""

    def __init__(self, data: dict[str, Any]):
        self.vocabulary: dict[str, int] = data["vocabulary"]
        self.idf: list[float] = data["idf"]
        self.coef: list[float] = data["coef"]
        self.intercept = float(data["intercept"])

    def probability(self, text: str) -> float:
        """sublinear tf times idf, l2-normalised, dotted with the weights (terms unseen in training weigh 0)."""
        counts = Counter(t for t in domain_terms(text) if t in self.vocabulary)
        weights = {self.vocabulary[t]: (1 + math.log(n)) * self.idf[self.vocabulary[t]] for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        logit = self.intercept + sum(w / norm * self.coef[i] for i, w in weights.items())
        return 1.0 / (1.0 + math.exp(-logit))
