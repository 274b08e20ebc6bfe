"""Rule-based rewrite of elliptical follow-ups ("那服务业呢？"), used with the extractive backend."""

from __future__ import annotations

import re

from assistant.glossary import load_glossary
from assistant.industries import industry_mentions
from assistant.text import tokenize

_FOLLOW_UP_RE = re.compile(r"^(那|那么|还有|另外|and\b|what about|how about)|呢[？?]?$", re.IGNORECASE)
_BARE_FOLLOW_UP_RE = re.compile(r"^(and|what about|how about)\b|呢[？?]?$", re.IGNORECASE)
MAX_SUBJECT_WORDS = 2  # '那服务业呢？', 'And how is CSAT different?': a subject, perhaps a bare verb, nothing more
# One of a numbered series: D7 of the 8D steps, 'step 4', 'level 3'.
_NUMBERED = re.compile(r"(?<![A-Za-z\d])([A-Za-z]+ ?)(\d{1,2})(?![\d.])")
# A QC acronym ('NPS', 'Cpk', 'FMEA', '8D'): one follow-up's acronym stands in for the last question's, the same
# kind of thing (a metric for a metric, a method for a method), which a word like 'complaints' need not be.
_ACRONYM = re.compile(r"(?=.*[A-Z])[A-Z0-9][A-Za-z0-9&/-]{1,7}")
_PRONOUN_RE = re.compile(r"\b(it|its|they|them|this|that|these|those)\b|它|这个|那个|这些|那些", re.IGNORECASE)


def is_elliptical(question: str) -> bool:
    words = len(tokenize(question))
    pronoun_only = words < 4 and bool(_PRONOUN_RE.search(question))
    return bool(_FOLLOW_UP_RE.search(question.strip())) or words < 2 or pronoun_only


def has_topic(text: str) -> bool:
    """Names a QC term or an industry: something a question can be about without the conversation before it."""
    return bool(load_glossary().matching_groups(text) or industry_mentions(text))


def needs_context(question: str) -> bool:
    """Elliptical, or pointing back ('这个方法最早是从谁的思想来的？') without naming a QC term of its own: an
    industry is no topic 'it' can point to ('Who led the study that evaluated it, and how many hospitals took
    part?' asks about the checklist of the turn before)."""
    pointing_back = bool(_PRONOUN_RE.search(question))
    return is_elliptical(question) or (pointing_back and not load_glossary().matching_groups(question))


def rule_based_condense(question: str, history: list[dict[str, str]]) -> str:
    """Carry the conversation's topic: swap the previous question's industry for the new one; a follow-up naming
    only a new subject ('那D7呢？') gets the earlier question it stands for; one asking its own thing ('这个方法最早
    是从谁的思想来的？') gets only the topic's terms, so the reader weighs what is asked now, not what was asked
    before."""
    previous = [t["content"].strip() for t in history if t.get("role") == "user" and t.get("content", "").strip()]
    if not previous or not needs_context(question):
        return question
    last = previous[-1]
    new, old = industry_mentions(question), industry_mentions(last)
    if new and old:
        return re.sub(re.escape(old[0][0]), new[0][0], last, count=1, flags=re.IGNORECASE)
    topic = next((p for p in reversed(previous) if has_topic(p)), last)
    if names_only_a_subject(question):
        swapped = swap_numbered_subject(question, last) or swap_acronym_subject(question, last)
        if swapped:
            return swapped if topic == last else " ".join([*topic_terms(topic), swapped])
        return " ".join(dict.fromkeys([topic, last, question.strip()]))
    return " ".join(dict.fromkeys([*topic_terms(topic), question.strip()]))


def names_only_a_subject(question: str) -> bool:
    """'那服务业呢？', 'What about hotels and restaurants?': a new subject for the previous question, no attribute
    of its own to ask."""
    return bool(_BARE_FOLLOW_UP_RE.search(question.strip())) and len(tokenize(question, search=False)) <= \
        MAX_SUBJECT_WORDS


def swap_numbered_subject(question: str, last: str) -> str | None:
    """The previous question asked of the new subject when both name one of a numbered series ('那D7呢？' after
    '其中D3是做什么的？' asks what D7 does; 'what about step 4?' after a question on step 2), else None. Without
    the swap the old subject stays in the question and its passage answers."""
    for letters, number in _NUMBERED.findall(question):
        old = next((m for m in _NUMBERED.finditer(last) if m.group(1).lower() == letters.lower()
                    and m.group(2) != number), None)
        if old:
            return last[:old.start()] + letters + number + last[old.end():]
    return None


def swap_acronym_subject(question: str, last: str) -> str | None:
    """The previous question asked of the new subject when both name a QC acronym ('And how is CSAT different?'
    after 'What is NPS and how is it calculated?' asks what CSAT is and how it is calculated), else None."""
    glossary = load_glossary()
    new = [t for t in glossary.terms_in(question) if _ACRONYM.fullmatch(t)]
    old = [t for t in glossary.terms_in(last) if _ACRONYM.fullmatch(t)]
    if not new or not old or new[0].lower() in last.lower():
        return None
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(old[0])}(?![A-Za-z0-9])", new[0], last, count=1)


def topic_terms(turn: str) -> list[str]:
    """The QC terms an earlier question names, with its industries; the whole question when it names no QC term
    (in 'How can manufacturing reduce complaints?' the industry alone is not what 'it' points to)."""
    industries = [alias for alias, _ in industry_mentions(turn)]
    terms = [t for t in load_glossary().terms_in(turn) if t.lower() not in map(str.lower, industries)]
    if not terms:
        return [turn]
    return terms + [alias for alias in industries if not any(alias.lower() in t.lower() for t in terms)]
