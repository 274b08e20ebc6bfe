"""Knowledge-base tab (editors and admins): upload files, create a knowledge base, rebuild it, its sources
(sources_panel: a table to filter, delete from and re-ingest from), feedback export and FAQ corrections
(feedback_panel).

The upload button is also the named API endpoint 'upload' (files + kb in, per-file results out)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app.ui.common import as_json, user_of, warning
from assistant.app.ui.feedback_panel import feedback_panel
from assistant.app.ui.sources_panel import sources_panel
from assistant.errors import QCAError
from assistant.service import Assistant


def upload_files(assistant: Assistant, paths: list[str] | None, kb: str, request: gr.Request | None,
                 progress: gr.Progress | None = None):
    """[(file, status, detail)...] as JSON, or {"error": message}."""
    from gradio.utils import get_upload_folder

    def on_file(index: int, total: int, name: str) -> None:
        if progress is not None:
            progress((index, total), desc=f"ingesting {name}")

    files = [(str(p), Path(str(p)).name) for p in paths or []]
    return as_json(lambda: app_actions.upload(assistant, user_of(assistant, request), files, kb or "default",
                                              Path(get_upload_folder()), on_file))


def _handlers(assistant: Assistant):
    """upload (the API endpoint), show_upload, create, rebuild."""

    def upload(paths: list[str] | None, kb: str, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        return upload_files(assistant, paths, kb, request, progress)

    def show_upload(result) -> tuple[list, str]:
        if isinstance(result, dict):
            return [], warning(result.get("error", ""))
        return app_actions.table(result, app_actions.UPLOAD_COLUMNS), f"{len(result)} file(s) processed."

    def create(name: str, request: gr.Request):
        try:
            user = user_of(assistant, request)
            made = assistant.create_kb((name or "").strip(), user=user)
        except QCAError as exc:
            return warning(exc), gr.skip()
        names = assistant.kb_names(user)
        return f"Knowledge base `{made['kb']}` is ready.", gr.Dropdown(choices=names, value=made["kb"])

    def rebuild(kb: str, request: gr.Request) -> str:
        try:
            done = assistant.rebuild(kb or "default", user=user_of(assistant, request))
        except QCAError as exc:
            return warning(exc)
        return f"Rebuilt `{done['kb']}`: {done['sources']} sources, {done['chunks']} chunks in {done['seconds']:.1f}s."

    return upload, show_upload, create, rebuild


def kb_tab(assistant: Assistant, kb_choices: list[str]):
    upload, show_upload, create, rebuild = _handlers(assistant)

    kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
    with gr.Row():
        new_name = gr.Textbox(label="New knowledge base (letters, digits, - and _)", scale=3)
        create_btn = gr.Button("Create", scale=1)
    files = gr.File(label="Upload PDF, Word, Markdown, text or HTML files", file_count="multiple", type="filepath")
    with gr.Row():
        upload_btn = gr.Button("Upload and ingest", variant="primary", scale=3)
        rebuild_btn = gr.Button("Rebuild index", scale=1)
    status = gr.Markdown()
    raw = gr.JSON(visible=False)
    results = gr.Dataframe(headers=app_actions.UPLOAD_COLUMNS, interactive=False, wrap=True)
    list_sources, list_inputs, listed = sources_panel(assistant, kb)
    upload_btn.click(upload, [files, kb], raw, api_name="upload").then(
        show_upload, raw, [results, status], api_visibility="private").then(
        list_sources, list_inputs, listed, api_visibility="private")
    create_btn.click(create, new_name, [status, kb], api_visibility="private")
    rebuild_btn.click(rebuild, kb, status, api_visibility="private")
    feedback_panel(assistant, kb)
    return kb
