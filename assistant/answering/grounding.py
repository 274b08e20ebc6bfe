"""Answer-time grounding: every claim is checked against its best cited passage. Used by the chain and the evals."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.glossary import load_glossary
from assistant.models import GroundingReport
from assistant.text import SENTENCE_ENDS, detect_language, join_sentences, split_sentences, tokenize

CITATION_RE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORT_THRESHOLD = 0.6
_NEGATIONS = ("不", "没有", "未", "无", "非", "not", "never", "no", "cannot", "n't", "without")
_UNITS = {"%": "%", "％": "%", "percent": "%", "个百分点": "pp", "percentage points": "pp", "分": "pt", "points": "pt",
          "倍": "x", "times": "x", "万": "e4", "亿": "e8", "million": "e6", "billion": "e9", "年": "y", "years": "y",
          "天": "d", "days": "d", "小时": "h", "hours": "h"}
_QUANTITY_RE = re.compile(r"(\d+(?:[.,]\d+)*)\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
                          + r")?", re.IGNORECASE)
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:[- ][A-Z][a-zA-Z]+)*")
ANNOTATION = {"zh": " ⚠[未经资料证实]", "en": " ⚠[not supported by the cited passages]"}


@dataclass
class Claim:
    sentence: str  # as written, citation markers included
    text: str  # without markers
    citations: list[int]
    support: float = 0.0

    @property
    def supported(self) -> bool:
        return self.support >= SUPPORT_THRESHOLD


def cited_numbers(text: str) -> list[int]:
    """The passage numbers of every [n] or [n, m] marker in the text, in order."""
    return [int(n) for group in CITATION_RE.findall(text) for n in group.split(",")]


def split_claims(answer: str) -> list[Claim]:
    """Sentences of the answer with the citation numbers attached to each (Chinese and English rules)."""
    claims = []
    for sentence in split_sentences(answer):
        cited = cited_numbers(sentence)
        text = CITATION_RE.sub("", sentence).strip()
        if tokenize(text):
            claims.append(Claim(sentence, text, cited))
    return claims


def quantities_in(text: str) -> set[str]:
    """Numbers with their units, normalised: '30%', '20pt', '2.5e6', '1987'."""
    return {n.replace(",", "") + _UNITS.get((unit or "").lower(), "") for n, unit in _QUANTITY_RE.findall(text)}


def _names_in(text: str) -> set[str]:
    """Names a claim rests on: glossary terms (by group) and capitalised words not starting a sentence."""
    groups = {g.terms[0].lower() for g in load_glossary().matching_groups(text)}
    return groups | {m.group(0).lower() for m in _NAME_RE.finditer(text)}


def _negation_counts(text: str) -> Counter:
    lowered = text.lower()
    words = Counter(re.findall(r"[a-z']+", lowered))
    return Counter({n: (words[n] if n.isascii() and n != "n't" else lowered.count(n)) for n in _NEGATIONS})


def _adds_negation(claim: str, passage: str) -> bool:
    """More negations than the passage sentence the claim is closest to ('不' elsewhere in the passage
    does not license a '不' in this claim)."""
    claim_tokens = set(tokenize(claim))
    closest = max(split_sentences(passage) or [passage],
                  key=lambda sentence: len(claim_tokens & set(tokenize(sentence))))
    return bool(_negation_counts(claim) - _negation_counts(closest))


def claim_support(claim: str, passage: str) -> float:
    """Share of the claim's tokens found in the passage; 0 when a quantity, a name or a negation is not in it."""
    if not quantities_in(claim) <= quantities_in(passage):
        return 0.0
    missing_names = {n for n in _names_in(claim) - _names_in(passage) if n not in passage.lower()}
    if missing_names or _adds_negation(claim, passage):
        return 0.0
    tokens = set(tokenize(claim))
    return len(tokens & set(tokenize(passage))) / len(tokens) if tokens else 0.0


def assess(answer: str, passages: dict[int, str]) -> list[Claim]:
    """Every claim scored against its best single cited passage; a citation to nothing supports nothing."""
    claims = split_claims(answer)
    for claim in claims:
        claim.support = max((claim_support(claim.text, passages[n]) for n in claim.citations if n in passages),
                            default=0.0)
    return claims


def report(claims: list[Claim]) -> GroundingReport:
    if not claims:
        return GroundingReport(supported_ratio=0.0, unsupported=[])
    unsupported = [c.text for c in claims if not c.supported]
    return GroundingReport(round(1 - len(unsupported) / len(claims), 4), unsupported, len(claims))


def check_grounding(answer: str, passages: dict[int, str]) -> GroundingReport:
    """Supported ratio and the unsupported claims of an answer."""
    return report(assess(answer, passages))


def apply_mode(claims: list[Claim], mode: str, language: str) -> tuple[str, list[str]]:
    """The answer text after the grounding policy: 'annotate' marks unsupported sentences, 'strip' drops them."""
    unsupported = [c for c in claims if not c.supported]
    if mode == "strip":
        kept = [c.sentence for c in claims if c.supported]
        note = ({"zh": f"已删除 {len(unsupported)} 句资料无法支持的内容。",
                 "en": f"{len(unsupported)} sentence(s) not supported by the passages were removed."}[language]
                if unsupported else None)
        return join_sentences(kept), [note] if note else []
    return join_sentences([c.sentence + ("" if c.supported else ANNOTATION[language]) for c in claims]), []


def renumber_citations(text: str, numbers: dict[int, int]) -> str:
    """Every [n] / [n, m] marker rewritten through `numbers`; a number it lacks is dropped, then an empty marker."""

    def rewrite(match: re.Match[str]) -> str:
        kept = [str(numbers[int(n)]) for n in match.group(1).split(",") if int(n) in numbers]
        lead = match.group(0)[: match.group(0).index("[")]
        return f"{lead}[{', '.join(kept)}]" if kept else ""

    return CITATION_RE.sub(rewrite, text)


def drop_unknown_citations(answer: str, valid: set[int]) -> str:
    """Remove citation markers that point at no retrieved passage."""
    return renumber_citations(answer, {n: n for n in valid})


def with_marker(sentence: str, n: int) -> str:
    """Put [n] before the closing punctuation: '…提升了15%[1]。' / '… rose 15% [1].'"""
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in SENTENCE_ENDS + "：:" else (sentence, "")
    space = "" if detect_language(sentence) == "zh" else " "
    if end and end in "；：:":  # a clause or a list's announcement ends the sentence: each claim is checked alone
        end = ""
    return f"{body}{space}[{n}]{end or ('。' if space == '' else '.')}"
