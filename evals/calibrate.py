"""Retrieval hit rates per side (dense, BM25, fused) and what the glossary buys across languages.

Run: python -m evals.calibrate [--dataset FILE.jsonl] [--kb default]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.answering.rewrite import rule_based_condense
from assistant.config import Settings, get_settings
from assistant.service import Assistant
from evals.dataset import load_dataset

SIDES = {"hybrid": None, "dense_only": (1.0, 0.0), "bm25_only": (0.0, 1.0)}  # None: the configured weights


def hit_rate(assistant: Assistant, items: list[dict], kb: str, k: int = 5) -> float:
    """Share of answerable questions with a gold source among the top k hits."""
    answerable = [it for it in items if it["answerable"]]
    found = 0
    for item in answerable:
        question = rule_based_condense(item["question"], item["history"])
        hits = assistant.search(question, kb, industry=item.get("industry"), k=k).hits
        found += any(h.chunk.source in item["gold_sources"] for h in hits)
    return round(found / max(len(answerable), 1), 4)


def hit_rates_by_side(settings: Settings, items: list[dict], kb: str) -> dict[str, dict[str, float]]:
    rates = {}
    for side, weights in SIDES.items():
        dense, lexical = weights or (settings.dense_weight, settings.lexical_weight)
        assistant = Assistant(settings.model_copy(update={"dense_weight": dense, "lexical_weight": lexical}))
        rates[side] = {f"hit@{k}": hit_rate(assistant, items, kb, k) for k in (1, 3, 5)}
    return rates


def cross_lingual_hit_rates(settings: Settings, items: list[dict], kb: str) -> dict[str, float]:
    """What the glossary buys: hit@5 of questions whose evidence is only in the other language."""
    crossing = [it for it in items if it.get("type") == "cross_lingual"]
    return {f"{name}_glossary": hit_rate(Assistant(settings.model_copy(update={"glossary_expansion": on})),
                                         crossing, kb)
            for name, on in (("with", True), ("without", False))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=None)
    parser.add_argument("--kb", default="default")
    args = parser.parse_args()
    items = load_dataset(args.dataset)
    settings = get_settings()
    report = {"n": len(items), "retrieval": hit_rates_by_side(settings, items, args.kb),
              "cross_lingual_hit@5": cross_lingual_hit_rates(settings, items, args.kb)}
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
