"""`make train-reader`: fit the reader on the natural train split, choose models on dev and thresholds out of fold,
and write assistant/data/reader.json. The test split is never read here.

Deterministic: the corpus is ingested into a fresh data dir with the bundled model, examples are built in
dataset order, every model is fitted with a fixed seed, and the JSON is written with sorted keys."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answering.chain import passages_for
from assistant.answering.domain import DomainModel
from assistant.answering.features import FEATURE_NAMES, Candidate, candidates, sentence_features
from assistant.answering.necessity import NecessityModel
from assistant.answering.question import Question
from assistant.answering.reader import QUESTION_FEATURE_NAMES, READER_PATH, question_features
from assistant.answering.rewrite import rule_based_condense
from assistant.answering.terms import QuestionTerms
from assistant.config import Settings
from assistant.models import Chunk, Hit
from assistant.retrieval.hybrid import SearchFilters
from assistant.retrieval.store import chunk_from_record
from assistant.text import split_sentences
from evals.dataset import DATASETS, load_dataset
from evals.natural_dataset import document_splits
from evals.necessity_fit import fit_necessity
from evals.reader_fit import (
    FOLDS,
    choose_support,
    choose_threshold,
    fit_candidates,
    fit_domain,
    fit_final,
    out_of_fold,
    out_of_fold_rows,
    precision_at_1,
    refusal_rates,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EXTRA = DATASETS / "natural" / "extra"  # training-only questions, written after the test split was frozen
TARGET_OVER_REFUSAL = 0.08  # the bound, met on dev
MIN_IN_DOMAIN_THRESHOLD = 0.5
OOD_REFUSED_SHARE = 0.98  # of out-of-domain training questions (out of fold) refused outright
MIN_GOLD_CHARS = 6
MIN_DOMAIN_CHARS = 8  # shorter corpus lines (labels, table cells) say little about the domain
# The support threshold is chosen for answers as long as the settings allow by default.
ANSWER_SENTENCES = Settings.model_fields["answer_sentences"].default


@dataclass
class Example:
    """One question with its retrieved passages, candidate sentences, their features and labels."""

    item: dict
    question: Question
    terms: QuestionTerms
    last_turn: QuestionTerms | None
    hits: list[Hit]
    cands: list[Candidate]
    rows: np.ndarray
    labels: np.ndarray

    @property
    def group(self) -> str:
        return (self.item.get("gold_sources") or [self.item["id"]])[0]

    @property
    def gold_retrieved(self) -> bool:
        return bool(self.labels.any())


def _normalise(text: str) -> str:
    return re.sub(r"[\s*`]+", "", text).lower().rstrip("。.；;！!？?")


def is_gold(sentence: str, gold: list[str]) -> bool:
    """A candidate is gold when it is, or lies inside, a gold sentence (our splitter also cuts at '；')."""
    mine = _normalise(sentence)
    return len(mine) >= MIN_GOLD_CHARS and any(mine in _normalise(g) or _normalise(g) in mine for g in gold)


def build_examples(assistant, items: list[dict], kb: str = "default") -> list[Example]:
    searcher = assistant.searcher(kb)
    examples = []
    for item in items:
        text = rule_based_condense(item["question"], item.get("history") or [])
        hits = passages_for(searcher, text, SearchFilters(), assistant.settings.reader_k)
        question, terms = Question(text), QuestionTerms(text, searcher.lexical)
        last_turn = QuestionTerms(item["question"], searcher.lexical) if text != item["question"] else None
        cands = candidates(hits)
        rows = sentence_features(question, terms, hits, cands, last_turn)
        labels = np.asarray([is_gold(c.sentence, item.get("gold_sentences") or []) for c in cands], dtype=np.int8)
        examples.append(Example(item, question, terms, last_turn, hits, cands, rows, labels))
    return examples


def question_rows(examples: list[Example], scores: list[np.ndarray], domain: list[float],
                  necessity: list[dict[str, float]]) -> np.ndarray:
    return np.vstack([question_features(e.question, e.terms, e.hits, e.rows, s, e.cands, d, n)
                      if len(e.rows) else np.zeros((1, len(QUESTION_FEATURE_NAMES)), dtype=np.float32)
                      for e, s, d, n in zip(examples, scores, domain, necessity, strict=True)])


def corpus_sentences(split: str = "train") -> list[str]:
    """Sentences of the split's documents: in-domain text for the domain classifier."""
    sentences = []
    for source, doc_split in sorted(document_splits().items()):
        if doc_split == split:
            body = re.sub(r"\A---\s*\n.*?\n---\s*\n", "", (CORPUS.parent / source).read_text(encoding="utf-8"),
                          flags=re.DOTALL)
            sentences += [s for s in split_sentences(body) if len(s) >= MIN_DOMAIN_CHARS and not s.startswith("#")]
    return sentences


def domain_scores(train_ex: list[Example], dev_ex: list[Example]) -> tuple[dict, list[float], list[float]]:
    """The domain classifier on corpus sentences and training questions; out-of-fold scores for the training
    questions (folds by document, as for the sentence scores), the final model's for dev."""
    sentences = corpus_sentences()
    questions = [e.item["question"] for e in train_ex]
    labels = [int(e.item["kind"] != "ood") for e in train_ex]
    fold_of = {g: i % FOLDS for i, g in enumerate(sorted({e.group for e in train_ex}))}
    oof = [0.0] * len(train_ex)
    for fold in range(FOLDS):
        inside = [i for i, e in enumerate(train_ex) if fold_of[e.group] != fold]
        model = DomainModel(fit_domain(sentences + [questions[i] for i in inside],
                                       [1] * len(sentences) + [labels[i] for i in inside]))
        for i, e in enumerate(train_ex):
            if fold_of[e.group] == fold:
                oof[i] = model.probability(questions[i])
    final = fit_domain(sentences + questions, [1] * len(sentences) + labels)
    return final, oof, [DomainModel(final).probability(e.item["question"]) for e in dev_ex]


def answer_labels(examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """(answerable from these passages, in domain); answerable questions whose gold was not retrieved are
    left out of the answerability fit (-1): neither answering nor refusing them is right."""
    answerable = np.asarray([(1 if e.gold_retrieved else -1) if e.item["answerable"] else 0 for e in examples])
    in_domain = np.asarray([int(e.item.get("kind") != "ood" and e.item.get("type") != "unanswerable_ood")
                            for e in examples])
    return answerable, in_domain


def train(assistant, train_items: list[dict], dev_items: list[dict], log=print) -> dict:
    started = time.perf_counter()
    train_ex, dev_ex = build_examples(assistant, train_items), build_examples(assistant, dev_items)
    log(f"examples: {len(train_ex)} train, {len(dev_ex)} dev questions ({time.perf_counter() - started:.0f}s)")
    return fit_reader(train_ex, dev_ex, log)


def fit_reader(train_ex: list[Example], dev_ex: list[Example], log=print) -> dict:
    """Every model and threshold of the reader from built examples; returns the JSON-ready model."""
    started = time.perf_counter()
    x_train = np.vstack([e.rows for e in train_ex if len(e.rows)])
    y_train = np.concatenate([e.labels for e in train_ex if len(e.rows)])
    comparison, sentence_spec = fit_candidates(x_train, y_train, dev_ex, FEATURE_NAMES)
    log(f"sentence models on dev: {json.dumps(comparison)}")
    sentence_model = fit_final(sentence_spec, x_train, y_train, FEATURE_NAMES)
    dev_scores = [sentence_model.scores(e.rows) for e in dev_ex]
    domain, domain_train, domain_dev = domain_scores(train_ex, dev_ex)
    necessity, necessity_train = fit_necessity(train_ex)
    necessity_model = NecessityModel(necessity)
    necessity_dev = [necessity_model.of(e.terms) for e in dev_ex]
    q_train = question_rows(train_ex, out_of_fold(sentence_spec, train_ex, FEATURE_NAMES), domain_train,
                            necessity_train)
    q_dev = question_rows(dev_ex, dev_scores, domain_dev, necessity_dev)
    answer = fit_answerability(train_ex, dev_ex, q_train, q_dev, log)
    support, support_f2 = choose_support(dev_ex, dev_scores, ANSWER_SENTENCES)
    dev = {"sentence_precision_at_1": round(precision_at_1(dev_ex, dev_scores), 4), "gold_sentence_f2": support_f2,
           **answer["dev"]}
    log(f"dev: {json.dumps(dev)} ({time.perf_counter() - started:.0f}s)")
    return {"domain": domain, "necessity": necessity, "sentence": sentence_model.export(),
            "answerable": answer["answerable"], "in_domain": answer["in_domain"],
            "thresholds": {"answerable": answer["threshold"], "in_domain": answer["in_domain_threshold"],
                           "support": support},
            "selection": {"sentence": comparison, "answerability": answer["comparison"]}, "dev": dev,
            "data": {"train_questions": len(train_ex), "dev_questions": len(dev_ex),
                     "train_sentences": int(len(y_train)), "train_gold_sentences": int(y_train.sum())}}


def fit_answerability(train_ex: list[Example], dev_ex: list[Example], q_train: np.ndarray, q_dev: np.ndarray,
                      log=print) -> dict:
    """The answerability and in-domain models, chosen on dev, and the answerability threshold."""
    ans_train, dom_train = answer_labels(train_ex)
    keep = ans_train >= 0
    comparison, spec = fit_candidates(q_train[keep], ans_train[keep], None, QUESTION_FEATURE_NAMES,
                                      dev=(q_dev, answer_labels(dev_ex)[0]))
    log(f"answerability models on dev: {json.dumps(comparison)}")
    answerable = fit_final(spec, q_train[keep], ans_train[keep], QUESTION_FEATURE_NAMES)
    # The threshold is placed on the questions written the way the test split was (the natural train split, out of
    # fold by document, and dev, with the final model): dev alone (72 answerable questions on nine documents) put
    # it where they happen to score (dev over-refusal 0.07, the shipped set's 0.24); all training questions out
    # of fold put it too low (0.08 there, 0.03 on dev and on the shipped set), as the extra training-only
    # questions were written to be hard: chatty answerable questions and near-miss absent ones.
    all_groups = [e.group for e in train_ex]
    answerable_oof = out_of_fold_rows(spec, q_train, ans_train, all_groups, QUESTION_FEATURE_NAMES)
    natural = np.asarray([e.item.get("split") == "train" for e in train_ex])
    dev_flags = [e.item["answerable"] for e in dev_ex]
    natural_flags = [e.item["answerable"] for e, keep in zip(train_ex, natural, strict=True) if keep]
    threshold = choose_threshold(np.concatenate([answerable_oof[natural], answerable.scores(q_dev)]),
                                 natural_flags + dev_flags, TARGET_OVER_REFUSAL)
    # Partial rather than refused only above what nearly every out-of-domain question scores (out of fold): a
    # refusal and a partial answer count alike for negative rejection, but "the knowledge base covers … but not
    # red-braised pork" is no answer to give.
    in_domain_oof = out_of_fold_rows(spec, q_train, dom_train, all_groups, QUESTION_FEATURE_NAMES)
    in_domain_threshold = float(np.quantile(in_domain_oof[dom_train == 0], OOD_REFUSED_SHARE))
    return {"answerable": answerable.export(), "threshold": threshold, "comparison": comparison,
            "in_domain": fit_final(spec, q_train, dom_train, QUESTION_FEATURE_NAMES).export(),
            "in_domain_threshold": round(max(in_domain_threshold, MIN_IN_DOMAIN_THRESHOLD), 4),
            "dev": refusal_rates(answerable.scores(q_dev), dev_flags, threshold)}


def training_items() -> list[dict]:
    """The natural train split and the extra training-only questions (on train documents, or out of domain)."""
    items = load_dataset(DATASETS / "natural_train.jsonl")
    for path in sorted(EXTRA.glob("*.jsonl")):
        items += load_dataset(path)
    return items


def exact_dense_search(kb):
    """A brute-force stand-in for the knowledge base's dense search. Chroma's HNSW index is approximate and built
    differently by each fresh ingest: between two ingests of the corpus one to three of the 1,139 training
    questions lost or gained a passage, enough to move a chosen threshold by 0.08. Exact search makes the
    training examples, and so `make train-reader`, the same on every run."""
    stored = kb.collection.get(include=["embeddings", "documents", "metadatas"])
    chunks = [chunk_from_record(i, d, m) for i, d, m in zip(stored["ids"], stored["documents"], stored["metadatas"],
                                                            strict=True)]
    row_of = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
    vectors = np.asarray(stored["embeddings"], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def search(vector: np.ndarray, k: int, where: dict | None) -> list[tuple[Chunk, float]]:
        admitted = kb.collection.get(where=where, include=[])["ids"] if where else stored["ids"]
        rows = np.asarray(sorted(row_of[i] for i in admitted), dtype=int)
        if not len(rows):
            return []
        similarity = vectors[rows] @ (vector / np.linalg.norm(vector))
        best = np.argsort(-similarity, kind="stable")[:k]
        return [(chunks[rows[i]], float(similarity[i])) for i in best]

    return search


def train_from_scratch(out: Path = READER_PATH) -> dict:
    """Ingest the corpus into a throw-away data dir and train; the command behind `make train-reader`."""
    from assistant.service import Assistant

    with tempfile.TemporaryDirectory(prefix="qca-train-") as data_dir:
        assistant = Assistant(Settings(data_dir=Path(data_dir), _env_file=None))
        assistant.ingest([CORPUS], progress=False)
        knowledge_base = assistant.kb()
        knowledge_base.dense_search = exact_dense_search(knowledge_base)
        model = train(assistant, training_items(), load_dataset(DATASETS / "natural_dev.jsonl"),
                      log=lambda m: print(m, file=sys.stderr))
    out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", type=Path, default=READER_PATH)
    args = parser.parse_args()
    model = train_from_scratch(args.o)
    print(json.dumps({"dev": model["dev"], "selection": model["selection"]}, indent=1))


if __name__ == "__main__":
    main()
