"""How the project handles files: writes whole or not at all, one lock per file for writers in this process,
archives unpacked only within a budget, and the one CJK font file every rendered output uses: embedded (a subset)
in each PDF so a reader with no Chinese font of their own still sees the glyphs, and given to matplotlib so charts
keep their Chinese labels (`make setup` installs it: Debian's fonts-wqy-microhei)."""

from __future__ import annotations

import os
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from assistant.errors import BadInputError, SetupError

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


# TrueType outlines only: reportlab cannot embed the CFF outlines of Noto Sans CJK's OpenType files.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
INSTALL_HINT = "install one: sudo apt-get install fonts-wqy-microhei (make setup does), or set QCA_CJK_FONT"


def cjk_font_file(configured: Path | None = None) -> Path:
    """The configured font file (QCA_CJK_FONT), else the first installed of CJK_FONT_FILES."""
    if configured is None:
        from assistant.config import get_settings

        configured = get_settings().cjk_font
    if configured is not None:
        if not Path(configured).is_file():
            raise SetupError(f"QCA_CJK_FONT {configured} is not a font file")
        return Path(configured)
    found = next((Path(p) for p in CJK_FONT_FILES if Path(p).is_file()), None)
    if found is None:
        raise SetupError(f"no Chinese (CJK) TrueType font found ({', '.join(CJK_FONT_FILES)}); {INSTALL_HINT}")
    return found


@lru_cache(maxsize=4)
def pdf_font(configured: Path | None = None) -> str:
    """The reportlab name of the CJK font, registered once; reportlab embeds the glyphs a PDF uses (a subset)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_file(configured)
    name = f"QCA-CJK-{path.stem}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))  # the first face of a .ttc collection
    return name


@lru_cache(maxsize=4)
def chart_font(configured: Path | None = None) -> str:
    """The matplotlib family name of the CJK font, its file registered with matplotlib once."""
    from matplotlib import font_manager

    path = cjk_font_file(configured)
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
