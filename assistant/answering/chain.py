"""The answer chain: condense -> calculate -> retrieve -> read -> complete a listed section -> compose -> verify,
each a plain function; one path, streamed, whose last item is the verified Answer (`ask` is that last item)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answering.base import Composition, refusal
from assistant.answering.calculated import Computed, compute, lead, lead_with
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.grounding import apply_mode, assess, drop_unknown_citations, report
from assistant.answering.llm import LLMComposer
from assistant.answering.question import Question
from assistant.answering.reader import Reader, Reading
from assistant.answering.rewrite import rule_based_condense
from assistant.answering.shaping import listed
from assistant.answering.terms import QuestionTerms
from assistant.config import Settings
from assistant.errors import BackendError
from assistant.models import Answer, Citation, GroundingReport, Hit
from assistant.retrieval.hybrid import HybridSearcher, SearchFilters
from assistant.text import detect_language

log = logging.getLogger(__name__)
LIST_NEIGHBOURS = 2  # chunks of a listed section read on each side of the one retrieved: a list of up to 8 items


@dataclass
class ChainContext:
    """What the steps need: built once per request by the service from shared, already-loaded parts."""

    searcher: HybridSearcher
    reader: Reader
    extractive: ExtractiveComposer
    settings: Settings
    llm: LLMComposer | None = None


@dataclass
class ChainState:
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    filters: SearchFilters = field(default_factory=SearchFilters)
    standalone_question: str = ""
    language: str = "en"
    hits: list[Hit] = field(default_factory=list)
    reading: Reading | None = None
    composition: Composition | None = None
    grounding: GroundingReport | None = None
    computed: Computed | None = None
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


def condense(ctx: ChainContext, state: ChainState) -> ChainState:
    """A follow-up becomes a standalone question: by the LLM when there is one, else by rule."""
    state.language = detect_language(state.question)
    state.standalone_question = rule_based_condense(state.question, state.history)
    if ctx.llm and state.history and state.standalone_question != state.question:
        try:
            state.standalone_question = ctx.llm.condense(state.question, state.history, state.language)
        except BackendError as exc:
            state.notes.append(f"{exc}; the follow-up was rewritten by rule")
    return state


def calculate(state: ChainState) -> ChainState:
    """The metric value the question's own figures give, when it asks for one: computed once, shown first."""
    state.computed = compute(state.standalone_question, state.language)
    return state


def passages_for(searcher: HybridSearcher, question: str, filters: SearchFilters, k: int) -> list[Hit]:
    """What the reader reads (the chain and the reader's training alike): a named entity's documents first, and on
    the lexical side the words of the headings the question's type is answered under."""
    return searcher.search_named_first(question, filters, k, Question(question).section_words).hits


def retrieve(ctx: ChainContext, state: ChainState) -> ChainState:
    started = time.perf_counter()
    state.hits = passages_for(ctx.searcher, state.standalone_question, state.filters, ctx.settings.reader_k)
    state.timings_ms["retrieve"] = _ms(started)
    log.debug("retrieved %s for %r", [h.chunk.chunk_id for h in state.hits], state.standalone_question)
    return state


def read(ctx: ChainContext, state: ChainState) -> ChainState:
    """The reader's decision, the same for every backend: no LLM is asked when the passages cannot answer."""
    started = time.perf_counter()
    terms = QuestionTerms(state.standalone_question, ctx.searcher.lexical)
    rewritten = state.standalone_question != state.question
    last_turn = QuestionTerms(state.question, ctx.searcher.lexical) if rewritten else None
    state.reading = ctx.reader.read(state.standalone_question, terms, state.hits, last_turn)
    state.timings_ms["read"] = _ms(started)
    return state


def complete_list(ctx: ChainContext, state: ChainState) -> ChainState:
    """The rest of the section an answer lists, when retrieval found only part of it: a long list of steps or
    strategies is cut into several chunks, and the question's words reach one of them. Its neighbours in the
    section (one metadata query on the source, section and position) are added after the hits."""
    reading = state.reading
    if reading.status != "answered" or (item := listed(reading, state.hits)) is None:
        return state
    chunk = state.hits[reading.candidates[item].hit_rank].chunk
    have = {hit.chunk.chunk_id for hit in state.hits}
    rest = [Hit(c) for c in ctx.searcher.kb.section_chunks(chunk.source, chunk.section, chunk.position, LIST_NEIGHBOURS)
            if c.chunk_id not in have]
    if rest:
        state.reading = reading.with_passages(state.hits + rest, len(state.hits))
        state.hits = state.hits + rest
    return state


def compose_stream(ctx: ChainContext, state: ChainState) -> Iterator[str | Composition]:
    """Text as it is produced, then the composition; an LLM failure falls back to the extractive composer."""
    started = time.perf_counter()
    reading, language = state.reading, state.language
    if ctx.llm is None or reading.status != "answered":
        yield from ctx.extractive.stream(reading, state.hits, language)
    else:
        try:
            passages = reading.best_passages(state.hits, ctx.settings.top_k)
            yield from ctx.llm.stream(state.standalone_question, passages, language, reading.question.qtype)
        except BackendError as exc:
            if ctx.settings.fallback != "extractive":
                raise
            state.notes.append(f"{exc}; answered with the extractive composer (QCA_FALLBACK=extractive)")
            yield from ctx.extractive.stream(reading, state.hits, language)
    state.timings_ms["generate"] = _ms(started)


def verify(ctx: ChainContext, state: ChainState) -> ChainState:
    """Drop citations to nothing retrieved, check every claim against its cited passage, apply QCA_GROUNDING."""
    comp = state.composition
    if comp.status == "refused" or ctx.settings.grounding == "off":
        state.grounding = GroundingReport(supported_ratio=None, unsupported=[])
        return state
    passages = {n: hit.chunk.text for n, hit in comp.cited.items()}
    claims = assess(drop_unknown_citations(comp.text, set(passages)), passages)
    state.grounding = report(claims)
    comp.text, notes = apply_mode(claims, ctx.settings.grounding, state.language)
    state.notes += notes
    if not comp.text:
        state.composition = refusal(state.language, comp.backend)
    return state


def to_answer(state: ChainState) -> Answer:
    comp = state.composition
    citations = [Citation(n, h.chunk.source, h.chunk.title, h.chunk.page, h.chunk.section, h.chunk.chunk_id,
                          h.chunk.text) for n, h in sorted(comp.cited.items())]
    state.timings_ms["total"] = _ms(state.started)
    return lead_with(Answer(
        question=state.question, standalone_question=state.standalone_question, language=state.language,
        answer=comp.shown, refused=comp.refused, backend_used=comp.backend, citations=citations,
        grounding=state.grounding, notes=state.notes + comp.notes, timings_ms=state.timings_ms,
        retrieved=[h.chunk.chunk_id for h in state.hits], answer_status=comp.status,
    ), state.computed)


def stream_answer(ctx: ChainContext, state: ChainState) -> Iterator[str | Answer]:
    """Every step in order, yielding text deltas as they are produced and the verified Answer last."""
    complete_list(ctx, read(ctx, retrieve(ctx, calculate(condense(ctx, state)))))
    if computed := lead(state.computed, state.language):
        yield computed
    for part in compose_stream(ctx, state):
        if isinstance(part, Composition):
            state.composition = part
        else:
            yield part
    yield to_answer(verify(ctx, state))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
