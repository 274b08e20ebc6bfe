"""`qcassist analyze`: QC statistics over the user's own CSV or Excel table (registered in main.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.io import JsonOpt, KbOpt, emit, fail, make_assistant
from assistant.errors import QCAError


def analyze(
    analysis: Annotated[str, typer.Argument(help="pareto | control | capability | satisfaction | compare | link")],
    file: Annotated[Path, typer.Argument(help="The table: .csv (UTF-8 or GBK) or .xlsx; for compare with --before, "
                                              "the 'after' table.")],
    column: Annotated[str | None, typer.Option(help="Measurements (control, capability), counts (c chart), or "
                                                    "scores or 0/1 outcomes (compare).")] = None,
    category: Annotated[str | None, typer.Option(help="Pareto: the category column.")] = None,
    count: Annotated[str | None, typer.Option(help="Pareto: a count per row (default: each row counts 1).")] = None,
    subgroup: Annotated[str | None, typer.Option(help="Subgroup column (X-bar charts, within sigma).")] = None,
    defectives: Annotated[str | None, typer.Option(help="Defectives (p, np), defects (u) or events (compare).")]
    = None,
    size: Annotated[str | None, typer.Option(help="Sample size (p, np), units (u) or units (compare).")] = None,
    chart_type: Annotated[str | None, typer.Option(help="xbar-r | xbar-s | imr | p | np | c | u (default: xbar-r "
                                                        "with --subgroup, p with --defectives, else imr).")] = None,
    usl: Annotated[float | None, typer.Option(help="Upper specification limit.")] = None,
    lsl: Annotated[float | None, typer.Option(help="Lower specification limit.")] = None,
    before: Annotated[Path | None, typer.Option(help="Compare: the 'before' table (FILE is 'after').")] = None,
    period_column: Annotated[str | None, typer.Option(help="Compare: the period of each row.")] = None,
    split: Annotated[str | None, typer.Option(help="Compare: periods before this value are 'before'.")] = None,
    segment: Annotated[str | None, typer.Option(help="Satisfaction: break down by this column.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel: the sheet to read (needed when there are several).")]
    = None,
    nps_column: Annotated[str | None, typer.Option(help="Satisfaction: likelihood to recommend, 0-10.")] = None,
    csat_column: Annotated[str | None, typer.Option(help="Satisfaction: CSAT answer, 1-5.")] = None,
    ces_column: Annotated[str | None, typer.Option(help="Satisfaction: customer effort score, 1-7.")] = None,
    qc_column: Annotated[str | None, typer.Option(help="Link: the monthly QC metric.")] = None,
    sat_column: Annotated[str | None, typer.Option(help="Link: the monthly satisfaction metric.")] = None,
    month_column: Annotated[str | None, typer.Option(help="Link: the month of each row (e.g. 2024-07).")] = None,
    metric_name: Annotated[str | None, typer.Option(help="Compare: what the report sentence calls the metric, "
                                                         "e.g. 'return rate'.")] = None,
    as_json: JsonOpt = False,
    chart: Annotated[Path | None, typer.Option(help="Also draw the chart as this PNG (pareto, control, "
                                                    "capability).")] = None,
    lang: Annotated[str, typer.Option(help="zh or en: the language of the text, warnings and chart.")] = "en",
    kb: KbOpt = "default",
    background: Annotated[bool, typer.Option(help="Add the knowledge base's cited answer on the method (loads the "
                                                  "embedding model: a few seconds).")] = True,
) -> None:
    """Pareto, control charts, capability, NPS/CSAT/CES, before/after and QC-vs-satisfaction on your own data."""
    options = {k: v for k, v in locals().items() if k not in ("file", "as_json", "chart", "lang", "kb", "background")}
    from assistant.analytics.charts import check_chart, draw_chart
    from assistant.config import get_settings
    from assistant.workflows.analysis import AnalysisRequest, method_background, run_analysis
    from assistant.workflows.analysis_text import summarize
    from assistant.workflows.document import require_language

    try:
        require_language(lang)
        if chart is not None:
            check_chart(analysis, chart)
        result, notes = run_analysis(AnalysisRequest(path=file, **options), get_settings())
        if chart is not None:
            notes += draw_chart(result, chart, lang)
        found = method_background(make_assistant(), result.analysis, kb, lang) if background else None
    except QCAError as exc:
        fail(exc)
    # "chart_file", not "chart": a control result's "chart" is its chart type.
    payload = {**result.to_dict(), "warnings": [note.text(lang) for note in notes],
               "chart_file": str(chart) if chart else None, "background": found}
    emit(payload, as_json, summarize(result, notes, lang) + (f"\n{chart}" if chart else "") + _cited(found))


def _cited(found: dict | None) -> str:
    """The knowledge base's answer on the method with its numbered sources, for people."""
    if not found or found.get("error"):
        return ""
    sources = [f"[{c['n']}] {c['label']} ({c['source']})" for c in found["citations"]]
    return "\n\n" + "\n".join([found["question"], found["answer"], *sources])
