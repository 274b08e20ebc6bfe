"""Each source's summary (title, language, document type, chunk count, date, file path and size), one record
per source in a companion collection of the knowledge base: what `kb list`, a rebuild and the upload sweep read,
at a cost that grows with the number of sources, not of chunks (listing a million chunks' metadata took 23
minutes). The writers of chunks update the summaries of the sources they changed; a knowledge base made before
summaries existed gets them from one scan of its chunks, once. Also the names people see for sources
(display_names): one place for the app's table and the API."""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

COMPLETE_KEY = "complete"  # collection metadata: every source of the knowledge base has its summary
PLACEHOLDER_VECTOR = [0.0]  # Chroma stores a vector with every record; a summary needs none
PAGE = 5000  # records per get(), as the chunks' reads
UNKNOWN_SIZE = -1  # a source ingested before file sizes were kept (its type is "" then too)
TWIN_MARK_CHARS = 6  # hex digits of the source id that tell apart two sources shown under one name


@dataclass(frozen=True)
class SourceSummary:
    source: str
    title: str
    lang: str
    chunks: int
    ingested_at: str
    path: str = ""
    doc_type: str = ""
    size: int = UNKNOWN_SIZE

    @classmethod
    def of(cls, entry) -> SourceSummary:
        """The summary of a manifest entry (store.SourceEntry)."""
        return cls(entry.source, entry.title, entry.lang, len(entry.chunk_ids), entry.ingested_at, entry.path,
                   entry.doc_type, entry.size)


def uploads_prefix(settings, kb: str) -> str:
    """How ingest names the knowledge base's stored uploads (relative to the data dir): this, '/', the file name."""
    return settings.uploads_dir(kb).relative_to(settings.data_dir).as_posix()


def remove_kept_file(settings, kb: str, source: str) -> bool:
    """Delete the file the app kept for a deleted source (a stored upload, a saved FAQ entry): only a file inside
    the knowledge base's upload or FAQ folder (no symlink out of it, no '..'); whether one was deleted. The
    CLI's `kb delete` and the app's both come here."""
    for folder in (settings.uploads_dir(kb), settings.faq_dir(kb)):
        if source.startswith(folder.relative_to(settings.data_dir).as_posix() + "/"):
            resolved, inside = (settings.data_dir / source).resolve(), folder.resolve()
            if resolved.is_relative_to(inside) and resolved != inside and resolved.is_file():
                resolved.unlink(missing_ok=True)
                return True
    return False


def display_names(sources: Iterable[str], uploads_prefix: str) -> dict[str, str]:
    """Source id -> the name people see, never a server path: an upload (`uploads_prefix`/NAME, as ingest names
    the knowledge base's stored uploads) by its file name; a file ingested by an absolute path by its path
    relative to the folder holding all such files (the folder that was ingested, when it was one); any other by
    its id, which is already relative to the folder it was ingested from. Names two sources would share get a
    mark of their ids, so each name stands for one source."""
    sources = list(dict.fromkeys(sources))
    absolute = [s for s in sources if posixpath.isabs(s)]
    root = posixpath.commonpath([posixpath.dirname(s) for s in absolute]) if absolute else "/"
    names = {s: _display_name(s, uploads_prefix.rstrip("/") + "/", root) for s in sources}
    shared = {name for name, count in Counter(names.values()).items() if count > 1}
    return {s: f"{name} #{hashlib.sha256(s.encode()).hexdigest()[:TWIN_MARK_CHARS]}" if name in shared else name
            for s, name in names.items()}


def shown_source(source: str) -> str:
    """A single source's name where its knowledge base's list is not at hand (a citation in the chat): a file
    ingested by an absolute path by its file name, since a server path is no one's business."""
    return posixpath.basename(source) if posixpath.isabs(source) else source


def _display_name(source: str, uploads_prefix: str, absolute_root: str) -> str:
    if source.startswith(uploads_prefix):
        return source[len(uploads_prefix):]
    if posixpath.isabs(source):
        return posixpath.relpath(source, absolute_root)
    return source


def listed(summaries: list[SourceSummary], uploads_prefix: str) -> list[dict]:
    """What a client sees of each source: its id, its display name and its summary, but not the server path its
    file was read from (a size not kept is None)."""
    names = display_names([s.source for s in summaries], uploads_prefix)
    return [{"source": s.source, "name": names[s.source], "title": s.title, "lang": s.lang, "doc_type": s.doc_type,
             "chunks": s.chunks, "ingested_at": s.ingested_at, "size": None if s.size < 0 else s.size}
            for s in summaries]


class SourceSummaries:
    def __init__(self, client, name: str):
        self.client, self.name = client, name

    def open(self, kb_is_empty: Callable[[], bool]) -> None:
        """Create the collection when missing: complete at once for a new knowledge base, else after a scan."""
        if self.name not in [c.name for c in self.client.list_collections()]:
            self._create(complete=kb_is_empty())

    def reset(self) -> None:
        """Start again empty and complete (the knowledge base was dropped)."""
        if self.name in [c.name for c in self.client.list_collections()]:
            self.client.delete_collection(self.name)
        self._create(complete=True)

    def all(self, scan: Callable[[], Iterable]) -> list[SourceSummary]:
        """Every source's summary, by source name; the first call on a knowledge base from before summaries
        takes them from `scan` (every manifest entry) and records that it did."""
        collection = self._collection()
        if not (collection.metadata or {}).get(COMPLETE_KEY):
            self.write([SourceSummary.of(entry) for entry in scan()], [])
            collection.modify(metadata={COMPLETE_KEY: True})
        return sorted(self._read(), key=lambda s: s.source)

    def write(self, summaries: list[SourceSummary], gone: list[str]) -> None:
        """Record the summaries given and forget the sources that no longer have chunks."""
        collection = self._collection()
        for start in range(0, len(summaries), PAGE):
            part = summaries[start:start + PAGE]
            collection.upsert(ids=[s.source for s in part], embeddings=[PLACEHOLDER_VECTOR] * len(part),
                              metadatas=[asdict(s) for s in part])
        for start in range(0, len(gone), PAGE):
            collection.delete(ids=gone[start:start + PAGE])

    def _read(self) -> Iterator[SourceSummary]:
        collection, offset = self._collection(), 0
        while True:
            page = collection.get(include=["metadatas"], limit=PAGE, offset=offset)
            yield from (SourceSummary(**meta) for meta in page["metadatas"])
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def _create(self, complete: bool) -> None:
        try:
            self.client.create_collection(self.name, embedding_function=None, metadata={COMPLETE_KEY: complete})
        except Exception:  # another process sharing the store made it first (the error's type varies by client)
            if self.name not in [c.name for c in self.client.list_collections()]:
                raise

    def _collection(self):
        return self.client.get_collection(self.name, embedding_function=None)
