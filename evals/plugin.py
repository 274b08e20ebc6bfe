"""The evals' entry point into the product (pyproject: [project.entry-points."qcassist.plugins"])."""

from __future__ import annotations


def register(plugins) -> None:
    from evals.app_panel import EvalReportPanel
    from evals.cli import add_commands

    plugins.commands.append(add_commands)
    plugins.report_panel = EvalReportPanel()
