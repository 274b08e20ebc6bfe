"""Rule-based rewrite of elliptical follow-ups ("那服务业呢？"), used with the extractive backend."""

from __future__ import annotations

import re

from assistant.glossary import load_glossary
from assistant.industries import industry_mentions
from assistant.text import tokenize

_FOLLOW_UP_RE = re.compile(r"^(那|那么|还有|另外|and\b|what about|how about)|呢[？?]?$", re.IGNORECASE)
_PRONOUN_RE = re.compile(r"\b(it|its|they|them|this|that|these|those)\b|它|这个|那个|这些|那些", re.IGNORECASE)


def is_elliptical(question: str) -> bool:
    words = len(tokenize(question))
    pronoun_only = words < 4 and bool(_PRONOUN_RE.search(question))
    return bool(_FOLLOW_UP_RE.search(question.strip())) or words < 2 or pronoun_only


def has_topic(text: str) -> bool:
    """Names a QC term or an industry: something a question can be about without the conversation before it."""
    return bool(load_glossary().matching_groups(text) or industry_mentions(text))


def needs_context(question: str) -> bool:
    """Elliptical, or pointing back ('这个方法最早是从谁的思想来的？') without naming a topic of its own."""
    return is_elliptical(question) or (bool(_PRONOUN_RE.search(question)) and not has_topic(question))


def rule_based_condense(question: str, history: list[dict[str, str]]) -> str:
    """Carry the conversation's topic: swap the previous question's industry for the new one, or put the latest
    earlier question that names a topic, and the previous question, before this one."""
    previous = [t["content"].strip() for t in history if t.get("role") == "user" and t.get("content", "").strip()]
    if not previous or not needs_context(question):
        return question
    last = previous[-1]
    new, old = industry_mentions(question), industry_mentions(last)
    if new and old:
        return re.sub(re.escape(old[0][0]), new[0][0], last, count=1, flags=re.IGNORECASE)
    topic = next((p for p in reversed(previous) if has_topic(p)), last)
    return " ".join(dict.fromkeys([topic, last, question.strip()]))
