"""The ingest pipeline: load -> clean -> chunk -> embed -> write, each file all or nothing."""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import BadInputError, IngestError
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.store import FileChunks, KnowledgeBase
from ingest.chunking import chunk_document
from ingest.journal import IngestJournal
from ingest.loaders import load_file


@dataclass
class IngestReport:
    kb: str
    files_ok: int = 0
    files_failed: list[dict[str, str]] = field(default_factory=list)
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0
    notes: list[dict[str, str]] = field(default_factory=list)  # {path, note}: ingested, but worth a look

    def to_dict(self) -> dict:
        return asdict(self)


def discover_files(paths: list[Path]) -> list[Path]:
    """Files named directly, and every non-hidden file under named folders, in a stable order. A named path that
    does not exist is kept, so that it fails like any bad file and the rest are ingested."""
    if not paths:
        raise BadInputError("no path given: name files or folders to ingest")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*")
                            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def source_name(path: Path, settings: Settings) -> str:
    """How a file is known in the knowledge base. A file the app keeps (an upload, an FAQ entry) is named
    relative to the data dir, wherever the app was started; a file the user names is named as they named it,
    relative to the folder they named it from (corpus/zh/fmea.md), or absolute when outside it."""
    resolved = path.resolve()
    for root in (settings.data_dir, Path.cwd()):
        if resolved.is_relative_to(root.resolve()):
            return resolved.relative_to(root.resolve()).as_posix()
    return resolved.as_posix()


# Bump when loading, cleaning or chunking changes, so every file is re-chunked on the next ingest.
PIPELINE_VERSION = "5"  # 5: chunks capped by characters too
# Changed files are written together until a group holds this many new chunks or files.
GROUP_CHUNKS = 1000
GROUP_FILES = 64


def ingest_signature(content_hash: str, settings: Settings, embedder: Embedder) -> str:
    """A file is unchanged only if its bytes, the pipeline and the chunk sizes are all unchanged."""
    recipe = f"{PIPELINE_VERSION}|{settings.chunk_tokens}|{settings.chunk_overlap_tokens}|{embedder.max_tokens}"
    return hashlib.sha256(f"{recipe}|{content_hash}".encode()).hexdigest()


@dataclass
class _Prepared:
    """A changed file, chunked and embedded, waiting to be written with the rest of its group."""

    path: Path
    source: str
    new: FileChunks
    kept: list[str]
    stale: list[str]


def ingest_paths(paths: list[Path], kb: KnowledgeBase, embedder: Embedder, settings: Settings,
                 progress: bool = True, names: dict[Path, str] | None = None) -> IngestReport:
    """Ingest files and folders; `names` keeps the source names of files re-read by a rebuild. Changed files are
    written in groups (one Chroma call costs about as much for ten chunks as for a thousand), each group under
    one journal entry, so every file still lands whole or not at all."""
    from tqdm import tqdm

    started = time.perf_counter()
    files = discover_files(paths)
    report = IngestReport(kb=kb.kb)
    journal = IngestJournal(kb, settings.kb_dir(kb.kb))
    group: list[_Prepared] = []
    with journal.locked():
        for path in tqdm(files, desc=f"ingest {kb.kb}", unit="file", file=sys.stderr, disable=not progress):
            try:
                prepared = _prepare(path, (names or {}).get(path) or source_name(path, settings), kb, embedder,
                                    settings, report)
            except Exception as exc:  # one bad file must not stop the batch; say what happened
                _failed([path], exc, report, journal)
                continue
            if prepared is None:
                report.files_ok += 1
                continue
            group.append(prepared)
            if sum(len(p.new.chunks) for p in group) >= GROUP_CHUNKS or len(group) >= GROUP_FILES:
                _write_group(group, kb, journal, report)
                group = []
        _write_group(group, kb, journal, report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _failed(paths: list[Path], exc: Exception, report: IngestReport, journal: IngestJournal) -> None:
    error = str(exc)
    if not isinstance(exc, IngestError):
        journal.replay()  # undo or finish a write the error interrupted
        error = f"unexpected error: {type(exc).__name__}: {exc}"
    report.files_failed += [{"path": str(path), "error": error} for path in paths]


def _prepare(path: Path, source: str, kb: KnowledgeBase, embedder: Embedder, settings: Settings,
             report: IngestReport) -> _Prepared | None:
    """Load, chunk and embed a file; None when it is unchanged since it was last ingested."""
    if not path.is_file():
        raise IngestError("path does not exist" if not path.exists() else "not a regular file")
    doc = load_file(path, source, int(settings.max_file_mb * 1_000_000), int(settings.max_unpacked_mb * 1_000_000))
    report.notes += [{"path": str(path), "note": note} for note in doc.notes]
    entry = kb.manifest(source).get(source)
    signature = ingest_signature(doc.content_hash, settings, embedder)
    if entry and entry.content_hashes == {signature}:
        report.chunks_unchanged += len(entry.chunk_ids)
        return None
    chunks = chunk_document(doc, embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_tokens,
                            embedder.max_tokens)
    if not chunks:
        raise IngestError("no text could be extracted")
    old_ids = set(entry.chunk_ids) if entry else set()
    new_ids = {c.chunk_id for c in chunks}
    fresh = [c for c in chunks if c.chunk_id not in old_ids]
    vectors = embedder.embed([c.indexed_text for c in fresh]) if fresh else np.zeros((0, 0), dtype=np.float32)
    return _Prepared(path, source, FileChunks(fresh, vectors, signature, str(path.resolve()), path.stat().st_size),
                     sorted(old_ids & new_ids), sorted(old_ids - new_ids))


def _write_group(group: list[_Prepared], kb: KnowledgeBase, journal: IngestJournal, report: IngestReport) -> None:
    """Write a group of changed files under one journal entry, and count them."""
    if not group:
        return
    stale = [chunk_id for p in group for chunk_id in p.stale]
    try:
        journal.begin([p.source for p in group], [c.chunk_id for p in group for c in p.new.chunks], stale)
        kb.add_chunks([p.new for p in group])
        journal.removing()
        kb.delete_ids(stale)
        # A kill from here on leaves every chunk of the new versions and mixed hashes, which the next ingest redoes.
        for p in group:
            kb.refresh_hash(p.kept, p.new.content_hash, p.new.path, p.new.size)
        kb.summarize([p.source for p in group])
        kb.changed()
        journal.done()
    except Exception as exc:
        _failed([p.path for p in group], exc, report, journal)
        return
    report.files_ok += len(group)
    report.chunks_added += sum(len(p.new.chunks) for p in group)
    report.chunks_unchanged += sum(len(p.kept) for p in group)
    report.chunks_removed += len(stale)
