"""Speed benchmark on the shipped corpus, in a throw-away data dir: ingest, re-ingest, ask latency."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.config import get_settings
from assistant.service import Assistant
from evals.calibrate import DEFAULT_DATASET, load_dataset

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_bench(questions: int = 20) -> dict:
    with tempfile.TemporaryDirectory(prefix="qca-bench-") as data_dir:
        assistant = Assistant(get_settings().model_copy(update={"data_dir": Path(data_dir)}))
        started = time.perf_counter()
        assistant.embedder  # noqa: B018 - load the model outside the ingest timing
        model_load = time.perf_counter() - started
        first = assistant.ingest([CORPUS], progress=False)
        again = assistant.ingest([CORPUS], progress=False)
        stats = assistant.stats()
        items = [it for it in load_dataset(DEFAULT_DATASET) if it["answerable"]][:questions]
        assistant.ask(items[0]["question"])  # warm the index and caches
        latencies = []
        for item in items:
            started = time.perf_counter()
            assistant.ask(item["question"])
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "corpus": {"documents": stats["sources"], "chunks": stats["chunks"], "by_lang": stats["by_lang"]},
        "model_load_s": round(model_load, 2), "ingest_s": first.seconds, "reingest_unchanged_s": again.seconds,
        "reingest_chunks_added": again.chunks_added,
        "ask_ms": {"n": len(latencies), "median": round(statistics.median(latencies), 1),
                   "p95": round(_percentile(latencies, 0.95), 1)},
    }
