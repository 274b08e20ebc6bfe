"""Retrieval test tab: a query in, the ranked hits with their dense, BM25 and fused scores out."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.industries import INDUSTRY_ALIASES
from assistant.service import Assistant


def retrieval_tab(assistant: Assistant, kb_choices: list[str]):
    def run(query: str, kb: str, industry: str, k: float, request: gr.Request):
        try:
            result = assistant.search(query, kb or "default", industry or None, k=int(k),
                                      user=user_of(assistant, request))
        except QCAError as exc:
            return [], warning(exc)
        terms = ", ".join(result.expanded_terms) or "—"
        return app_actions.search_rows(result), f"Expanded terms: {app_actions.escape(terms)}"

    with gr.Row():
        query = gr.Textbox(label="Query", scale=4)
        kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
        industry = gr.Dropdown(choices=[""] + list(INDUSTRY_ALIASES), value="", label="Industry filter")
        k = gr.Number(value=assistant.settings.top_k, label="Hits", minimum=1, maximum=50, precision=0)
    go = gr.Button("Search", variant="primary")
    info = gr.Markdown()
    hits = gr.Dataframe(headers=app_actions.HIT_COLUMNS, interactive=False, wrap=True)
    for trigger in (go.click, query.submit):
        trigger(run, [query, kb, industry, k], [hits, info], api_visibility="private")
    return kb
