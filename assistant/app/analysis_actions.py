"""What the Analyze tab's buttons do, without Gradio: the shipped samples and the fields that fit them, a table's
columns, an analysis with its chart and summary, and background on the method from the knowledge base.

Like the other actions, every function takes the signed-in user and raises QCAError subclasses fit to show."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

from assistant.app.actions import export_folder
from assistant.app.uploads import require_inside
from assistant.auth import User
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.service import Assistant
from assistant.workflows.analysis import ANALYSES, AnalysisRequest, method_background
from assistant.workflows.document import require_language

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
SAMPLE_SUFFIXES = (".csv", ".xlsx")
CHART_NAME = "chart.png"
COLUMN_FIELDS = ("category", "count", "column", "subgroup", "defectives", "size", "period_column", "month_column",
                 "qc_column", "sat_column", "nps_column", "csat_column", "ces_column", "segment")
NUMBER_FIELDS = ("usl", "lsl")
TEXT_FIELDS = ("chart_type", "split", "metric_name", "sheet")
# The request fields each analysis reads: the tab shows only these.
ANALYSIS_FIELDS = {
    "pareto": ("category", "count"),
    "control": ("column", "subgroup", "defectives", "size", "chart_type"),
    "capability": ("column", "subgroup", "usl", "lsl"),
    "satisfaction": ("nps_column", "csat_column", "ces_column", "segment"),
    "compare": ("column", "defectives", "size", "period_column", "split", "metric_name"),
    "link": ("month_column", "qc_column", "sat_column"),
}
# Each shipped sample: the analysis it suits first, and every field that fits it (an analysis ignores the others,
# so switching monthly.csv from compare to link needs no new choices).
SAMPLES = {
    "inspection.csv": {"analysis": "control", "column": "diameter_mm", "subgroup": "subgroup", "usl": 10.06,
                       "lsl": 9.94},
    "complaints.csv": {"analysis": "pareto", "category": "category", "count": "count"},
    "survey.csv": {"analysis": "satisfaction", "nps_column": "nps", "csat_column": "csat", "ces_column": "ces",
                   "segment": "segment"},
    "monthly.csv": {"analysis": "compare", "defectives": "returns", "size": "shipped", "period_column": "month",
                    "split": "2024-01", "metric_name": "return rate", "month_column": "month",
                    "qc_column": "return_rate", "sat_column": "nps"},
}


def samples() -> list[str]:
    """The shipped sample tables by file name."""
    return sorted(p.name for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)


def chart_types() -> tuple[str, ...]:
    from assistant.analytics.control import CHART_TYPES

    return CHART_TYPES


def visible_fields(analysis: str | None) -> tuple[str, ...]:
    """The fields the analysis reads (none for an unknown one)."""
    return ANALYSIS_FIELDS.get(analysis or "", ())


def choose_table(assistant: Assistant, user: User | None, file: str | None = None, sample: str | None = None,
                 sheet: str | None = None, upload_root: Path | None = None) -> dict:
    """The columns of the uploaded file (else of the sample) and, for a sample, the fields that fit it."""
    _require_user(assistant, user)
    path = _table_path(file, sample, upload_root)
    from assistant.workflows.analysis import load_table

    columns = [str(c) for c in load_table(path, _text(sheet, "sheet", assistant), assistant.settings).columns]
    return {"columns": columns, "preset": {} if file else dict(SAMPLES.get(path.name, {}))}


def analyze(assistant: Assistant, user: User | None, fields: dict[str, Any], file: str | None = None,
            sample: str | None = None, kb: str = "default", lang: str = "en", upload_root: Path | None = None) -> dict:
    """Run the analysis named in fields on the table, draw its chart, summarise it in lang and ask the knowledge
    base about the method; nothing is written unless the analysis succeeds."""
    from assistant.workflows.analysis import run_analysis
    from assistant.workflows.analysis_text import summarize

    _require_user(assistant, user)
    kb = assistant.check_read(kb or "default", user)
    require_language(lang)
    request = _request(assistant, fields, _table_path(file, sample, upload_root))
    result, notes = run_analysis(request, assistant.settings)
    chart = _draw(assistant, result, lang, notes)
    return {"analysis": result.analysis, "summary": summarize(result, [], lang), "result": result.to_dict(),
            "warnings": [note.text(lang) for note in notes], "chart": chart,
            "background": method_background(assistant, result.analysis, kb, lang, user)}


def summary_markdown(summary: str) -> str:
    """The summary as a code block (its Pareto lines are tab-aligned), fenced beyond any backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", summary)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{summary}\n{fence}"


def warnings_markdown(warnings: list[str]) -> str:
    return "\n".join(f"- ⚠️ {html.escape(w, quote=False)}" for w in warnings)


def background_markdown(found: dict) -> str:
    """The question, the answer and its numbered sources, document text escaped."""
    lines = [f"**{html.escape(found['question'], quote=False)}**", ""]
    if found.get("error"):
        return "\n".join([*lines, f"⚠️ {html.escape(found['error'], quote=False)}"])
    lines += [html.escape(found["answer"], quote=False), ""]
    lines += [f"- [{c['n']}] {html.escape(c['label'], quote=False)} — {html.escape(c['source'], quote=False)}"
              for c in found["citations"]]  # a source is named by whoever uploaded it: escaped, not code-quoted
    return "\n".join(lines)


def _require_user(assistant: Assistant, user: User | None) -> None:
    """Any signed-in user may analyse; with sign-in on, nobody else."""
    if assistant.access() is not None and user is None:
        raise PermissionDeniedError("please sign in first")


def _table_path(file: str | None, sample: str | None, upload_root: Path | None) -> Path:
    """The uploaded file (refused unless the web server received it) or the shipped sample named exactly."""
    if file:
        require_inside(Path(file), upload_root)
        return Path(file)
    if sample:
        if sample not in samples():
            raise BadInputError(f"no sample '{sample}': choose one of {', '.join(samples())}")
        return SAMPLES_DIR / sample
    raise BadInputError("upload a .csv or .xlsx table, or choose a sample")


def _text(value: Any, name: str, assistant: Assistant) -> str | None:
    """A text field, blank as None; BadInputError for anything else or anything too long."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    limit = assistant.settings.max_question_chars
    if not isinstance(value, str) or len(value) > limit:
        raise BadInputError(f"{name} must be text of at most {limit:,} characters")
    return value.strip()


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInputError(f"{name.upper()} must be a number")
    return float(value)


def _request(assistant: Assistant, fields: dict[str, Any], path: Path) -> AnalysisRequest:
    """The AnalysisRequest of the tab's fields; unknown fields are refused, not ignored."""
    unknown = set(fields) - {"analysis", *COLUMN_FIELDS, *NUMBER_FIELDS, *TEXT_FIELDS}
    if unknown:
        raise BadInputError(f"unknown field(s): {', '.join(sorted(unknown))}")
    analysis = fields.get("analysis")
    if analysis not in ANALYSES:
        raise BadInputError(f"choose an analysis: {', '.join(ANALYSES)}")
    options = {name: _text(fields.get(name), name, assistant) for name in (*COLUMN_FIELDS, *TEXT_FIELDS)}
    options.update({name: _number(fields.get(name), name) for name in NUMBER_FIELDS})
    return AnalysisRequest(analysis=analysis, path=path, **options)


def _draw(assistant: Assistant, result, lang: str, notes: list) -> str | None:
    """The chart in a fresh folder under <data_dir>/exports (None for analyses without one); the folder is removed
    if drawing fails."""
    from assistant.analytics.charts import CHARTED, draw_chart

    if result.analysis not in CHARTED:
        return None
    folder = export_folder(assistant, "analysis-")
    try:
        notes += draw_chart(result, folder / CHART_NAME, lang)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return str(folder / CHART_NAME)
