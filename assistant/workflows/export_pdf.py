"""PDF rendering of a work product (reportlab): every text in the CJK TrueType font of assistant/files.py, embedded as
a subset (a CID font such as STSong-Light is only referenced, and a viewer without it shows blanks); a footer on every
page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from assistant.files import pdf_font
from assistant.workflows.document import Block, WorkDocument
from assistant.workflows.export_markdown import (
    NOTES,
    REFERENCES,
    citation_line,
    clean_xml,
    heading_level,
    label,
    one_line,
    top_level,
)

_MM = 72 / 25.4


def _pdf_text(text: str) -> str:
    """Plain text made safe for Paragraph markup: documents carry arbitrary text, `<` included."""
    return escape(clean_xml(text)).replace("\n", "<br/>")


def _pdf_styles() -> dict:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    # The font has one face (no bold or italic), so emphasis is size and colour; bullets are its own glyphs.
    body = ParagraphStyle("qca-body", fontName=pdf_font(), fontSize=10.5, leading=16, spaceAfter=4,
                          wordWrap="CJK", bulletFontName=pdf_font(), bulletFontSize=10)
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

    top = styles[f"h{top_level(doc)}"]
    story = [Paragraph(_pdf_text(doc.title), styles["title"])]
    for section in doc.sections:
        story.append(Paragraph(_pdf_text(section.heading), styles[f"h{heading_level(section.level, 6)}"]))
        for block in section.blocks:
            story.extend(_pdf_block(block, styles, width))
    if doc.references:
        story.append(Paragraph(label(REFERENCES, doc.lang), top))
        story.extend(Paragraph(_pdf_text(citation_line(c)), styles["body"]) for c in doc.references)
    if doc.notes:
        story.append(Paragraph(label(NOTES, doc.lang), top))
        story.extend(Paragraph(_pdf_text(note), styles["note"], bulletText="•") for note in doc.notes)
    story += [Spacer(1, 12), Paragraph(_pdf_text(doc.footer), styles["note"])]
    return story


def _page_footer(text: str):
    """An onPage callback drawing the grounding footer and the page number at the bottom of every page."""

    def draw(canvas, template) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        size = 8.0
        natural = stringWidth(text, pdf_font(), size)
        if natural > template.width:
            size *= template.width / natural  # keep it to one line: shrink rather than run off the page
        centre = template.pagesize[0] / 2
        canvas.saveState()
        canvas.setFillGray(0.35)
        canvas.setFont(pdf_font(), size)
        canvas.drawCentredString(centre, 13 * _MM, text)
        canvas.setFont(pdf_font(), 8)
        canvas.drawCentredString(centre, 8 * _MM, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    return draw


def to_pdf(doc: WorkDocument) -> bytes:
    """The document as an A4 PDF in a CJK-capable font, with the grounding footer on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * _MM, rightMargin=20 * _MM,
                                 topMargin=20 * _MM, bottomMargin=24 * _MM, title=one_line(doc.title),
                                 author="QC Assist")
    story = _pdf_story(doc, _pdf_styles(), template.width)
    footer = _page_footer(doc.footer)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# ---------------------------------------------------------------- dispatch and writing
