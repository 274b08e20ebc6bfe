"""Term necessity: how likely each question word is to appear in a sentence that answers the question. People ask
chattily ('诶', '想', 'quick', '老板', 'hey'), and a word no passage has is only telling when answers use it: a
budget the passages never give is, a '啥' is not. Learned by `make train-reader` from the answerable training
questions (which of their words their gold sentences, or those sentences' headings, contain) and stored in
assistant/data/reader.json."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from assistant.answering.reader_model import BinaryModel
from assistant.answering.terms import QuestionTerms

TERM_FEATURE_NAMES = ["idf", "unknown_to_kb", "latin", "log_chars", "glossary_term", "has_rendering",
                      "answered_rate", "log_questions"]
RATE_SMOOTHING = 2.0  # pseudo-questions pulling a word's rate towards the prior: one question says little
UNKNOWN_IDF_SHARE = 0.999  # a word at the top of the idf scale is one no chunk contains


class NecessityModel:
    """P(an answering sentence has the word) from the word's shape and how often, in training questions, the
    sentences answering a question that used the word contained it."""

    def __init__(self, data: dict[str, Any]):
        self.counts: dict[str, list[int]] = data["counts"]  # word -> [questions lacking it, questions having it]
        self.prior = float(data["prior"])
        self.model = BinaryModel(data["model"])

    def of(self, terms: QuestionTerms, own: dict[str, bool] | None = None) -> dict[str, float]:
        """Each question term's necessity. `own` (training only) is the question's own labels, taken out of the
        counts so a question never sees itself."""
        if not terms.tokens:
            return {}
        rows = np.asarray([term_features(t, terms, self.counts, self.prior, None if own is None else own[t])
                           for t in terms.tokens])
        return dict(zip(terms.tokens, self.model.probability(rows).tolist(), strict=True))


def term_features(token: str, terms: QuestionTerms, counts: dict[str, list[int]], prior: float,
                  own: bool | None = None) -> list[float]:
    """TERM_FEATURE_NAMES for one question term; `own` as in NecessityModel.of."""
    lacking, having = counts.get(token, (0, 0))
    if own is not None:
        lacking, having = lacking - (not own), having - own
    idf = terms.weights[token] / (terms.max_idf or 1.0)
    return [idf, float(idf >= UNKNOWN_IDF_SHARE), float(token.isascii()), math.log1p(len(token)),
            float(bool(terms.synonyms[token])), float(bool(terms.senses[token])),
            (having + RATE_SMOOTHING * prior) / (lacking + having + RATE_SMOOTHING), math.log1p(lacking + having)]
