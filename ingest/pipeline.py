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
from assistant.retrieval.store import KnowledgeBase
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


def _ingest_signature(content_hash: str, settings: Settings, embedder: Embedder) -> str:
    """A file is unchanged only if its bytes, the pipeline and the chunk sizes are all unchanged."""
    recipe = f"{PIPELINE_VERSION}|{settings.chunk_tokens}|{settings.chunk_overlap_tokens}|{embedder.max_tokens}"
    return hashlib.sha256(f"{recipe}|{content_hash}".encode()).hexdigest()


def ingest_paths(paths: list[Path], kb: KnowledgeBase, embedder: Embedder, settings: Settings,
                 progress: bool = True, names: dict[Path, str] | None = None) -> IngestReport:
    """Ingest files and folders; `names` keeps the source names of files re-read by a rebuild."""
    from tqdm import tqdm

    started = time.perf_counter()
    files = discover_files(paths)
    report = IngestReport(kb=kb.kb)
    journal = IngestJournal(kb, settings.kb_dir(kb.kb))
    with journal.locked():
        for path in tqdm(files, desc=f"ingest {kb.kb}", unit="file", file=sys.stderr, disable=not progress):
            try:
                source = (names or {}).get(path) or source_name(path, settings)
                _ingest_one(path, source, kb, embedder, settings, report, journal)
                report.files_ok += 1
            except IngestError as exc:
                report.files_failed.append({"path": str(path), "error": str(exc)})
            except Exception as exc:  # one bad file must not stop the batch; say what happened
                journal.replay()
                report.files_failed.append({"path": str(path),
                                            "error": f"unexpected error: {type(exc).__name__}: {exc}"})
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _ingest_one(path: Path, source: str, kb: KnowledgeBase, embedder: Embedder, settings: Settings,
                report: IngestReport, journal: IngestJournal) -> None:
    if not path.is_file():
        raise IngestError("path does not exist" if not path.exists() else "not a regular file")
    doc = load_file(path, source, int(settings.max_file_mb * 1_000_000), int(settings.max_unpacked_mb * 1_000_000))
    report.notes += [{"path": str(path), "note": note} for note in doc.notes]
    entry = kb.manifest(source).get(source)
    signature = _ingest_signature(doc.content_hash, settings, embedder)
    if entry and entry.content_hashes == {signature}:
        report.chunks_unchanged += len(entry.chunk_ids)
        return
    chunks = chunk_document(doc, embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_tokens,
                            embedder.max_tokens)
    if not chunks:
        raise IngestError("no text could be extracted")
    old_ids = set(entry.chunk_ids) if entry else set()
    new_ids = {c.chunk_id for c in chunks}
    fresh = [c for c in chunks if c.chunk_id not in old_ids]
    vectors = embedder.embed([c.indexed_text for c in fresh]) if fresh else np.zeros((0, 0), dtype=np.float32)
    stale = sorted(old_ids - new_ids)
    journal.begin(source, [c.chunk_id for c in fresh], stale)
    kb.add_chunks(fresh, vectors, signature, str(path.resolve()))
    journal.removing()
    kb.delete_ids(stale)
    # A kill from here on leaves every chunk of the new version and mixed hashes, which the next ingest redoes.
    kb.refresh_hash(sorted(old_ids & new_ids), signature, str(path.resolve()))
    kb.changed()
    journal.done()
    report.chunks_added += len(fresh)
    report.chunks_unchanged += len(old_ids & new_ids)
    report.chunks_removed += len(stale)
