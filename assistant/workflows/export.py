"""Render a WorkDocument as Markdown, DOCX or PDF, and write it to disk without ever leaving half a file."""

from __future__ import annotations

import io
from pathlib import Path

from assistant.errors import BadInputError
from assistant.files import atomic_path
from assistant.workflows.document import Block, WorkDocument
from assistant.workflows.export_markdown import (
    NOTES,
    REFERENCES,
    citation_line,
    clean_xml,
    heading_level,
    label,
    one_line,
    to_markdown,
    top_level,
)
from assistant.workflows.export_pdf import to_pdf

FORMATS = ("md", "docx", "pdf")
_SUFFIXES = {".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}
_DOCX_CJK_FONT = "SimSun"


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
            table.cell(r, c).paragraphs[0].add_run(clean_xml(text)).bold = r == 0
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat the header on each page


def _docx_block(document, block: Block) -> None:
    if block.kind == "table":
        _docx_table(document, block.rows)
        return
    style = {"bullets": "List Bullet", "numbered": "List Number"}.get(block.kind)
    num_id = _restarted_numbering(document) if block.kind == "numbered" else None
    for item in block.items:
        paragraph = document.add_paragraph(clean_xml(item), style=style)
        if num_id is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id


def to_docx(doc: WorkDocument) -> bytes:
    """The document as a Word file: styled headings, lists and tables, references, footer in body and page footer."""
    import docx

    document = docx.Document()
    _docx_cjk_fonts(document)
    document.core_properties.title = clean_xml(one_line(doc.title))
    document.add_heading(clean_xml(doc.title), 0)
    for section in doc.sections:
        document.add_heading(clean_xml(section.heading), heading_level(section.level, 9))
        for block in section.blocks:
            _docx_block(document, block)
    if doc.references:
        document.add_heading(label(REFERENCES, doc.lang), top_level(doc))
        for citation in doc.references:
            document.add_paragraph(clean_xml(citation_line(citation)))
    if doc.notes:
        document.add_heading(label(NOTES, doc.lang), top_level(doc))
        for note in doc.notes:
            document.add_paragraph(style="List Bullet").add_run(clean_xml(note)).italic = True
    document.add_paragraph().add_run(doc.footer).italic = True
    document.sections[0].footer.paragraphs[0].text = doc.footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF

def _markdown_bytes(doc: WorkDocument) -> bytes:
    return to_markdown(doc).encode("utf-8", errors="replace")  # a stray lone surrogate becomes "?", not a crash


_RENDERERS = {"md": _markdown_bytes, "docx": to_docx, "pdf": to_pdf}


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
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path
