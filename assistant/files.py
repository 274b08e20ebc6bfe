"""How the project writes files: whole or not at all, and one lock per file for writers in this process."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_locks: dict[Path, threading.Lock] = {}  # filled on first use
_locks_guard = threading.Lock()


def path_lock(path: Path) -> threading.Lock:
    """The one lock of this file in this process, shared by every object that writes it."""
    with _locks_guard:
        return _locks.setdefault(Path(path).resolve(), threading.Lock())


@contextmanager
def atomic_path(target: Path, mode: int = 0o644) -> Iterator[Path]:
    """A private temporary file next to target to write by any means; it replaces target when the block ends
    without error (synced, then renamed, so readers see the old file or the new one), and is removed otherwise."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
