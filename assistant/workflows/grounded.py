"""Grounded writing for work products: sections are answered by the chain, citations renumbered document-wide,
and the finished document checked claim by claim like a chat answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from assistant.answering.grounding import (
    ANNOTATION,
    apply_mode,
    assess,
    cited_numbers,
    renumber_citations,
    report,
    with_marker,
)
from assistant.models import Answer, Chunk, Citation, GroundingReport
from assistant.text import join_sentences, split_sentences, tokenize
from assistant.workflows.document import WorkDocument
from assistant.workflows.evidence import EvidenceRow, case_evidence

SECTION_SEARCH_LIMIT = 50  # best passages for a topic whose sections a work product considers


@dataclass
class CitationRegistry:
    """One numbering of the passages a whole document cites, in order of first use."""

    citations: dict[str, Citation] = field(default_factory=dict)  # chunk id -> citation

    def cite(self, chunk: Chunk) -> int:
        if chunk.chunk_id not in self.citations:
            self.citations[chunk.chunk_id] = Citation(len(self.citations) + 1, chunk.source, chunk.title, chunk.page,
                                                      chunk.section, chunk.chunk_id, chunk.text)
        return self.citations[chunk.chunk_id].n

    def adopt(self, answer: Answer, text: str) -> str:
        """Text of the answer with its [n] markers rewritten to this document's numbers; only passages the
        text still cites get a number, so the references have no gaps."""
        used = set(cited_numbers(text))
        local = {}
        for c in answer.citations:
            if c.n in used:
                local[c.n] = self.cite(Chunk(c.chunk_id, c.quote, c.source, c.title, answer.language, c.section,
                                             c.page))
        for mark in ANNOTATION.values():  # the document is checked again as a whole below
            text = text.replace(mark, "")
        return renumber_citations(text, local)

    def chunk_id_of(self, n: int) -> str:
        return next(chunk_id for chunk_id, c in self.citations.items() if c.n == n)

    @property
    def passages(self) -> dict[int, str]:
        return {c.n: c.quote for c in self.citations.values()}

    @property
    def references(self) -> list[Citation]:
        return sorted(self.citations.values(), key=lambda c: c.n)


@dataclass
class SectionWriter:
    """Asks the chain one question per section, in the document's knowledge base, backend and language."""

    assistant: object  # assistant.service.Assistant (not imported: it pulls in the models)
    kb: str = "default"
    backend: str | None = None
    registry: CitationRegistry = field(default_factory=CitationRegistry)
    _chunks_by_id: dict[str, Chunk] = field(default_factory=dict, init=False, repr=False)  # the passages read

    def __post_init__(self) -> None:
        self.assistant.require_content(self.kb)

    @cached_property
    def evidence_rows(self) -> list[EvidenceRow]:
        """The case figures of the knowledge base, read once per document however many sections use them."""
        return case_evidence(self.assistant.kb(self.kb))

    def industry_passages(self, industry: str) -> int:
        """How many passages are about the industry: a count in the BM25 store, not a read of every passage."""
        return self.assistant.lexical(self.kb).count("industries", industry)

    def sections_about(self, topic: str) -> list[list[Chunk]]:
        """Whole sections, in reading order, whose title or heading names a word of the topic. They are looked
        for among the topic's best BM25 passages (a heading is part of the text each of its passages is indexed
        by), so a work product reads a few sections, not the knowledge base."""
        words, kb = set(tokenize(topic)), self.assistant.kb(self.kb)
        found = self.assistant.lexical(self.kb).search(sorted(words), {}, SECTION_SEARCH_LIMIT)
        named = {(c.source, c.section) for c in kb.chunks_by_ids([chunk_id for chunk_id, _ in found])
                 if words & set(tokenize(f"{c.title} {c.section}"))}
        return [self._remember(kb.section_chunks(source, section)) for source, section in sorted(named)]

    def chunk(self, chunk_id: str) -> Chunk:
        if chunk_id not in self._chunks_by_id:
            self._remember(self.assistant.kb(self.kb).chunks_by_ids([chunk_id]))
        return self._chunks_by_id[chunk_id]

    def _remember(self, chunks: list[Chunk]) -> list[Chunk]:
        self._chunks_by_id.update((c.chunk_id, c) for c in chunks)
        return chunks

    def cite_row(self, quote: str, chunk_id: str) -> str:
        """A sentence quoted from a passage, with the passage's document-wide number."""
        return with_marker(quote, self.registry.cite(self.chunk(chunk_id)))

    def sentences(self, question: str, industry: str | None = None, limit: int | None = None) -> list[str]:
        """Cited sentences answering the question; none when the knowledge base does not cover it."""
        answer = self.assistant.ask(question, kb=self.kb, industry=industry, backend=self.backend)
        if answer.refused:
            return []
        kept = join_sentences(split_sentences(answer.composed)[:limit])
        return split_sentences(self.registry.adopt(answer, kept))

    def first_answer(self, questions: list[str], industry: str | None, limit: int) -> list[str]:
        """The sentences of the first of several phrasings the knowledge base can answer."""
        for question in questions:
            if sentences := self.sentences(question, industry, limit):
                return sentences
        return []


def finalize(doc: WorkDocument, registry: CitationRegistry, mode: str) -> WorkDocument:
    """Check every grounded sentence against its cited passage, apply the grounding mode, attach references."""
    passages, all_claims = registry.passages, []
    for section in doc.sections:
        for block in section.blocks:
            if not block.grounded:
                continue
            kept = []
            for item in block.items:
                claims = assess(item, passages)
                all_claims += claims
                text = item if mode == "off" else apply_mode(claims, mode, doc.lang)[0]
                if text:
                    kept.append(text)
            block.items = kept
        section.blocks = [b for b in section.blocks if b.items or b.rows]
    doc.grounding = report(all_claims) if all_claims else GroundingReport(None)
    cited = {n for item in _document_text(doc) for n in cited_numbers(item)}
    doc.references = [c for c in registry.references if c.n in cited]
    return doc


def _document_text(doc: WorkDocument) -> list[str]:
    return [item for s in doc.sections for b in s.blocks for item in b.items + [" ".join(r) for r in b.rows]]
