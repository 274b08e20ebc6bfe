"""A file's chunks land in Chroma all or none, across process kills.

Chroma takes a bounded number of records per call, so a large file is written in several calls and a kill can
fall between two of them. Before the first call the ingest writes a journal of what it is about to change: the
chunk ids it adds and the stale ids it will remove. Added ids go first, stale ids second; a kill while adding is
undone (the added ids are deleted, the file's previous version is untouched), a kill while removing is finished.
Whoever next opens the knowledge base (an ingest, the app, any command) and can take its ingest lock replays the
journal, so no knowledge base is ever seen with half a file after a kill."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.files import atomic_path
from assistant.retrieval.store import KnowledgeBase

JOURNAL_NAME = "ingest-journal.json"
LOCK_NAME = "ingest.lock"


class IngestJournal:
    """The journal of one knowledge base: at most one change (of one file, or of a group of small files written
    together) in flight, under an inter-process lock."""

    def __init__(self, kb: KnowledgeBase, kb_dir: Path):
        self.kb = kb
        self.path = kb_dir / JOURNAL_NAME
        self.lock_path = kb_dir / LOCK_NAME

    @contextmanager
    def locked(self, wait: bool = True) -> Iterator[bool]:
        """Hold the ingest lock (one ingest per knowledge base at a time, in any process); yields False when
        `wait` is off and another process holds it. An interrupted change is replayed first."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                self.replay()
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def begin(self, sources: list[str], added: list[str], stale: list[str]) -> None:
        """A change of one or more files is about to be written: `added` ids first, then `stale` ids removed."""
        self._write({"sources": sources, "phase": "adding", "added": added, "stale": stale})

    def removing(self) -> None:
        """Every added chunk is written: from here an interruption is finished, not undone."""
        entry = json.loads(self.path.read_text(encoding="utf-8"))
        self._write({**entry, "phase": "removing"})

    def done(self) -> None:
        self.path.unlink(missing_ok=True)

    def replay(self) -> None:
        """Undo or finish an interrupted change (idempotent: deleting an absent id is a no-op)."""
        if not self.path.exists():
            return
        entry = json.loads(self.path.read_text(encoding="utf-8"))
        self.kb.delete_ids(entry["added"] if entry["phase"] == "adding" else entry["stale"])
        self.kb.summarize(entry["sources"])
        self.kb.changed()
        self.done()

    def _write(self, entry: dict) -> None:
        with atomic_path(self.path) as tmp:
            tmp.write_text(json.dumps(entry), encoding="utf-8")


def replay_interrupted(kb: KnowledgeBase, kb_dir: Path) -> None:
    """On opening a knowledge base: replay a journal left by a killed ingest, unless an ingest is running."""
    if (kb_dir / JOURNAL_NAME).exists():
        with IngestJournal(kb, kb_dir).locked(wait=False):
            pass
