"""The natural-question dataset: item checks, and the train / dev / test split by document.

Raw items are written per author group into evals/datasets/natural/raw/*.jsonl; `build` checks them all and
writes natural_train.jsonl, natural_dev.jsonl and natural_test.jsonl. A document's questions (answerable and
in-domain-absent) all go to its document's split, so no test document is seen in training; out-of-domain
questions have no document and are split by a hash of their id.

    python -m evals.natural_dataset check FILE...   # problems, one per line; exit 1 if any
    python -m evals.natural_dataset build           # check every raw file, write the three splits
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATURAL = Path(__file__).parent / "datasets" / "natural"
RAW = NATURAL / "raw"
SPLITS = ("train", "dev", "test")
SPLIT_SALT = "natural-split-v1"
# Documents per language in the test and dev splits (the rest train), chosen by a salted hash of the path.
SPLIT_SIZES = {"zh": (8, 5), "en": (5, 4)}
OOD_SHARES = (0.2, 0.15)  # test, dev shares of out-of-domain questions

QTYPES = ("definition", "calculation", "procedure", "quantity", "cause", "comparison", "example", "recommendation")
KINDS = ("answerable", "absent", "ood")
PERSONAS = ("employee", "trainer", "consultant")
STYLES = ("plain", "scenario", "keyword", "chatty", "typo", "abbreviation", "mixed", "follow_up")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)、]|[（(]?[一二三四五六七八九十]+[)）、.])\s+")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)


def _hash(text: str) -> str:
    return hashlib.sha256(f"{SPLIT_SALT}|{text}".encode()).hexdigest()


def document_splits(root: Path = ROOT) -> dict[str, str]:
    """Every corpus document's split, e.g. {"corpus/zh/8d.md": "train"}."""
    splits = {}
    for lang, (n_test, n_dev) in SPLIT_SIZES.items():
        docs = sorted((p.relative_to(root).as_posix() for p in (root / "corpus" / lang).glob("*.md")), key=_hash)
        for index, doc in enumerate(docs):
            splits[doc] = "test" if index < n_test else "dev" if index < n_test + n_dev else "train"
    return splits


def split_of(item: dict, splits: dict[str, str]) -> str:
    if item["kind"] == "ood":
        share = int(_hash(item["id"])[:8], 16) / 0xFFFFFFFF
        return "test" if share < OOD_SHARES[0] else "dev" if share < sum(OOD_SHARES) else "train"
    return splits[item["gold_sources"][0]]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("**", "").lower()


def _document_text(source: str) -> str:
    return _normalise(_FRONT_MATTER.sub("", (ROOT / source).read_text(encoding="utf-8")))


def check_item(item: dict) -> list[str]:
    """Problems with one item, each a short sentence; none for a good item."""
    problems = []
    for field, allowed in (("kind", KINDS), ("persona", PERSONAS), ("style", STYLES), ("lang", ("zh", "en"))):
        if item.get(field) not in allowed:
            problems.append(f"{field} must be one of {allowed}")
    if not str(item.get("question", "")).strip():
        problems.append("empty question")
    kind = item.get("kind")
    if item.get("answerable") is not (kind == "answerable"):
        problems.append("answerable must be true exactly for kind 'answerable'")
    history = item.get("history", [])
    if not isinstance(history, list) or any(t.get("role") not in ("user", "assistant") for t in history):
        problems.append("history must be a list of {role: user|assistant, content}")
    if (item.get("style") == "follow_up") != bool(history):
        problems.append("style follow_up needs a history, and only it")
    if kind == "ood":
        return problems + (["an ood item has no gold_sources"] if item.get("gold_sources") else [])
    sources = item.get("gold_sources") or []
    if not sources or not all((ROOT / s).is_file() for s in sources):
        return problems + [f"gold_sources must name corpus files: {sources}"]
    if kind == "absent":
        return problems + [f"absent items need '{f}'" for f in ("topic", "absent") if not item.get(f)]
    if item.get("qtype") not in QTYPES:
        problems.append(f"qtype must be one of {QTYPES}")
    return problems + _check_gold(item, sources)


def _check_gold(item: dict, sources: list[str]) -> list[str]:
    text = "".join(_document_text(s) for s in sources)
    gold = item.get("gold_sentences") or []
    problems = [] if gold else ["an answerable item needs gold_sentences"]
    for sentence in gold:
        if _normalise(_LIST_MARK.sub("", sentence)) not in text:
            problems.append(f"gold sentence not found verbatim in {sources}: {sentence[:60]}")
    facts = item.get("key_facts") or []
    if not facts:
        problems.append("an answerable item needs key_facts")
    joined = _normalise(" ".join(gold))
    problems += [f"key fact not in the gold sentences: {f}" for f in facts if _normalise(f) not in joined]
    return problems


def read_items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_files(paths: list[Path]) -> list[str]:
    problems, ids = [], Counter()
    for path in paths:
        for number, item in enumerate(read_items(path), start=1):
            ids[item.get("id")] += 1
            problems += [f"{path.name}:{number} {item.get('id')}: {p}" for p in check_item(item)]
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    return problems


def build() -> dict[str, int]:
    """Check every raw file and write the three split files; returns the item count per split."""
    raw = sorted(RAW.glob("*.jsonl"))
    problems = check_files(raw)
    if problems:
        raise SystemExit("\n".join(problems))
    splits = document_splits()
    by_split: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for path in raw:
        for item in read_items(path):
            item["type"] = item["qtype"] if item["kind"] == "answerable" else f"unanswerable_{item['kind']}"
            item["split"] = split_of(item, splits)
            by_split[item["split"]].append(item)
    for split, items in by_split.items():
        lines = [json.dumps(it, ensure_ascii=False) for it in sorted(items, key=lambda it: it["id"])]
        (NATURAL.parent / f"natural_{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {split: len(items) for split, items in by_split.items()}


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        problems = check_files([Path(p) for p in argv[1:]])
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    if argv[:1] == ["build"]:
        print(json.dumps(build()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
