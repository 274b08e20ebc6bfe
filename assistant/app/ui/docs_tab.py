"""Work-product tabs: strategy, onboarding module and recommendation draft, with a preview and md/docx/pdf files."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant

LANGS = [("auto", ""), ("中文", "zh"), ("English", "en")]


def _produce(assistant: Assistant, request: gr.Request, kind: str, **fields):
    try:
        doc = app_actions.workflow(assistant, user_of(assistant, request), kind, **fields)
        return app_actions.preview(doc), app_actions.export_files(assistant, doc)
    except QCAError as exc:
        return warning(exc), None


def _form(run, inputs: list, kb_choices: list[str]):
    kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
    lang = gr.Dropdown(choices=LANGS, value="", label="Language")
    go = gr.Button("Generate", variant="primary")
    preview = gr.Markdown()
    files = gr.File(label="Download (md, docx, pdf)", file_count="multiple", interactive=False)
    go.click(run, [*inputs, kb, lang], [preview, files], api_visibility="private")
    return kb


def strategy_tab(assistant: Assistant, kb_choices: list[str]):
    def run(industry: str, problem: str, kb: str, lang: str, request: gr.Request):
        return _produce(assistant, request, "strategy", industry=industry, problem=problem, kb=kb, lang=lang)

    inputs = [gr.Textbox(label="Industry (e.g. logistics, 制造业)"), gr.Textbox(label="Problem (optional)", lines=2)]
    return _form(run, inputs, kb_choices)


def onboarding_tab(assistant: Assistant, kb_choices: list[str]):
    def run(topic: str, audience: str, length: str, kb: str, lang: str, request: gr.Request):
        return _produce(assistant, request, "onboarding", topic=topic, audience=audience, length=length, kb=kb,
                        lang=lang)

    inputs = [gr.Textbox(label="Topic (e.g. 8D, 控制图)"), gr.Textbox(label="Audience (optional)"),
              gr.Dropdown(choices=["short", "standard"], value="standard", label="Length")]
    return _form(run, inputs, kb_choices)


def draft_tab(assistant: Assistant, kb_choices: list[str]):
    def run(client: str, industry: str, problem: str, kpis: str, kb: str, lang: str, request: gr.Request):
        return _produce(assistant, request, "draft", client=client, industry=industry, problem=problem, kpis=kpis,
                        kb=kb, lang=lang)

    inputs = [gr.Textbox(label="Client"), gr.Textbox(label="Industry"), gr.Textbox(label="Problem", lines=2),
              gr.Textbox(label="KPIs (NAME=VALUE, comma-separated, e.g. 投诉率=2.5%, NPS=31)")]
    return _form(run, inputs, kb_choices)
