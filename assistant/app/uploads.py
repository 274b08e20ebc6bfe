"""Upload safety: clean file names, content that matches the extension, size limits, atomic copies."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
import unicodedata
import zipfile
from pathlib import Path

from assistant.errors import BadInputError
from assistant.files import atomic_path, check_unpacked_size

ALLOWED = {".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx"}
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}
DEFAULT_NAME = "upload"
MAX_NAME_BYTES = 150  # file systems allow 255 bytes; a Chinese character takes 3 of them
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(name: str) -> str:
    """A name safe to create in one folder: basename only, no control characters or leading dots, length-capped."""
    # Browsers may send "C:\\fakepath\\x.pdf", so both separators end a directory part.
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", str(name or "")))[-1]
    base = re.sub(r"[\t\n\r\v\f]", " ", base)
    # Category C covers control characters and format ones such as U+202E, which can disguise an extension.
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = _UNSAFE_CHARS.sub("_", base)
    # A leading '-' reads as an option to shell tools; a leading '.' hides the file.
    base = " ".join(base.split()).lstrip(". -").rstrip(". ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix.lower().strip()}" if suffix.strip() else ""
    stem = stem.rstrip(" .")
    if not stem.strip(" ._-"):
        stem = DEFAULT_NAME
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return _fit(stem, suffix)


def _fit(stem: str, suffix: str) -> str:
    if len(suffix.encode()) > 16:  # not one of ours anyway; keep it from eating the whole budget
        stem, suffix = stem + suffix, ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix or DEFAULT_NAME


def check_content(path: Path, suffix: str, max_unpacked_mb: float) -> None:
    """Raise BadInputError unless the file's bytes are really of the type its extension claims (and a DOCX unpacks
    within max_unpacked_mb, so a small zip bomb is refused before it is stored)."""
    suffix = suffix.lower()
    _check_suffix(suffix)
    if Path(path).stat().st_size == 0:
        raise BadInputError("the file is empty")
    if suffix == ".pdf":
        _check_pdf(Path(path))
    elif suffix == ".docx":
        _check_docx(Path(path), int(max_unpacked_mb * 1_000_000))
    else:
        _check_text(Path(path), suffix)


def _check_suffix(suffix: str) -> None:
    if suffix not in ALLOWED:
        raise BadInputError(f"file type '{suffix or '(none)'}' is not accepted (accepted: {' '.join(sorted(ALLOWED))})")


def _check_pdf(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(1024)
    # Same rule as the PDF loader: leading whitespace is tolerated, anything else is not a PDF.
    if not head.lstrip().startswith(b"%PDF-"):
        raise BadInputError("file is named .pdf but is not a PDF (its content does not start with %PDF-)")


def _check_docx(path: Path, max_unpacked: int) -> None:
    if not zipfile.is_zipfile(path):
        raise BadInputError("file is named .docx but is not a Word document (it is not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInputError(f"file is named .docx but its zip archive is damaged ({exc})") from exc
    if "word/document.xml" not in {info.filename for info in infos}:
        raise BadInputError("file is named .docx but has no word/document.xml (not a Word document)")
    check_unpacked_size(path, max_unpacked)


def _check_text(path: Path, suffix: str) -> None:
    data = path.read_bytes()
    if b"\x00" in data:
        raise BadInputError(f"file is named {suffix} but contains NUL bytes (binary, not text)")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"file is named {suffix} but is not UTF-8 text (bad byte at offset {exc.start}); "
                            "save it as UTF-8 and upload again") from exc


def store_upload(src: Path, original_name: str, dest_dir: Path, max_mb: float, max_unpacked_mb: float) -> Path:
    """Check an uploaded file and copy it atomically into dest_dir under its cleaned name; returns the new path."""
    src = Path(src)
    if not src.is_file():
        raise BadInputError(f"uploaded file '{original_name}' was not received")
    max_bytes = int(max_mb * 1_000_000)
    _check_size(src.stat().st_size, max_bytes, max_mb)
    name = safe_filename(original_name)
    suffix = Path(name).suffix.lower()
    _check_suffix(suffix)
    target = _target(Path(dest_dir), name)
    with atomic_path(target) as tmp:
        # Check the private copy, not src: src could change between the check and the copy.
        with tmp.open("wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
        _check_size(tmp.stat().st_size, max_bytes, max_mb)
        check_content(tmp, suffix, max_unpacked_mb)
    return target


def require_inside(path: Path, root: Path | None) -> None:
    """BadInputError unless path is inside the web server's upload folder (no check without one): a client naming
    a server file such as /etc/hosts must not get it read."""
    if root is not None and not Path(path).resolve().is_relative_to(Path(root).resolve()):
        raise BadInputError("the file was not uploaded through the app; refused")


def discard_received(paths: list[Path], upload_root: Path) -> None:
    """Delete files the web server received into upload_root (never anything outside it), and their folders once
    empty: a handled upload has been copied to uploads/<kb> or refused."""
    root = Path(upload_root).resolve()
    for path in paths:
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root) and resolved != root and resolved.is_file():
            resolved.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty: another upload shares the folder
                if resolved.parent != root:
                    resolved.parent.rmdir()


def sweep_orphans(uploads_root: Path, kept: set[str], min_age_seconds: float) -> list[Path]:
    """Delete stored uploads no knowledge base lists (an ingest killed after the copy) and half-written copies,
    older than min_age_seconds so another app instance's upload in progress is left alone; returns them."""
    now, removed = time.time(), []
    for path in sorted(Path(uploads_root).glob("*/*")):
        if path.is_file() and str(path.resolve()) not in kept and now - path.stat().st_mtime >= min_age_seconds:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _check_size(size: int, max_bytes: int, max_mb: float) -> None:
    if size > max_bytes:
        raise BadInputError(f"file is {size / 1e6:.1f} MB, over the {max_mb:g} MB upload limit")


def _target(dest_dir: Path, name: str) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    root = dest_dir.resolve()
    # resolve() follows a symlink already sitting at the name, so it cannot redirect the write elsewhere either.
    target = (root / name).resolve()
    if target.parent != root or target.name != name:
        raise BadInputError(f"file name '{name}' would be stored outside the upload folder")
    if target.exists() and not target.is_file():
        raise BadInputError(f"'{name}' already exists in the upload folder and is not a file")
    return target
