"""The answer chain: condense -> retrieve -> compose -> verify, each a plain function, composed with LCEL."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.generation.extractive import ExtractiveComposer
from assistant.grounding import check_grounding, drop_unknown_citations
from assistant.models import Answer, Citation, GroundingReport
from assistant.retrieval import HybridSearcher, SearchFilters
from assistant.text import detect_language, tokenize

log = logging.getLogger(__name__)
_FOLLOW_UP_RE = re.compile(r"^(那|那么|还有|另外|and |what about|how about)|呢[？?]?$", re.IGNORECASE)


@dataclass
class ChainState:
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    filters: SearchFilters = field(default_factory=SearchFilters)
    standalone_question: str = ""
    language: str = "en"
    hits: list = field(default_factory=list)
    composition: Any = None
    grounding: GroundingReport | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


def condense(state: ChainState) -> ChainState:
    """Rule-based rewrite of an elliptical follow-up: it carries the previous question's topic."""
    state.language = detect_language(state.question)
    previous = [t["content"] for t in state.history if t.get("role") == "user"]
    elliptical = _FOLLOW_UP_RE.search(state.question.strip()) or len(tokenize(state.question)) < 2
    state.standalone_question = (f"{previous[-1]} {state.question}" if previous and elliptical
                                 else state.question)
    return state


def retrieve(searcher: HybridSearcher, state: ChainState) -> ChainState:
    started = time.perf_counter()
    state.hits = searcher.search(state.standalone_question, state.filters).hits
    state.timings_ms["retrieve"] = round((time.perf_counter() - started) * 1000, 1)
    log.debug("retrieved %s for %r", [h.chunk.chunk_id for h in state.hits], state.standalone_question)
    return state


def compose(composer: ExtractiveComposer, state: ChainState) -> ChainState:
    started = time.perf_counter()
    state.composition = composer.compose(state.standalone_question, state.hits, state.language)
    state.timings_ms["generate"] = round((time.perf_counter() - started) * 1000, 1)
    return state


def verify(state: ChainState) -> ChainState:
    """Drop citations to nothing retrieved, then check every claim against its cited passage."""
    comp = state.composition
    if comp.refused:
        state.grounding = GroundingReport(supported_ratio=None, unsupported=[])
        return state
    passages = {n: hit.chunk.text for n, hit in enumerate(comp.hits, start=1)}
    comp.text = drop_unknown_citations(comp.text, set(passages))
    state.grounding = check_grounding(comp.text, passages)
    return state


def to_answer(state: ChainState) -> Answer:
    comp = state.composition
    citations = [Citation(n, h.chunk.source, h.chunk.title, h.chunk.page, h.chunk.section, h.chunk.chunk_id,
                          h.chunk.text) for n, h in enumerate(comp.hits, start=1)]
    state.timings_ms["total"] = round(sum(state.timings_ms.values()), 1)
    return Answer(
        question=state.question, standalone_question=state.standalone_question, language=state.language,
        answer=comp.text, refused=comp.refused, backend_used="extractive", citations=citations,
        grounding=state.grounding, notes=list(comp.notes), timings_ms=state.timings_ms,
    )


def build_chain(searcher: HybridSearcher, composer: ExtractiveComposer) -> Runnable:
    return (RunnableLambda(condense) | RunnableLambda(partial(retrieve, searcher))
            | RunnableLambda(partial(compose, composer)) | RunnableLambda(verify) | RunnableLambda(to_answer))
