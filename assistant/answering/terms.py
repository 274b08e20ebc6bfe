"""A question's content terms with their idf weights and glossary synonyms: how well a text covers the
question, the lexical signal the reader's features are built from."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.glossary import load_glossary
from assistant.retrieval.lexical import TermStatistics
from assistant.retrieval.lexicon import load_lexicon
from assistant.text import tokenize

# Words that ask rather than say, and light verbs ('how many hospitals took part'): no evidence either way.
_ASKING_WORDS = """
explain describe define definition meaning mean tell give list example find found say said show
happen happened know calculate calculated calculation compute computed formula
介绍 定义 意思 含义 解释 说明 举例 例子 作用 区别 关系 发现 知道 计算 公式 算 指
come came 谁 哪里 哪儿 哪些 哪个 哪位 是从 来
take took taken went gone gave given done
"""
# A word written in capitals in a question that is not written all in capitals: an acronym ('LEARN', 'HCAHPS').
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![A-Za-z])")
_HAS_LOWER_CASE = re.compile(r"[a-z\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _asking_tokens() -> frozenset[str]:
    """The asking words as tokenize() emits them (stemmed), so they can be compared with question tokens."""
    return frozenset(t for word in _ASKING_WORDS.split() for t in tokenize(word))


class QuestionTerms:
    """The question's content tokens with their idf weights and the glossary synonyms that also count."""

    def __init__(self, question: str, lexical: TermStatistics):
        # Whole words only: search-mode sub-words ('量成' from '质量成本') would count as missing terms.
        # Nor a single Latin letter: 'the C in PDCA' is asked about, never written as a word in the answer.
        self.tokens = [t for t in dict.fromkeys(tokenize(question, search=False))
                       if t not in _asking_tokens() and not (len(t) == 1 and t.isascii() and t.isalpha())]
        self.weights = {t: lexical.idf(t) for t in self.tokens}
        self.max_idf = lexical.idf("\x00")  # what a term no passage contains weighs: the scale of the weights
        groups = load_glossary().matching_groups(question)
        self.synonyms = {t: [term.lower() for g in groups for term in g.terms
                             if any(t in tokenize(x) for x in g.terms)] for t in self.tokens}
        lexicon = load_lexicon()
        self.senses = {t: lexicon.renderings(t, lexical.document_frequency) for t in self.tokens}
        self.acronyms = _acronyms(question, self.tokens)

    def present(self, token: str, text: str, tokens: set[str], raw: str) -> bool:
        """The term itself, a glossary synonym, or one of its renderings in the other language; an acronym only
        as written, in capitals (the lower-cased text is `text`, the text as written `raw`)."""
        if any(s in text for s in self.synonyms[token]):
            return True
        if token in self.acronyms:
            return bool(self.acronyms[token].search(raw))
        return token in tokens or any(all(word in tokens for word in sense) for sense in self.senses[token])

    def coverage(self, text: str | Sequence[str], weights: dict[str, float] | None = None) -> float:
        """idf-weighted share of question terms present in the text (as in `present`). Every term counts in a
        text of either language: the glossary and the lexicon bridge the languages, and a term neither renders
        is one the text does not have (leaving it out made a one-term match in the other language look
        complete)."""
        weights = weights or self.weights
        total = sum(weights.values())
        if not total:
            return 0.0
        tokens, lowered, raw = _joined_tokens(text)
        return sum(w for t, w in weights.items() if self.present(t, lowered, tokens, raw)) / total

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Question terms found in none of the texts (directly or as a glossary synonym), in question order."""
        tokens, lowered, raw = _joined_tokens(texts)
        return [t for t in self.tokens if not self.present(t, lowered, tokens, raw)]

    def weighted_share(self, wanted: list[str], text: str | Sequence[str]) -> float:
        """idf-weighted share of the wanted terms found in the text; 1 when nothing is wanted."""
        total = sum(self.weights[t] for t in wanted)
        if not total:
            return 1.0
        found = set(wanted) - set(self.missing([text] if isinstance(text, str) else text))
        return sum(self.weights[t] for t in found) / total

    def focus_weights(self, texts: list[str]) -> dict[str, float]:
        """Weights that favour the question terms few candidate sentences share: the question's focus,
        not the topic every passage repeats ('deaths' rather than 'checklist')."""
        read = [(set(tokenize(t)), t.lower(), t) for t in texts]
        df = {t: sum(self.present(t, low, toks, raw) for toks, low, raw in read) for t in self.tokens}
        return {t: w * math.log(1 + len(texts) / (1 + df[t])) for t, w in self.weights.items()}


def _acronyms(question: str, tokens: list[str]) -> dict[str, re.Pattern]:
    """The question's acronyms by token, each as it may be written in a text: in capitals, or capitalised at the
    start of a sentence, with a plural s. 'LEARN' is not the word 'learned' of 'lessons learned', and no
    translation of the word renders it. A question written all in capitals has none."""
    if not _HAS_LOWER_CASE.search(question):
        return {}
    found = {}
    for word in _ACRONYM.findall(question):
        token = next(iter(tokenize(word, search=False)), None)
        if token in tokens:
            found[token] = re.compile(rf"(?<![A-Za-z])(?:{word}|{word.capitalize()})s?(?![A-Za-z])")
    return found


def _joined_tokens(texts: str | Sequence[str]) -> tuple[set[str], str, str]:
    """The tokens, the lower-cased text and the text of texts read together (a string is one text). Each text's
    tokens come from tokenize()'s cache and are united: the same set as tokenizing the texts joined by spaces,
    because a space always ends a jieba block, without tokenizing every new combination of texts the reader
    looks at."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    joined = " ".join(texts)
    return set().union(*(tokenize(t) for t in texts)), joined.lower(), joined
