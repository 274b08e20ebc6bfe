"""Metric definitions (written out in evals/README.md); one function per metric, no model calls."""

from __future__ import annotations

import math
from collections import Counter

from assistant.answering.grounding import assess, claim_support
from assistant.models import Answer
from assistant.text import tokenize


def retrieval_scores(sources: list[str], gold: list[str], relevant_available: int) -> dict[str, float]:
    """Per question, from the ranked hit sources: hit@1/3/5 (a gold source in the top k), reciprocal rank of
    the first gold source, and nDCG@5 with binary relevance (a chunk of a gold source is relevant)."""
    relevant = [s in gold for s in sources]
    first = next((i for i, r in enumerate(relevant) if r), None)
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(relevant[:5]) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(5, max(relevant_available, 1))))
    return {"recall@1": float(any(relevant[:1])), "recall@3": float(any(relevant[:3])),
            "recall@5": float(any(relevant[:5])), "mrr": 1 / (first + 1) if first is not None else 0.0,
            "ndcg@5": dcg / ideal}


def answer_claims(answer: Answer) -> dict[str, int]:
    """Counts for faithfulness and ALCE-style citation precision/recall of one non-refused answer.

    An empty answer counts as one unsupported claim: saying nothing is a failure, not a pass. A sentence computed
    from the question's own figures is no passage's claim: it is left out, and an answer that is only that sentence
    has no claims to count."""
    passages = {c.n: c.quote for c in answer.citations}
    claims = assess(answer.composed, passages)
    if not claims and answer.computed:
        return {"claims": 0, "supported": 0, "citations": 0, "good_citations": 0, "cited_supported": 0}
    if not claims:
        return {"claims": 1, "supported": 0, "citations": 0, "good_citations": 0, "cited_supported": 0}
    citations = [(c, n) for c in claims for n in c.citations]
    good = sum(1 for c, n in citations if n in passages and claim_support(c.text, passages[n]) >= 0.6)
    return {"claims": len(claims), "supported": sum(c.supported for c in claims), "citations": len(citations),
            "good_citations": good, "cited_supported": sum(c.supported and bool(c.citations) for c in claims)}


def key_fact_recall(answer_text: str, facts: list[str]) -> tuple[int, int]:
    lowered = answer_text.lower()
    return sum(f.lower() in lowered for f in facts), len(facts)


def token_f1(answer_text: str, reference: str) -> float:
    """Bag-of-tokens F1 on jieba / stemmed word tokens (citation markers ignored)."""
    predicted, gold = Counter(tokenize(answer_text)), Counter(tokenize(reference))
    overlap = sum((predicted & gold).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(predicted.values()), overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def checker_accuracy(pairs: list[dict]) -> dict:
    """The grounding checker at catching unsupported claims ('unsupported' is the positive class), with the
    share of pairs it judges right per kind of pair."""
    tp = fp = fn = 0
    right: dict[str, list[bool]] = {}
    for pair in pairs:
        flagged = claim_support(pair["claim"], pair["passage"]) < 0.6
        truly = pair["label"] == "unsupported"
        tp += flagged and truly
        fp += flagged and not truly
        fn += truly and not flagged
        right.setdefault(pair.get("kind", "other"), []).append(flagged == truly)
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None, "n": len(pairs),
            "accuracy_by_kind": {kind: round(sum(ok) / len(ok), 3) for kind, ok in sorted(right.items())}}
