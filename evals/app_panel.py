"""What the app's Evaluation tab does, without Gradio: show the newest eval report, run the smoke set."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.auth import User
from assistant.errors import BadInputError
from assistant.service import Assistant

METRIC_COLUMNS = ["metric", "QC Assist", "baseline"]


class EvalReportPanel:
    """The app's Evaluation tab, as the evals plug it in (assistant.plugins.ReportPanel)."""

    columns = METRIC_COLUMNS

    def latest(self, assistant: Assistant) -> dict[str, Any] | None:
        return latest_report(assistant.settings.reports_root)

    def run_smoke(self, assistant: Assistant, user: User | None, kb: str) -> dict[str, Any]:
        return run_smoke(assistant, user, kb)


def latest_report(root: Path) -> dict[str, Any] | None:
    """The newest report.json under root (by modification time) loaded; None if there is none."""
    root = Path(root)
    found = sorted(root.rglob("report.json"), key=lambda p: p.stat().st_mtime) if root.is_dir() else []
    for path in reversed(found):
        try:
            return load_report(path.parent)
        except BadInputError:
            continue  # a half-written or foreign file; try the next newest
    return None


def load_report(folder: Path) -> dict[str, Any]:
    """One report folder: {"folder", "report", "rows" (METRIC_COLUMNS), "charts" (PNG paths), "title"}."""
    file = Path(folder) / "report.json"
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
        metrics = report["metrics"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInputError(f"cannot read eval report {file}: {exc}") from exc
    baseline = report.get("baseline") or {}
    rows = [[name, _fmt(value), _fmt(baseline.get(name))] for name, value in metrics.items()]
    title = (f"{report.get('backend', '?')} on '{report.get('kb', '?')}', {report.get('n', '?')} questions "
             f"({Path(folder).name})")
    return {"folder": str(folder), "report": report, "rows": rows, "title": title,
            "charts": [str(p) for p in sorted(Path(folder).glob("*.png"))]}


def run_smoke(assistant: Assistant, user: User | None, kb: str = "default") -> dict[str, Any]:
    """Run the smoke questions on the knowledge base (no baseline), write <reports>/smoke-<timestamp>, load it.

    Editors and admins only: it writes files on the server and keeps a worker busy for a while."""
    from evals.dataset import load_dataset, smoke_subset
    from evals.evaluate import run_eval
    from evals.report import write_report

    assistant.check_manage(user)
    kb = assistant.check_read(kb or "default", user)
    assistant.require_content(kb)
    items = smoke_subset(load_dataset())
    if not items:
        raise BadInputError("the smoke set is empty (evals/datasets/smoke_ids.txt names no dataset item)")
    report = run_eval(assistant, items, kb, with_baseline=False, progress=False)
    out = assistant.settings.reports_root / datetime.now(UTC).strftime("smoke-%Y%m%d-%H%M%S")
    return load_report(write_report(report, out))


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
