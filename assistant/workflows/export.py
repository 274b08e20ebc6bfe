"""Render a WorkDocument as Markdown, DOCX or PDF, and write it to disk without ever leaving half a file."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from assistant.errors import BadInputError
from assistant.models import Citation
from assistant.workflows.document import Block, WorkDocument

FORMATS = ("md", "docx", "pdf")
_SUFFIXES = {".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}
_REFERENCES = {"zh": "参考资料", "en": "References"}
_NOTES = {"zh": "说明", "en": "Notes"}
_DOCX_CJK_FONT = "SimSun"
_PDF_FONT = "STSong-Light"  # one of reportlab's built-in CID fonts: viewers supply it, and it has Latin glyphs too
_MM = 72 / 25.4
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

def _pdf_text(text: str) -> str:
    """Plain text made safe for Paragraph markup: documents carry arbitrary text, `<` included."""
    return escape(_clean(text)).replace("\n", "<br/>")


def _pdf_styles() -> dict:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
    # The CID font has no bold or italic face, so emphasis is size and colour; bullets use Helvetica's glyph.
    body = ParagraphStyle("qca-body", fontName=_PDF_FONT, fontSize=10.5, leading=16, spaceAfter=4,
                          wordWrap="CJK", bulletFontName="Helvetica", bulletFontSize=10)
    styles = {"body": body,
              "title": ParagraphStyle("qca-title", body, fontSize=20, leading=26, spaceAfter=12),
              "item": ParagraphStyle("qca-item", body, leftIndent=16, bulletIndent=4, spaceAfter=2),
              "cell": ParagraphStyle("qca-cell", body, fontSize=9, leading=12, spaceAfter=0),
              "note": ParagraphStyle("qca-note", body, fontSize=9, leading=13, textColor=colors.dimgrey)}
    for level in range(1, 7):
        size = max(17 - 2 * level, 10.5)
        styles[f"h{level}"] = ParagraphStyle(f"qca-h{level}", body, fontSize=size, leading=size * 1.4,
                                             spaceBefore=10, spaceAfter=6, keepWithNext=1)
    return styles


def _pdf_table(rows: list[list[str]], styles: dict, width: float):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    ncols = max(len(row) for row in rows)
    data = [[Paragraph(_pdf_text(c), styles["cell"]) for c in row] + [""] * (ncols - len(row)) for row in rows]
    table = Table(data, colWidths=[width / ncols] * ncols, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _pdf_block(block: Block, styles: dict, width: float) -> list:
    from reportlab.platypus import Paragraph, Spacer

    if block.kind == "table":
        return [_pdf_table(block.rows, styles, width), Spacer(1, 6)] if any(block.rows) else []
    if block.kind == "bullets":
        return [Paragraph(_pdf_text(item), styles["item"], bulletText="•") for item in block.items]
    if block.kind == "numbered":
        return [Paragraph(_pdf_text(item), styles["item"], bulletText=f"{n}.")
                for n, item in enumerate(block.items, 1)]
    return [Paragraph(_pdf_text(item), styles["body"]) for item in block.items]


def _pdf_story(doc: WorkDocument, styles: dict, width: float) -> list:
    from reportlab.platypus import Paragraph, Spacer

    top = styles[f"h{_top_level(doc)}"]
    story = [Paragraph(_pdf_text(doc.title), styles["title"])]
    for section in doc.sections:
        story.append(Paragraph(_pdf_text(section.heading), styles[f"h{_level(section.level, 6)}"]))
        for block in section.blocks:
            story.extend(_pdf_block(block, styles, width))
    if doc.references:
        story.append(Paragraph(_label(_REFERENCES, doc.lang), top))
        story.extend(Paragraph(_pdf_text(citation_line(c)), styles["body"]) for c in doc.references)
    if doc.notes:
        story.append(Paragraph(_label(_NOTES, doc.lang), top))
        story.extend(Paragraph(_pdf_text(note), styles["note"], bulletText="•") for note in doc.notes)
    story += [Spacer(1, 12), Paragraph(_pdf_text(doc.footer), styles["note"])]
    return story


def _page_footer(text: str):
    """An onPage callback drawing the grounding footer and the page number at the bottom of every page."""

    def draw(canvas, template) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        size = 8.0
        natural = stringWidth(text, _PDF_FONT, size)
        if natural > template.width:
            size *= template.width / natural  # keep it to one line: shrink rather than run off the page
        centre = template.pagesize[0] / 2
        canvas.saveState()
        canvas.setFillGray(0.35)
        canvas.setFont(_PDF_FONT, size)
        canvas.drawCentredString(centre, 13 * _MM, text)
        canvas.setFont(_PDF_FONT, 8)
        canvas.drawCentredString(centre, 8 * _MM, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    return draw


def to_pdf(doc: WorkDocument) -> bytes:
    """The document as an A4 PDF in a CJK-capable font, with the grounding footer on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * _MM, rightMargin=20 * _MM,
                                 topMargin=20 * _MM, bottomMargin=24 * _MM, title=_one_line(doc.title),
                                 author="QC Assist")
    story = _pdf_story(doc, _pdf_styles(), template.width)
    footer = _page_footer(doc.footer)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# ---------------------------------------------------------------- dispatch and writing

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
