"""A generated work product (strategy, onboarding module, draft) as data: sections of blocks plus references.

Renderers (export.py) turn it into Markdown, DOCX or PDF; grounding checks it as a whole before it leaves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.errors import BadInputError
from assistant.models import LANGS, Citation, GroundingReport
from assistant.text import detect_language


@dataclass
class Block:
    """One unit of content. `grounded` blocks state facts from the corpus and carry [n] markers that the
    grounding check verifies; the others are template guidance (headings of a roadmap, a quiz stem)."""

    kind: str  # "paragraph" | "bullets" | "numbered" | "table"
    items: list[str] = field(default_factory=list)  # one string per paragraph / list item
    rows: list[list[str]] = field(default_factory=list)  # table rows, the first one is the header
    grounded: bool = False


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2

    def add(self, kind: str, items: list[str], grounded: bool = False) -> Section:
        if items:
            self.blocks.append(Block(kind, list(items), grounded=grounded))
        return self

    def add_table(self, rows: list[list[str]]) -> Section:
        if len(rows) > 1:
            self.blocks.append(Block("table", rows=rows))
        return self


@dataclass
class WorkDocument:
    kind: str  # "strategy" | "onboarding" | "draft"
    title: str
    lang: str
    sections: list[Section] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    grounding: GroundingReport = field(default_factory=lambda: GroundingReport(None))
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the structured payload of the kind (for --json)
    seconds: float = 0.0

    def section(self, heading: str, level: int = 2) -> Section:
        new = Section(heading, level=level)
        self.sections.append(new)
        return new

    @property
    def footer(self) -> str:
        ratio, claims = self.grounding.supported_ratio, self.grounding.claims
        if ratio is None or not claims:
            return {"zh": "依据检查：无可核对的事实句。", "en": "Grounding: no factual sentences to check."}[self.lang]
        supported = round(ratio * claims)
        return {"zh": f"依据检查：{supported}/{claims} 句事实陈述有所引资料支持（{ratio:.0%}）。",
                "en": f"Grounding: {supported} of {claims} factual sentences supported by their cited passages "
                      f"({ratio:.0%})."}[self.lang]

    def to_dict(self) -> dict[str, Any]:
        payload = {"kind": self.kind, "title": self.title, "lang": self.lang, **self.data,
                   "sections": [asdict(s) for s in self.sections],
                   "references": [asdict(c) for c in self.references],
                   "grounding": asdict(self.grounding), "footer": self.footer, "notes": self.notes,
                   "seconds": round(self.seconds, 3)}
        return payload


def require_language(lang: str) -> str:
    """The language a request names, one of LANGS; BadInputError for anything else."""
    if lang not in LANGS:
        raise BadInputError(f"unknown language '{lang}'; use zh or en")
    return lang


def language_of(lang: str | None, text: str, industry: str = "") -> str:
    """The document's language: as asked, else that of the user's text, else that of the industry's name."""
    if lang:
        return require_language(lang)
    return detect_language(text) if text else ("en" if industry.isascii() else "zh")
