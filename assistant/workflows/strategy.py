"""The industry strategy advisor: catalogue strategies ranked for an industry and a problem, filled from the
knowledge base with citations, with the case figures that back them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.answering.grounding import cited_numbers
from assistant.answering.injection import quotable_sentences
from assistant.errors import BadInputError
from assistant.glossary import mentions
from assistant.industries import INDUSTRY_ALIASES, normalize_industry
from assistant.models import Chunk
from assistant.workflows.document import WorkDocument, language_of
from assistant.workflows.evidence import EvidenceRow
from assistant.workflows.grounded import SectionWriter, finalize

CATALOGUE_PATH = Path(__file__).parent.parent / "data" / "strategies.yaml"
# Ranking: industry fit (named industry, a strategy for all industries, any other) + problem keywords matched
# + the share of retrieved passages specific to the industry.
FIT_NAMED, FIT_ALL, FIT_OTHER = 1.0, 0.6, 0.2
MIN_FIT_UNMATCHED = 0.5  # below this fit, a strategy must match a problem keyword to be considered
KEYWORD_WEIGHT, MAX_KEYWORDS_COUNTED = 0.5, 3
STRATEGY_SEARCH_K = 5
THIN_COVERAGE_CHUNKS = 12  # fewer industry-specific passages than this and the advisor says so
_TEXT = {
    "zh": {
        "title": "{industry}质量改进策略", "problem": "针对的问题：{problem}", "what": "怎么做", "why": "为什么适合",
        "effect": "预期效果（案例数据）", "kpis": "关注的指标", "steps": "第一步",
        "no_effect": "知识库中没有这项策略在可比案例中的量化数据。", "fits": "这项策略通常适用于{industries}。",
        "matches": "与问题相关的关键词：{words}。",
        "thin": "知识库对{industry}的覆盖较少（只有 {n} 个专门段落），以下策略更多依据通用资料，请结合实际判断。",
        "none": "知识库中没有能支持{industry}改进策略的内容。",
    },
    "en": {
        "title": "Quality improvement strategies for {industry}", "problem": "Problem addressed: {problem}",
        "what": "What to do", "why": "Why it fits", "effect": "Expected effect (case figures)",
        "kpis": "KPIs to watch", "steps": "First steps",
        "no_effect": "The knowledge base reports no figures for this strategy in a comparable case.",
        "fits": "This strategy is a usual fit for {industries}.",
        "matches": "It addresses the problem's terms: {words}.",
        "thin": "The knowledge base covers {industry} thinly ({n} passages specific to it); the strategies below "
                "lean on general material, judge them accordingly.",
        "none": "The knowledge base holds nothing that supports a strategy for {industry}.",
    },
}


@dataclass(frozen=True)
class StrategyTemplate:
    id: str
    type: str
    title: dict[str, str]
    query: dict[str, str]
    keywords: tuple[str, ...]
    industries: tuple[str, ...]
    kpis: tuple[str, ...]
    first_steps: dict[str, list[str]]

    def industry_fit(self, industry: str) -> float:
        if industry in self.industries:
            return FIT_NAMED
        return FIT_ALL if "all" in self.industries else FIT_OTHER

    def keywords_in(self, text: str) -> list[str]:
        return [k for k in self.keywords if mentions(text, k)]


@dataclass
class Catalogue:
    strategies: list[StrategyTemplate]
    kpi_names: dict[str, dict[str, str]]

    def intervention_type(self, text: str) -> str:
        """The catalogue type whose keywords a case describes best ('other' when none)."""
        best = max(self.strategies, key=lambda s: len(s.keywords_in(text)))
        return best.type if best.keywords_in(text) else "other"


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    strategies = [StrategyTemplate(s["id"], s["type"], s["title"], s["query"], tuple(map(str, s["keywords"])),
                                   tuple(s["industries"]), tuple(s["kpis"]), s["first_steps"])
                  for s in raw["strategies"]]
    return Catalogue(strategies, raw["kpis"])


@dataclass
class RankedStrategy:
    template: StrategyTemplate
    score: float
    matched: list[str]
    support: list[Chunk] = field(default_factory=list)  # retrieved passages specific to the industry


def industry_label(key: str, lang: str) -> str:
    aliases = INDUSTRY_ALIASES[key]
    return aliases[0] if lang == "en" else next((a for a in aliases if not a.isascii()), aliases[0])


def rank_strategies(assistant, industry: str, problem: str, lang: str, kb: str) -> list[RankedStrategy]:
    """Industry fit, match with the problem's words and support in the knowledge base; unsupported ones dropped."""
    ranked = []
    for template in load_catalogue().strategies:
        matched = template.keywords_in(problem)
        fit = template.industry_fit(industry)
        if fit < MIN_FIT_UNMATCHED and not matched:
            continue
        hits = assistant.search(f"{template.query[lang]} {problem}".strip(), kb=kb, industry=industry,
                                k=STRATEGY_SEARCH_K).hits
        if not hits:
            continue
        specific = [h.chunk for h in hits if industry in h.chunk.industries]
        score = (fit + min(len(matched), MAX_KEYWORDS_COUNTED) * KEYWORD_WEIGHT
                 + len(specific) / STRATEGY_SEARCH_K)  # the share of retrieved passages specific to the industry
        ranked.append(RankedStrategy(template, score, matched, specific or [hits[0].chunk]))
    return sorted(ranked, key=lambda r: r.score, reverse=True)


def advise(assistant, industry: str | None, problem: str | None = None, kb: str = "default",
           backend: str | None = None, lang: str | None = None, limit: int = 5) -> WorkDocument:
    """The strategy document for an industry (English or Chinese name) and an optional problem."""
    started = time.perf_counter()
    key = require_industry(industry)
    problem = (problem or "").strip()
    lang = language_of(lang, problem, industry or "")
    text, label = _TEXT[lang], industry_label(key, lang)
    doc = WorkDocument("strategy", text["title"].format(industry=label), lang)
    writer = SectionWriter(assistant, kb, backend)
    if problem:
        doc.section(text["problem"].format(problem=problem)).level = 3
    strategies, coverage = write_strategies(doc, writer, key, problem, limit)
    finalize(doc, writer.registry, assistant.settings.grounding)
    doc.data = {"industry": key, "problem": problem, "strategies": strategies, "coverage": coverage}
    doc.seconds = time.perf_counter() - started
    return doc


def require_industry(industry: str | None) -> str:
    key = normalize_industry(industry)
    if key is None or key == "general":
        raise BadInputError("an industry is required, e.g. --industry logistics or --industry 制造业")
    return key


def write_strategies(doc: WorkDocument, writer: SectionWriter, industry: str, problem: str, limit: int,
                     level: int = 2) -> tuple[list[dict], dict]:
    """The ranked strategies as sections of the document, and how well the knowledge base covers the industry."""
    text, label = _TEXT[doc.lang], industry_label(industry, doc.lang)
    specific = writer.industry_passages(industry)
    if specific < THIN_COVERAGE_CHUNKS:
        doc.notes.append(text["thin"].format(industry=label, n=specific))
    strategies = []
    for ranked in rank_strategies(writer.assistant, industry, problem, doc.lang, writer.kb):
        written = _write_strategy(doc, writer, ranked, len(strategies) + 1, industry, problem, level)
        strategies += [written] if written else []
        if len(strategies) == limit:
            break
    if not strategies:
        doc.notes.append(text["none"].format(industry=label))
    return strategies, {"industry_passages": specific, "thin": specific < THIN_COVERAGE_CHUNKS}


def _question(template, industry: str, lang: str, problem: str = "") -> str:
    label = industry_label(industry, lang)
    if lang == "zh":
        return f"{label}企业如何{template.title['zh']}" + (f"，以解决“{problem}”" if problem else "") + "？"
    title = template.title["en"]
    return (f"How can a {label} company {title[0].lower()}{title[1:]}"
            + (f" to address '{problem}'" if problem else "") + "?")


def _write_strategy(doc: WorkDocument, writer: SectionWriter, ranked: RankedStrategy, rank: int, industry: str,
                    problem: str, level: int) -> dict | None:
    """One strategy's section; None when the knowledge base cannot say what to do (a strategy is not padded)."""
    t, lang, text = ranked.template, doc.lang, _TEXT[doc.lang]
    label = industry_label(industry, lang)
    # The strategy asked about the client's problem, then, if the knowledge base cannot answer that combination
    # (the problem is the client's own words), about the strategy alone.
    asked = dict.fromkeys([_question(t, industry, lang, problem), _question(t, industry, lang)])
    actions = next((found for q in asked if (found := writer.sentences(q, industry=industry, limit=3))), [])
    if not actions:
        return None
    rationale = [r for r in _rationale(writer, ranked, problem) if r not in actions]
    effects = list(dict.fromkeys(writer.cite_row(r.quote, r.citation["chunk_id"])
                                 for r in _matching_rows(writer.evidence_rows, t, industry)))[:3]
    kpis = [load_catalogue().kpi_names[k][lang] for k in t.kpis]
    steps = t.first_steps[lang]
    section = doc.section(f"{rank}. {t.title[lang]}", level)
    section.add("paragraph", [f"**{text['why']}**"]).add("paragraph", [text["fits"].format(
        industries=", ".join(industry_label(i, lang) for i in t.industries if i != "all") or label)])
    if ranked.matched:
        section.add("paragraph", [text["matches"].format(words=", ".join(ranked.matched))])
    section.add("paragraph", rationale, grounded=True)
    section.add("paragraph", [f"**{text['what']}**"]).add("bullets", actions, grounded=True)
    section.add("paragraph", [f"**{text['effect']}**"])
    section.add("bullets", effects, grounded=True) if effects else section.add("paragraph", [text["no_effect"]])
    section.add("paragraph", [f"**{text['kpis']}**"]).add("bullets", kpis)
    section.add("paragraph", [f"**{text['steps']}**"]).add("numbered", steps)
    return {"id": t.id, "title": t.title[lang], "score": round(ranked.score, 3), "actions": actions,
            "rationale": rationale, "expected_effect": effects, "kpis": kpis, "first_steps": steps,
            "citations": sorted({n for x in actions + rationale + effects for n in cited_numbers(x)})}


def _rationale(writer: SectionWriter, ranked: RankedStrategy, problem: str) -> list[str]:
    """The passage sentence specific to the industry that best names the strategy's and the problem's words."""
    words = set(ranked.template.keywords) | set(ranked.matched) | set(problem.split())
    best = max(((sentence, chunk) for chunk in ranked.support for sentence in quotable_sentences(chunk.text)),
               key=lambda pair: sum(mentions(pair[0], w) for w in words), default=None)
    if best is None or not any(mentions(best[0], w) for w in words):
        return []
    return [writer.cite_row(best[0], best[1].chunk_id)]


def _matching_rows(rows: list[EvidenceRow], template: StrategyTemplate, industry: str) -> list[EvidenceRow]:
    """Case figures of this intervention type, the industry's own cases first."""
    catalogue = load_catalogue()
    same_type = [r for r in rows if catalogue.intervention_type(f"{r.case} {r.intervention}") == template.type]
    return sorted(same_type, key=lambda r: r.industry != industry)

