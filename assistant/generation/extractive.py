"""The offline default answerer: picks, orders and cites the best-supported sentences of the retrieved passages."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.config import Settings
from assistant.embeddings import Embedder
from assistant.glossary import load_glossary
from assistant.lexical import LexicalIndex
from assistant.models import Hit
from assistant.text import detect_language, numbers_in, split_sentences, strip_list_marker, tokenize

REFUSAL = {"zh": "知识库中没有找到相关依据。", "en": "The knowledge base has no evidence for this."}
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_QUANTITY_RE = re.compile(r"多少|几|比例|百分|幅度|how (much|many)|what (percentage|share|rate)|by how|figure|number",
                          re.IGNORECASE)
# Words that ask rather than say; they carry no evidence either way.
_ASKING_WORDS = """
explain describe define definition meaning mean tell give list example find found say said show
happen happened know calculate calculated calculation compute computed formula
介绍 定义 意思 含义 解释 说明 举例 例子 作用 区别 关系 发现 知道 计算 公式 算
"""


@lru_cache(maxsize=1)
def _asking_tokens() -> frozenset[str]:
    """The asking words as tokenize() emits them (stemmed), so they can be compared with question tokens."""
    return frozenset(t for word in _ASKING_WORDS.split() for t in tokenize(word))


@dataclass
class Composition:
    text: str
    refused: bool
    hits: list[Hit]  # the cited passages, citation n = index + 1
    evidence_strength: float
    notes: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    sentence: str
    hit_rank: int
    position: int
    lang: str
    coverage: float = 0.0
    score: float = 0.0


class QuestionTerms:
    """The question's content tokens with their idf weights and the glossary synonyms that also count."""

    def __init__(self, question: str, lexical: LexicalIndex):
        self.language = detect_language(question)
        self.years = set(_YEAR_RE.findall(question))
        # Whole words only: search-mode sub-words ('量成' from '质量成本') would count as missing terms.
        self.tokens = [t for t in dict.fromkeys(tokenize(question, search=False)) if t not in _asking_tokens()]
        self.weights = {t: lexical.idf(t) for t in self.tokens}
        groups = load_glossary().matching_groups(question)
        self.synonyms = {t: [term.lower() for g in groups for term in g.terms
                             if any(t in tokenize(x) for x in g.terms)] for t in self.tokens}

    def present(self, token: str, text: str, tokens: set[str]) -> bool:
        return token in tokens or any(s in text for s in self.synonyms[token])

    def coverage(self, text: str, weights: dict[str, float] | None = None) -> float:
        """idf-weighted share of question terms present in the text (directly or as a glossary synonym).

        Across languages only glossary terms, names and numbers can match, so only they are counted."""
        weights = weights or self.weights
        if detect_language(text) != self.language:
            weights = {t: w for t, w in weights.items() if self.synonyms[t] or self._crosses_languages(t)}
        total = sum(weights.values())
        if not total:
            return 0.0
        tokens, lowered = set(tokenize(text)), text.lower()
        return sum(w for t, w in weights.items() if self.present(t, lowered, tokens)) / total

    def _crosses_languages(self, token: str) -> bool:
        """Numbers cross languages; so do Latin names when the question is Chinese (SPC, Cpk, Takata)."""
        return any(c.isdigit() for c in token) or (self.language == "zh" and token.isascii())

    def focus_weights(self, texts: list[str]) -> dict[str, float]:
        """Weights that favour the question terms few candidate sentences share: the question's focus,
        not the topic every passage repeats ('deaths' rather than 'checklist')."""
        lowered = [(set(tokenize(t)), t.lower()) for t in texts]
        df = {t: sum(self.present(t, low, toks) for toks, low in lowered) for t in self.tokens}
        return {t: w * math.log(1 + len(texts) / (1 + df[t])) for t, w in self.weights.items()}


class ExtractiveComposer:
    def __init__(self, embedder: Embedder, lexical: LexicalIndex, settings: Settings):
        self.embedder, self.lexical, self.settings = embedder, lexical, settings

    def evidence_strength(self, terms: QuestionTerms, hits: list[Hit]) -> float:
        """How well the best of the top passages covers the question: half idf-weighted, half flat (so one
        rare chatty word cannot sink a well-covered question). A year the question names that no retrieved
        passage mentions means the knowledge base does not have that fact: strength 0."""
        if not hits or any(y not in numbers_in(" ".join(h.chunk.indexed_text for h in hits)) for y in terms.years):
            return 0.0
        flat = {t: 1.0 for t in terms.tokens}
        return max((0.5 * terms.coverage(h.chunk.indexed_text) + 0.5 * terms.coverage(h.chunk.indexed_text, flat)
                    for h in hits[:3]), default=0.0)

    def compose(self, question: str, hits: list[Hit], language: str | None = None) -> Composition:
        language = language or detect_language(question)
        terms = QuestionTerms(question, self.lexical)
        strength = self.evidence_strength(terms, hits)
        if not hits or strength < self.settings.refusal_threshold:
            return Composition(REFUSAL[language], True, [], strength)
        candidates = self._score(question, terms, hits)
        chosen, notes = self._choose(candidates, language)
        if not chosen:
            return Composition(REFUSAL[language], True, [], strength)
        text, cited = self._render(chosen, hits, language)
        return Composition(text, False, cited, strength, notes)

    def _score(self, question: str, terms: QuestionTerms, hits: list[Hit]) -> list[_Candidate]:
        candidates = [_Candidate(s, rank, pos, detect_language(s)) for rank, hit in enumerate(hits)
                      for pos, s in enumerate(_sentences(hit.chunk.text))]
        if not candidates:
            return []
        english = [t for t in load_glossary().expand(question) if t.isascii()]
        vectors = self.embedder.embed([" ".join([question, *english])] + [c.sentence for c in candidates])
        similarity = vectors[1:] @ vectors[0]
        asks_quantity = bool(_QUANTITY_RE.search(question))
        hit_coverage = [terms.coverage(h.chunk.indexed_text) for h in hits]
        focus = terms.focus_weights([c.sentence for c in candidates])
        for cand, sim in zip(candidates, similarity, strict=True):
            # The bundled model reads English only, so its similarity counts for the Latin share of a sentence.
            latin_share = 1.0 - min(1.0, len(re.findall(r"[^\x00-\x7f]", cand.sentence)) / max(len(cand.sentence), 1))
            cand.coverage = terms.coverage(cand.sentence)
            cand.score = (0.25 * cand.coverage + 0.25 * terms.coverage(cand.sentence, focus)
                          + 0.2 * hit_coverage[cand.hit_rank]
                          + 0.2 * float(np.clip(sim, 0, 1)) * latin_share + 0.1 / (1 + cand.hit_rank)
                          + (0.1 if asks_quantity and re.search(r"\d", cand.sentence) else 0.0))
        return candidates

    def _choose(self, candidates: list[_Candidate], language: str) -> tuple[list[_Candidate], list[str]]:
        if not candidates:
            return [], []
        # Compared on coverage alone: the English-only embedding would otherwise favour English sentences.
        best = max(c.coverage for c in candidates)
        own_language = [c for c in candidates if c.lang == language]
        notes: list[str] = []
        if own_language and max(c.coverage for c in own_language) >= 0.7 * best:
            pool = own_language
        else:
            pool = candidates
            notes.append("依据仅有英文资料，以下为原文摘录。" if language == "zh"
                         else "The evidence is in Chinese; it is quoted as written.")
        top = max(c.score for c in pool)
        chosen: list[_Candidate] = []
        for cand in sorted(pool, key=lambda c: c.score, reverse=True):
            if len(chosen) >= self.settings.answer_sentences or cand.score < 0.6 * top:
                break
            tokens = set(tokenize(cand.sentence))
            if all(_overlap(tokens, set(tokenize(c.sentence))) < 0.6 for c in chosen):
                chosen.append(cand)
        return sorted(chosen, key=lambda c: (c.hit_rank, c.position)), notes

    @staticmethod
    def _render(chosen: list[_Candidate], hits: list[Hit], language: str) -> tuple[str, list[Hit]]:
        numbers: dict[int, int] = {}
        parts = []
        for cand in chosen:
            n = numbers.setdefault(cand.hit_rank, len(numbers) + 1)
            parts.append(_with_marker(cand.sentence, n))
        cited = [hits[rank] for rank in numbers]
        return ("" if language == "zh" else " ").join(parts), cited


def _sentences(text: str) -> list[str]:
    out = []
    for sentence in split_sentences(text):
        sentence = strip_list_marker(sentence).strip()
        ends = sentence[-1:] in "。！？；.!?;"
        if len(tokenize(sentence)) >= 3 and (ends or len(sentence) > 40):
            out.append(sentence)
    return out


def _with_marker(sentence: str, n: int) -> str:
    """Put [n] before the closing punctuation: '…提升了15%[1]。' / '… rose 15% [1].'"""
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in "。！？；.!?;" else (sentence, "")
    if end == "；":
        end = "。"
    space = "" if detect_language(sentence) == "zh" else " "
    return f"{body}{space}[{n}]{end or ('。' if space == '' else '.')}"


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
