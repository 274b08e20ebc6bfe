"""The knowledge base's sources as the app shows and changes them, without Gradio: a table by display name, a
filter, deleting the selected sources (and their stored uploads) and re-ingesting one.

A client names sources only by what the server listed to it; every name is looked up in the knowledge base's own
list again and anything else is refused, so no request can make the server read or delete a path it chose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.app.uploads import require_inside
from assistant.auth import User
from assistant.errors import BadInputError
from assistant.retrieval.sources import SourceSummary, display_names, uploads_prefix
from assistant.service import Assistant

TABLE_COLUMNS = ["name", "chunks", "language", "type", "ingested (UTC)", "size"]
MAX_FILTER_CHARS = 200  # a file name filter; anything longer is no name
MAX_SHOWN = 500  # rows (and checkboxes) one listing sends to the browser; the filter narrows a larger list
MAX_SELECTED = 100  # sources one delete may name: each is a Chroma delete and a BM25 sync
MAX_NAME_CHARS = 1000  # longer than any display name (a path relative to an ingested folder)
DATE_CHARS = len("2025-01-31T12:00")  # ingest times are ISO, UTC; the table shows them to the minute


def list_sources(assistant: Assistant, user: User | None, kb: str = "default", name_filter: str = "") -> dict:
    """The sources whose display name contains name_filter (any case), by name, at most MAX_SHOWN of them; with
    the number of all sources and of all matches."""
    if not isinstance(name_filter, str) or len(name_filter) > MAX_FILTER_CHARS:
        raise BadInputError(f"the filter must be text of at most {MAX_FILTER_CHARS} characters")
    kb = kb or "default"
    every = assistant.list_sources(kb, user=user)["sources"]
    wanted = name_filter.strip().casefold()
    matches = sorted((s for s in every if wanted in s["name"].casefold()), key=lambda s: s["name"].casefold())
    return {"kb": kb, "total": len(every), "matches": len(matches), "sources": matches[:MAX_SHOWN]}


def table_rows(sources: list[dict]) -> list[list[Any]]:
    """TABLE_COLUMNS rows of listed sources; what an old knowledge base did not keep (type, size) stays empty."""
    return [[s["name"], s["chunks"], s["lang"], s["doc_type"], s["ingested_at"][:DATE_CHARS].replace("T", " "),
             human_size(s["size"])] for s in sources]


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def delete_sources(assistant: Assistant, user: User | None, names: Any, kb: str = "default") -> dict:
    """Delete the sources with these display names (editors and admins), each with its stored upload; nothing
    is deleted when a name is not one the knowledge base lists."""
    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    chosen = resolve(assistant, kb, names)
    return {"kb": kb, "deleted": [_delete(assistant, user, kb, summary, name) for name, summary in chosen]}


def selected_names(assistant: Assistant, user: User | None, names: Any, kb: str = "default") -> list[str]:
    """The display names a delete would remove, checked as the delete checks them, for the confirmation."""
    assistant.check_manage(user)
    return [name for name, _ in resolve(assistant, assistant.check_read(kb or "default", user), names)]


def delete_source(assistant: Assistant, user: User | None, source: Any, kb: str = "default") -> dict:
    """The /delete_source endpoint: one source by its id as listed, with its stored upload."""
    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    [(name, summary)] = resolve(assistant, kb, [source], by_id=True)
    return {"kb": kb, "source": summary.source, **_delete(assistant, user, kb, summary, name)}


def _delete(assistant: Assistant, user: User | None, kb: str, summary: SourceSummary, name: str) -> dict:
    done = assistant.delete_source(summary.source, kb, user=user)
    return {"name": name, "chunks_removed": done["chunks_removed"], "file_removed": done["file_removed"]}


def reingest_source(assistant: Assistant, user: User | None, names: Any, kb: str = "default") -> dict:
    """Ingest one selected source again from its file (the stored upload or the path it was ingested from), under
    the same id; a file that is gone, or fails, is a clear error and the source stays as it was."""
    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    if not isinstance(names, list) or len(names) != 1:
        raise BadInputError("select one source to re-ingest")
    [(name, summary)] = resolve(assistant, kb, names)
    path = source_file(assistant, kb, summary)
    if path is None or not path.is_file():
        raise BadInputError(f"the file of '{name}' is gone from the server; upload it again or delete the source")
    report = assistant.ingest([path], kb, progress=False, user=user, names={path: summary.source})
    if report.files_failed:
        reason = report.files_failed[0]["error"].replace(str(path), name)  # the server's path is not shown
        raise BadInputError(f"'{name}' could not be re-ingested: {reason}")
    return {"kb": kb, "name": name, "chunks_added": report.chunks_added, "chunks_removed": report.chunks_removed,
            "unchanged": report.chunks_added == 0 and report.chunks_removed == 0}


def resolve(assistant: Assistant, kb: str, names: Any, by_id: bool = False) -> list[tuple[str, SourceSummary]]:
    """(display name, summary) of each named source, looked up in the knowledge base's own list by display name
    (or by source id); BadInputError for anything it does not list, before any work."""
    if not isinstance(names, list) or not all(isinstance(n, str) and 0 < len(n) <= MAX_NAME_CHARS for n in names):
        raise BadInputError("sources must be named as listed (a list of names)")
    if not names:
        raise BadInputError("select the sources first")
    if len(names) > MAX_SELECTED:
        raise BadInputError(f"{len(names)} sources selected; at most {MAX_SELECTED} at a time")
    summaries = assistant.kb(kb).sources()
    shown = display_names([s.source for s in summaries], uploads_prefix(assistant.settings, kb))
    keys = [s.source if by_id else shown[s.source] for s in summaries]
    lookup = {key: (shown[s.source], s) for key, s in zip(keys, summaries, strict=True)}
    # Display names are unique by construction; should two still meet, neither is guessed at.
    unknown = [n for n in names if n not in lookup or keys.count(n) > 1]
    if unknown:
        raise BadInputError(f"'{unknown[0]}' is not a source of knowledge base '{kb}'; list the sources again")
    return [lookup[n] for n in dict.fromkeys(names)]


def source_file(assistant: Assistant, kb: str, summary: SourceSummary) -> Path | None:
    """The file a source was read from: a stored upload in the knowledge base's upload folder (wherever the
    data dir now is), else the absolute path ingest recorded; None when neither is known."""
    settings = assistant.settings
    if summary.source.startswith(uploads_prefix(settings, kb) + "/"):
        path = settings.data_dir / summary.source
        try:
            require_inside(path, settings.uploads_dir(kb))  # a symlink out of the folder is not followed
        except BadInputError:
            return None
        return path.resolve()
    path = Path(summary.path) if summary.path else None
    return path if path is not None and path.is_absolute() else None

