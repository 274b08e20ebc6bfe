"""A citation opened at its source, for the chat's source panel: a PDF passage as its page rendered with the passage
highlighted, any other passage inside its section's text with the passage marked.

The client names at most a chunk id (the UI: a citation of an answer it holds on the server); the server looks the
chunk up in a knowledge base the user may read, takes the file from what that knowledge base recorded when it
ingested the source, and renders the file only if its bytes are still the ones ingested. Text is HTML-escaped."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.auth import User
from assistant.errors import BadInputError
from assistant.models import Chunk, source_label
from assistant.retrieval.sources import shown_source
from assistant.retrieval.store import KnowledgeBase
from assistant.service import Assistant

CHUNK_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what ingest makes (24 hex digits), with room to spare
CHOICE_RE = re.compile(r"(\d{1,5}):(\d{1,4})")  # "answer index:citation number", as citation_choices names them
SECTION_NEIGHBOURS = 3  # chunks either side of the cited one shown as its context: a section, never a whole book
# Consecutive chunks repeat their last sentences (QCA_CHUNK_OVERLAP_TOKENS); a shorter shared run is a coincidence.
MIN_OVERLAP_CHARS = 8


@dataclass
class CitationView:
    """What the panel shows: a caption and text (HTML, escaped), the PDF page when there is one."""

    label: str
    source: str
    html: str
    image: Any = None  # PIL image of the PDF page, the passage highlighted
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # highlight boxes, in pixels
    message: str = ""


class _Unavailable(Exception):
    """The source file cannot be shown (gone, changed, too big); the message says why."""


def citation_choices(turns: list[dict]) -> list[tuple[str, str]]:
    """(label, value) of every citation of the conversation's answers, newest answer first; values 't:n'."""
    choices = []
    for index in range(len(turns) - 1, -1, -1):
        for c in (turns[index].get("answer") or {}).get("citations") or []:
            label = f"[{c.get('n')}] {source_label(c.get('title'), c.get('section'), c.get('page'))}"
            choices.append((f"Q{index + 1} {label}" if len(turns) > 1 else label, f"{index}:{c.get('n')}"))
    return choices


def resolve_choice(turns: list[dict], choice: Any) -> tuple[str, str]:
    """(knowledge base, chunk id) of a choice from citation_choices, looked up in the server's own turns."""
    match = CHOICE_RE.fullmatch(choice) if isinstance(choice, str) else None
    if match is None or int(match[1]) >= len(turns):
        raise BadInputError("choose one of the listed sources")
    turn = turns[int(match[1])]
    cited = [c for c in (turn.get("answer") or {}).get("citations") or [] if str(c.get("n")) == match[2]]
    if not cited:
        raise BadInputError("that answer has no such citation")
    return turn.get("kb") or "default", cited[0].get("chunk_id", "")


def open_citation(assistant: Assistant, user: User | None, kb: str, chunk_id: Any) -> CitationView:
    """The cited chunk shown at its source, in a knowledge base the user may read."""
    kb = assistant.check_read(kb or "default", user)
    if not isinstance(chunk_id, str) or not CHUNK_ID_RE.fullmatch(chunk_id):
        raise BadInputError("a passage is named by its chunk id (letters, digits, '-' or '_', at most 64)")
    knowledge_base = assistant.kb(kb)
    found = knowledge_base.chunks_by_ids([chunk_id])
    if not found:
        raise BadInputError(f"knowledge base '{kb}' has no such passage (its source may have been deleted or "
                            "re-ingested since the answer)")
    chunk = found[0]
    if chunk.page is not None and chunk.source.lower().endswith(".pdf"):
        return _pdf_view(assistant, knowledge_base, chunk)
    return _text_view(knowledge_base, chunk)


def _pdf_view(assistant: Assistant, knowledge_base: KnowledgeBase, chunk: Chunk) -> CitationView:
    from assistant.app.pdf_page import page_view

    label = source_label(chunk.title, chunk.section, chunk.page)
    try:
        data = source_bytes(assistant, knowledge_base, chunk.source)
    except _Unavailable as exc:
        note = f"{exc}; the passage as the knowledge base keeps it:"
        return CitationView(label, chunk.source, _html(label, chunk.source, note, chunk.text), message=note)
    view = page_view(data, chunk.page, chunk.text)
    note = (f"Page {chunk.page}; the passage is highlighted." if view.boxes else
            f"Page {chunk.page}; the passage's words could not be located on the page.")
    # The passage as text too: to read, copy or search, whether or not the page shows where it is.
    return CitationView(label, chunk.source, _html(label, chunk.source, note, chunk.text), view.image, view.boxes,
                        note)


def source_bytes(assistant: Assistant, knowledge_base: KnowledgeBase, source: str) -> bytes:
    """The bytes of the file the knowledge base ingested as `source`, read from the path it recorded then, and
    only if they are still what it ingested (the signature ingest recorded from the file's SHA-256): nothing else
    on the server is ever shown. (Ingest settings changed since then read as a changed file: re-ingest it.)"""
    entry = knowledge_base.manifest(source).get(source)
    path = Path(entry.path) if entry and entry.path else None
    if path is None or not path.is_absolute():
        raise _Unavailable(f"the knowledge base does not record the file of {source}; re-ingest it to see its pages")
    uploads = assistant.settings.uploads_dir(knowledge_base.kb).resolve()
    if source.startswith("uploads/") and not path.resolve().is_relative_to(uploads):
        raise _Unavailable(f"the uploaded file of {source} is not in this knowledge base's upload folder")
    limit = int(assistant.settings.max_file_mb * 1_000_000)  # no larger file was ingested
    try:
        if path.stat().st_size > limit:
            raise _Unavailable(f"{source} has grown past {assistant.settings.max_file_mb:g} MB since it was ingested")
        data = path.read_bytes()
    except OSError as exc:
        raise _Unavailable(f"the file of {source} is no longer on the server") from exc
    from ingest.pipeline import ingest_signature  # what ingest records per file: its bytes' hash and the recipe

    signature = ingest_signature(hashlib.sha256(data).hexdigest(), assistant.settings, assistant.embedder)
    if signature not in entry.content_hashes:
        raise _Unavailable(f"{source} has changed since it was ingested (re-ingest it)")
    return data


def _text_view(knowledge_base: KnowledgeBase, chunk: Chunk) -> CitationView:
    label = source_label(chunk.title, chunk.section, chunk.page)
    text, (start, end) = section_text(knowledge_base, chunk)
    body = f"{_escape(text[:start])}<mark>{_escape(text[start:end])}</mark>{_escape(text[end:])}"
    return CitationView(label, chunk.source, _caption(label, chunk.source, "") + _block(body))


def section_text(knowledge_base: KnowledgeBase, chunk: Chunk) -> tuple[str, tuple[int, int]]:
    """The cited chunk with up to SECTION_NEIGHBOURS chunks of its section either side, as one text (the
    sentences neighbours share said once), and where the cited chunk is in it."""
    where = {"$and": [{"source": chunk.source}, {"section": chunk.section},
                      {"position": {"$gte": chunk.position - SECTION_NEIGHBOURS}},
                      {"position": {"$lte": chunk.position + SECTION_NEIGHBOURS}}]}
    chunks = sorted(knowledge_base.all_chunks(where=where), key=lambda c: c.position) or [chunk]
    text, span = "", (0, len(chunk.text))
    for part in chunks:
        shared = _overlap(text, part.text)
        if not shared:
            text += "\n\n" if text else ""
        start = len(text) - shared
        text = text[:start] + part.text
        if part.chunk_id == chunk.chunk_id:
            span = (start, start + len(part.text))
    return text, span


def _overlap(text: str, following: str) -> int:
    """How many characters `following` starts with that `text` ends with (0 below MIN_OVERLAP_CHARS)."""
    for size in range(min(len(text), len(following)), MIN_OVERLAP_CHARS - 1, -1):
        if text.endswith(following[:size]):
            return size
    return 0


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _caption(label: str, source: str, note: str) -> str:
    line = f"<p><b>{_escape(label)}</b> · <code>{_escape(shown_source(source))}</code></p>"
    return line + (f"<p><i>{_escape(note)}</i></p>" if note else "")


def _block(body: str) -> str:
    return f'<div class="qca-source-text" style="white-space: pre-wrap">{body}</div>'


def _html(label: str, source: str, note: str, passage: str = "") -> str:
    """A caption, a note, and the passage, marked as cited."""
    return _caption(label, source, note) + (_block(f"<mark>{_escape(passage)}</mark>") if passage else "")
