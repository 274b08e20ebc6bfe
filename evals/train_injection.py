"""`make train-injection`: the learned half of the injection detector (assistant/answering/injection.py), written to
assistant/data/injection.json. Deterministic (fixed data order, seeded solver, sorted keys); takes seconds.

Data: four labelled sets of document sentences written by four helper sessions (planted instructions against
ordinary QC sentences, many of them chosen to fool a keyword filter), plus every sentence of corpus/ as an
ordinary one. tests/data/injections_blind3.jsonl is never read here: it is the held-out measurement.

Chosen by training on three of the four written sets and measuring on the fourth (each in turn): C=3 and a
threshold of 0.7 in front of the rules gave, pooled over the held-out sets, 0.95 recall and 3% false alarms on
the written sentences and no false alarm on the held-out half of the corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.answering.injection import CLASSIFIER_PATH, classifier_text
from assistant.text import split_sentences
from evals.dataset import DATASETS
from evals.reader_fit import fit_domain

ROOT = Path(__file__).resolve().parent.parent
LABELLED = [DATASETS / "security/injections_dev.jsonl", DATASETS / "security/injections_dev2.jsonl",
            ROOT / "tests/data/injections_blind.jsonl", ROOT / "tests/data/injections_blind2.jsonl"]
MIN_CORPUS_CHARS = 8  # shorter lines are headings and table cells
INJECTION_C = 3.0


def training_data() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for path in LABELLED:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(int(row["injection"]))
    for path in sorted((ROOT / "corpus").rglob("*.md")):
        sentences = [s for s in split_sentences(path.read_text(encoding="utf-8")) if len(s) >= MIN_CORPUS_CHARS]
        texts += sentences
        labels += [0] * len(sentences)
    return texts, labels


def train(out: Path = CLASSIFIER_PATH) -> dict:
    texts, labels = training_data()
    model = fit_domain([classifier_text(t) for t in texts], labels, c=INJECTION_C)
    out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", type=Path, default=CLASSIFIER_PATH)
    model = train(parser.parse_args().o)
    print(f"{len(model['vocabulary'])} features written")


if __name__ == "__main__":
    main()
