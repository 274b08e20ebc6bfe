"""One analysis request from the CLI or the app, checked and run: the table read within the configured limits,
the analysis chosen by name, its warnings collected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.errors import BadInputError, PermissionDeniedError, QCAError
from assistant.models import LANGS

ANALYSES = ("pareto", "control", "capability", "satisfaction", "compare", "link")
BYTES_PER_MB = 1_000_000
# What the knowledge base is asked about each analysis's method (English, Chinese): the app shows the cited
# answer under a result, a consultant's draft under the client's figures.
BACKGROUND = {
    "control": ("How do you read a control chart and its out-of-control rules?",
                "什么是控制图？如何判读控制图的判异规则？"),
    "capability": ("What do Cp and Cpk measure, and what Cpk value is considered capable?",
                   "什么是过程能力指数 Cpk？Cpk 多少算过程能力充足？"),
    "pareto": ("What is Pareto analysis and the 80/20 rule in quality improvement?",
               "什么是帕累托分析（80/20 法则）？如何用于质量改进？"),
    "satisfaction": ("How are NPS and CSAT calculated and interpreted?", "NPS 和 CSAT 如何计算和解读？"),
    "compare": ("How do you verify that a quality improvement worked by comparing before and after?",
                "如何通过改进前后的对比验证质量改进的效果？"),
    "link": ("Does a correlation between a quality metric and customer satisfaction prove causation?",
             "质量指标与客户满意度的相关性能证明因果关系吗？"),
}


@dataclass(frozen=True)
class AnalysisRequest:
    """What to analyse and with which columns; options an analysis does not use are ignored."""

    analysis: str
    path: Path
    column: str | None = None
    category: str | None = None
    count: str | None = None
    subgroup: str | None = None
    defectives: str | None = None
    size: str | None = None
    chart_type: str | None = None
    usl: float | None = None
    lsl: float | None = None
    before: Path | None = None
    period_column: str | None = None
    split: str | None = None
    segment: str | None = None
    sheet: str | None = None
    nps_column: str | None = None
    csat_column: str | None = None
    ces_column: str | None = None
    qc_column: str | None = None
    sat_column: str | None = None
    month_column: str | None = None
    metric_name: str | None = None


def load_table(path: Path, sheet: str | None, settings: Settings):
    """The one place a user's table is read: with the row and size limits of the settings."""
    from assistant.analytics.table import read_table

    return read_table(Path(path), sheet, max_rows=settings.max_table_rows,
                      max_bytes=int(settings.max_upload_mb * BYTES_PER_MB),
                      max_unpacked_bytes=int(settings.max_unpacked_mb * BYTES_PER_MB))


def default_chart_type(request: AnalysisRequest) -> str:
    """The chart type asked for, else X-bar-R with subgroups, p with defectives and sizes, I-MR otherwise."""
    if request.chart_type:
        return request.chart_type
    if request.subgroup:
        return "xbar-r"
    return "p" if request.defectives and request.size else "imr"


def _control(request: AnalysisRequest, table):
    from assistant.analytics.control import control_chart

    return control_chart(table, default_chart_type(request), request.column, request.subgroup, request.defectives,
                         request.size)


def _pareto(request: AnalysisRequest, table):
    from assistant.analytics.pareto import pareto

    if not request.category:
        raise BadInputError("pareto needs --category (and optionally --count)")
    return pareto(table, request.category, request.count)


def _capability(request: AnalysisRequest, table):
    from assistant.analytics.capability import capability

    if not request.column:
        raise BadInputError("capability needs --column and --usl and/or --lsl")
    return capability(table, request.column, request.usl, request.lsl, request.subgroup)


def _satisfaction(request: AnalysisRequest, table):
    from assistant.analytics.satisfaction import satisfaction

    return satisfaction(table, request.nps_column, request.csat_column, request.ces_column, request.segment)


def _link(request: AnalysisRequest, table):
    from assistant.analytics.link import link

    missing = [f"--{n.replace('_', '-')}" for n in ("month_column", "qc_column", "sat_column")
               if not getattr(request, n)]
    if missing:
        raise BadInputError(f"link needs {', '.join(missing)}")
    return link(table, request.month_column, request.qc_column, request.sat_column)


def _compare(request: AnalysisRequest, table, settings: Settings):
    from assistant.analytics.compare import compare, split_periods

    if request.before is not None and request.period_column:
        raise BadInputError("give either --before FILE or --period-column with --split, not both")
    if request.before is not None:
        before, after = load_table(request.before, request.sheet, settings), table
    elif request.period_column and request.split is not None:
        before, after = split_periods(table, request.period_column, request.split)
    else:
        raise BadInputError("compare needs --before FILE, or --period-column NAME with --split VALUE")
    return compare(before, after, request.column, request.defectives, request.size, request.metric_name)


RUNNERS = {"pareto": _pareto, "control": _control, "capability": _capability, "satisfaction": _satisfaction,
           "link": _link}


def run_analysis(request: AnalysisRequest, settings: Settings):
    """(result, warnings) of the request; BadInputError, with nothing written, for anything the user can fix."""
    if request.analysis not in ANALYSES:
        raise BadInputError(f"unknown analysis '{request.analysis}': use one of {', '.join(ANALYSES)}")
    table = load_table(request.path, request.sheet, settings)
    if request.analysis == "compare":
        result = _compare(request, table, settings)
    else:
        result = RUNNERS[request.analysis](request, table)
    return result, list(result.notes)


def method_background(assistant, analysis: str, kb: str = "default", lang: str = "en", user=None) -> dict:
    """The knowledge base's cited answer to the analysis's BACKGROUND question, in lang: what a reader of the result
    needs to know about the method. An error there (an empty knowledge base) leaves the result standing."""
    question = BACKGROUND[analysis][LANGS.index(lang)]
    try:
        answer = assistant.ask(question, kb, user=user)
    except PermissionDeniedError:
        raise
    except QCAError as exc:
        return {"question": question, "answer": "", "error": str(exc), "citations": []}
    return {"question": question, "answer": answer.answer, "refused": answer.refused,
            "citations": [{"n": c.n, "label": c.label, "source": c.source} for c in answer.citations]}
