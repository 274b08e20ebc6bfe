"""Recommendation drafts for consultants: summary, diagnosis, ranked strategies with evidence, a 30/60/90-day
roadmap, KPI targets relative to the client's current values, risks and references."""

from __future__ import annotations

import re
import time

from assistant.errors import BadInputError
from assistant.glossary import load_glossary
from assistant.workflows.analysis_evidence import add_analysis_section, current_kpis
from assistant.workflows.document import WorkDocument, language_of
from assistant.workflows.evidence import EvidenceRow
from assistant.workflows.evidence_chart import reported_change
from assistant.workflows.grounded import SectionWriter, finalize
from assistant.workflows.strategy import industry_label, require_industry, write_strategies

DEFAULT_IMPROVEMENT = 0.10  # relative, when no comparable case gives a figure
_HIGHER_IS_BETTER = ("nps", "csat", "satisfaction", "满意", "retention", "留存", "on-time", "准时", "yield", "合格",
                     "cpk", "推荐")
_TEXT = {
    "zh": {"title": "{client}质量改进建议书（草稿）", "summary": "执行摘要", "diagnosis": "问题诊断",
           "analysis": "客户数据分析",
           "recommendations": "改进建议", "roadmap": "30/60/90天路线图", "kpi": "KPI目标",
           "risks": "风险与注意事项",
           "summary_text": "{client}（{industry}）面临的问题是：{problem}。建议优先推进：{titles}。"
                           "以下各节给出诊断、依据和行动计划，所有事实陈述均注明出处。",
           "diagnosis_q": ["{industry}企业出现“{problem}”的常见原因是什么？", "{problem}的原因是什么？"],
           "risks_q": ["质量改进措施实施不到位的常见问题和风险有哪些？", "常见的质量管控问题如何损害客户满意度？"],
           "roadmap_header": ["阶段", "行动"], "days": ["第1–30天", "第31–60天", "第61–90天"],
           "kpi_header": ["指标", "当前值", "目标值", "依据"],
           "assumption": "假设：相对改善{pct:.0%}（知识库中无可比案例数据）",
           "case_basis": "可比案例：{metric} {change}"},
    "en": {"title": "Quality improvement recommendations for {client} (draft)", "summary": "Executive summary",
           "diagnosis": "Diagnosis", "analysis": "The client's data", "recommendations": "Recommendations",
           "roadmap": "30/60/90-day roadmap",
           "kpi": "KPI targets", "risks": "Risks",
           "summary_text": "{client} ({industry}) faces this problem: {problem}. We recommend starting with: {titles}. "
                           "The sections below give the diagnosis, the evidence and the plan; every factual "
                           "statement is cited.",
           "diagnosis_q": ["What commonly causes '{problem}' in a {industry} company?", "What causes {problem}?"],
           "risks_q": ["What are the common risks when quality improvements are implemented poorly?",
                       "How do common quality control failures hurt customer satisfaction?"],
           "roadmap_header": ["Phase", "Actions"], "days": ["Days 1-30", "Days 31-60", "Days 61-90"],
           "kpi_header": ["KPI", "Current", "Target", "Basis"],
           "assumption": "assumption: {pct:.0%} relative improvement (no comparable case figure in the knowledge base)",
           "case_basis": "comparable case: {metric} {change}"},
}


def parse_kpis(pairs: list[str]) -> dict[str, str]:
    """'NAME=VALUE' options into a dict; a clear error for anything else."""
    kpis = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not re.search(r"\d", value):
            raise BadInputError(f"--kpi expects NAME=VALUE with a number, e.g. 投诉率=2.5% or NPS=31; got '{pair}'")
        kpis[name.strip()] = value.strip()
    return kpis


def draft(assistant, industry: str | None, client: str, problem: str, kpis: dict[str, str] | None = None,
          kb: str = "default", backend: str | None = None, lang: str | None = None, limit: int = 3,
          analysis: dict | None = None) -> WorkDocument:
    """The recommendation draft for a client in an industry with a problem; `analysis`, the client's own data
    analysed (`qcassist analyze --json`), becomes a section of evidence and the KPI table's current values."""
    started = time.perf_counter()
    key = require_industry(industry)
    client, problem = (client or "").strip(), (problem or "").strip()
    if not client or not problem:
        raise BadInputError("a draft needs --client and --problem")
    lang = language_of(lang, problem, industry or "")
    text, label = _TEXT[lang], industry_label(key, lang)
    doc = WorkDocument("draft", text["title"].format(client=client), lang)
    writer = SectionWriter(assistant, kb, backend)
    summary = doc.section(text["summary"])
    diagnosis = [q.format(industry=label, problem=problem) for q in text["diagnosis_q"]]
    doc.section(text["diagnosis"]).add("bullets", writer.first_answer(diagnosis, key, 4), grounded=True)
    if analysis:
        add_analysis_section(doc, writer, analysis, text["analysis"])
        kpis = {**current_kpis(analysis), **(kpis or {})}  # a value the consultant gives wins
    doc.section(text["recommendations"])
    strategies, coverage = write_strategies(doc, writer, key, problem, limit, level=3)
    titles = "; ".join(s["title"] for s in strategies) or "-"
    summary.add("paragraph", [text["summary_text"].format(client=client, industry=label, problem=problem,
                                                          titles=titles)])
    doc.section(text["roadmap"]).add_table([text["roadmap_header"], *_roadmap(strategies, text["days"])])
    targets = [_target(name, value, writer, text) for name, value in (kpis or {}).items()]
    doc.section(text["kpi"]).add_table([text["kpi_header"], *targets])
    doc.section(text["risks"]).add("bullets", writer.first_answer(text["risks_q"], None, 3), grounded=True)
    finalize(doc, writer.registry, assistant.settings.grounding)
    doc.data = {"industry": key, "client": client, "problem": problem, "kpis": kpis or {},
                "kpi_targets": [dict(zip(text["kpi_header"], row, strict=True)) for row in targets],
                "strategies": strategies, "coverage": coverage,
                "analysis": analysis["analysis"] if analysis else None}
    doc.seconds = time.perf_counter() - started
    return doc


def _roadmap(strategies: list[dict], phases: list[str]) -> list[list[str]]:
    """The first steps of the strategies, step one of each in the first 30 days, and so on."""
    return [[phase, "; ".join(s["first_steps"][i] for s in strategies if len(s["first_steps"]) > i)]
            for i, phase in enumerate(phases)]


def _target(name: str, current: str, writer: SectionWriter, text: dict) -> list[str]:
    """Target relative to the current value: a comparable case's change where the corpus has one, else 10%."""
    number = float(re.search(r"-?\d+(?:\.\d+)?", current).group())
    unit = "%" if "%" in current else ""
    row = _comparable_row(name, writer.evidence_rows)
    change = reported_change(row) if row else None
    if change and change[1] == "%":
        factor, basis = 1 + change[0] / 100, text["case_basis"].format(metric=row.metric, change=row.change or
                                                                       f"{row.before} -> {row.after}")
        basis = f"{basis} [{writer.registry.cite(writer.chunk(row.citation['chunk_id']))}]"
    else:
        higher = any(word in name.lower() for word in _HIGHER_IS_BETTER)
        factor = 1 + DEFAULT_IMPROVEMENT if higher else 1 - DEFAULT_IMPROVEMENT
        basis = text["assumption"].format(pct=DEFAULT_IMPROVEMENT)
    return [name, current, f"{number * factor:.3g}{unit}", basis]


def _comparable_row(name: str, rows: list[EvidenceRow]) -> EvidenceRow | None:
    """A case row about the same measure (same glossary group or same words)."""
    groups = {g.terms[0] for g in load_glossary().matching_groups(name)}
    for row in rows:
        row_groups = {g.terms[0] for g in load_glossary().matching_groups(row.metric)}
        if (groups & row_groups) or name.lower() in row.metric.lower():
            return row
    return None
