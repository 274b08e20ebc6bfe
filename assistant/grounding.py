"""Answer-time grounding: every claim is checked against its best cited passage. Used by the chain and the evals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import GroundingReport
from assistant.text import numbers_in, split_sentences, tokenize

CITATION_RE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_NEGATIONS = ("不", "没有", "未", "无", "非", "not", "never", "no", "cannot", "n't", "without")
SUPPORT_THRESHOLD = 0.6


@dataclass
class Claim:
    text: str
    citations: list[int]


def split_claims(answer: str) -> list[Claim]:
    """Sentences of the answer with the citation numbers attached to each."""
    claims = []
    for sentence in split_sentences(answer):
        cited = [int(n) for group in CITATION_RE.findall(sentence) for n in group.split(",")]
        text = CITATION_RE.sub("", sentence).strip()
        if tokenize(text):
            claims.append(Claim(text, cited))
    return claims


def claim_support(claim: str, passage: str) -> float:
    """Share of the claim's tokens found in the passage; 0 when a number or a negation is not in it."""
    if not numbers_in(claim) <= numbers_in(passage):
        return 0.0
    if _negations(claim) - _negations(passage):
        return 0.0
    tokens = set(tokenize(claim))
    if not tokens:
        return 0.0
    passage_tokens = set(tokenize(passage))
    return len(tokens & passage_tokens) / len(tokens)


def _negations(text: str) -> set[str]:
    lowered = text.lower()
    words = set(re.findall(r"[a-z']+", lowered))
    return {n for n in _NEGATIONS if (n in words if n.isascii() and n != "n't" else n in lowered)}


def check_grounding(answer: str, passages: dict[int, str]) -> GroundingReport:
    """Supported ratio and the unsupported claims; a citation to no retrieved passage supports nothing."""
    claims = split_claims(answer)
    if not claims:
        return GroundingReport(supported_ratio=0.0, unsupported=[])
    unsupported = [c.text for c in claims
                   if max((claim_support(c.text, passages[n]) for n in c.citations if n in passages), default=0.0)
                   < SUPPORT_THRESHOLD]
    return GroundingReport(supported_ratio=round(1 - len(unsupported) / len(claims), 4), unsupported=unsupported)


def drop_unknown_citations(answer: str, valid: set[int]) -> str:
    """Remove citation markers that point at no retrieved passage."""

    def keep(match: re.Match[str]) -> str:
        numbers = [n for n in re.findall(r"\d+", match.group(1)) if int(n) in valid]
        if not numbers:
            return ""
        lead = match.group(0)[: match.group(0).index("[")]
        return f"{lead}[{', '.join(numbers)}]"

    return CITATION_RE.sub(keep, answer)
