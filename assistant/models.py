"""Our own data types; LangChain Documents stop at the adapter edges."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

HEADING_SEPARATOR = " › "
DOC_TYPES = ("case_study", "method", "metric", "overview", "strategy", "faq", "other")
LANGS = ("en", "zh")


def source_label(title: str | None, section: str | None = None, page: int | None = None) -> str:
    """How a passage is named everywhere it is shown: 'title › section, p. N', leaving out what it lacks."""
    label = HEADING_SEPARATOR.join(part for part in (title, section) if part)
    return f"{label}, p. {page}" if page else label


@dataclass(frozen=True)
class Chunk:
    """A passage as stored: text plus where it came from."""

    chunk_id: str
    text: str
    source: str
    title: str
    lang: str
    section: str = ""
    page: int | None = None
    doc_type: str = "other"
    industries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    position: int = 0

    @property
    def context_prefix(self) -> str:
        """Title and heading path, prepended for embedding and BM25 so a passage keeps its context."""
        return source_label(self.title, self.section)

    @property
    def indexed_text(self) -> str:
        return f"{self.context_prefix}\n{self.text}" if self.context_prefix else self.text


@dataclass
class Hit:
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    dense_score: float = 0.0
    bm25_score: float = 0.0
    fused_score: float = 0.0
    matched_terms: list[str] = field(default_factory=list)
    named: bool = False  # from a document about an entity the question names
    flagged: list[tuple[str, str]] = field(default_factory=list)  # (sentence, rule): filled for the debugger

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id, "source": c.source, "title": c.title, "section": c.section,
            "page": c.page, "dense_score": round(self.dense_score, 4), "bm25_score": round(self.bm25_score, 4),
            "fused_score": round(self.fused_score, 5), "matched_terms": self.matched_terms, "text": c.text,
            "flagged": [{"sentence": s, "rule": rule} for s, rule in self.flagged],
        }


@dataclass
class Citation:
    n: int
    source: str
    title: str
    page: int | None
    section: str
    chunk_id: str
    quote: str

    @property
    def label(self) -> str:
        return source_label(self.title, self.section, self.page)


@dataclass
class GroundingReport:
    supported_ratio: float | None  # None when there is nothing to check (a refusal)
    unsupported: list[str] = field(default_factory=list)
    claims: int = 0


@dataclass
class Answer:
    question: str
    standalone_question: str
    language: str
    answer: str
    refused: bool
    backend_used: str
    citations: list[Citation] = field(default_factory=list)
    grounding: GroundingReport = field(default_factory=lambda: GroundingReport(1.0))
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    retrieved: list[str] = field(default_factory=list)  # chunk ids of every passage retrieved, cited or not
    answer_status: str = "answered"  # answered | partial (the topic is there, the asked fact is not) | refused
    computed: dict[str, Any] | None = None  # a metric computed from the question's own figures, shown first

    @property
    def composed(self) -> str:
        """The part of the answer drawn from passages: without the computed sentence (or its note) before it."""
        if not self.computed:
            return self.answer
        return self.answer.removeprefix(self.computed["text"]).strip() if self.computed["explained"] else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
