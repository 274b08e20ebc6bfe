"""The offline answerer: the reader's best sentences of the retrieved passages, shaped by what the question asks
(the direct answer first), or a partial answer that says plainly what the knowledge base lacks."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answering.base import PARTIAL, RELATED, UNNAMED_MISSING, Composition, refusal
from assistant.answering.features import Candidate, is_meta
from assistant.answering.grounding import with_marker
from assistant.answering.reader import Reading
from assistant.answering.shaping import choose, ranked
from assistant.models import Hit
from assistant.text import join_sentences, split_sentences, tokenize

CROSS_LANGUAGE_NOTE = {"zh": "依据仅有英文资料，以下为原文摘录。",
                       "en": "The evidence is in Chinese; it is quoted as written."}
SOURCE_NOTE = {"zh": "资料注明：{sentence}", "en": "The source notes: {sentence}"}
NAMED_AND_GENERAL = {"zh": "{named} 出自关于所问对象的资料（{titles}）；{general} 是通用资料的补充。",
                     "en": "{named} come from the documents about what you asked about ({titles}); {general} are "
                           "general material filling in."}
NAMED_SILENT = {"zh": "关于所问对象的资料（{titles}）没有直接回答这一点，以下来自通用资料。",
                "en": "The documents about what you asked about ({titles}) do not answer this directly; the answer "
                      "comes from general material."}
RELATED_SENTENCES = 2  # a partial answer shows this many related sentences
MAX_MISSING_TERMS = 4


class ExtractiveComposer:
    def __init__(self, answer_sentences: int):
        self.answer_sentences = answer_sentences

    def compose(self, reading: Reading, hits: list[Hit], language: str) -> Composition:
        """The composition for the reader's decision: an answer, a partial answer, or a refusal."""
        if reading.status == "refused" or not ranked(reading):
            return refusal(language)
        if reading.status == "partial":
            return self._partial(reading, hits, language)
        chosen = choose(reading, self.answer_sentences, hits)
        text, cited = _render(chosen, hits)
        notes = provenance(cited, hits, language) + _notes(chosen, reading.candidates, language)
        return Composition(text, "answered", cited, notes)

    def stream(self, reading: Reading, hits: list[Hit], language: str) -> Iterator[str | Composition]:
        """Sentence by sentence, then the whole composition."""
        composition = self.compose(reading, hits, language)
        shown = ""
        for sentence in split_sentences(composition.shown):
            joined = join_sentences([shown, sentence]) if shown else sentence
            yield joined[len(shown):]
            shown = joined
        yield composition

    def _partial(self, reading: Reading, hits: list[Hit], language: str) -> Composition:
        related = [reading.candidates[i] for i in ranked(reading)[:RELATED_SENTENCES]]
        text, cited = _render(related, hits)
        title = hits[related[0].hit_rank].chunk.title  # the document the related sentences come from
        topic = f"《{title}》" if language == "zh" else f"“{title}”"
        missing = missing_words(reading.missing, reading.question.text, language) or UNNAMED_MISSING[language]
        preamble = f"{PARTIAL[language].format(topic=topic, missing=missing)} {RELATED[language]}"
        return Composition(text, "partial", cited, _notes(related, reading.candidates, language),
                           preamble=preamble)


def missing_words(missing: list[str], question: str, language: str) -> str:
    """The question's own words for the terms no passage has (English tokens are stems: show the word asked)."""
    words = []
    for token in missing[:MAX_MISSING_TERMS]:
        written = next((w for w in question.replace("?", " ").split() if tokenize(w, search=False) == [token]), token)
        words.append(written.strip(",.;:!?\"'()（）"))
    return ("、" if language == "zh" else ", ").join(dict.fromkeys(w for w in words if w))


def provenance(cited: dict[int, Hit], hits: list[Hit], language: str) -> list[str]:
    """Which citations come from the documents about the entity the question names, and which are general."""
    named_titles = list(dict.fromkeys(f"《{h.chunk.title}》" if language == "zh" else h.chunk.title
                                      for h in hits if h.named))
    if not named_titles:
        return []
    named = [f"[{n}]" for n, hit in sorted(cited.items()) if hit.named]
    general = [f"[{n}]" for n, hit in sorted(cited.items()) if not hit.named]
    titles = ("、" if language == "zh" else "; ").join(named_titles)
    if not named:
        return [NAMED_SILENT[language].format(titles=titles)]
    if not general:
        return []
    return [NAMED_AND_GENERAL[language].format(named="".join(named), general="".join(general), titles=titles)]


def _render(chosen: list[Candidate], hits: list[Hit]) -> tuple[str, dict[int, Hit]]:
    """Sentences with [n] markers; passages numbered in order of first use, so the answer's lead cites [1]."""
    numbers: dict[int, int] = {}
    parts = []
    for cand in chosen:
        n = numbers.setdefault(cand.hit_rank, len(numbers) + 1)
        parts.append(with_marker(cand.sentence, n))
    return join_sentences(parts), {n: hits[rank] for rank, n in numbers.items()}


def _notes(chosen: list[Candidate], cands: list[Candidate], language: str) -> list[str]:
    """What the reader should know beside the answer: evidence only in the other language, and what the cited
    documents say about themselves (an illustrative case) — never inside the answer itself."""
    notes = [CROSS_LANGUAGE_NOTE[language]] if chosen and chosen[0].lang != language else []
    cited_ranks = {c.hit_rank for c in chosen}
    notes += [SOURCE_NOTE[language].format(sentence=c.sentence) for c in cands
              if c.hit_rank in cited_ranks and is_meta(c.sentence)]
    return list(dict.fromkeys(notes))
