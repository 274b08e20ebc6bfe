"""File loaders: PDF, Markdown, plain text, HTML and DOCX into sections with metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import BadInputError, IngestError
from assistant.files import check_unpacked_size
from assistant.models import HEADING_SEPARATOR
from assistant.text import detect_language
from ingest.cleaning import clean_text

# Share of "noise" (charset-normalizer's chaos) above which a detected decoding is not trusted.
MAX_DECODING_CHAOS = 0.2
MIN_COMMON_HANZI_SHARE = 0.9  # of a GB18030 reading's Han characters, for it to count as Chinese
SUPPORTED_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.DOTALL)


@dataclass
class Section:
    text: str
    path: str = ""
    page: int | None = None


@dataclass
class LoadedDocument:
    source: str
    content_hash: str
    title: str
    lang: str
    sections: list[Section]
    doc_type: str = "other"
    industries: list[str] = field(default_factory=lambda: ["general"])
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know, such as a detected encoding


def load_file(path: Path, source: str, max_bytes: int, max_unpacked_bytes: int) -> LoadedDocument:
    """Read one file into sections; any problem a user can fix raises IngestError with a one-line reason.
    A DOCX is unpacked only within max_unpacked_bytes (a zip bomb is refused, not parsed)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"unsupported file type '{suffix or path.name}' (supported: {' '.join(SUPPORTED_SUFFIXES)})")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (QCA_MAX_FILE_MB)")
    data = path.read_bytes()
    if not data.strip():
        raise IngestError("file is empty")
    notes: list[str] = []
    if suffix == ".pdf":
        meta, sections = _read_pdf(data)
    elif suffix == ".docx":
        meta, sections = _read_docx(data, max_unpacked_bytes)
    else:
        text, notes = decode_text(data)
        meta, sections = _read_html(text) if suffix in (".html", ".htm") else _read_markdown(text, suffix)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise IngestError("no text could be extracted (a scanned PDF without a text layer, or only markup?)")
    body = "\n".join(s.text for s in sections)
    return LoadedDocument(
        source=source,
        content_hash=hashlib.sha256(data).hexdigest(),
        title=str(meta.get("title") or path.stem),
        lang=str(meta.get("lang") or detect_language(body)),
        sections=sections,
        doc_type=str(meta.get("doc_type") or "other"),
        industries=[str(i) for i in (meta.get("industries") or ["general"])],
        tags=[str(t) for t in (meta.get("tags") or [])],
        notes=notes,
    )


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """The text of a text file, and a note when it was not UTF-8: the encoding is then detected
    (charset-normalizer) and named, never guessed silently; undetectable text is refused."""
    if b"\x00" in data:  # anywhere: a NUL never belongs in text, and must not reach a chunk
        raise IngestError("file contains NUL bytes: it looks binary, not text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    chinese = _as_chinese(data)
    if chinese is not None:
        return chinese, ["not UTF-8: read as GB18030 (Chinese); if the text looks wrong, save the file as UTF-8 and "
                         "ingest it again"]
    from charset_normalizer import from_bytes

    # Without a byte-order mark, UTF-16/32 "detections" of NUL-free bytes are noise.
    matches = list(from_bytes(data, cp_exclusion=["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le",
                                                  "utf_32_be"]))
    if not matches or matches[0].chaos > MAX_DECODING_CHAOS:
        raise IngestError("text is not UTF-8 and its encoding could not be told; save it as UTF-8")
    # Among equally clean readings, Windows' Western code page is by far the likeliest source of a legacy file
    # (short German reads as well in Mac Icelandic).
    if any("cp1252" in m.could_be_from_charset and m.chaos <= matches[0].chaos for m in matches):
        text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    else:
        text, encoding = str(matches[0]), matches[0].encoding
    return text, [f"not UTF-8: read as {encoding} (detected); if the text looks wrong, save the file as UTF-8 and "
                  "ingest it again"]


def _as_chinese(data: bytes) -> str | None:
    """The text as GB18030 when that reads as ordinary Chinese: nearly all its Han characters among the 3,755
    common ones (GB2312 level 1). Latin-1 text read as GB18030 also gives Han characters, but rare ones, and
    a general detector mistakes short Chinese for Korean."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    common = sum(1 for c in han if _is_common_hanzi(c))
    return text if han and common / len(han) >= MIN_COMMON_HANZI_SHARE else None


def _is_common_hanzi(char: str) -> bool:
    try:
        return 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def _read_markdown(text: str, suffix: str) -> tuple[dict, list[Section]]:
    """Front matter becomes metadata; each heading path becomes a section (the top heading is the title)."""
    meta: dict = {}
    match = _FRONT_MATTER_RE.match(text)
    if match:
        import yaml

        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise IngestError(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
        if not isinstance(meta, dict):
            raise IngestError("front matter must be a YAML mapping")
        text = text[match.end():]
    if suffix == ".txt":
        text = clean_text(text, reflow=True)
    return meta, _sections_from_headings(text, meta)


def _sections_from_headings(text: str, meta: dict) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []

    def flush() -> None:
        if "".join(lines).strip():
            sections.append(Section("\n".join(lines).strip(), HEADING_SEPARATOR.join(h for _, h in stack)))
        lines.clear()

    for line in text.splitlines():
        heading = _HEADING_RE.match(line)
        if not heading:
            lines.append(line)
            continue
        flush()
        level, title = len(heading.group(1)), heading.group(2).strip()
        if level == 1 and not stack and not sections:
            meta.setdefault("title", title)
            continue
        stack = [(lvl, h) for lvl, h in stack if lvl < level] + [(level, title)]
    flush()
    return sections


def _read_pdf(data: bytes) -> tuple[dict, list[Section]]:
    if not data.lstrip().startswith(b"%PDF-"):
        raise IngestError("not a PDF file (its content does not start with %PDF-)")
    from io import BytesIO

    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("PDF is encrypted with a password; save an unencrypted copy and try again")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise IngestError(f"PDF is damaged or truncated ({type(exc).__name__}: {str(exc)[:80]})") from exc
    sections = [Section(clean_text(text, reflow=True), page=n) for n, text in enumerate(pages, start=1)]
    return {"title": title}, sections


def _read_html(text: str) -> tuple[dict, list[Section]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript", "title"]):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n{'#' * level} {heading.get_text(' ', strip=True)}\n")
    text = clean_text(soup.get_text("\n"), reflow=False)
    meta = {"title": title} if title else {}
    return meta, _sections_from_headings(text, meta)


def _read_docx(data: bytes, max_unpacked_bytes: int) -> tuple[dict, list[Section]]:
    from io import BytesIO

    try:
        check_unpacked_size(BytesIO(data), max_unpacked_bytes)
    except BadInputError as exc:
        raise IngestError(str(exc)) from exc
    try:
        import docx

        document = docx.Document(BytesIO(data))
    except Exception as exc:
        raise IngestError(f"not a valid DOCX file ({type(exc).__name__})") from exc
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        level = re.match(r"Heading (\d)", style)
        text = paragraph.text.strip()
        if level and text:
            lines.append(f"{'#' * int(level.group(1))} {text}")
        elif style == "Title" and text:
            lines.append(f"# {text}")
        else:
            lines.append(text)
    for table in document.tables:
        lines.extend(" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows)
    title = document.core_properties.title or None
    meta = {"title": title} if title else {}
    return meta, _sections_from_headings(clean_text("\n".join(lines), reflow=False), meta)
