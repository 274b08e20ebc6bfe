"""Evaluation tab: the newest eval report (metrics and charts) and a button running the smoke set; shown when a
plugin (the evals) provides the panel."""

from __future__ import annotations

import gradio as gr

from assistant.app.actions import escape
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.plugins import ReportPanel
from assistant.service import Assistant

NO_REPORT = "No eval report yet: run the smoke set here, or `qcassist eval` on the command line."


def shown(found: dict | None) -> tuple[str, list, list]:
    """(heading, metric rows, chart paths) of a loaded report, or an explanation when there is none."""
    if found is None:
        return NO_REPORT, [], []
    return f"**{escape(found['title'])}**", found["rows"], found["charts"]


def _handlers(assistant: Assistant, panel: ReportPanel):
    """latest, run_smoke."""

    def latest():
        return shown(panel.latest(assistant))

    def run_smoke(kb: str, request: gr.Request):
        try:
            return shown(panel.run_smoke(assistant, user_of(assistant, request), kb or "default"))
        except QCAError as exc:
            return warning(exc), gr.skip(), gr.skip()

    return latest, run_smoke


def eval_tab(assistant: Assistant, kb_choices: list[str], panel: ReportPanel):
    """The tab's components; returns the KB dropdown so the app can refresh it."""
    latest, run_smoke = _handlers(assistant, panel)
    heading, rows, charts = latest()
    with gr.Row():
        kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
        refresh_btn = gr.Button("Show latest report")
        run_btn = gr.Button("Run smoke set", variant="primary")
    title = gr.Markdown(heading)
    metrics = gr.Dataframe(value=rows, headers=panel.columns, interactive=False)
    gallery = gr.Gallery(value=charts, label="Charts", columns=2, height="auto")
    refresh_btn.click(latest, None, [title, metrics, gallery], api_visibility="private")
    run_btn.click(run_smoke, kb, [title, metrics, gallery], api_visibility="private", concurrency_limit=1)
    return kb
