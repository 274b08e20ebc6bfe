"""Evaluation datasets: JSONL items (format in evals/README.md), read and checked before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.errors import BadInputError

DATASETS = Path(__file__).parent / "datasets"
DEFAULT_DATASETS = [DATASETS / "qc_eval.jsonl", DATASETS / "qc_eval_extra.jsonl"]
SMOKE_IDS = DATASETS / "smoke_ids.txt"


def load_dataset(path: Path | None = None) -> list[dict]:
    """Items of one JSONL file, or of the shipped datasets when no path is given."""
    paths = [path] if path else [p for p in DEFAULT_DATASETS if p.exists()]
    items: list[dict] = []
    for file in paths:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BadInputError(f"cannot read dataset {file}: {exc}") from exc
        for number, line in enumerate(lines, start=1):
            if line.strip():
                items.append(_checked(line, f"{file}:{number}"))
    ids = [it["id"] for it in items]
    if len(set(ids)) != len(ids):
        raise BadInputError("dataset ids must be unique")
    return items


def _checked(line: str, where: str) -> dict:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise BadInputError(f"{where}: not valid JSON ({exc})") from exc
    missing = {"id", "question", "answerable"} - set(item)
    if missing:
        raise BadInputError(f"{where}: missing {sorted(missing)}")
    item.setdefault("gold_sources", [])
    item.setdefault("key_facts", [])
    item.setdefault("reference_answer", "")
    item.setdefault("history", [])
    item.setdefault("type", "factual" if item["answerable"] else "unanswerable")
    return item


def smoke_subset(items: list[dict]) -> list[dict]:
    wanted = SMOKE_IDS.read_text(encoding="utf-8").split()
    by_id = {it["id"]: it for it in items}
    return [by_id[i] for i in wanted if i in by_id]


def load_pairs(path: Path | None = None) -> list[dict]:
    """Labelled claim/passage pairs for measuring the grounding checker itself."""
    path = path or DATASETS / "checker_pairs.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
