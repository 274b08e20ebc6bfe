"""A signed-in user's chat conversation, kept in the data directory so that it survives a page reload.

One JSON file per user under <data_dir>/conversations/, named from the user name made safe (no name becomes a
path), replaced atomically, with the last MAX_TURNS turns in at most MAX_BYTES. Without sign-in there is no one
to keep it for, so nothing is stored. A turn is what the chat keeps of an answered question: {question, kb,
answer (the `ask` JSON), index (the answer's place among the chat's messages)}."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import re
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from assistant.auth import User
from assistant.files import atomic_path, path_lock
from assistant.models import Answer, Citation, GroundingReport
from assistant.service import Assistant

log = logging.getLogger(__name__)
MAX_TURNS = 20  # a reload brings back the recent conversation; older turns are dropped when a new one is kept
# A file above this is never read, whatever wrote it; when saving, the oldest turns go until the rest fit.
MAX_BYTES = 2_000_000
NAME_CHARS = 40  # of the user name kept readable in the file name; a hash of the whole name makes it unique
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_ANSWER_FIELDS = {f.name for f in dataclasses.fields(Answer)}


def conversation_path(assistant: Assistant, name: str) -> Path:
    """The file of the user called `name`: letters, digits, '-' and '_' of the name plus a hash of all of it, so no
    two names share a file and no name ('..', '/etc/x', NUL) reaches outside the folder."""
    digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return assistant.settings.conversations_dir / f"{_UNSAFE.sub('_', str(name))[:NAME_CHARS]}-{digest}.json"


def save(assistant: Assistant, user: User | None, turns: Any, locked: bool = False) -> int:
    """Keep these turns as the user's conversation (the last MAX_TURNS, within MAX_BYTES); how many were kept."""
    if user is None:
        return 0
    kept = valid_turns(turns[-MAX_TURNS:] if isinstance(turns, list) else turns)
    text = _dump(kept)
    while kept and len(text.encode("utf-8")) > MAX_BYTES:
        kept = kept[1:]
        text = _dump(kept)
    path = conversation_path(assistant, user.name)
    with nullcontext() if locked else path_lock(path):
        if not kept:
            path.unlink(missing_ok=True)
            return 0
        with atomic_path(path, mode=0o600) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return len(kept)


def append(assistant: Assistant, user: User | None, turn: dict[str, Any]) -> int:
    """Add one answered turn to the user's kept conversation, in the request that answered it (a reload right
    after an answer still finds it); how many turns are kept."""
    if user is None:
        return 0
    path = conversation_path(assistant, user.name)
    try:
        with path_lock(path):
            return save(assistant, user, _read(path) + [turn], locked=True)
    except OSError as exc:  # a full disk loses the copy for a reload, never the answer on screen
        log.warning("conversation of %s not kept: %s", user.name, exc)
        return 0


def load(assistant: Assistant, user: User | None) -> list[dict[str, Any]]:
    """The user's kept turns, only those of knowledge bases the user may still read; [] when there are none or the
    file is unreadable (it is logged, not shown: a reload must not fail)."""
    if user is None:
        return []
    readable = set(assistant.kb_names(user))
    return [t for t in _read(conversation_path(assistant, user.name)) if t["kb"] in readable][-MAX_TURNS:]


def clear(assistant: Assistant, user: User | None) -> None:
    """Forget the user's conversation (the New conversation button)."""
    save(assistant, user, [])


def valid_turns(turns: Any) -> list[dict[str, Any]]:
    """The turns that have the chat's shape and an answer that can be shown again; anything else is left out."""
    if not isinstance(turns, list):
        return []
    kept = []
    for turn in turns:
        if isinstance(turn, dict) and isinstance(turn.get("question"), str) and isinstance(turn.get("kb"), str) \
                and answer_of(turn) is not None:
            kept.append({"question": turn["question"], "kb": turn["kb"], "answer": turn["answer"],
                         "index": turn.get("index")})
    return kept


def answer_of(turn: dict[str, Any]) -> Answer | None:
    """The Answer a turn's `ask` JSON was made from, to render it again; None when it is not one."""
    data = turn.get("answer")
    if not isinstance(data, dict) or not set(data) <= _ANSWER_FIELDS:
        return None
    try:
        citations = [Citation(**c) for c in data.get("citations") or []]
        grounding = GroundingReport(**(data.get("grounding") or {"supported_ratio": None}))
        answer = Answer(**{**data, "citations": citations, "grounding": grounding})
    except TypeError:  # a field missing or unknown
        return None
    return answer if _renderable(answer) else None


def _renderable(answer: Answer) -> bool:
    """The fields the chat shows have the types it formats (a hand-edited or damaged file may not)."""
    if not isinstance(answer.notes, list):
        return False
    texts = [answer.answer, answer.backend_used, *answer.notes,
             *(value for c in answer.citations for value in (c.source, c.title, c.section, c.quote))]
    ratio = answer.grounding.supported_ratio
    return all(isinstance(t, str) for t in texts) and (ratio is None or isinstance(ratio, int | float))


def chat_messages(turns: list[dict[str, Any]], render: Callable[[Answer], str]) -> tuple[list[dict], list[dict]]:
    """The chat's messages for these turns (question escaped, answer rendered by `render`), and the turns with
    each one's index set to its answer's place among those messages (what the thumbs under it report)."""
    messages, renumbered = [], []
    for turn in turns:
        messages += [{"role": "user", "content": html.escape(turn["question"])},
                     {"role": "assistant", "content": render(answer_of(turn))}]
        renumbered.append({**turn, "index": len(messages) - 1})
    return messages, renumbered


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("conversation in %s not read: %s", path.name, exc)
        return []
    return valid_turns(data.get("turns") if isinstance(data, dict) else None)


def _dump(turns: list[dict[str, Any]]) -> str:
    return json.dumps({"turns": turns}, ensure_ascii=False)
