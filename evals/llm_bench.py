"""A local GGUF model's load time, time to first token and tokens/s: loaded in this process against the worker
process the app uses, on the same prompts with greedy decoding."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.answering.llama_worker import LocalModelWorker, load_model, stream_tokens
from assistant.answering.llamacpp import STOP, bundled_gguf_path
from assistant.config import get_settings

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SHORT_PROMPTS = ["What is a control chart used for?", "什么是净推荐值（NPS）？",
                 "List three causes of late deliveries."]
PASSAGE_CHARS = 2500  # about what five retrieved passages put into an answer prompt


def _prompts() -> list[str]:
    passage = (CORPUS / "en" / "customer-metrics.md").read_text(encoding="utf-8")[:PASSAGE_CHARS]
    return [*SHORT_PROMPTS, f"{passage}\n\nFrom the text above: how is NPS calculated?"]


def _time_stream(tokens: Iterator[str]) -> tuple[float, int, float]:
    """Seconds to the first token, the token count, and seconds for the whole stream."""
    started, first, count = time.perf_counter(), None, 0
    for _ in tokens:
        first = first if first is not None else time.perf_counter() - started
        count += 1
    total = time.perf_counter() - started
    return (first if first is not None else total), count, total


def _measure(load: Callable[[], Callable[[list[dict], int], Iterator[str]]], max_tokens: int) -> dict:
    started = time.perf_counter()
    generate = load()
    list(generate([{"role": "user", "content": "Hi"}], 4))  # warm-up: the first decode allocates buffers
    load_s = time.perf_counter() - started
    firsts, rates = [], []
    for prompt in _prompts():
        first, count, total = _time_stream(generate([{"role": "user", "content": prompt}], max_tokens))
        firsts.append(first * 1000)
        if count > 1:
            rates.append((count - 1) / max(total - first, 1e-6))
    return {"load_and_warm_s": round(load_s, 2), "first_token_ms_median": round(statistics.median(firsts), 1),
            "first_token_ms_max": round(max(firsts), 1),
            "tokens_per_s_median": round(statistics.median(rates), 1) if rates else None}


def run_llm_bench(model_path: str | None = None, max_tokens: int = 64) -> dict:
    settings = get_settings()
    path = model_path or bundled_gguf_path(settings.models_dir)

    def in_process():
        model = load_model(path, settings.llm_context)
        return lambda messages, n: stream_tokens(model, {"messages": messages, "max_tokens": n, "stop": STOP})

    def isolated():
        worker = LocalModelWorker(path, settings.llm_context)
        return lambda messages, n: worker.stream(messages, n, STOP, settings.llm_timeout)

    return {"model": path, "prompts": len(_prompts()), "max_tokens": max_tokens,
            "in_process": _measure(in_process, max_tokens), "worker_process": _measure(isolated, max_tokens)}
