"""Fitting the term-necessity model (assistant/answering/necessity.py) on the answerable training questions: a
word is needed when the question's gold sentences, or their headings, contain it."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from assistant.answering.necessity import TERM_FEATURE_NAMES, NecessityModel, term_features
from assistant.text import tokenize
from evals.reader_fit import Spec, fit_final

NECESSITY_SPEC = Spec("logistic", {"C": 1.0})


def gold_term_presence(example) -> dict[str, bool] | None:
    """Which question terms the gold sentences and their headings contain; None without a retrieved gold."""
    if not example.item["answerable"] or not example.gold_retrieved:
        return None
    gold = [c for c, label in zip(example.cands, example.labels, strict=True) if label]
    text = " ".join([c.sentence for c in gold] + [example.hits[c.hit_rank].chunk.context_prefix for c in gold])
    tokens, lowered = set(tokenize(text)), text.lower()
    return {t: example.terms.present(t, lowered, tokens, text) for t in example.terms.tokens}


def fit_necessity(examples) -> tuple[dict, list[dict[str, float]]]:
    """The model's JSON and each training question's term necessities with its own labels left out of the counts
    (what the answerability model is fitted on)."""
    own = [gold_term_presence(e) for e in examples]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for presence in filter(None, own):
        for token, present in presence.items():
            counts[token][int(present)] += 1
    labels = [present for presence in filter(None, own) for present in presence.values()]
    prior = round(float(np.mean(labels)), 4)
    rows = [term_features(t, e.terms, counts, prior, present) for e, presence in zip(examples, own, strict=True)
            if presence for t, present in presence.items()]
    fitted = fit_final(NECESSITY_SPEC, np.asarray(rows), np.asarray(labels, dtype=int), TERM_FEATURE_NAMES)
    data = {"counts": dict(sorted(counts.items())), "prior": prior, "model": fitted.export()}
    model = NecessityModel(data)
    return data, [model.of(e.terms, presence) for e, presence in zip(examples, own, strict=True)]
