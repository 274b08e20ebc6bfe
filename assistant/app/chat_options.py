"""What the chat offers a user: example questions made from the chosen knowledge base's own headings, and the
backends the user may choose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.auth import User
from assistant.errors import PermissionDeniedError
from assistant.models import HEADING_SEPARATOR
from assistant.service import Assistant
from assistant.text import detect_language

MAX_EXAMPLES = 4
# Headings come from a bounded read of chunk metadata (no text, no vectors), never a scan of the knowledge base:
# the first chunk of up to TITLE_READ documents gives their titles; when that makes too few questions (a knowledge
# base of one or two files), the sections of the first SECTION_READ chunks add more.
TITLE_READ = 300
SECTION_READ = 300
MIN_SUBJECT_CHARS = 2
MAX_SUBJECT_CHARS = 60  # a longer heading is a sentence, not a topic to ask about
_TRAILING_BRACKETS = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_CLAUSE = re.compile(r"[，；;。]")
_COLON = re.compile(r"[:：]")
_ASKS_EN = re.compile(r"^(what|how|why|when|which|who|where)\b", re.IGNORECASE)
_ASKS_ZH = re.compile(r"^(为什么|什么)|如何|为何|怎样|怎么|哪些|是否|何时")  # "5个为什么" is a name
_ARTICLE = re.compile(r"^(The|A|An) ")
# How a heading is asked about, by language and document type; {s} is the heading's topic.
_TEMPLATES = {
    "en": {"case_study": "What are the lessons of {s}?", "method": "What is {s}?",
           "": "What are the key points of {s}?", "section": "What does {t} say about {s}?"},
    "zh": {"case_study": "{s}有哪些经验教训？", "method": "什么是{s}？", "": "{s}的要点是什么？",
           "section": "{t}的{s}是什么？"},
}


@dataclass(frozen=True)
class _Heading:
    text: str
    doc_type: str  # 'section' for a section heading
    source: str
    position: int = 0
    title: str = ""  # a section's document title


def example_questions(assistant: Assistant, user: User | None, kb: str = "default") -> list[str]:
    """A handful of questions in each heading's own language about what this knowledge base's documents are
    titled (then sectioned), varied in language and document type; the same knowledge base gives the same ones."""
    kb = assistant.check_read(kb or "default", user)
    collection = assistant.kb(kb).collection
    firsts = collection.get(where={"position": 0}, include=["metadatas"], limit=TITLE_READ)["metadatas"]
    titles = [_Heading(m.get("title", ""), m.get("doc_type", ""), m.get("source", "")) for m in firsts
              if m.get("doc_type") != "faq"]  # an FAQ entry's title is a user's question, not a heading
    questions = _pick(titles)
    if len(questions) < MAX_EXAMPLES:
        read = collection.get(include=["metadatas"], limit=SECTION_READ)["metadatas"]
        sections = [_Heading(str(m.get("section", "")).split(HEADING_SEPARATOR)[-1], "section", m.get("source", ""),
                             m.get("position", 0), m.get("title", "")) for m in read if m.get("doc_type") != "faq"]
        questions += [q for q in _pick(sections) if q not in questions]
    return questions[:MAX_EXAMPLES]


def question_for(heading: str, doc_type: str = "", title: str = "") -> str | None:
    """The question asked about one heading (a document's title, or a section's with its document's `title`), in
    the heading's language; None when the heading makes no topic."""
    subject = _subject(heading, doc_type)
    if subject is None:
        return None
    lang = detect_language(subject)
    if (_ASKS_ZH.search(subject) if lang == "zh" else _ASKS_EN.match(subject)):
        return subject + ("？" if lang == "zh" else "?")  # the heading asks already
    if lang == "en" and doc_type == "case_study":
        subject = _ARTICLE.sub(lambda m: m.group(1).lower() + " ", subject)
    templates, topic = _TEMPLATES[lang], _subject(title, "") if doc_type == "section" else None
    if doc_type == "section" and (topic is None or topic == subject):
        doc_type = "method"  # a section without a usable title is asked about on its own
    return templates.get(doc_type, templates[""]).format(s=subject, t=topic)


def _subject(heading: str, doc_type: str) -> str | None:
    """The topic of a heading: a case's name after its label ('Case Study: X', '案例：X'), another title's name
    before its subtitle ('8D 问题解决法：步骤'), without a trailing bracket or a second clause."""
    text = " ".join(str(heading).split())
    if " " not in text and re.fullmatch(r"[\w.-]+", text) and re.search(r"[-_]", text):
        text = re.sub(r"[-_]+", " ", text)  # a file name as title: pallet-inspection
    parts = _COLON.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        text = parts[1] if doc_type == "case_study" else parts[0]
    text = _CLAUSE.split(_TRAILING_BRACKETS.sub("", text), maxsplit=1)[0].strip(" ?？.!！")
    return text if MIN_SUBJECT_CHARS <= len(text) <= MAX_SUBJECT_CHARS else None


def _pick(headings: list[_Heading]) -> list[str]:
    """Up to MAX_EXAMPLES questions taking languages in turn and, within one, document types in turn; sorted by
    source first, so the choice does not depend on the order the store returned them in."""
    queues: dict[str, dict[str, list[str]]] = {}
    for heading in sorted(headings, key=lambda h: (h.source, h.position, h.text)):
        question = question_for(heading.text, heading.doc_type, heading.title)
        if question is not None:
            by_type = queues.setdefault(detect_language(question), {})
            by_type.setdefault(heading.doc_type, []).append(question)
    picked: list[str] = []
    for question in _interleave([_interleave([by_type[t] for t in sorted(by_type)])
                                 for _, by_type in sorted(queues.items())]):
        if question not in picked:
            picked.append(question)
        if len(picked) == MAX_EXAMPLES:
            break
    return picked


def _interleave(lists: list[list[str]]) -> list[str]:
    """The lists' items taken one from each in turn."""
    return [items[i] for i in range(max(map(len, lists), default=0)) for items in lists if i < len(items)]


def backend_choice(assistant: Assistant, user: User | None) -> dict[str, Any]:
    """The backend dropdown for this user: every offered backend and may_choose for who may choose (an admin, or
    anyone without sign-in; Assistant.check_backend decides), else only the configured one, shown."""
    current = assistant.settings.backend
    others = [b for b in assistant.settings.offered_backends if b != current]
    may_choose = bool(others) and _allowed(assistant, others[0], user)
    return {"choices": assistant.settings.offered_backends if may_choose else [current], "value": current,
            "may_choose": may_choose}


def _allowed(assistant: Assistant, backend: str, user: User | None) -> bool:
    try:
        assistant.check_backend(backend, user)
    except PermissionDeniedError:
        return False
    return True
