"""The learned reader: scores how well each sentence of the retrieved passages answers the question, and decides
whether the question can be answered from them at all (answered), only in part because the knowledge base has
the topic but not the asked fact (partial), or not (refused). Trained by `make train-reader` on the natural
question set; the model is assistant/data/reader.json."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answering.features import (
    FEATURE_NAMES,
    SHAPE_FOR_QTYPE,
    Candidate,
    attribute_terms,
    candidates,
    sentence_features,
)
from assistant.answering.question import QTYPES, Question, years_in
from assistant.answering.terms import QuestionTerms
from assistant.glossary import load_glossary
from assistant.models import Hit

READER_PATH = Path(__file__).resolve().parent.parent / "data" / "reader.json"
STATUSES = ("answered", "partial", "refused")
TOP_SENTENCES = 3  # the question-level features look at this many best sentences
SHOWN_NECESSITY_SHARE = 0.5  # a partial answer names missing words at least half as needed as the most needed
# ... and never a word answers seldom use ('想', '才', '降到'): with none left it says 'what the question asks'.
MIN_SHOWN_NECESSITY = 0.15
# The in-domain model's own boundary: a question it finds likelier out of domain than in is refused outright, even
# when some passage shares its words (reverse logistics for 'reverse a linked list'). Its trained threshold, far
# higher, only decides between a partial answer and a refusal.
OUT_OF_DOMAIN_BELOW = 0.5
MAX_QC_TERMS = 3  # glossary terms counted in a question: a QC question names at least one

QUESTION_FEATURE_NAMES = (
    ["best_score", "second_score", "mean_top_scores", "best_coverage", "best_flat_coverage", "best_bigram_share",
     "passage_coverage", "passage_flat_coverage", "union_coverage", "year_missing", "heading_coverage", "top_bm25",
     "log_question_tokens", "best_shape_match", "top_shape_match", "attribute_terms", "attribute_in_passages",
     "attribute_in_top_sentences", "unknown_share", "qc_terms",
     "asks_value_kind", "asked_value_in_top", "asked_value_anywhere", "domain", "needed_missing_max",
     "needed_missing_share", "needed_missing_from_top_max", "best_needed_coverage", "number_asked_none_in_best",
     "number_asked_none_in_top", "asks_unit", "unit_stated_in_top", "unit_stated_anywhere",
     "asked_value_none_anywhere", "asked_value_none_in_top", "asked_unit_none_anywhere"]
    + [f"qtype_{q}" for q in QTYPES]
)

# The direction each question-level signal must push P(answerable) (+1 up, -1 down; others free): the better the
# best sentences and passages cover the question, the likelier an answer; the more of it no passage has, the less.
MONOTONE = {**dict.fromkeys(
    ["best_score", "second_score", "mean_top_scores", "best_coverage", "best_flat_coverage", "best_bigram_share",
     "passage_coverage", "passage_flat_coverage", "union_coverage", "heading_coverage", "best_shape_match",
     "top_shape_match", "attribute_in_passages", "attribute_in_top_sentences", "asked_value_in_top",
     "asked_value_anywhere", "domain", "best_needed_coverage", "unit_stated_in_top", "unit_stated_anywhere"], 1),
    **dict.fromkeys(["year_missing", "unknown_share", "needed_missing_max", "needed_missing_share",
                     "needed_missing_from_top_max", "number_asked_none_in_best", "number_asked_none_in_top",
                     "asked_value_none_anywhere", "asked_value_none_in_top", "asked_unit_none_anywhere"], -1)}


@dataclass
class Reading:
    """What the reader made of the passages for one question."""

    question: Question
    status: str
    candidates: list[Candidate] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    p_answerable: float = 0.0
    p_in_domain: float = 0.0
    missing: list[str] = field(default_factory=list)  # question terms no passage has: what a partial answer lacks
    support_threshold: float = 1.0  # other sentences scoring this share of the best one's score join it

    def with_passages(self, hits: list[Hit], read: int) -> Reading:
        """The same reading of `hits`, whose first `read` it was made from, with the sentences of the others
        (unscored), so an answer can show what follows in them: the rest of a list retrieval found part of."""
        added = [replace(c, hit_rank=c.hit_rank + read) for c in candidates(hits[read:])]
        return replace(self, candidates=self.candidates + added,
                       scores=np.concatenate([self.scores, np.zeros(len(added))]))

    def best_passages(self, hits: list[Hit], k: int) -> list[Hit]:
        """The k passages holding the best-scored sentences, best first: what an LLM is given."""
        best: dict[int, float] = {}
        for cand, score in zip(self.candidates, self.scores, strict=True):
            best[cand.hit_rank] = max(best.get(cand.hit_rank, 0.0), float(score))
        return [hits[rank] for rank in sorted(best, key=lambda r: (-best[r], r))[:k]]


def question_features(question: Question, terms: QuestionTerms, hits: list[Hit], rows: np.ndarray,
                      scores: np.ndarray, cands: list[Candidate], domain: float,
                      necessity: dict[str, float]) -> np.ndarray:
    """One row describing how well the passages, and their best sentences, cover the question."""
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    sentences = [c.sentence for c in cands]
    best = np.argsort(-scores)[:TOP_SENTENCES] if len(scores) else np.zeros(0, dtype=int)
    top = sorted(scores[best], reverse=True) + [0.0, 0.0]
    texts = [h.chunk.indexed_text for h in hits]
    flat = {t: 1.0 for t in terms.tokens}
    missing = terms.missing(texts)
    total_idf = sum(terms.weights.values()) or 1.0
    shape = SHAPE_FOR_QTYPE[question.qtype]
    attribute = attribute_terms(terms, hits)
    top_sentences = [sentences[i] for i in best]
    return np.asarray([[
        top[0], top[1], float(np.mean(top[:TOP_SENTENCES])),
        max((rows[i, column["coverage"]] for i in best), default=0.0),
        max((rows[i, column["coverage_flat"]] for i in best), default=0.0),
        max((rows[i, column["bigram_share"]] for i in best), default=0.0),
        max((terms.coverage(t) for t in texts[:TOP_SENTENCES]), default=0.0),
        max((terms.coverage(t, flat) for t in texts[:TOP_SENTENCES]), default=0.0),
        terms.coverage(texts) if texts else 0.0,
        float(bool(question.years - years_in(" ".join(texts)))),
        max((terms.coverage(h.chunk.context_prefix) for h in hits if h.chunk.context_prefix), default=0.0),
        math.log1p(max((h.bm25_score for h in hits), default=0.0)),
        math.log1p(len(terms.tokens)),
        float(rows[best[0], column[shape]]) if len(best) else 0.0,
        max((float(rows[i, column[shape]]) for i in best), default=0.0),
        math.log1p(len(attribute)), terms.weighted_share(attribute, texts),
        terms.weighted_share(attribute, top_sentences),
        sum(w for w in terms.weights.values() if w >= terms.max_idf) / total_idf,
        min(len(load_glossary().matching_groups(question.text)), MAX_QC_TERMS) / MAX_QC_TERMS,
        float(bool(question.answer_kinds)), max((float(rows[i, column["has_asked_value"]]) for i in best), default=0.0),
        float(rows[:, column["has_asked_value"]].max()) if len(rows) else 0.0, domain,
        *_needed_terms(terms, necessity, missing, [(sentences[i], hits[cands[i].hit_rank].chunk.context_prefix)
                                                   for i in best]),
        *_number_asked_but_absent(question, [sentences[i] for i in best]),
        *_asked_but_absent(question, rows[best, column["has_asked_value"]], rows[:, column["has_asked_value"]],
                           rows[best, column["states_asked_unit"]], rows[:, column["states_asked_unit"]]),
        *[float(question.qtype == q) for q in QTYPES],
    ]], dtype=np.float32)


def _asked_but_absent(question: Question, value_in_top: np.ndarray, value_anywhere: np.ndarray,
                      unit_in_top: np.ndarray, unit_anywhere: np.ndarray) -> list[float]:
    """Whether a unit is asked and stated, and whether a value of the asked kind, or in the asked unit, is asked
    and stated nowhere: 'absent' said directly, since being absent tells nothing when nothing of the kind is asked
    and monotone trees cannot learn that interaction from a few hundred questions."""
    asks_kind, asks_unit = bool(question.answer_kinds), question.asked_unit is not None
    unit_top, unit_any = float(unit_in_top.max(initial=0.0)), float(unit_anywhere.max(initial=0.0))
    value_top, value_any = value_in_top.max(initial=0.0), value_anywhere.max(initial=0.0)
    return [float(asks_unit), unit_top, unit_any, float(asks_kind and not value_any),
            float(asks_kind and not value_top), float(asks_unit and not unit_any)]


def _number_asked_but_absent(question: Question, top: list[str]) -> list[float]:
    """A figure is asked for and the best sentence, or any of the best few, states none the question lacks."""
    if not question.asks_number or not top:
        return [0.0, 0.0]
    return [float(not question.has_new_number(top[0])), float(not any(map(question.has_new_number, top)))]


def _needed_terms(terms: QuestionTerms, necessity: dict[str, float], lacking: list[str],
                  top: list[tuple[str, str]]) -> list[float]:
    """What the passages (`lacking`: the terms none has), and the best sentences with their headings, lack of the
    words an answer would use."""
    needed = {t: necessity[t] * terms.weights[t] for t in terms.tokens}
    total = sum(needed.values()) or 1.0
    lacking_from_top = terms.missing([text for pair in top for text in pair])
    return [max((necessity[t] for t in lacking), default=0.0), sum(needed[t] for t in lacking) / total,
            max((necessity[t] for t in lacking_from_top), default=0.0),
            max((terms.coverage(pair, needed) for pair in top), default=0.0)]


class Reader:
    """The trained parts: term necessity, sentence scorer, answerability, and in-domain (partial rather than
    refused), with the domain classifier."""

    def __init__(self, data: dict):
        from assistant.answering.domain import DomainModel
        from assistant.answering.necessity import NecessityModel
        from assistant.answering.reader_model import BinaryModel

        self.domain = DomainModel(data["domain"])
        self.necessity = NecessityModel(data["necessity"])
        self.sentence = BinaryModel(data["sentence"])
        self.answerable = BinaryModel(data["answerable"])
        self.in_domain = BinaryModel(data["in_domain"])
        self.thresholds: dict[str, float] = data["thresholds"]

    def score_sentences(self, question: Question, terms: QuestionTerms, hits: list[Hit], cands: list[Candidate],
                        last_turn: QuestionTerms | None = None) -> tuple[np.ndarray, np.ndarray]:
        rows = sentence_features(question, terms, hits, cands, last_turn)
        scores = self.sentence.probability(self.sentence.select(rows, FEATURE_NAMES)) if len(rows) else np.zeros(0)
        return rows, scores

    def read(self, question_text: str, terms: QuestionTerms, hits: list[Hit],
             last_turn: QuestionTerms | None = None) -> Reading:
        """The decision and the scored sentences; `last_turn` as in sentence_features."""
        question = Question(question_text)
        cands = candidates(hits)
        if not hits or not cands:
            return Reading(question, "refused", missing=list(terms.tokens))
        rows, scores = self.score_sentences(question, terms, hits, cands, last_turn)
        necessity = self.necessity.of(terms)
        features = question_features(question, terms, hits, rows, scores, cands,
                                     self.domain.probability(question_text), necessity)
        p_answerable = float(self.answerable.probability(self.answerable.select(features,
                                                                                 QUESTION_FEATURE_NAMES))[0])
        p_in_domain = float(self.in_domain.probability(self.in_domain.select(features, QUESTION_FEATURE_NAMES))[0])
        if p_in_domain < OUT_OF_DOMAIN_BELOW:  # whatever the passages hold: 'reverse a linked list' finds one
            status = "refused"
        elif p_answerable >= self.thresholds["answerable"]:
            status = "answered"
        else:
            status = "partial" if p_in_domain >= self.thresholds["in_domain"] else "refused"
        missing = _most_needed(terms.missing([h.chunk.indexed_text for h in hits]), necessity)
        return Reading(question, status, cands, scores, p_answerable, p_in_domain, missing,
                       self.thresholds["support"])


def _most_needed(missing: list[str], necessity: dict[str, float]) -> list[str]:
    """The missing words an answer would use, most needed first: the ones at least half as needed as the most
    needed one ('预算', not the '花' or '多少钱' around it)."""
    most = max((necessity[t] for t in missing), default=0.0)
    floor = max(SHOWN_NECESSITY_SHARE * most, MIN_SHOWN_NECESSITY)
    return sorted((t for t in missing if necessity[t] >= floor), key=lambda t: -necessity[t])


@lru_cache(maxsize=2)
def load_reader(path: Path = READER_PATH) -> Reader:
    return Reader(json.loads(path.read_text(encoding="utf-8")))
