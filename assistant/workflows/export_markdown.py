"""The text rules every export format shares (labels, heading levels, citation lines, XML-safe text), and
the Markdown rendering the others start from."""

from __future__ import annotations

import re

from assistant.models import Citation
from assistant.workflows.document import Block, WorkDocument

REFERENCES = {"zh": "参考资料", "en": "References"}
NOTES = {"zh": "说明", "en": "Notes"}
# XML 1.0 forbids these; lxml (python-docx) refuses them and text extracted from PDFs/Office files can carry them.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def label(table: dict[str, str], lang: str) -> str:
    return table.get(lang, table["en"])


def heading_level(level: int, cap: int) -> int:
    return max(1, min(int(level), cap))


def top_level(doc: WorkDocument) -> int:
    """The level of the document's outermost sections, so References sits beside them, not under the last one."""
    return heading_level(min((s.level for s in doc.sections), default=2), 6)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def clean_xml(text: str) -> str:
    return XML_ILLEGAL.sub("", str(text))


def citation_line(citation: Citation) -> str:
    """`[n] title › section, p. page (source)`, leaving out the parts a citation lacks."""
    line = f"[{citation.n}] {one_line(citation.label)}".rstrip()
    return f"{line} ({citation.source})" if citation.source else line


# ---------------------------------------------------------------- Markdown

def _md_table(rows: list[list[str]]) -> str:
    width = max((len(row) for row in rows), default=0)
    if not width:
        return ""
    cells = [[one_line(c).replace("|", r"\|") for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _md_block(block: Block) -> str:
    if block.kind == "table":
        return _md_table(block.rows)
    if block.kind == "bullets":
        return "\n".join(f"- {one_line(item)}" for item in block.items)
    if block.kind == "numbered":
        return "\n".join(f"{n}. {one_line(item)}" for n, item in enumerate(block.items, 1))
    return "\n\n".join(item.strip() for item in block.items if item.strip())


def to_markdown(doc: WorkDocument) -> str:
    """The document as GitHub-flavoured Markdown, references and grounding footer included."""
    top = "#" * top_level(doc)
    parts = [f"# {one_line(doc.title)}"]
    for section in doc.sections:
        parts.append(f"{'#' * heading_level(section.level, 6)} {one_line(section.heading)}")
        parts.extend(_md_block(block) for block in section.blocks)
    if doc.references:
        parts.append(f"{top} {label(REFERENCES, doc.lang)}")
        parts.extend(citation_line(c) for c in doc.references)  # one paragraph each, so they do not run together
    if doc.notes:
        parts.append(f"{top} {label(NOTES, doc.lang)}")
        notes = (one_line(note).replace("*", r"\*") for note in doc.notes)
        parts.append("\n".join(f"- *{note}*" for note in notes))
    parts += ["---", doc.footer]  # the blank line before --- keeps it a rule, not a setext heading underline
    return "\n\n".join(part for part in parts if part) + "\n"
