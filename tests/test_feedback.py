"""Feedback store on a real SQLite file: ratings, audit log, corrections, exports, threads, FAQ documents."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest
import yaml

from assistant.app.feedback import FeedbackStore, default_path, faq_markdown
from assistant.errors import BadInputError


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "fb" / "feedback.sqlite3")


def test_record_and_list_with_filters(store):
    up = store.record("What is Cpk?", "Cpk is ... [1]", ["c1", "c2"], "up", kb="default", user="ann", backend="x")
    down = store.record("什么是8D？", "8D 是 [1]", ["z1"], "down", comment="太短", kb="zh-kb")
    assert (up, down) == (1, 2)
    rows = store.list()
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["chunk_ids"] == ["c1", "c2"] and rows[0]["user"] == "ann" and rows[0]["backend"] == "x"
    assert rows[1]["question"] == "什么是8D？" and rows[1]["comment"] == "太短" and rows[1]["ts"].endswith("+00:00")
    assert [r["id"] for r in store.list(kb="zh-kb")] == [2]
    assert [r["id"] for r in store.list(rating="up")] == [1]
    assert store.list(kb="default", rating="down") == []


@pytest.mark.parametrize("kwargs, message", [
    ({"rating": "meh"}, "rating"),
    ({"rating": "up", "kb": "../etc"}, "knowledge base"),
    ({"rating": "up", "question": "  "}, "question is empty"),
    ({"rating": "up", "comment": "x" * 2001}, "comment"),
    ({"rating": "up", "chunk_ids": "c1"}, "chunk ids"),
])
def test_record_rejects_bad_input(store, kwargs, message):
    args = {"question": "q", "answer": "a", "chunk_ids": ["c1"], **kwargs}
    with pytest.raises(BadInputError, match=message):
        store.record(**args)
    assert store.list() == []
    with pytest.raises(BadInputError):
        store.list(rating="sideways")


def test_store_uses_wal_and_default_path(store, hash_settings):
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert default_path(hash_settings) == hash_settings.data_dir / "feedback.sqlite3"


def test_exports_round_trip_and_defuse_formulas(store):
    store.record("=HYPERLINK(\"http://evil\")", "answer, with \"quotes\"\nand a newline", ["a", "b"], "down")
    store.record("中文问题", "中文回答", [], "up", kb="other")
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert len(rows) == 2
    assert rows[0]["question"].startswith("'=")  # a spreadsheet shows it as text instead of running it
    assert rows[0]["answer"] == "answer, with \"quotes\"\nand a newline"
    assert rows[0]["chunk_ids"] == "a b" and rows[1]["question"] == "中文问题"
    lines = store.export_jsonl().splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["=HYPERLINK(\"http://evil\")", "中文问题"]
    assert json.loads(lines[0])["chunk_ids"] == ["a", "b"]
    assert len(store.export_jsonl(kb="other").splitlines()) == 1


def test_question_audit_log_is_separate(store):
    qid = store.log_question("What is SPC?", "SPC is ... [1]", ["c9"], kb="default", user="bob", backend="extractive")
    store.log_question("什么是SPC？", "统计过程控制", ["c8"], kb="zh", user="li")
    assert qid == 1 and store.list() == []
    log = store.questions()
    assert [q["user"] for q in log] == ["bob", "li"]
    assert log[0]["chunk_ids"] == ["c9"] and log[0]["answer"] == "SPC is ... [1]" and log[0]["ts"]
    assert [q["kb"] for q in store.questions(user="li")] == ["zh"]


def test_corrections_only_for_thumbs_down(store):
    up = store.record("q up", "fine", ["c"], "up")
    down = store.record("Why 5 Whys?", "wrong answer", ["c"], "down", kb="default")
    fixed = store.add_correction(down, "Because it finds the root cause.", editor="eve")
    assert fixed == {"id": 1, "question": "Why 5 Whys?", "answer": "Because it finds the root cause.", "kb": "default"}
    with pytest.raises(BadInputError, match="thumbs-up"):
        store.add_correction(up, "x", editor="eve")
    with pytest.raises(BadInputError, match="no feedback"):
        store.add_correction(999, "x", editor="eve")
    with pytest.raises(BadInputError, match="empty"):
        store.add_correction(down, "  ", editor="eve")
    listed = store.corrections("default")
    assert len(listed) == 1 and listed[0]["editor"] == "eve" and listed[0]["feedback_id"] == down
    assert store.corrections("other") == []


def test_eight_threads_write_at_once(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        # Half the threads share one store object, half open their own, like several app workers would.
        own = FeedbackStore(path) if n % 2 else shared
        try:
            barrier.wait()
            for i in range(25):
                own.record(f"q{n}-{i}", "a", [f"c{n}"], "up" if i % 2 else "down", user=f"u{n}")
                own.log_question(f"q{n}-{i}", "a", [], user=f"u{n}")
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    shared = FeedbackStore(path)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = FeedbackStore(path).list()
    assert len(rows) == 200 and len({r["id"] for r in rows}) == 200
    assert {r["question"] for r in rows} == {f"q{n}-{i}" for n in range(8) for i in range(25)}
    assert len(shared.questions()) == 200


def test_faq_markdown_front_matter_is_ingestible(tmp_path):
    from ingest.loaders import load_file

    text = faq_markdown('What is "Cpk": capability # index?\n', "Cpk compares the spec width\nto 6 sigma.", "en")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": 'What is "Cpk": capability # index?', "lang": "en", "doc_type": "faq",
                     "industries": ["general"], "tags": ["faq"]}
    path = tmp_path / "faq-cpk.md"
    path.write_text(text, encoding="utf-8")
    doc = load_file(path, "faq/faq-cpk.md", 1_000_000, 1_000_000)
    assert (doc.doc_type, doc.lang, doc.industries, doc.tags) == ("faq", "en", ["general"], ["faq"])
    assert doc.title == 'What is "Cpk": capability # index?'
    assert "6 sigma" in doc.sections[0].text


def test_faq_markdown_chinese_and_bad_input():
    text = faq_markdown("什么是\u202e过程能力？", "过程能力指数 Cpk……", "zh")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "什么是过程能力？" and front["lang"] == "zh"
    assert text.endswith("过程能力指数 Cpk……\n")
    with pytest.raises(BadInputError, match="language"):
        faq_markdown("q", "a", "fr")
    with pytest.raises(BadInputError):
        faq_markdown("q", "   ", "en")
