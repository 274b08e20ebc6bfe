"""Speed benchmark on the shipped corpus, in a throw-away data dir: ingest, re-ingest, and per backend the
answer latency, time to first streamed text and the share of answer sentences grounding marks supported."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.config import get_settings
from assistant.models import Answer
from assistant.service import Assistant
from assistant.workflows.onboarding import build_module
from assistant.workflows.recommendation import draft
from assistant.workflows.strategy import advise
from evals.dataset import load_dataset
from evals.metrics import percentile

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "p95": round(percentile(values, 0.95), 1)}


def bench_backend(assistant: Assistant, backend: str, questions: list[str]) -> dict:
    """Stream every question; time the first text and the whole answer; count supported sentences."""
    assistant.ask(questions[0], backend=backend)  # load models and warm caches outside the timings
    totals, first_text, supported, claims, fallbacks = [], [], 0, 0, 0
    for question in questions:
        started, first = time.perf_counter(), None
        for part in assistant.stream(question, backend=backend):
            if first is None and isinstance(part, str):
                first = time.perf_counter() - started
            answer = part
        assert isinstance(answer, Answer)
        totals.append((time.perf_counter() - started) * 1000)
        first_text.append((first if first is not None else time.perf_counter() - started) * 1000)
        fallbacks += answer.backend_used != backend
        claims += answer.grounding.claims
        supported += answer.grounding.claims - len(answer.grounding.unsupported)
    return {"n": len(questions), "latency_ms": _summary(totals), "first_text_ms": _summary(first_text),
            "supported_share": round(supported / claims, 3) if claims else None, "fell_back": fallbacks}


WORK_PRODUCTS = {
    "strategy logistics zh": lambda a: advise(a, "物流", "客户投诉交付延迟"),
    "strategy retail en": lambda a: advise(a, "retail", "return rate too high"),
    "onboarding 8D zh standard": lambda a: build_module(a, "8D", length="standard"),
    "onboarding control charts en short": lambda a: build_module(a, "control charts", length="short"),
    "draft logistics zh": lambda a: draft(a, "logistics", "示例客户", "客户投诉交付延迟", {"配送延迟率": "8%"}),
    "draft retail en": lambda a: draft(a, "retail", "Example Co", "return rate too high", {"return rate": "30%"}),
}


def bench_work_products(assistant: Assistant) -> dict:
    """Seconds to build each work product with the extractive backend, its grounding ratio and citations."""
    results = {}
    for name, build in WORK_PRODUCTS.items():
        doc = build(assistant)
        results[name] = {"seconds": round(doc.seconds, 2), "supported_ratio": doc.grounding.supported_ratio,
                         "claims": doc.grounding.claims, "references": len(doc.references)}
    return results


def encoder_seconds(assistant: Assistant) -> float:
    """The embedding model alone on the chunks ingest just embedded (as ingest embeds them, their indexed text):
    what ingest's own speed is measured against."""
    texts = [chunk.indexed_text for chunk in assistant.kb().all_chunks()]
    started = time.perf_counter()
    assistant.embedder.embed(texts)
    return time.perf_counter() - started


def run_bench(questions: int = 20, backends: list[str] | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="qca-bench-") as data_dir:
        assistant = Assistant(get_settings().model_copy(update={"data_dir": Path(data_dir)}))
        started = time.perf_counter()
        assistant.embedder  # noqa: B018 - load the model outside the ingest timing
        model_load = time.perf_counter() - started
        started = time.perf_counter()
        first = assistant.ingest([CORPUS], progress=False)
        ingest_s = time.perf_counter() - started  # with the BM25 store's sync, which the ingest report leaves out
        encoder_s = encoder_seconds(assistant)
        again = assistant.ingest([CORPUS], progress=False)
        stats = assistant.stats()
        items = [it["question"] for it in load_dataset() if it["answerable"]][:questions]
        per_backend = {b: bench_backend(assistant, b, items) for b in backends or ["extractive"]}
        work_products = bench_work_products(assistant)
    return {
        "corpus": {"documents": stats["sources"], "chunks": stats["chunks"], "by_lang": stats["by_lang"]},
        "model_load_s": round(model_load, 2), "ingest_s": round(ingest_s, 2),
        "bm25_store_s": round(ingest_s - first.seconds, 2), "encoder_only_s": round(encoder_s, 2),
        "ingest_share_of_encoder_speed": round(encoder_s / ingest_s, 3), "reingest_unchanged_s": again.seconds,
        "reingest_chunks_added": again.chunks_added, "backends": per_backend, "work_products": work_products,
    }
