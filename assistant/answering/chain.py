"""The answer chain: condense -> retrieve -> compose -> verify, each a plain function; one path, streamed, whose
last item is the verified Answer (`ask` is that last item)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answering.base import Composition, refusal
from assistant.answering.evidence import QuestionTerms, evidence_strength
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.grounding import apply_mode, assess, drop_unknown_citations, report
from assistant.answering.llm import LLMComposer
from assistant.answering.rewrite import rule_based_condense
from assistant.config import Settings
from assistant.errors import BackendError
from assistant.models import Answer, Citation, GroundingReport, Hit
from assistant.retrieval.hybrid import HybridSearcher, SearchFilters
from assistant.text import detect_language

log = logging.getLogger(__name__)


@dataclass
class ChainContext:
    """What the steps need: built once per request by the service from shared, already-loaded parts."""

    searcher: HybridSearcher
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
    composition: Composition | None = None
    grounding: GroundingReport | None = None
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


def retrieve(ctx: ChainContext, state: ChainState) -> ChainState:
    started = time.perf_counter()
    state.hits = ctx.searcher.search(state.standalone_question, state.filters).hits
    state.timings_ms["retrieve"] = _ms(started)
    log.debug("retrieved %s for %r", [h.chunk.chunk_id for h in state.hits], state.standalone_question)
    return state


def evidence_is_weak(ctx: ChainContext, state: ChainState) -> bool:
    """The refusal gate, the same for every backend: no LLM is asked when the passages do not cover the question."""
    terms = QuestionTerms(state.standalone_question, ctx.searcher.lexical)
    return evidence_strength(terms, state.hits) < ctx.settings.refusal_threshold


def compose_stream(ctx: ChainContext, state: ChainState) -> Iterator[str | Composition]:
    """Text as it is produced, then the composition; an LLM failure falls back to the extractive composer."""
    started = time.perf_counter()
    question, language = state.standalone_question, state.language
    if evidence_is_weak(ctx, state):
        yield refusal(language, str(ctx.llm.spec) if ctx.llm else "extractive")
    elif ctx.llm is None:
        yield from ctx.extractive.stream(question, state.hits, language)
    else:
        try:
            yield from ctx.llm.stream(question, state.hits, language)
        except BackendError as exc:
            if ctx.settings.fallback != "extractive":
                raise
            state.notes.append(f"{exc}; answered with the extractive composer (QCA_FALLBACK=extractive)")
            yield from ctx.extractive.stream(question, state.hits, language)
    state.timings_ms["generate"] = _ms(started)


def verify(ctx: ChainContext, state: ChainState) -> ChainState:
    """Drop citations to nothing retrieved, check every claim against its cited passage, apply QCA_GROUNDING."""
    comp = state.composition
    if comp.refused or ctx.settings.grounding == "off":
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
    return Answer(
        question=state.question, standalone_question=state.standalone_question, language=state.language,
        answer=comp.text, refused=comp.refused, backend_used=comp.backend, citations=citations,
        grounding=state.grounding, notes=state.notes + comp.notes, timings_ms=state.timings_ms,
        retrieved=[h.chunk.chunk_id for h in state.hits],
    )


def stream_answer(ctx: ChainContext, state: ChainState) -> Iterator[str | Answer]:
    """Every step in order, yielding text deltas as they are produced and the verified Answer last."""
    retrieve(ctx, condense(ctx, state))
    for part in compose_stream(ctx, state):
        if isinstance(part, Composition):
            state.composition = part
        else:
            yield part
    yield to_answer(verify(ctx, state))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
