"""How the project handles files: writes whole or not at all, one lock per file for writers in this process,
and archives unpacked only within a budget."""

from __future__ import annotations

import os
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from assistant.errors import BadInputError

UNPACK_CHUNK = 1 << 20
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


def check_unpacked_size(archive_file: Path | BinaryIO, limit_bytes: int) -> None:
    """BadInputError unless the zip archive (a DOCX) unpacks to at most limit_bytes. Counted while decompressing,
    a chunk at a time, so a bomb costs at most limit_bytes of work and a forged size header changes nothing."""
    too_big = BadInputError(f"the document unpacks to more than {limit_bytes / 1e6:g} MB (QCA_MAX_UNPACKED_MB)")
    try:
        with zipfile.ZipFile(archive_file) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > limit_bytes:  # the honest bomb: no need to unpack it
                raise too_big
            unpacked = 0
            for info in members:
                with archive.open(info) as member:
                    while chunk := member.read(UNPACK_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit_bytes:
                            raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise BadInputError(f"the document's zip archive is damaged or encrypted ({exc})") from exc
