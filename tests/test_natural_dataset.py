"""The natural-question set: every item well formed, splits by document, and the test split frozen."""

import hashlib
import json

from evals.natural_dataset import NATURAL, RAW, SPLITS, check_files, document_splits, read_items

SPLIT_FILES = {split: NATURAL.parent / f"natural_{split}.jsonl" for split in SPLITS}


def _items(split: str) -> list[dict]:
    return read_items(SPLIT_FILES[split])


def test_every_raw_item_passes_the_checks():
    assert check_files(sorted(RAW.glob("*.jsonl"))) == []


def test_the_splits_hold_every_raw_item_once_and_are_made_by_document():
    raw_ids = sorted(item["id"] for path in RAW.glob("*.jsonl") for item in read_items(path))
    assert sorted(item["id"] for split in SPLITS for item in _items(split)) == raw_ids
    documents = document_splits()
    for split in SPLITS:
        for item in _items(split):
            if item["kind"] != "ood":
                assert documents[item["gold_sources"][0]] == split, item["id"]
    train_docs = {s for item in _items("train") for s in item["gold_sources"]}
    test_docs = {s for item in _items("test") for s in item["gold_sources"]}
    assert test_docs and not train_docs & test_docs


def test_the_set_has_the_size_and_mix_the_issue_asks_for():
    items = [item for split in SPLITS for item in _items(split)]
    kinds = [item["kind"] for item in items]
    assert len(items) >= 600 and sum(item["lang"] == "zh" for item in items) * 2 >= len(items)
    assert kinds.count("absent") >= 150 and kinds.count("ood") >= 50
    assert {item["qtype"] for item in items if item["kind"] == "answerable"} >= {
        "definition", "calculation", "procedure", "quantity", "cause", "comparison", "example", "recommendation"}


def test_the_test_split_is_frozen():
    """Written before any tuning; a change to it must be deliberate (and says the reported figures are void)."""
    digest = hashlib.sha256(SPLIT_FILES["test"].read_bytes()).hexdigest()
    assert digest == (NATURAL / "test.sha256").read_text(encoding="utf-8").strip()
    assert all(json.loads(line)["split"] == "test" for line in SPLIT_FILES["test"].read_text().splitlines())


def test_extra_training_questions_are_well_formed_and_never_about_a_dev_or_test_document():
    extra = sorted((NATURAL / "extra").glob("*.jsonl"))
    assert extra and check_files(extra) == []
    documents = document_splits()
    for path in extra:
        for item in read_items(path):
            assert all(documents[s] == "train" for s in item["gold_sources"]), item["id"]
