"""Rule-based rewrite of elliptical follow-ups ("那服务业呢？"), used with the extractive backend."""

from __future__ import annotations

import re

from assistant.industries import industry_mentions
from assistant.text import tokenize

_FOLLOW_UP_RE = re.compile(r"^(那|那么|还有|另外|and\b|what about|how about)|呢[？?]?$", re.IGNORECASE)
_PRONOUN_RE = re.compile(r"\b(it|its|they|them|this|that|these|those)\b|它|这个|那个|这些|那些", re.IGNORECASE)


def is_elliptical(question: str) -> bool:
    words = len(tokenize(question))
    pronoun_only = words < 4 and bool(_PRONOUN_RE.search(question))
    return bool(_FOLLOW_UP_RE.search(question.strip())) or words < 2 or pronoun_only


def rule_based_condense(question: str, history: list[dict[str, str]]) -> str:
    """Carry the previous question's topic: swap its industry for the new one, or join the two questions."""
    previous = [t["content"] for t in history if t.get("role") == "user" and t.get("content", "").strip()]
    if not previous or not is_elliptical(question):
        return question
    last = previous[-1].strip()
    new, old = industry_mentions(question), industry_mentions(last)
    if new and old:
        return re.sub(re.escape(old[0][0]), new[0][0], last, count=1, flags=re.IGNORECASE)
    return f"{last} {question.strip()}"
