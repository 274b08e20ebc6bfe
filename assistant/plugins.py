"""Extensions registered from outside the product, through the entry-point group 'qcassist.plugins' (the way
simonw/llm plugins add commands): the evals add their commands and the app's Evaluation panel this way, so
`assistant` never imports its own test harness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol

ENTRY_POINT_GROUP = "qcassist.plugins"


class ReportPanel(Protocol):
    """What the app's Evaluation tab shows and runs; rows are lists in the order of `columns`."""

    columns: list[str]

    def latest(self, assistant) -> dict[str, Any] | None: ...

    def run_smoke(self, assistant, user, kb: str) -> dict[str, Any]: ...


@dataclass
class Plugins:
    commands: list[Callable[[Any], None]] = field(default_factory=list)  # each adds commands to the Typer app
    report_panel: ReportPanel | None = None


def load_plugins() -> Plugins:
    """Every installed plugin's registration function, called once with the registry it fills."""
    plugins = Plugins()
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()(plugins)
    return plugins
