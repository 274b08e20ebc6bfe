"""`qcassist eval`: the project and the plain-LangChain baseline on the same questions, plus the checker."""

from __future__ import annotations

from pathlib import Path

from assistant.service import Assistant
from evals.baseline import BaselineRAG
from evals.dataset import load_pairs
from evals.metrics import checker_accuracy
from evals.runner import METRIC_KEYS, aggregate, as_rows, breakdown, run_items

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _project_runner(assistant: Assistant, kb: str, backend: str | None):
    chunks = assistant.kb(kb).all_chunks()
    per_source: dict[str, int] = {}
    industries: dict[str, str] = {}
    for chunk in chunks:
        per_source[chunk.source] = per_source.get(chunk.source, 0) + 1
        industries.setdefault(chunk.source, (chunk.industries or ("general",))[0])

    def ask(item):
        return assistant.ask(item["question"], kb, item.get("industry"), item["history"], backend)

    def ranked_sources(item, answer):
        hits = assistant.search(answer.standalone_question, kb, industry=item.get("industry"), k=10).hits
        return [h.chunk.source for h in hits]

    def relevant_available(item):
        return sum(per_source.get(s, 0) for s in item["gold_sources"])

    def industry_of(item):
        gold = item["gold_sources"]
        return item.get("industry") or (industries.get(gold[0], "general") if gold else "none")

    return ask, ranked_sources, relevant_available, industry_of


def _baseline_runner(assistant: Assistant, relevant_available, industry_of):
    baseline = BaselineRAG(CORPUS, assistant.embedder, assistant.settings, assistant.settings.data_dir / "evals")
    per_source: dict[str, int] = {}
    for chunk in baseline.chunks:
        per_source[chunk.source] = per_source.get(chunk.source, 0) + 1

    def ranked_sources(item, answer):
        return [h.chunk.source for h in baseline.search(item["question"], k=10)]

    return (lambda item: baseline.ask(item["question"]), ranked_sources,
            lambda item: sum(per_source.get(s, 0) for s in item["gold_sources"]), industry_of)


def run_eval(assistant: Assistant, items: list[dict], kb: str = "default", backend: str | None = None,
             with_baseline: bool = True, progress: bool = True) -> dict:
    assistant.require_content(kb)
    runner = _project_runner(assistant, kb, backend)
    results = run_items(items, *runner, label=backend or assistant.settings.backend, progress=progress)
    metrics = aggregate(results)
    report = {"n": len(items), "backend": backend or assistant.settings.backend, "kb": kb,
              "metrics": {k: metrics[k] for k in METRIC_KEYS}, "more_metrics": metrics,
              "checker": checker_accuracy(load_pairs()),
              "by_language": breakdown(results, "lang"), "by_industry": breakdown(results, "industry"),
              "by_type": breakdown(results, "type"), "items": as_rows(results)}
    if with_baseline:
        base_results = run_items(items, *_baseline_runner(assistant, runner[2], runner[3]), label="baseline",
                                 progress=progress)
        base = aggregate(base_results)
        report["baseline"] = {k: base[k] for k in METRIC_KEYS}
        report["ratio_to_baseline"] = {k: round(metrics[k] / base[k], 3) if metrics[k] is not None and base[k] else None
                                       for k in METRIC_KEYS}
        report["baseline_more"] = base
        report["baseline_items"] = as_rows(base_results)
    return report
