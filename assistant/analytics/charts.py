"""PNG charts of a Pareto, control-chart or capability result (matplotlib, Agg), labelled in English or Chinese and
written atomically."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from scipy import stats

from assistant.analytics.constants import VITAL_FEW_CUM_PCT
from assistant.analytics.notes import Note
from assistant.errors import BadInputError
from assistant.files import atomic_path
from assistant.models import LANGS

CHARTED = ("pareto", "control", "capability")
DPI = 120
FIGURE_SIZE = (10, 5.5)
MARKER_POINTS = 500  # above this many points a control chart is drawn as a line, violations still marked
CURVE_POINTS = 400
CUM_AXIS_TOP = 105  # room above 100% for the last marker

LABELS = {
    "pareto_title": ("Pareto chart: {column}", "帕累托图：{column}"),
    "count": ("count", "数量"),
    "cum_pct": ("cumulative %", "累计百分比"),
    "vital": ("{pct:g}% line", "{pct:g}% 线"),
    "control_title": ("{chart} control chart", "{chart} 控制图"),
    "point": ("point", "点序"),
    "value": ("value", "数值"),
    "center": ("centre", "中心线"),
    "limits": ("control limits", "控制限"),
    "violations": ("rule violations", "判异点"),
    "capability_title": ("Capability: Cpk = {cpk}, Ppk = {ppk}", "过程能力：Cpk = {cpk}，Ppk = {ppk}"),
    "measurement": ("measurement", "测量值"),
    "frequency": ("frequency", "频数"),
    "normal": ("normal model", "正态模型"),
}


def cjk_font() -> str | None:
    """The project's CJK font (assistant/files.py) for matplotlib, None when the machine has none."""
    from assistant.errors import SetupError
    from assistant.files import chart_font

    try:
        return chart_font()
    except SetupError:
        return None


def check_chart(analysis: str, path: Path) -> None:
    """BadInputError, before any work, for a chart that cannot be drawn."""
    if analysis not in CHARTED:
        raise BadInputError(f"--chart is drawn for {', '.join(CHARTED)}, not for {analysis}")
    if Path(path).suffix.lower() != ".png":
        raise BadInputError(f"--chart writes a PNG: name the file .png, not {Path(path).name}")


def draw_chart(result, path: Path, lang: str = "en") -> list[Note]:
    """Draw the result's chart into path (PNG); notes say what the chart could not do."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check_chart(result.analysis, path)
    notes, font = [], None
    data_text = _data_text(result)
    if lang == "zh" or not data_text.isascii():
        font = cjk_font()
        if font is None:
            notes.append(Note("no_cjk_font" if lang == "zh" else "no_cjk_glyphs"))
            lang = "en"

    def label(key: str, **values) -> str:
        return LABELS[key][LANGS.index(lang)].format(**values)

    style = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with plt.rc_context({**style, "axes.unicode_minus": False}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font")  # said once, in the notes
        fig = {"pareto": _pareto, "control": _control, "capability": _capability}[result.analysis](result, label, plt)
        fig.tight_layout()
        with atomic_path(Path(path)) as tmp:
            fig.savefig(tmp, dpi=DPI, format="png")
        plt.close(fig)
    return notes


def _data_text(result) -> str:
    """The text of the user's data a chart shows: a Pareto chart's category names."""
    return result.category_column + "".join(i.category for i in result.items) if result.analysis == "pareto" else ""


def _pareto(result, label, plt):
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    names = [item.category for item in result.items]
    ax.bar(names, [item.count for item in result.items], color=["tab:red" if n in result.vital_few else "tab:blue"
                                                              for n in names])
    ax.set_ylabel(label("count"))
    ax.tick_params(axis="x", labelrotation=45)
    cumulative = ax.twinx()
    cumulative.plot(names, [item.cum_pct for item in result.items], color="black", marker="o")
    cumulative.axhline(VITAL_FEW_CUM_PCT, color="grey", linestyle="--", label=label("vital", pct=VITAL_FEW_CUM_PCT))
    cumulative.set_ylim(0, CUM_AXIS_TOP)
    cumulative.set_ylabel(label("cum_pct"))
    cumulative.legend(loc="center right")
    ax.set_title(label("pareto_title", column=result.category_column))
    return fig


def _limit_lines(ax, chart, label) -> None:
    x = np.arange(1, len(chart.values) + 1)
    for value, style, name in ((chart.center, "-", label("center")), (chart.ucl, "--", label("limits")),
                               (chart.lcl, "--", None)):
        ax.plot(x, np.broadcast_to(value, x.shape), linestyle=style, color="green" if style == "-" else "red",
                drawstyle="steps-mid", label=name)


def _control(result, label, plt):
    panels = 2 if result.second is not None else 1
    fig, axes = plt.subplots(panels, 1, figsize=(FIGURE_SIZE[0], FIGURE_SIZE[1] * (1 + 0.5 * (panels - 1))),
                             squeeze=False)
    for ax, chart, flagged in ((axes[0][0], result.main, result.out_of_control),
                               *([(axes[1][0], result.second, result.second.beyond())] if panels > 1 else [])):
        x = np.arange(1, len(chart.values) + 1)
        ax.plot(x, chart.values, color="tab:blue", marker="o" if len(x) <= MARKER_POINTS else None, markersize=3)
        _limit_lines(ax, chart, label)
        if len(flagged):
            index = np.asarray(flagged, dtype=int)
            ax.scatter(index, chart.values[index - 1], color="red", zorder=3, label=label("violations"))
        ax.set_ylabel(chart.chart if chart is result.second else label("value"))
        ax.legend(loc="upper right", fontsize=8)
    axes[0][0].set_title(label("control_title", chart=result.main.chart.upper()))
    axes[-1][0].set_xlabel(label("point"))
    return fig


def _capability(result, label, plt):
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    edges, counts = np.asarray(result.histogram["edges"]), np.asarray(result.histogram["counts"])
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="tab:blue", alpha=0.6, edgecolor="white")
    curve = np.linspace(edges[0], edges[-1], CURVE_POINTS)
    scale = result.n * np.diff(edges).mean()
    ax.plot(curve, stats.norm.pdf(curve, result.mean, result.sigma_overall) * scale, color="black",
            label=label("normal"))
    for name, limit in (("LSL", result.lsl), ("USL", result.usl)):
        if limit is not None:
            ax.axvline(limit, color="red", linestyle="--", label=name)
    ax.set_xlabel(label("measurement"))
    ax.set_ylabel(label("frequency"))
    ax.set_title(label("capability_title", cpk=f"{result.cpk:.2f}", ppk=f"{result.ppk:.2f}"))
    ax.legend()
    return fig
