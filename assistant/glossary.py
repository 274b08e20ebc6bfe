"""The bilingual QC glossary (jieba words, cross-language query expansion) and how a term is found in text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary.yaml"


@lru_cache(maxsize=4096)
def term_pattern(term: str, as_written: bool = False) -> re.Pattern[str]:
    """How a term is found in lower-cased text (in the text as written, for a term matched as_written): Latin
    terms as whole words ('nps' not inside 'snps', 'ai' not in 'retailer'); Chinese terms anywhere, since
    Chinese has no spaces between words."""
    wanted = term if as_written else term.lower()
    escaped = re.escape(wanted)
    if re.match(r"[A-Za-z0-9]", wanted):
        return re.compile(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
    return re.compile(escaped)


def mentions(text: str, term: str) -> bool:
    """Whether the text names the term, by the rule of term_pattern."""
    return term_pattern(term).search(text.lower()) is not None


@dataclass(frozen=True)
class TermGroup:
    en: tuple[str, ...]
    zh: tuple[str, ...]
    as_written: frozenset[str] = frozenset()  # an acronym spelling an everyday word ('WHO')
    named: bool = False  # names what a document is about (a company, a product), not a topic many share

    @property
    def terms(self) -> tuple[str, ...]:
        return self.en + self.zh


class Glossary:
    """Term groups (synonyms, abbreviations, translations) found in a text are expanded to the whole group."""

    def __init__(self, groups: list[TermGroup]):
        self.groups = groups
        self._patterns = [(term_pattern(term, term in g.as_written), term in g.as_written, index)
                          for index, g in enumerate(groups) for term in g.terms]
        # A pattern can only match where its term is a substring: testing that first (in C) skips the regex for
        # nearly every term, and the reader asks this of every candidate sentence.
        self._needles = [term if term in g.as_written else term.lower() for g in groups for term in g.terms]

    def chinese_terms(self) -> list[str]:
        return [t for g in self.groups for t in g.zh if not t.isascii()]

    def matching_groups(self, text: str) -> list[TermGroup]:
        lowered = text.lower()
        seen: dict[int, None] = {}
        for needle, (pattern, as_is, index) in zip(self._needles, self._patterns, strict=True):
            within = text if as_is else lowered
            if index not in seen and needle in within and pattern.search(within):
                seen[index] = None
        return [self.groups[i] for i in seen]

    def terms_in(self, text: str) -> list[str]:
        """The glossary terms the text names, as written there, in reading order; of overlapping matches the
        longest ('统计过程控制', not the '过程控制' inside it)."""
        lowered = text.lower()
        found = sorted((m.start(), -(m.end() - m.start()))
                       for needle, (pattern, as_is, _) in zip(self._needles, self._patterns, strict=True)
                       if needle in (within := text if as_is else lowered) for m in pattern.finditer(within))
        terms, end = [], 0
        for start, negative_length in found:
            if start >= end:
                end = start - negative_length
                terms.append(text[start:end])
        return terms

    def expand(self, text: str) -> list[str]:
        """All terms of every group mentioned in the text (the query's own wording included)."""
        terms: list[str] = []
        for group in self.matching_groups(text):
            terms.extend(t for t in group.terms if t not in terms)
        return terms


@lru_cache(maxsize=1)
def load_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    groups = [TermGroup(tuple(map(str, item.get("en", []))), tuple(map(str, item.get("zh", []))),
                        frozenset(map(str, item.get("as_written", []))), bool(item.get("named", False)))
              for item in raw]
    return Glossary(groups)
