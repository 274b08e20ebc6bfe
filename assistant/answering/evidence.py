"""How well retrieved passages cover a question: the refusal gate of every backend, and the terms the
extractive composer scores sentences with."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from assistant.glossary import load_glossary
from assistant.models import Hit
from assistant.retrieval.lexical import LexicalIndex
from assistant.text import detect_language, numbers_in, tokenize

_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
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


IDF_SHARE = 0.5  # the rest of the strength counts every question term alike
GATE_PASSAGES = 3  # the best of this many top passages decides


def evidence_strength(terms: QuestionTerms, hits: list[Hit]) -> float:
    """How well the best of the top passages covers the question: half idf-weighted, half flat (so one
    rare chatty word cannot sink a well-covered question). A year the question names that no retrieved
    passage mentions means the knowledge base does not have that fact: strength 0."""
    if not hits or any(y not in numbers_in(" ".join(h.chunk.indexed_text for h in hits)) for y in terms.years):
        return 0.0
    flat = {t: 1.0 for t in terms.tokens}
    return max((IDF_SHARE * terms.coverage(h.chunk.indexed_text)
                + (1 - IDF_SHARE) * terms.coverage(h.chunk.indexed_text, flat) for h in hits[:GATE_PASSAGES]),
               default=0.0)
