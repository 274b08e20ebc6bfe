"""What the reader sees of a (question, candidate sentence) pair: lexical coverage in both languages, where the
sentence sits, and whether it has the shape of the asked answer type (a number for a quantity question, an
'X 是指' / 'X is' for a definition, a formula for a calculation …). Numbers only; the model weighs them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from assistant.answering.injection import quotable_sentences
from assistant.answering.question import QTYPES, Question, cjk_bigrams, years_in
from assistant.answering.terms import QuestionTerms
from assistant.models import Hit
from assistant.text import SENTENCE_ENDS, detect_language, strip_list_marker, tokenize

# The shape of an answer of each type, in both languages.
SHAPES: dict[str, re.Pattern[str]] = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in {
    "definition": r"是指|指的是|是一种|是一套|是一个|是一项|称为|简称|全称|即|也叫|又称|\bis an? \b|\bare \w+ that\b|"
                  r"refers to|\bmeans\b|stands for|defined as|known as",
    "formula": r"[=＝÷×]|公式|等于|减去|除以|乘以|之比|之差|相除|相减|计算|minus|divided by|multipl|equals|ratio|"
               r"calculated|computed|subtract|percentage of",
    "procedure": r"第[一二三四五六七八九十\d]+步|首先|然后|其次|最后|接着|步骤|阶段|\bfirst\b|\bthen\b|\bnext\b|"
                 r"\bfinally\b|\bstep\b|\bphase\b|^D\d",
    "cause": r"因为|由于|导致|造成|原因|所以|因此|引起|源于|because|due to|caused|led to|leads to|result(?:ed)? in|"
             r"root cause|therefore",
    "comparison": r"而|相比|不同|区别|差异|则|反之|\bwhereas\b|\bwhile\b|\bunlike\b|compared|rather than|instead|"
                  r"differ|\bvs\b|versus",
    "example": r"例如|比如|举例|案例|譬如|以.*为例|for example|e\.g\.|such as|for instance|case",
    "recommendation": r"应当|应该|建议|需要|宜|可以|务必|要求|\bshould\b|recommend|\bmust\b|consider|\bneeds? to\b",
    "meta": r"示例|虚构|本案例|(?<![样版基文剧])本文|(?<!成)本节|本章|下文|引用时|请注意区分|仅供|"
            r"illustrative|fictional|hypothetical|this (?:case|document|section|overview|article|guide|chapter)|"
            r"when citing|for illustration",
}.items()}
# A question term followed closely by a definition cue: '控制图是一种…', 'a control chart is …', or a plain '是'
# right after it ('PDCA 循环是计划、执行、检查、处理…'), which is how Chinese defines.
_DEFINES = (r"(?:.{0,4}?是(?![否不])|"
            r".{0,10}?(?:是指|指的是|是一种|是一套|即|\bis an?\b|\bare\b|refers to|means|stands for))")
# A tag after an actor marking it as made up ('某食品公司（示例）'): it labels content, it does not talk about the text.
_INLINE_TAG = re.compile(r"[（(](?:示例|虚构|illustrative|fictional|hypothetical)[)）]", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_PERCENT_RE = re.compile(r"\d\s*(?:%|％|percent|个百分点|倍|分)")
COMMON_RUN_CAP = 12  # characters; a shared run this long is as telling as a longer one
MIN_TOKENS = 3  # shorter fragments (a heading, a label) are not answers
MIN_UNENDED_CHARS = 40  # a line without end punctuation counts only if it is this long
MIN_TERM_CHARS = 2  # a one-letter term ("C") would be found inside any word before a definition cue
# The shape a sentence answering each question type has (a quantity question wants a number it does not state).
SHAPE_FOR_QTYPE = {"definition": "shape_definition", "calculation": "shape_formula", "procedure": "shape_procedure",
                   "cause": "shape_cause", "comparison": "shape_comparison", "example": "shape_example",
                   "recommendation": "shape_recommendation", "quantity": "new_numbers"}

FEATURE_NAMES = (
    ["coverage", "coverage_flat", "coverage_focus", "coverage_rank", "coverage_gap", "coverage_last_turn",
     "rare_match", "rare_missing", "common_run", "passage_coverage", "heading_coverage", "section_coverage",
     "bigram_share", "bigram_gap", "named_source", "hit_rank", "fused_share", "bm25_share", "position",
     "first_in_passage", "log_chars", "list_item", "numbers", "new_numbers", "percent", "year_asked_present",
     "year_asked_missing", "other_language", "own_language_share", "asks_number", "asks_value_kind",
     "has_asked_value", "asks_unit", "states_asked_unit"]
    + [f"shape_{name}" for name in SHAPES] + [f"qtype_{q}" for q in QTYPES] + [f"cue_{q}" for q in QTYPES]
    + ["attribute_coverage", "attribute_context_coverage", "has_attribute_terms", "attribute_gap",
       "attribute_context_gap", "focus_gap", "common_run_gap", "rare_match_gap", "asked_shape", "cued_shape",
       "asked_shape_coverage", "defines_question_term"]  # _asked_features
)


@dataclass
class Candidate:
    """A sentence of a retrieved passage that could answer the question."""

    sentence: str
    hit_rank: int
    position: int
    list_item: bool
    lang: str


def candidates(hits: list[Hit]) -> list[Candidate]:
    """Every answer-sized sentence of the passages, in passage and reading order."""
    found = []
    for rank, hit in enumerate(hits):
        position = 0
        for raw in quotable_sentences(hit.chunk.text):
            sentence = strip_list_marker(raw).strip()
            ended = sentence[-1:] in SENTENCE_ENDS
            if len(tokenize(sentence)) >= MIN_TOKENS and (ended or len(sentence) > MIN_UNENDED_CHARS):
                found.append(Candidate(sentence, rank, position, sentence != raw.strip(), detect_language(sentence)))
                position += 1
    return found


def sentence_features(question: Question, terms: QuestionTerms, hits: list[Hit], cands: list[Candidate],
                      last_turn: QuestionTerms | None = None) -> np.ndarray:
    """One row per candidate, columns as FEATURE_NAMES; `last_turn` are the terms of the user's own words when
    the question was rewritten from a follow-up."""
    if not cands:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    follow_up = _follow_up_coverage(terms, last_turn, hits, cands)
    focus = terms.focus_weights([c.sentence for c in cands])
    coverage = [terms.coverage(c.sentence) for c in cands]
    own_share = sum(c.lang == question.language for c in cands) / len(cands)
    bigrams = [_share(question.bigrams, cjk_bigrams(c.sentence)) for c in cands]
    passage_cov = [terms.coverage(h.chunk.indexed_text) for h in hits]
    heading_cov = [terms.coverage(h.chunk.context_prefix) if h.chunk.context_prefix else 0.0 for h in hits]
    section_cov = [terms.coverage(h.chunk.section) if h.chunk.section else 0.0 for h in hits]
    top_fused = max((h.fused_score for h in hits), default=0.0) or 1.0
    top_bm25 = max((h.bm25_score for h in hits), default=0.0) or 1.0
    order = sorted(range(len(cands)), key=lambda i: -coverage[i])
    rank_of = {index: rank for rank, index in enumerate(order)}
    question_numbers = figures_in(question.text)
    rows = []
    for i, cand in enumerate(cands):
        hit = hits[cand.hit_rank]
        numbers = figures_in(cand.sentence)
        years = years_in(cand.sentence)
        matched, unmatched = _rare_terms(terms, cand.sentence)
        rows.append([
            coverage[i], terms.coverage(cand.sentence, {t: 1.0 for t in terms.tokens}),
            terms.coverage(cand.sentence, focus), 1 / (1 + rank_of[i]), max(coverage) - coverage[i],
            follow_up[i], matched, unmatched, _common_run(question.text, cand.sentence),
            passage_cov[cand.hit_rank], heading_cov[cand.hit_rank], section_cov[cand.hit_rank],
            bigrams[i], max(bigrams) - bigrams[i], float(hit.named),
            1 / (1 + cand.hit_rank), hit.fused_score / top_fused, hit.bm25_score / top_bm25,
            cand.position / 10, float(cand.position == 0), math.log1p(len(cand.sentence)), float(cand.list_item),
            min(len(numbers), 5) / 5, float(bool(numbers - question_numbers)), float(bool(_PERCENT_RE.search(
                cand.sentence))), float(bool(question.years & years)), float(bool(question.years - years)),
            float(cand.lang != question.language), own_share,
            float(question.cues["quantity"] or question.cues["calculation"]), float(bool(question.answer_kinds)),
            float(question.values_of_kind(cand.sentence)), float(question.asked_unit is not None),
            float(question.states_asked_unit(cand.sentence)),
            *[float(bool(shape.search(cand.sentence))) for shape in SHAPES.values()],
            *[float(question.qtype == q) for q in QTYPES], *[float(question.cues[q]) for q in QTYPES],
        ])
    base = np.asarray(rows, dtype=np.float32)
    return np.hstack([base, _asked_features(question, terms, hits, cands, base)])


def _follow_up_coverage(terms: QuestionTerms, last_turn: QuestionTerms | None, hits: list[Hit],
                        cands: list[Candidate]) -> list[float]:
    """How much of the user's own words a sentence covers, for a follow-up only where its passage is about the
    topic carried from before ('那它的计算公式是什么？' after NPS is not answered by OEE's formula); the whole
    question's coverage when nothing was rewritten."""
    if last_turn is None:
        return [terms.coverage(c.sentence) for c in cands]
    typed = set(last_turn.tokens)
    topic = {t: w for t, w in terms.weights.items() if t not in typed}
    on_topic = [terms.coverage(h.chunk.indexed_text, topic) if topic else 1.0 for h in hits]
    return [last_turn.coverage(c.sentence) * on_topic[c.hit_rank] for c in cands]


def _asked_features(question: Question, terms: QuestionTerms, hits: list[Hit], cands: list[Candidate],
                    base: np.ndarray) -> np.ndarray:
    """What points at the asked fact rather than the topic: the attribute terms (question terms no heading has),
    alone and with the sentence before; how far each sentence falls behind the best on the telling signals; the
    shape of the asked type; a question term being defined."""
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    attribute = attribute_terms(terms, hits)
    has_attribute = float(bool(attribute))
    rows = []
    for i, cand in enumerate(cands):
        before = cands[i - 1].sentence if i and cands[i - 1].hit_rank == cand.hit_rank else ""
        rows.append([has_attribute * terms.weighted_share(attribute, cand.sentence),
                     has_attribute * terms.weighted_share(attribute, [before, cand.sentence])])
    attribute_rows = np.asarray(rows, dtype=np.float32)
    telling = base[:, [column["coverage_focus"], column["common_run"], column["rare_match"]]]
    asked = base[:, column[SHAPE_FOR_QTYPE[question.qtype]]]
    cued = [column[SHAPE_FOR_QTYPE[q]] for q in QTYPES if question.cues[q]]
    cued_shape = base[:, cued].mean(axis=1) if cued else np.zeros(len(base), dtype=np.float32)
    defined = [re.compile(re.escape(t) + _DEFINES, re.IGNORECASE) for t in terms.tokens if len(t) >= MIN_TERM_CHARS]
    defines = [float(any(d.search(c.sentence) for d in defined)) for c in cands]
    return np.column_stack([attribute_rows, np.full(len(base), has_attribute),
                            attribute_rows.max(axis=0) - attribute_rows, telling.max(axis=0) - telling,
                            asked, cued_shape, asked * base[:, column["coverage"]], defines]).astype(np.float32)


def attribute_terms(terms: QuestionTerms, hits: list[Hit]) -> list[str]:
    """The question terms that are not the topic: those no retrieved passage has in its title or headings. In
    'Ford's 8D training budget', 8D and Ford name the topic; the budget is what is asked."""
    return terms.missing([h.chunk.context_prefix for h in hits])


def figures_in(text: str) -> set[str]:
    """The numbers a text states ('24', '1.33', '3,4')."""
    return set(_NUMBER_RE.findall(text))


def is_meta(sentence: str) -> bool:
    """A sentence about the document itself ('this case is illustrative', '引用时应保持原文口径'), never an
    answer. A sentence stating an illustrative case's figures ('An illustrative maker cut its repair rate by 30%',
    '某SaaS公司（示例）把故障时间缩短了40%') is content: the case's tag labels what it states."""
    return bool(SHAPES["meta"].search(_INLINE_TAG.sub("", sentence))) and not figures_in(sentence)


def _rare_terms(terms: QuestionTerms, sentence: str) -> tuple[float, float]:
    """The weight of the rarest question term the sentence has, and of the rarest it lacks, on a 0-1 scale."""
    tokens, lowered = set(tokenize(sentence)), sentence.lower()
    scale = terms.max_idf or 1.0
    found = {t: terms.present(t, lowered, tokens, sentence) for t in terms.tokens}
    present = [terms.weights[t] for t, here in found.items() if here]
    absent = [terms.weights[t] for t, here in found.items() if not here]
    return max(present, default=0.0) / scale, max(absent, default=0.0) / scale


def _common_run(question: str, sentence: str) -> float:
    """The longest stretch of characters the question and sentence share, as a share of the question (capped):
    '纠偏措施' or 'control limits' written the same way in both."""
    q, s = _compact(question), _compact(sentence)
    if not q or not s:
        return 0.0
    match = SequenceMatcher(None, q, s, autojunk=False).find_longest_match(0, len(q), 0, len(s))
    return min(match.size, COMMON_RUN_CAP) / min(len(q), COMMON_RUN_CAP)


def _compact(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


def _share(wanted: frozenset[str], found: frozenset[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0
