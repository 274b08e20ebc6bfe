"""The offline default answerer: picks, orders and cites the best-supported sentences of the retrieved passages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.answering.base import Composition, refusal
from assistant.answering.evidence import QuestionTerms
from assistant.answering.grounding import with_marker
from assistant.config import Settings
from assistant.glossary import load_glossary
from assistant.models import Hit
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.lexical import LexicalIndex
from assistant.text import SENTENCE_ENDS, detect_language, join_sentences, split_sentences, strip_list_marker, tokenize

_QUANTITY_RE = re.compile(r"多少|几|比例|百分|幅度|how (much|many)|what (percentage|share|rate)|by how|figure|number",
                          re.IGNORECASE)
@dataclass(frozen=True)
class SentenceWeights:
    """How the extractive composer scores a sentence (sums to 1.1 with the quantity bonus)."""

    coverage: float = 0.25  # idf-weighted share of question terms in the sentence
    focus: float = 0.25  # the same, weighted towards terms few candidate sentences share
    passage: float = 0.2  # coverage of the sentence's whole passage
    similarity: float = 0.2  # embedding similarity, for the Latin share of the sentence
    rank: float = 0.1  # divided by 1 + the passage's retrieval rank
    quantity: float = 0.1  # a number in the sentence when the question asks for one


WEIGHTS = SentenceWeights()
OWN_LANGUAGE_SHARE = 0.7  # answer from the question's language if its best sentence has this share of the best coverage
KEEP_SHARE = 0.6  # sentences scoring under this share of the best one are left out
DUPLICATE_OVERLAP = 0.6  # a sentence sharing this share of its tokens with a chosen one repeats it


@dataclass
class _Candidate:
    sentence: str
    hit_rank: int
    position: int
    lang: str
    coverage: float = 0.0
    score: float = 0.0


class ExtractiveComposer:
    def __init__(self, embedder: Embedder, lexical: LexicalIndex, settings: Settings):
        self.embedder, self.lexical, self.settings = embedder, lexical, settings

    def compose(self, question: str, hits: list[Hit], language: str | None = None) -> Composition:
        """The best-supported sentences with their [n] citations (the caller has checked the evidence)."""
        language = language or detect_language(question)
        chosen, notes = self._choose(self._score(question, QuestionTerms(question, self.lexical), hits), language)
        if not chosen:
            return refusal(language)
        text, cited = self._render(chosen, hits, language)
        return Composition(text, False, cited, notes)

    def stream(self, question: str, hits: list[Hit], language: str) -> Iterator[str | Composition]:
        """Sentence by sentence, then the whole composition."""
        composition = self.compose(question, hits, language)
        shown = ""
        for sentence in split_sentences(composition.text):
            joined = join_sentences([shown, sentence]) if shown else sentence
            yield joined[len(shown):]
            shown = joined
        yield composition

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
            w = WEIGHTS
            cand.score = (w.coverage * cand.coverage + w.focus * terms.coverage(cand.sentence, focus)
                          + w.passage * hit_coverage[cand.hit_rank]
                          + w.similarity * float(np.clip(sim, 0, 1)) * latin_share + w.rank / (1 + cand.hit_rank)
                          + (w.quantity if asks_quantity and re.search(r"\d", cand.sentence) else 0.0))
        return candidates

    def _choose(self, candidates: list[_Candidate], language: str) -> tuple[list[_Candidate], list[str]]:
        if not candidates:
            return [], []
        # Compared on coverage alone: the English-only embedding would otherwise favour English sentences.
        best = max(c.coverage for c in candidates)
        own_language = [c for c in candidates if c.lang == language]
        notes: list[str] = []
        if own_language and max(c.coverage for c in own_language) >= OWN_LANGUAGE_SHARE * best:
            pool = own_language
        else:
            pool = candidates
            notes.append("依据仅有英文资料，以下为原文摘录。" if language == "zh"
                         else "The evidence is in Chinese; it is quoted as written.")
        top = max(c.score for c in pool)
        chosen: list[_Candidate] = []
        for cand in sorted(pool, key=lambda c: c.score, reverse=True):
            if len(chosen) >= self.settings.answer_sentences or cand.score < KEEP_SHARE * top:
                break
            tokens = set(tokenize(cand.sentence))
            if all(_overlap(tokens, set(tokenize(c.sentence))) < DUPLICATE_OVERLAP for c in chosen):
                chosen.append(cand)
        return sorted(chosen, key=lambda c: (c.hit_rank, c.position)), notes

    @staticmethod
    def _render(chosen: list[_Candidate], hits: list[Hit], language: str) -> tuple[str, dict[int, Hit]]:
        numbers: dict[int, int] = {}
        parts = []
        for cand in chosen:
            n = numbers.setdefault(cand.hit_rank, len(numbers) + 1)
            parts.append(with_marker(cand.sentence, n))
        return join_sentences(parts), {n: hits[rank] for rank, n in numbers.items()}


def _sentences(text: str) -> list[str]:
    out = []
    for sentence in split_sentences(text):
        sentence = strip_list_marker(sentence).strip()
        ends = sentence[-1:] in SENTENCE_ENDS
        if len(tokenize(sentence)) >= 3 and (ends or len(sentence) > 40):
            out.append(sentence)
    return out


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
