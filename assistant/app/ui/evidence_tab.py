"""Evidence tab: the case-study figures of a knowledge base as a table and a bar chart."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.industries import INDUSTRY_ALIASES
from assistant.service import Assistant


def evidence_tab(assistant: Assistant, kb_choices: list[str]):
    def run(kb: str, industry: str, request: gr.Request):
        try:
            result = app_actions.evidence(assistant, user_of(assistant, request), kb, industry)
        except QCAError as exc:
            return [], None, warning(exc)
        return app_actions.evidence_table(result), result["chart"], f"{len(result['rows'])} figures found."

    with gr.Row():
        kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
        industry = gr.Dropdown(choices=[""] + list(INDUSTRY_ALIASES), value="", label="Industry filter")
    go = gr.Button("Show evidence", variant="primary")
    info = gr.Markdown()
    rows = gr.Dataframe(headers=app_actions.EVIDENCE_COLUMNS, interactive=False, wrap=True)
    chart = gr.Image(label="Reported changes", type="filepath", interactive=False)
    go.click(run, [kb, industry], [rows, chart, info], api_visibility="private")
    return kb
