"""The evidence chart: each case figure's reported change, grouped by intervention type (a matplotlib PNG)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.files import atomic_path, chart_font
from assistant.workflows.evidence import EvidenceRow
from assistant.workflows.strategy import load_catalogue

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def reported_change(row: EvidenceRow) -> tuple[float, str] | None:
    """(value, unit) of a row: its stated change, else the relative change from before to after."""
    if row.change:
        value = float(_NUMBER.search(row.change).group())
        return value, "%" if "%" in row.change else "pts"
    if row.before and row.after:
        before, after = (float(_NUMBER.search(v.replace(",", "")).group()) for v in (row.before, row.after))
        return (round((after - before) / before * 100, 1), "%") if before else None
    return None


def chart_rows(rows: list[EvidenceRow]) -> list[dict]:
    """The plotted points: label, intervention type, value and unit, sorted by type."""
    catalogue, points = load_catalogue(), []
    for row in rows:
        change = reported_change(row)
        if change is None:
            continue
        points.append({"label": f"{row.metric} ({row.industry})", "value": change[0],
                       "unit": change[1], "type": catalogue.intervention_type(f"{row.case} {row.intervention}")})
    return sorted(points, key=lambda p: (p["type"], p["value"]))


def draw_chart(rows: list[EvidenceRow], path: Path) -> Path:
    """Horizontal bars, one per figure, coloured by intervention type, each case's metric in its own language (the
    CJK font draws Chinese and Latin alike); written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.family": [chart_font(), "DejaVu Sans"], "axes.unicode_minus": False}):
        return _draw(chart_rows(rows), path, plt)


def _draw(points: list[dict], path: Path, plt) -> Path:
    types = sorted({p["type"] for p in points})
    colours = {t: plt.get_cmap("tab10")(i % 10) for i, t in enumerate(types)}
    fig, ax = plt.subplots(figsize=(11, 0.45 * max(len(points), 2) + 1.5))
    for y, point in enumerate(points):
        ax.barh(y, point["value"], color=colours[point["type"]], label=point["type"])
        ax.annotate(f"{point['value']:+g}{'%' if point['unit'] == '%' else ' pts'}", (point["value"], y),
                    xytext=(4 if point["value"] >= 0 else -4, 0), textcoords="offset points", va="center",
                    ha="left" if point["value"] >= 0 else "right", fontsize=8)
    ax.set_yticks(range(len(points)), [p["label"] for p in points], fontsize=8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.margins(x=0.18)  # room for the value labels at the bar ends
    ax.set_xlabel("reported change (% relative, or points)")
    ax.set_title("Case evidence: reported changes by intervention type" if points else "No case figures found")
    handles = {h.get_label(): h for h in ax.get_legend_handles_labels()[0]}
    if handles:
        ax.legend(handles.values(), handles.keys(), fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
    return path
