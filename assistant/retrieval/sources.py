"""Each source's summary (title, language, chunk count, date, file path), one record per source in a companion
collection of the knowledge base: what `kb list`, a rebuild and the upload sweep read, at a cost that grows with
the number of sources, not of chunks (listing a million chunks' metadata took 23 minutes). The writers of chunks
update the summaries of the sources they changed; a knowledge base made before summaries existed gets them from
one scan of its chunks, once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

COMPLETE_KEY = "complete"  # collection metadata: every source of the knowledge base has its summary
PLACEHOLDER_VECTOR = [0.0]  # Chroma stores a vector with every record; a summary needs none
PAGE = 5000  # records per get(), as the chunks' reads


@dataclass(frozen=True)
class SourceSummary:
    source: str
    title: str
    lang: str
    chunks: int
    ingested_at: str
    path: str = ""

    @classmethod
    def of(cls, entry) -> SourceSummary:
        """The summary of a manifest entry (store.SourceEntry)."""
        return cls(entry.source, entry.title, entry.lang, len(entry.chunk_ids), entry.ingested_at, entry.path)


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
