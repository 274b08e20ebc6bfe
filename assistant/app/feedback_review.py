"""Reviewing a knowledge base's thumbs-down answers without typing ids: a list to choose from, the chosen answer
with the passages retrieved for it, and its correction saved as an FAQ entry (actions.correct_answer).

The client only ever names a feedback row the server listed; every choice is looked up again and must be a
thumbs-down of the knowledge base in use, so a made-up or foreign number gets the same refusal as a missing one."""

from __future__ import annotations

from typing import Any

from assistant.app.actions import correct_answer, escape
from assistant.app.feedback import FeedbackStore
from assistant.auth import User
from assistant.errors import BadInputError
from assistant.models import source_label
from assistant.service import Assistant

REVIEW_COLUMNS = ["#", "date", "question", "answer", "comment", "user", "FAQ"]
# The newest this many are listed (a table of thousands helps nobody); every row stays in the CSV download.
MAX_REVIEW_ROWS = 200
CELL_CHARS = 300  # a table cell shows the start of a long answer; choosing the row shows all of it
LABEL_CHARS = 60  # the question's start in a "date · question" choice
MAX_PASSAGES = 8  # passages shown with a chosen answer: its citations (or, for old feedback, the first retrieved)
PASSAGE_CHARS = 600  # as much of a passage as the chat shows under a citation
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger number is no row, and would not even bind
MAX_ID_DIGITS = 19


def review_list(assistant: Assistant, user: User | None, kb: str = "default") -> dict[str, Any]:
    """The knowledge base's thumbs-down answers, newest first: table rows, (label, id) choices, the ids in the
    rows' order and the total (editors and admins only)."""
    kb = _checked(assistant, user, kb)
    store = _store(assistant)
    rows, total = store.newest(kb, "down", MAX_REVIEW_ROWS)
    corrected = {c["feedback_id"] for c in store.corrections(kb)}
    table = [[r["id"], _date(r["ts"]), _cut(r["question"], CELL_CHARS), _cut(r["answer"], CELL_CHARS),
              r["comment"], r["user"], "saved" if r["id"] in corrected else ""] for r in rows]
    choices = [(f"{_date(r['ts'])} · {_cut(' '.join(r['question'].split()), LABEL_CHARS)}", r["id"]) for r in rows]
    return {"kb": kb, "rows": table, "choices": choices, "ids": [r["id"] for r in rows], "total": total}


def review_item(assistant: Assistant, user: User | None, kb: str, feedback_id: Any) -> dict[str, Any]:
    """One thumbs-down answer of this knowledge base with the passages retrieved for it (the ones still in the
    knowledge base); BadInputError unless the id is a thumbs-down of `kb`."""
    kb = _checked(assistant, user, kb)
    row = _down_row(assistant, kb, feedback_id)
    # Its citations, numbered as the answer's [n]; feedback from before they were kept has the retrieved ids only.
    numbered = [(n, chunk_id) for n, chunk_id in row["cited"]] or [(None, i) for i in row["chunk_ids"]]
    numbered = numbered[:MAX_PASSAGES]
    found = {c.chunk_id: c for c in assistant.kb(kb).chunks_by_ids([i for _, i in numbered])} if numbered else {}
    passages = [{"n": n, "source": c.source, "where": source_label(c.title, c.section, c.page), "text": c.text}
                for n, chunk_id in numbered if (c := found.get(chunk_id)) is not None]
    return {**{k: row[k] for k in ("id", "ts", "question", "answer", "comment", "user")}, "kb": kb,
            "cited": bool(row["cited"]), "passages": passages, "gone": len(numbered) - len(passages)}


def save_review(assistant: Assistant, user: User | None, kb: str, feedback_id: Any, corrected: str) -> dict:
    """The corrected answer to a chosen thumbs-down, saved as the knowledge base's FAQ entry."""
    kb = _checked(assistant, user, kb)
    row = _down_row(assistant, kb, feedback_id)
    return correct_answer(assistant, user, row["id"], corrected, kb)


def item_markdown(item: dict[str, Any]) -> str:
    """The chosen answer for a Markdown component: every text from users and documents escaped."""
    lines = [f"**Question** ({_date(item['ts'])}, {escape(item['user']) or 'no sign-in'}): "
             f"{escape(item['question'])}", "", f"**Answer**\n\n{escape(item['answer'])}", ""]
    if item["comment"]:
        lines += [f"**Comment:** {escape(item['comment'])}", ""]
    lines.append(f"**Citations** ({len(item['passages'])})" if item["cited"] else
                 f"**Passages retrieved for it** ({len(item['passages'])}; its citations were not kept then)")
    for passage in item["passages"]:
        mark = f"[{passage['n']}]" if passage["n"] is not None else "•"
        lines += ["", f"{mark} {escape(passage['where'])} — <code>{escape(passage['source'])}</code>", "",
                  f"> {escape(' '.join(passage['text'][:PASSAGE_CHARS].split()))}"]
    if item["gone"]:
        lines += ["", f"*{item['gone']} passage(s) are no longer in the knowledge base.*"]
    return "\n".join(lines)


def _checked(assistant: Assistant, user: User | None, kb: str) -> str:
    assistant.check_manage(user)
    return assistant.check_read(kb or "default", user)


def _down_row(assistant: Assistant, kb: str, feedback_id: Any) -> dict[str, Any]:
    number = _number(feedback_id)
    row = _store(assistant).get(number) if number is not None else None
    if row is None or row["kb"] != kb or row["rating"] != "down":
        raise BadInputError(f"choose one of the thumbs-down answers listed for knowledge base '{kb}'")
    return row


def _number(value: Any) -> int | None:
    """A row id as SQLite stores it, from an int or a string of digits; None for anything else."""
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def _store(assistant: Assistant) -> FeedbackStore:
    return FeedbackStore(assistant.settings.feedback_db)


def _date(ts: str) -> str:
    return ts[:16].replace("T", " ")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
