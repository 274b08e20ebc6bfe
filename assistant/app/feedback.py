"""Answer feedback, the audit log of answered questions and editors' corrections, kept in one SQLite file."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import BadInputError
from assistant.files import path_lock
from assistant.models import LANGS

RATINGS = ("up", "down")
MAX_TEXT = 20_000
MAX_COMMENT = 2_000
MAX_NAME = 100
MAX_CITED = 200  # citations of one answer kept with its feedback (an answer cites a few of its passages)
MAX_CHUNK_ID = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, kb TEXT NOT NULL, user TEXT NOT NULL,
    backend TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT NOT NULL,
    answer TEXT NOT NULL, chunk_ids TEXT NOT NULL, comment TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, kb TEXT NOT NULL, user TEXT NOT NULL,
    backend TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, chunk_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, feedback_id INTEGER NOT NULL REFERENCES feedback(id),
    kb TEXT NOT NULL, editor TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_kb ON feedback (kb, rating);
CREATE INDEX IF NOT EXISTS questions_kb ON questions (kb);
CREATE INDEX IF NOT EXISTS corrections_kb ON corrections (kb);
"""
FEEDBACK_FIELDS = ("id", "ts", "kb", "user", "backend", "rating", "question", "answer", "chunk_ids", "comment")
# A spreadsheet runs a cell that starts with one of these as a formula; questions are typed by users.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def default_path(settings=None) -> Path:
    """Where the feedback database lives: <data_dir>/feedback.sqlite3."""
    if settings is None:
        from assistant.config import get_settings

        settings = get_settings()
    return settings.feedback_db


class FeedbackStore:
    """Thread-safe feedback store: one connection per call, writes serialised by a lock, WAL for readers."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = path_lock(self.path)  # shared by every FeedbackStore of this file in this process
        with self._connect(write=True) as conn:
            # WAL is a property of the file, so setting it once lets readers run while a writer commits.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            _add_cited_column(conn)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock if write else nullcontext():
            # timeout waits out writers of other processes (the CLI, a second app worker) instead of failing.
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            try:
                with conn:
                    yield conn
            finally:
                conn.close()

    def record(self, question: str, answer: str, chunk_ids: Sequence[str], rating: str, comment: str = "",
               kb: str = "default", user: str = "", backend: str = "", cited: Any = None) -> int:
        """Store one thumbs-up/down on an answer, with the retrieved chunk ids and the cited ones as [[n, chunk id]]
        (the answer's [n] markers); returns the feedback id."""
        if rating not in RATINGS:
            raise BadInputError(f"rating must be 'up' or 'down', not '{rating}'")
        row = (_now(), _kb(kb), _text(user, "user", MAX_NAME), _text(backend, "backend", MAX_NAME), rating,
               _text(question, "question", MAX_TEXT, required=True), _text(answer, "answer", MAX_TEXT),
               _ids(chunk_ids), _text(comment, "comment", MAX_COMMENT), json.dumps(_cited(cited)))
        with self._connect(write=True) as conn:
            cur = conn.execute("INSERT INTO feedback (ts, kb, user, backend, rating, question, answer, chunk_ids, "
                               "comment, cited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    def list(self, kb: str | None = None, rating: str | None = None) -> list[dict[str, Any]]:
        """Feedback rows, oldest first, optionally only one knowledge base and/or one rating."""
        if rating is not None and rating not in RATINGS:
            raise BadInputError(f"rating must be 'up' or 'down', not '{rating}'")
        where, args = _where(kb=kb, rating=rating)
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(FEEDBACK_FIELDS)} FROM feedback{where} ORDER BY id", args)
            return [_row(r) for r in rows]

    def get(self, feedback_id: int) -> dict[str, Any] | None:
        """One feedback row by its id, with its citations ('cited': [[n, chunk id]]), or None."""
        with self._connect() as conn:
            row = conn.execute(f"SELECT {', '.join(FEEDBACK_FIELDS)}, cited FROM feedback WHERE id = ?",
                               (feedback_id,)).fetchone()
        if row is None:
            return None
        item = _row(row)
        item["cited"] = json.loads(item["cited"])
        return item

    def newest(self, kb: str, rating: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The newest `limit` rows of one knowledge base and rating, newest first, and how many there are in all."""
        if rating not in RATINGS:
            raise BadInputError(f"rating must be 'up' or 'down', not '{rating}'")
        where, args = _where(kb=kb, rating=rating)
        with self._connect() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM feedback{where}", args).fetchone()[0]
            rows = conn.execute(f"SELECT {', '.join(FEEDBACK_FIELDS)} FROM feedback{where} ORDER BY id DESC LIMIT ?",
                                [*args, limit])
            return [_row(r) for r in rows], int(total)

    def export_csv(self, kb: str | None = None, rating: str | None = None) -> str:
        """Feedback as CSV text (chunk ids space-separated); write it with encoding utf-8-sig for Excel."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FEEDBACK_FIELDS)
        for item in self.list(kb, rating):
            item["chunk_ids"] = " ".join(item["chunk_ids"])
            writer.writerow([_cell(item[name]) for name in FEEDBACK_FIELDS])
        return out.getvalue()

    def export_jsonl(self, kb: str | None = None, rating: str | None = None) -> str:
        """Feedback as JSON Lines, one object per row."""
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in self.list(kb, rating))

    def log_question(self, question: str, answer: str, chunk_ids: Sequence[str], kb: str = "default",
                     user: str = "", backend: str = "") -> int:
        """Append one answered question to the audit log; returns its id."""
        row = (_now(), _kb(kb), _text(user, "user", MAX_NAME), _text(backend, "backend", MAX_NAME),
               _text(question, "question", MAX_TEXT, required=True), _text(answer, "answer", MAX_TEXT),
               _ids(chunk_ids))
        with self._connect(write=True) as conn:
            cur = conn.execute("INSERT INTO questions (ts, kb, user, backend, question, answer, chunk_ids) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    def questions(self, kb: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """The audit log, oldest first, optionally filtered by knowledge base and/or user."""
        where, args = _where(kb=kb, user=user)
        with self._connect() as conn:
            rows = conn.execute(f"SELECT id, ts, kb, user, backend, question, answer, chunk_ids FROM questions"
                                f"{where} ORDER BY id", args)
            return [_row(r) for r in rows]

    def add_correction(self, feedback_id: int, corrected_answer: str, editor: str) -> dict[str, Any]:
        """Store an editor's corrected answer to a thumbs-down; returns {id, question, answer, kb}."""
        answer = _text(corrected_answer, "corrected answer", MAX_TEXT, required=True)
        editor = _text(editor, "editor", MAX_NAME, required=True)
        with self._connect(write=True) as conn:
            found = conn.execute("SELECT kb, rating, question FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
            if found is None:
                raise BadInputError(f"no feedback with id {feedback_id}")
            if found["rating"] != "down":
                raise BadInputError(f"feedback {feedback_id} is a thumbs-up; only thumbs-down answers are corrected")
            cur = conn.execute("INSERT INTO corrections (ts, feedback_id, kb, editor, question, answer) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               (_now(), feedback_id, found["kb"], editor, found["question"], answer))
            return {"id": int(cur.lastrowid), "question": found["question"], "answer": answer, "kb": found["kb"]}

    def corrections(self, kb: str | None = None) -> list[dict[str, Any]]:
        """Corrected answers, oldest first, with the feedback they fix and the editor who wrote them."""
        where, args = _where(kb=kb)
        with self._connect() as conn:
            rows = conn.execute(f"SELECT id, ts, feedback_id, kb, editor, question, answer FROM corrections"
                                f"{where} ORDER BY id", args)
            return [dict(r) for r in rows]


def citations_of(answer: dict) -> list[list[Any]]:
    """[[n, chunk id]] of the citations in an answer's `ask` JSON, as record() takes them."""
    citations = answer.get("citations") if isinstance(answer, dict) else None
    if not isinstance(citations, list) or not all(isinstance(c, dict) for c in citations):
        return []
    return [[c.get("n"), c.get("chunk_id")] for c in citations]


def faq_markdown(question: str, answer: str, lang: str) -> str:
    """A Markdown FAQ document with the corpus front matter, ready to ingest into a knowledge base."""
    if lang not in LANGS:
        raise BadInputError(f"FAQ language must be one of {', '.join(LANGS)}, not '{lang}'")
    # The title goes on one line of YAML; control and format characters would make PyYAML reject the file.
    title = " ".join(_printable(_text(question, "question", MAX_TEXT, required=True)).split())
    body = _printable(_text(answer, "answer", MAX_TEXT, required=True), keep="\n\t").strip()
    if not title or not body:
        raise BadInputError("an FAQ entry needs a question and an answer")
    # A JSON string is a valid YAML double-quoted scalar, so quotes, colons and '#' in questions stay safe.
    front = [f"title: {json.dumps(title, ensure_ascii=False)}", f"lang: {lang}", "doc_type: faq",
             "industries: [general]", "tags: [faq]"]
    return "---\n" + "\n".join(front) + f"\n---\n# {title}\n\n{body}\n"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _kb(kb: str) -> str:
    from assistant.retrieval.store import validate_kb_name

    return validate_kb_name(kb)


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInputError(f"{name} must be text")
    if required and not value.strip():
        raise BadInputError(f"{name} is empty")
    if len(value) > limit:
        raise BadInputError(f"{name} is {len(value)} characters long, over the {limit} limit")
    return value


def _ids(chunk_ids: Sequence[str] | None) -> str:
    if isinstance(chunk_ids, str):
        raise BadInputError("chunk ids must be a list, not one string")
    return json.dumps([str(c) for c in chunk_ids or []], ensure_ascii=False)


def _cited(cited: Any) -> list[list[Any]]:
    if cited is None:
        return []
    if not isinstance(cited, list | tuple) or len(cited) > MAX_CITED or not all(
            isinstance(c, list | tuple) and len(c) == 2 and isinstance(c[0], int) and not isinstance(c[0], bool)
            and isinstance(c[1], str) and len(c[1]) <= MAX_CHUNK_ID for c in cited):
        raise BadInputError(f"citations must be at most {MAX_CITED} [number, chunk id] pairs")
    return [[n, chunk_id] for n, chunk_id in cited]


def _add_cited_column(conn: sqlite3.Connection) -> None:
    """Feedback stored before citations were kept gets an empty list of them."""
    if "cited" in {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}:
        return
    try:
        conn.execute("ALTER TABLE feedback ADD COLUMN cited TEXT NOT NULL DEFAULT '[]'")
    except sqlite3.OperationalError:  # another process added it between the check and now
        if "cited" not in {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}:
            raise


def _where(**filters: str | None) -> tuple[str, list[str]]:
    # Keys are our own column names, never user input; values go in as parameters.
    used = {k: v for k, v in filters.items() if v is not None}
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = ?" for k in used), list(used.values())


def _row(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["chunk_ids"] = json.loads(item["chunk_ids"])
    return item


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _printable(text: str, keep: str = "") -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in keep or not unicodedata.category(ch).startswith("C"))
