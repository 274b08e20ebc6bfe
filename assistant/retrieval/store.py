"""Chroma access: one collection per knowledge base, embedded by default or on a Chroma server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import BadInputError, EmbeddingMismatchError, StoreUnavailableError
from assistant.models import Chunk
from assistant.retrieval.changes import ChangeLog, Delta
from assistant.retrieval.sources import UNKNOWN_SIZE, SourceSummaries, SourceSummary

# Wide enough that search over a knowledge base of thousands of chunks is exact in practice, so two stores
# built from the same files rank alike (the reader is trained on one and used on the other).
HNSW_EF_SEARCH = 256
# Records per Chroma call: under Chroma's own maximum (5,461 locally), and a request size a Chroma server takes.
WRITE_BATCH = 1000
READ_PAGE = 5000  # records per get(): well under SQLite's variable limit
VERSION_KEY = "changed"  # collection metadata: the token of the last completed change
KB_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")


@dataclass
class FileChunks:
    """A file's new chunks with their vectors, and the file's content hash, path and size, as written together."""

    chunks: list[Chunk]
    vectors: np.ndarray
    content_hash: str
    path: str = ""
    size: int = UNKNOWN_SIZE


@dataclass
class SourceEntry:
    """One source as the store knows it: the manifest is derived from Chroma, the single source of truth."""

    source: str
    title: str
    lang: str
    ingested_at: str
    path: str = ""  # the file it was read from, absolute, for a rebuild
    doc_type: str = ""
    size: int = UNKNOWN_SIZE  # the file's bytes when it was last read
    content_hashes: set[str] = field(default_factory=set)
    chunk_ids: list[str] = field(default_factory=list)


def make_client(settings: Settings):
    """PersistentClient under QCA_DATA_DIR, or HttpClient when QCA_CHROMA_HOST is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at http://{settings.chroma_host}:{settings.chroma_port} "
                f"({type(exc).__name__}: {str(exc)[:120]})"
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def validate_kb_name(kb: str) -> str:
    if not isinstance(kb, str) or not KB_NAME_RE.fullmatch(kb):
        raise BadInputError(f"invalid knowledge base name '{kb}': use letters, digits, '-' or '_' (max 41)")
    return kb


class KnowledgeBase:
    """The Chroma collection of one knowledge base, tied to the embedding model it was built with."""

    def __init__(self, client, kb: str, embedding_model: str):
        self.client = client
        self.kb = validate_kb_name(kb)
        self.embedding_model = embedding_model
        self.collection_name = f"qca-{kb}"
        self.changes = ChangeLog(client, f"qcalog-{kb}")  # not 'qca-': it is no knowledge base
        self.summaries = SourceSummaries(client, f"qcasrc-{kb}")
        self._added: list[str] = []  # chunk ids written since the last `changed`, for the change log
        self._removed: list[str] = []
        self._open()

    def _open(self) -> None:
        self.collection = collection = self.client.get_or_create_collection(
            self.collection_name, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_EF_SEARCH}},
            metadata={"embedding_model": self.embedding_model, "kb": self.kb},
        )
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with != self.embedding_model:
            raise EmbeddingMismatchError(
                f"knowledge base '{self.kb}' was built with embedding model '{built_with}', but the configured "
                f"model is '{self.embedding_model}'; re-index it: qcassist ingest --reindex --kb {self.kb} PATH..., "
                f"or keep its model: QCA_EMBEDDING_MODEL={built_with}"
            )
        if VERSION_KEY not in (collection.metadata or {}):  # new, or made before versions: readers rebuild once
            self.changed()
        self.summaries.open(lambda: collection.count() == 0)

    def reset(self) -> None:
        """Drop every chunk and start again with the configured model (used by --reindex)."""
        if self.collection_name in [c.name for c in self.client.list_collections()]:
            self.client.delete_collection(self.collection_name)
        self.changes.clear()
        self.summaries.reset()
        self._added, self._removed = [], []
        self._open()

    def count(self) -> int:
        return self.collection.count()

    def version(self) -> str:
        """A token that every completed change replaces (`changed`), read from the collection's own metadata: one
        small read however large the knowledge base, and seen by every process sharing the store."""
        fresh = self.client.get_collection(self.collection_name, embedding_function=None)
        return str((fresh.metadata or {}).get(VERSION_KEY, ""))

    def changed(self) -> None:
        """Mark a completed change (a file written, a source deleted) so that every reader updates its indexes;
        the ids it added and removed go to the change log first, so a reader seeing the new version finds them."""
        before, after = self.version(), uuid.uuid4().hex
        self.changes.record(before, after, self._added, self._removed)
        self._added, self._removed = [], []
        self.collection.modify(metadata={"embedding_model": self.embedding_model, "kb": self.kb,
                                         VERSION_KEY: after})

    def changes_since(self, version: str) -> tuple[str, Delta | None]:
        """The current version and what changed since `version` (None: the log cannot tell; list instead)."""
        current = self.version()
        return current, self.changes.since(version, current)

    def manifest(self, source: str | None = None) -> dict[str, SourceEntry]:
        """Source -> its chunks, hashes and dates; with `source`, that one source only, by a metadata query (what
        ingest needs per file, at a cost that does not grow with the knowledge base)."""
        entries: dict[str, SourceEntry] = {}
        where = {"source": source} if source is not None else None
        for chunk_id, meta in self._records(include=["metadatas"], where=where):
            entry = entries.setdefault(
                meta["source"], SourceEntry(meta["source"], meta.get("title", ""), meta.get("lang", ""),
                                            meta.get("ingested_at", ""), meta.get("path", ""),
                                            meta.get("doc_type", ""), meta.get("size", UNKNOWN_SIZE)))
            entry.content_hashes.add(meta.get("content_hash", ""))
            entry.chunk_ids.append(chunk_id)
            entry.ingested_at = max(entry.ingested_at, meta.get("ingested_at", ""))
        return entries

    def sources(self) -> list[SourceSummary]:
        """Every source's summary, by name: one record per source, however many chunks each has."""
        return self.summaries.all(lambda: self.manifest().values())

    def summarize(self, sources: list[str]) -> None:
        """Bring these sources' summaries up to date with their chunks (after a write, or a write undone)."""
        entries = {source: self.manifest(source).get(source) for source in dict.fromkeys(sources)}
        self.summaries.write([SourceSummary.of(e) for e in entries.values() if e],
                             [source for source, e in entries.items() if e is None])

    def add_chunks(self, files: list[FileChunks]) -> None:
        """Write the chunks of one or more files in as few calls as Chroma accepts (a call costs about as much for
        ten chunks as for a thousand); each file's all-or-nothing is the ingest journal's job."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        chunks = [chunk for f in files for chunk in f.chunks]
        vectors = np.vstack([f.vectors for f in files if len(f.chunks)]) if chunks else np.zeros((0, 0))
        metadatas = [chunk_to_metadata(chunk, f.content_hash, now, f.path, f.size) for f in files for chunk in f.chunks]
        self._added += [c.chunk_id for c in chunks]
        for part in self._batches(len(chunks)):
            self.collection.upsert(ids=[c.chunk_id for c in chunks[part]], embeddings=vectors[part].tolist(),
                                   documents=[c.text for c in chunks[part]], metadatas=metadatas[part])

    def delete_ids(self, chunk_ids: list[str]) -> None:
        self._removed += chunk_ids
        for part in self._batches(len(chunk_ids)):
            self.collection.delete(ids=chunk_ids[part])

    def refresh_hash(self, chunk_ids: list[str], content_hash: str, path: str = "", size: int = UNKNOWN_SIZE) -> None:
        """Record a new file hash (and where the file now is, and its size) on chunks whose text did not change."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for part in self._batches(len(chunk_ids)):
            found = self.collection.get(ids=chunk_ids[part], include=["metadatas"])  # not in the order asked for
            for meta in found["metadatas"]:
                meta.update(content_hash=content_hash, ingested_at=now, path=path, size=size)
            self.collection.update(ids=found["ids"], metadatas=found["metadatas"])

    def _batches(self, count: int) -> Iterator[slice]:
        size = min(WRITE_BATCH, self.client.get_max_batch_size())
        for start in range(0, count, size):
            yield slice(start, start + size)

    def delete_source(self, source: str) -> int:
        if not isinstance(source, str) or not source.strip():  # never an operator expression such as {"$ne": …}
            raise BadInputError("name the source to delete as `kb list` shows it")
        ids = [chunk_id for chunk_id, in self._records(where={"source": source}, include=[])]
        if not ids:
            raise BadInputError(f"no source '{source}' in knowledge base '{self.kb}' (see: qcassist kb list)")
        self.delete_ids(ids)
        self.summaries.write([], [source])
        self.changed()
        return len(ids)

    def all_chunks(self, where: dict | None = None) -> list[Chunk]:
        """Every chunk (or every one matching a metadata filter), a page at a time, in chunk-id order (Chroma's own
        order differs between stores); never for a question."""
        chunks = [chunk_from_record(i, d, m)
                  for i, d, m in self._records(include=["documents", "metadatas"], where=where)]
        return sorted(chunks, key=lambda c: c.chunk_id)

    def section_chunks(self, source: str, section: str, around: int | None = None, reach: int = 0) -> list[Chunk]:
        """One section of one source, in reading order; with `around`, only its chunks within `reach` positions of
        that one (the filter runs in Chroma, so a long section is not read whole)."""
        where = [{"source": source}, {"section": section}]
        if around is not None:
            where += [{"position": {"$gte": around - reach}}, {"position": {"$lte": around + reach}}]
        found = self.all_chunks(where={"$and": where})
        return sorted(found, key=lambda c: c.position)

    def all_ids(self) -> list[str]:
        return [chunk_id for chunk_id, in self._records(include=[])]

    def chunks_by_ids(self, chunk_ids: list[str]) -> list[Chunk]:
        """The chunks with these ids, in the order asked for (ids the collection lacks are left out)."""
        found = {chunk.chunk_id: chunk for chunk in self.iter_chunks(chunk_ids)}
        return [found[i] for i in chunk_ids if i in found]

    def iter_chunks(self, chunk_ids: list[str]) -> Iterator[Chunk]:
        """The chunks with these ids, READ_PAGE at a time (one page of texts in memory), in no set order."""
        for start in range(0, len(chunk_ids), READ_PAGE):
            page = self.collection.get(ids=chunk_ids[start:start + READ_PAGE], include=["documents", "metadatas"])
            yield from (chunk_from_record(i, d, m)
                        for i, d, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True))

    def _records(self, include: list[str], where: dict | None = None) -> Iterator[tuple]:
        """(id, *included fields) of every record, READ_PAGE at a time: one get() of a whole collection fails in
        SQLite above about 32,000 records ("too many SQL variables")."""
        offset = 0
        while True:
            page = self.collection.get(where=where, include=include, limit=READ_PAGE, offset=offset)
            yield from zip(page["ids"], *(page[field] for field in include), strict=True)
            if len(page["ids"]) < READ_PAGE:
                return
            offset += READ_PAGE

    def dense_search(self, vector: np.ndarray, k: int, where: dict | None) -> list[tuple[Chunk, float]]:
        """The k nearest chunks (fewer when the collection has fewer: Chroma returns what it has, so no count(),
        which costs 250 ms at 1M chunks, on the query path)."""
        result = self.collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where,
                                       include=["documents", "metadatas", "distances"])
        rows = zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0],
                   strict=True)
        return [(chunk_from_record(i, d, m), 1.0 - float(dist)) for i, d, m, dist in rows]


def chunk_to_metadata(chunk: Chunk, content_hash: str, ingested_at: str, path: str = "",
                      size: int = UNKNOWN_SIZE) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": chunk.source, "title": chunk.title, "lang": chunk.lang, "section": chunk.section,
        "page": chunk.page if chunk.page is not None else -1, "doc_type": chunk.doc_type,
        "industries": list(chunk.industries) or ["general"], "position": chunk.position,
        "content_hash": content_hash, "ingested_at": ingested_at, "path": path, "size": size,
    }
    if chunk.tags:
        meta["tags"] = list(chunk.tags)
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    page = meta.get("page", -1)
    return Chunk(
        chunk_id=chunk_id, text=text, source=meta["source"], title=meta.get("title", ""), lang=meta.get("lang", ""),
        section=meta.get("section", ""), page=None if page == -1 else page, doc_type=meta.get("doc_type", "other"),
        industries=tuple(meta.get("industries") or ()), tags=tuple(meta.get("tags") or ()),
        position=meta.get("position", 0),
    )
