"""The eval runner: every item through a system, per-item scores, aggregate metrics with breakdowns."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from evals.metrics import answer_claims, key_fact_recall, percentile, retrieval_scores, token_f1

METRIC_KEYS = ("recall@5", "mrr", "faithfulness", "hallucination_rate", "citation_precision", "citation_recall",
               "key_fact_recall", "negative_rejection", "over_refusal", "latency_p50_ms", "latency_p95_ms")


@dataclass
class ItemResult:
    id: str
    lang: str
    type: str
    industry: str
    answerable: bool
    refused: bool
    answer: str
    latency_ms: float
    retrieval: dict[str, float] = field(default_factory=dict)
    claims: dict[str, int] = field(default_factory=dict)
    facts: tuple[int, int] = (0, 0)
    f1: float = 0.0


def score_item(item: dict, answer, sources: list[str], relevant_available: int, industry: str,
               latency_ms: float) -> ItemResult:
    result = ItemResult(item["id"], item.get("lang", ""), item["type"], industry, item["answerable"],
                        answer.refused, answer.answer, latency_ms)
    if item["answerable"]:
        result.retrieval = retrieval_scores(sources, item["gold_sources"], relevant_available)
        result.facts = key_fact_recall("" if answer.refused else answer.answer, item["key_facts"])
        result.f1 = 0.0 if answer.refused else token_f1(answer.answer, item["reference_answer"])
    if not answer.refused:
        result.claims = answer_claims(answer)
    return result


def run_items(items: list[dict], ask: Callable, ranked_sources: Callable, relevant_available: Callable,
              industry_of: Callable, label: str, progress: bool = True) -> list[ItemResult]:
    from tqdm import tqdm

    results = []
    for item in tqdm(items, desc=f"eval {label}", unit="q", file=sys.stderr, disable=not progress):
        started = time.perf_counter()
        answer = ask(item)
        latency = (time.perf_counter() - started) * 1000
        sources = ranked_sources(item, answer) if item["answerable"] else []
        results.append(score_item(item, answer, sources, relevant_available(item), industry_of(item), latency))
    return results


def aggregate(results: list[ItemResult]) -> dict[str, float | None]:
    """The metrics of evals/README.md over a set of item results; None where nothing applies (never NaN)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in results if not r.refused]
    claims = _sum(answered, "claims")
    metrics: dict[str, float | None] = {
        key: _mean([r.retrieval[key] for r in answerable if r.retrieval])
        for key in ("recall@1", "recall@3", "recall@5", "mrr", "ndcg@5")}
    metrics.update({
        "faithfulness": _ratio(claims["supported"], claims["claims"]),
        "hallucination_rate": _ratio(sum(r.claims["supported"] < r.claims["claims"] for r in answered), len(answered)),
        "citation_precision": _ratio(claims["good_citations"], claims["citations"]),
        "citation_recall": _ratio(claims["cited_supported"], claims["claims"]),
        "key_fact_recall": _ratio(sum(r.facts[0] for r in answerable), sum(r.facts[1] for r in answerable)),
        "token_f1": _mean([r.f1 for r in answerable]),
        "negative_rejection": _ratio(sum(r.refused for r in unanswerable), len(unanswerable)),
        "over_refusal": _ratio(sum(r.refused for r in answerable), len(answerable)),
        "latency_p50_ms": round(percentile([r.latency_ms for r in results], 0.5), 1),
        "latency_p95_ms": round(percentile([r.latency_ms for r in results], 0.95), 1),
    })
    return metrics


def breakdown(results: list[ItemResult], key: str) -> dict[str, dict]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for result in results:
        groups[getattr(result, key) or "none"].append(result)
    return {name: {"n": len(group), **aggregate(group)} for name, group in sorted(groups.items())}


def as_rows(results: list[ItemResult]) -> list[dict]:
    return [asdict(r) for r in results]


def _sum(results: list[ItemResult], attr: str) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for result in results:
        for name, value in getattr(result, attr).items():
            total[name] += value
    return total


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
