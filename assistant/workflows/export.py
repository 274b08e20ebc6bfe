"""Render a WorkDocument as Markdown, DOCX or PDF, and write it to disk without ever leaving half a file."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from assistant.errors import BadInputError
from assistant.models import Citation
from assistant.workflows.document import Block, WorkDocument

FORMATS = ("md", "docx", "pdf")
_SUFFIXES = {".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}
_REFERENCES = {"zh": "参考资料", "en": "References"}
_NOTES = {"zh": "说明", "en": "Notes"}
_DOCX_CJK_FONT = "SimSun"
# XML 1.0 forbids these; lxml (python-docx) refuses them and text extracted from PDFs/Office files can carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _label(table: dict[str, str], lang: str) -> str:
    return table.get(lang, table["en"])


def _level(level: int, cap: int) -> int:
    return max(1, min(int(level), cap))


def _top_level(doc: WorkDocument) -> int:
    """The level of the document's outermost sections, so References sits beside them, not under the last one."""
    return _level(min((s.level for s in doc.sections), default=2), 6)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", str(text))


def citation_line(citation: Citation) -> str:
    """`[n] title — section, p. page (source)`, leaving out the parts a citation lacks."""
    line = f"[{citation.n}] {_one_line(citation.title)}".rstrip()
    where = [_one_line(citation.section), f"p. {citation.page}" if citation.page is not None else ""]
    if any(where):
        line += " — " + ", ".join(part for part in where if part)
    if citation.source:
        line += f" ({citation.source})"
    return line


# ---------------------------------------------------------------- Markdown

def _md_table(rows: list[list[str]]) -> str:
    width = max((len(row) for row in rows), default=0)
    if not width:
        return ""
    cells = [[_one_line(c).replace("|", r"\|") for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _md_block(block: Block) -> str:
    if block.kind == "table":
        return _md_table(block.rows)
    if block.kind == "bullets":
        return "\n".join(f"- {_one_line(item)}" for item in block.items)
    if block.kind == "numbered":
        return "\n".join(f"{n}. {_one_line(item)}" for n, item in enumerate(block.items, 1))
    return "\n\n".join(item.strip() for item in block.items if item.strip())


def to_markdown(doc: WorkDocument) -> str:
    """The document as GitHub-flavoured Markdown, references and grounding footer included."""
    top = "#" * _top_level(doc)
    parts = [f"# {_one_line(doc.title)}"]
    for section in doc.sections:
        parts.append(f"{'#' * _level(section.level, 6)} {_one_line(section.heading)}")
        parts.extend(_md_block(block) for block in section.blocks)
    if doc.references:
        parts.append(f"{top} {_label(_REFERENCES, doc.lang)}")
        parts.extend(citation_line(c) for c in doc.references)  # one paragraph each, so they do not run together
    if doc.notes:
        parts.append(f"{top} {_label(_NOTES, doc.lang)}")
        notes = (_one_line(note).replace("*", r"\*") for note in doc.notes)
        parts.append("\n".join(f"- *{note}*" for note in notes))
    parts += ["---", doc.footer]  # the blank line before --- keeps it a rule, not a setext heading underline
    return "\n\n".join(part for part in parts if part) + "\n"


# ---------------------------------------------------------------- DOCX

def _docx_cjk_fonts(document) -> None:
    """Give Normal, Title and the headings an East Asian font; the headings' theme font would otherwise win."""
    from docx.oxml.ns import qn

    for name in ("Normal", "Title", *(f"Heading {n}" for n in range(1, 10))):
        if name in document.styles:
            rfonts = document.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
            rfonts.set(qn("w:eastAsia"), _DOCX_CJK_FONT)
            rfonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def _restarted_numbering(document) -> int:
    """A new instance of the List Number list, so every numbered block starts again at 1."""
    numbering = document.part.numbering_part.element
    style_num_id = document.styles["List Number"].element.pPr.numPr.numId.val
    num = numbering.add_num(numbering.num_having_numId(style_num_id).abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _docx_table(document, rows: list[list[str]]) -> None:
    from docx.oxml import OxmlElement

    width = max((len(row) for row in rows), default=0)
    if not width:
        return
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).paragraphs[0].add_run(_clean(text)).bold = r == 0
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat the header on each page


def _docx_block(document, block: Block) -> None:
    if block.kind == "table":
        _docx_table(document, block.rows)
        return
    style = {"bullets": "List Bullet", "numbered": "List Number"}.get(block.kind)
    num_id = _restarted_numbering(document) if block.kind == "numbered" else None
    for item in block.items:
        paragraph = document.add_paragraph(_clean(item), style=style)
        if num_id is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id


def to_docx(doc: WorkDocument) -> bytes:
    """The document as a Word file: styled headings, lists and tables, references, footer in body and page footer."""
    import docx

    document = docx.Document()
    _docx_cjk_fonts(document)
    document.core_properties.title = _clean(_one_line(doc.title))
    document.add_heading(_clean(doc.title), 0)
    for section in doc.sections:
        document.add_heading(_clean(section.heading), _level(section.level, 9))
        for block in section.blocks:
            _docx_block(document, block)
    if doc.references:
        document.add_heading(_label(_REFERENCES, doc.lang), _top_level(doc))
        for citation in doc.references:
            document.add_paragraph(_clean(citation_line(citation)))
    if doc.notes:
        document.add_heading(_label(_NOTES, doc.lang), _top_level(doc))
        for note in doc.notes:
            document.add_paragraph(style="List Bullet").add_run(_clean(note)).italic = True
    document.add_paragraph().add_run(doc.footer).italic = True
    document.sections[0].footer.paragraphs[0].text = doc.footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF

def _markdown_bytes(doc: WorkDocument) -> bytes:
    return to_markdown(doc).encode("utf-8", errors="replace")  # a stray lone surrogate becomes "?", not a crash


def _pdf_bytes(doc: WorkDocument) -> bytes:
    from assistant.workflows.export_pdf import to_pdf

    return to_pdf(doc)


_RENDERERS = {"md": _markdown_bytes, "docx": to_docx, "pdf": _pdf_bytes}


def render(doc: WorkDocument, fmt: str) -> bytes:
    """The document in `fmt` ("md", "docx" or "pdf") as bytes."""
    renderer = _RENDERERS.get(str(fmt).strip().lower().lstrip("."))
    if renderer is None:
        raise BadInputError(f"Unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
    return renderer(doc)


def write(doc: WorkDocument, fmt: str | None, path: Path) -> Path:
    """Render `doc` and write it to `path` atomically; with no `fmt`, the path's suffix decides."""
    path = Path(path)
    if fmt is None:
        fmt = _SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise BadInputError(f"Cannot tell the export format from {path.name!r}; "
                                f"use a .md, .docx or .pdf file name.")
    data = render(doc, fmt)  # before touching the disk, so a failed render leaves nothing behind
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; an export is an ordinary shareable file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
