"""Eval reports: JSON, a Markdown page with matplotlib charts, and side-by-side comparison of two runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import BadInputError

QUALITY = ("recall@5", "mrr", "faithfulness", "hallucination_rate", "citation_precision", "citation_recall",
           "key_fact_recall", "negative_rejection", "over_refusal")


def default_out_dir(reports_root: Path) -> Path:
    return reports_root / datetime.now(UTC).strftime("eval-%Y%m%d-%H%M%S")


def write_report(report: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    charts = _charts(report, out_dir)
    (out_dir / "report.md").write_text(_markdown(report, charts), encoding="utf-8")
    return out_dir


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _markdown(report: dict, charts: list[str]) -> str:
    base = report.get("baseline", {})
    lines = [f"# Eval report — {report['backend']} on '{report['kb']}' ({report['n']} questions)", "",
             "| metric | QC Assist | plain LangChain baseline | ratio |", "|---|---|---|---|"]
    ratio = report.get("ratio_to_baseline", {})
    lines += [f"| {k} | {_fmt(v)} | {_fmt(base.get(k))} | {_fmt(ratio.get(k))} |" for k, v in report["metrics"].items()]
    checker = report["checker"]
    lines += ["", f"Grounding checker on {checker['n']} labelled claim/passage pairs: precision "
              f"{_fmt(checker['precision'])}, recall {_fmt(checker['recall'])} at catching unsupported claims.", ""]
    for title, key in (("By language", "by_language"), ("By industry", "by_industry"), ("By type", "by_type")):
        lines += [f"## {title}", "",
                  "| group | n | recall@5 | faithfulness | key_fact_recall | refused (unanswerable) |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {g} | {m['n']} | {_fmt(m['recall@5'])} | {_fmt(m['faithfulness'])} | "
                  f"{_fmt(m['key_fact_recall'])} | {_fmt(m['negative_rejection'])} |" for g, m in report[key].items()]
        lines.append("")
    lines += [f"![{name}]({name})" for name in charts]
    if "natural_test" in report:
        natural = _markdown(report["natural_test"], []).replace("# Eval report", "# Natural test split", 1)
        lines += ["", "---", "", natural]
    return "\n".join(lines) + "\n"


def _charts(report: dict, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    fig, ax = plt.subplots(figsize=(10, 4))
    keys = list(QUALITY)
    width = 0.4
    ax.bar([i - width / 2 for i in range(len(keys))], [report["metrics"][k] or 0 for k in keys], width,
           label="QC Assist")
    if "baseline" in report:
        ax.bar([i + width / 2 for i in range(len(keys))], [report["baseline"][k] or 0 for k in keys], width,
               label="baseline")
    ax.set_xticks(range(len(keys)), keys, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.legend()
    names.append(_save(fig, out_dir, "metrics.png"))
    for key in ("by_industry", "by_language"):
        groups = report[key]
        fig, ax = plt.subplots(figsize=(10, 4))
        for offset, metric in ((-0.2, "recall@5"), (0.2, "faithfulness")):
            ax.bar([i + offset for i in range(len(groups))], [m[metric] or 0 for m in groups.values()], 0.4,
                   label=metric)
        ax.set_xticks(range(len(groups)), list(groups), rotation=30, ha="right")
        ax.set_ylim(0, 1.05)
        ax.legend()
        names.append(_save(fig, out_dir, f"{key}.png"))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([row["latency_ms"] for row in report["items"]], bins=20)
    ax.set_xlabel("latency per question (ms)")
    names.append(_save(fig, out_dir, "latency.png"))
    return names


def _save(fig, out_dir: Path, name: str) -> str:
    fig.tight_layout()
    fig.savefig(out_dir / name, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return name


def compare(first: Path, second: Path) -> dict:
    """Two saved runs side by side: each metric, and the change from the first to the second."""
    a, b = (_load(p) for p in (first, second))
    result = {"a": str(first), "b": str(second), "metrics": _deltas(a["metrics"], b["metrics"])}
    if "natural_test" in a and "natural_test" in b:
        result["natural_test"] = _deltas(a["natural_test"]["metrics"], b["natural_test"]["metrics"])
    return result


def _deltas(a: dict, b: dict) -> dict:
    rows = {}
    for key in a:
        x, y = a.get(key), b.get(key)
        rows[key] = {"a": x, "b": y, "delta": round(y - x, 4) if x is not None and y is not None else None}
    return rows


def _load(path: Path) -> dict:
    file = path / "report.json" if path.is_dir() else path
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot read eval report {file}: {exc}") from exc
