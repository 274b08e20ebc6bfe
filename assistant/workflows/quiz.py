"""Quiz questions made from cited sentences: the answer is a term or a figure blanked out of the sentence, and
multiple-choice distractors are other terms or figures that occur in the corpus, never invented ones."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import asdict, dataclass

from assistant.answering.grounding import CITATION_RE
from assistant.glossary import load_glossary
from assistant.text import detect_language

BLANK = "____"
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s?(?:%|％|个百分点|倍|天|小时|年|分|percent|days|hours|years)")


@dataclass
class QuizQuestion:
    kind: str  # "choice" | "blank"
    stem: str
    options: list[str]
    answer: str
    source_sentence: str  # the sentence the answer comes from
    chunk_id: str  # the passage that holds it
    citation: int = 0  # its number in the document's references, set by the document

    def to_dict(self) -> dict:
        return asdict(self)


def _answer_candidates(sentence: str, lang: str) -> list[tuple[str, str]]:
    """(kind, text) of what could be blanked: figures first, then glossary terms written in the sentence."""
    found = [("figure", m.group(0)) for m in _FIGURE.finditer(sentence)]
    for group in load_glossary().matching_groups(sentence):
        terms = group.zh if lang == "zh" else group.en
        written = next((t for t in sorted(terms, key=len, reverse=True) if t in sentence and len(t) >= 2), None)
        if written:
            found.append(("term", written))
    return found


def distractor_pool(texts: list[str], lang: str) -> dict[str, list[str]]:
    """Figures and glossary terms that occur in the given corpus passages."""
    figures, terms = [], []
    for text in texts:
        figures += [m.group(0) for m in _FIGURE.finditer(text)]
        for group in load_glossary().matching_groups(text):
            terms += [t for t in (group.zh if lang == "zh" else group.en)[:1] if t in text]
    return {"figure": list(dict.fromkeys(figures)), "term": list(dict.fromkeys(terms))}


def _unit(figure: str) -> str:
    return re.sub(r"[\d.\s]", "", figure)


def _distractors(answer: str, kind: str, sentence: str, pool: dict[str, list[str]], rng: random.Random) -> list[str]:
    same_kind = [x for x in pool[kind] if x != answer and x not in sentence and answer not in x]
    if kind == "figure":
        same_kind = [x for x in same_kind if _unit(x) == _unit(answer)]
    return rng.sample(same_kind, 3) if len(same_kind) >= 3 else []


def make_quiz(candidates: list[tuple[str, str]], pool: dict[str, list[str]], lang: str,
              count: int) -> list[QuizQuestion]:
    """Alternating multiple-choice and fill-in-the-blank questions from (sentence, chunk id) pairs, one per
    sentence, deterministic."""
    questions: list[QuizQuestion] = []
    used_answers: set[str] = set()
    for sentence, chunk_id in candidates:
        sentence = CITATION_RE.sub("", sentence).strip()
        if detect_language(sentence) != lang:
            continue
        rng = random.Random(hashlib.sha256(sentence.encode()).hexdigest())
        for kind, answer in _answer_candidates(sentence, lang):
            if answer in used_answers:
                continue
            question = _question(sentence, kind, answer, pool, rng, lang, len(questions) % 2 == 0, chunk_id)
            questions.append(question)
            used_answers.add(answer)
            break
        if len(questions) == count:
            break
    return questions


def _question(sentence: str, kind: str, answer: str, pool: dict[str, list[str]], rng: random.Random, lang: str,
              want_choice: bool, chunk_id: str) -> QuizQuestion:
    stem = sentence.replace(answer, BLANK, 1)
    distractors = _distractors(answer, kind, sentence, pool, rng) if want_choice else []
    if distractors:
        options = distractors + [answer]
        rng.shuffle(options)
        lead = "选择正确的一项填入空白处：" if lang == "zh" else "Choose the option that fills the blank: "
        return QuizQuestion("choice", lead + stem, options, answer, sentence, chunk_id)
    lead = "填空：" if lang == "zh" else "Fill in the blank: "
    return QuizQuestion("blank", lead + stem, [], answer, sentence, chunk_id)
