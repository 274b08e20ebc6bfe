"""The work-product eval: strategy relevance per industry, and quiz answers supported by their passages."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answering.grounding import SUPPORT_THRESHOLD, claim_support
from assistant.workflows.onboarding import build_module
from assistant.workflows.strategy import advise

DATASET = Path(__file__).parent / "datasets" / "work_products.jsonl"


def load_items(path: Path = DATASET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _strategy_item(assistant, item: dict, kb: str) -> dict:
    doc = advise(assistant, item["industry"], item.get("problem"), kb)
    ranked = [s["id"] for s in doc.data["strategies"]]
    return {"id": item["id"], "top3": ranked[:3], "relevant_at_1": bool(ranked[:1]) and ranked[0] in item["expect"],
            "relevant_at_3": bool(set(ranked[:3]) & set(item["expect"])), "supported_ratio":
            doc.grounding.supported_ratio, "seconds": round(doc.seconds, 2)}


def _onboarding_item(assistant, item: dict, kb: str, corpus_text: str) -> dict:
    doc = build_module(assistant, item["topic"], lang=item.get("lang"), length="short", kb=kb)
    passages = {c.n: c.quote for c in doc.references}
    quiz = doc.data["quiz"]
    supported = [q["answer"] in q["source_sentence"] and
                 claim_support(q["source_sentence"], passages.get(q["citation"], "")) >= SUPPORT_THRESHOLD
                 for q in quiz]
    options = [o for q in quiz for o in q["options"]]
    return {"id": item["id"], "questions": len(quiz), "answers_supported": sum(supported),
            "options_from_corpus": sum(o in corpus_text for o in options), "options": len(options),
            "supported_ratio": doc.grounding.supported_ratio, "seconds": round(doc.seconds, 2)}


def run_work_product_eval(assistant, kb: str = "default", items: list[dict] | None = None) -> dict:
    """Per-item results and the summary: relevance@1/@3, quiz support, corpus-drawn options, grounding."""
    assistant.require_content(kb)
    items = items or load_items()
    corpus_text = " ".join(c.text for c in assistant.kb(kb).all_chunks())
    strategy = [_strategy_item(assistant, i, kb) for i in items if i["kind"] == "strategy"]
    onboarding = [_onboarding_item(assistant, i, kb, corpus_text) for i in items if i["kind"] == "onboarding"]
    questions = sum(r["questions"] for r in onboarding)
    ratios = [r["supported_ratio"] for r in strategy + onboarding if r["supported_ratio"] is not None]

    def share(part: float, whole: float) -> float | None:
        return round(part / whole, 3) if whole else None

    return {"summary": {
        "strategy_relevance@1": share(sum(r["relevant_at_1"] for r in strategy), len(strategy)),
        "strategy_relevance@3": share(sum(r["relevant_at_3"] for r in strategy), len(strategy)),
        "quiz_questions": questions,
        "quiz_answers_supported": share(sum(r["answers_supported"] for r in onboarding), questions),
        "quiz_options_from_corpus": share(sum(r["options_from_corpus"] for r in onboarding),
                                          sum(r["options"] for r in onboarding)),
        "mean_grounding_ratio": share(sum(ratios), len(ratios)),
    }, "strategy": strategy, "onboarding": onboarding}
