"""A consultant's own analysis of the client's data (the JSON `qcassist analyze --json` prints) as a draft's
evidence: its headline figures as a table, its warnings, the report sentence of a before/after comparison, the
current values it gives for the KPI table, and the knowledge base's cited background on the method."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import Settings
from assistant.errors import BadInputError
from assistant.models import LANGS
from assistant.workflows.analysis import ANALYSES, BACKGROUND, BYTES_PER_MB

# The figures a reader of a draft needs from each analysis, in the order shown.
HEADLINES = {
    "capability": ("cp", "cpk", "cpk_ci", "ppk", "ppm_below", "ppm_above", "n"),
    "satisfaction": ("nps", "nps_ci", "csat_top2_pct", "ces_mean", "n"),
    "compare": ("metric", "change_pct", "change_ci", "p_value", "test"),
    "control": ("chart", "center", "ucl", "lcl", "out_of_control"),
    "pareto": ("vital_few", "vital_few_pct", "total"),
    "link": ("n_months",),
}
LABELS = {
    "en": {"cpk_ci": "Cpk 95% CI", "ppm_below": "ppm below LSL", "ppm_above": "ppm above USL", "n": "n",
           "nps_ci": "NPS 95% CI", "csat_top2_pct": "CSAT top-2-box %", "ces_mean": "CES mean",
           "change_pct": "change %", "change_ci": "change 95% CI", "p_value": "p", "center": "centre line",
           "out_of_control": "points out of control", "vital_few": "vital few", "vital_few_pct": "their share %",
           "n_months": "months"},
    "zh": {"cpk_ci": "Cpk 95% 置信区间", "ppm_below": "低于下限 ppm", "ppm_above": "高于上限 ppm", "n": "样本量",
           "nps_ci": "NPS 95% 置信区间", "csat_top2_pct": "CSAT 前两档 %", "ces_mean": "CES 均值",
           "metric": "指标", "change_pct": "变化 %", "change_ci": "变化 95% 置信区间", "p_value": "p 值",
           "test": "检验", "chart": "控制图", "center": "中心线", "out_of_control": "失控点",
           "vital_few": "关键少数", "vital_few_pct": "合计占比 %", "total": "总数", "n_months": "月数"},
}
HEADER = {"en": ["Figure", "Value"], "zh": ["指标", "数值"]}
LAG_LABEL = {"en": "Spearman rho at lag {lag} (p)", "zh": "滞后 {lag} 个月的 Spearman rho（p）"}
SIGNIFICANT_DIGITS = 4
MAX_LISTED = 10  # points or categories named in one cell


def read_analysis(path: Path, settings: Settings) -> dict:
    """The saved result of `qcassist analyze --json`, its size checked (as a table's) before it is read."""
    path, max_bytes = Path(path), int(settings.max_upload_mb * BYTES_PER_MB)
    if not path.is_file():
        raise BadInputError(f"no analysis file {path} (save one with: qcassist analyze ... --json > FILE.json)")
    if path.stat().st_size > max_bytes:
        raise BadInputError(f"analysis file {path} is larger than {max_bytes / 1e6:g} MB (QCA_MAX_UPLOAD_MB)")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInputError(f"analysis file {path} is not the JSON `qcassist analyze --json` prints ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("analysis") not in ANALYSES:
        raise BadInputError(f"analysis file {path} is not a result of `qcassist analyze --json` "
                            f"(its 'analysis' must be one of {', '.join(ANALYSES)})")
    return payload


def headline_rows(payload: dict, lang: str) -> list[list[str]]:
    """[header, [label, value], ...] of the analysis's headline figures."""
    labels = LABELS[lang]
    rows = [[labels.get(key, key), _shown(payload[key])] for key in HEADLINES[payload["analysis"]]
            if payload.get(key) is not None]
    for lag in payload.get("lags") or []:  # a link's figures: one row per lag
        rows.append([LAG_LABEL[lang].format(lag=lag.get("lag")),
                     f"{_shown(lag.get('rho'))} ({_shown(lag.get('p_value'))})"])
    return [HEADER[lang], *rows]


def current_kpis(payload: dict) -> dict[str, str]:
    """KPI current values the analysis measured, for the draft's target table."""
    name = payload["analysis"]
    if name == "satisfaction":
        found = {"NPS": payload.get("nps"), "CSAT": _percent(payload.get("csat_top2_pct"))}
    elif name == "capability":
        found = {"Cpk": payload.get("cpk")}
    elif name == "compare" and isinstance(payload.get("after"), dict) and payload["after"].get("rate") is not None:
        found = {payload.get("metric") or "rate": _percent(payload["after"]["rate"] * 100)}
    else:
        found = {}
    return {key: _shown(value) for key, value in found.items() if value is not None}


def add_analysis_section(doc, writer, payload: dict, heading: str) -> None:
    """The client's figures, the analysis's own warnings and sentence, then the cited background on the method."""
    lang = doc.lang
    section = doc.section(heading)
    sentence = payload.get(f"sentence_{lang}")  # written only when the data support it
    section.add("paragraph", [sentence] if sentence else [])
    section.add_table(headline_rows(payload, lang))
    section.add("bullets", [str(w) for w in payload.get("warnings") or []])
    question = BACKGROUND[payload["analysis"]][LANGS.index(lang)]
    section.add("bullets", writer.first_answer([question], None, 2), grounded=True)


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.{SIGNIFICANT_DIGITS}g}"
    if isinstance(value, list | tuple):
        shown = [_shown(v) for v in value[:MAX_LISTED]]
        return ", ".join(shown) + (" …" if len(value) > MAX_LISTED else "") if shown else "-"
    return str(value)


def _percent(value) -> str | None:
    return None if value is None else f"{value:.{SIGNIFICANT_DIGITS}g}%"
