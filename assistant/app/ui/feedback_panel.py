"""Feedback section of the knowledge-base tab: download a KB's feedback as CSV, turn corrected answers into FAQs."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant


def _handlers(assistant: Assistant):
    """export_feedback, show_down, correct."""

    def export_feedback(kb: str, request: gr.Request):
        try:
            return app_actions.feedback_csv(assistant, user_of(assistant, request), kb or "default"), ""
        except QCAError as exc:
            return None, warning(exc)

    def show_down(kb: str, request: gr.Request):
        try:
            rows = app_actions.down_feedback(assistant, user_of(assistant, request), kb or "default")
        except QCAError as exc:
            return [], warning(exc)
        return rows, f"{len(rows)} thumbs-down answer(s)."

    def correct(feedback_id: str, corrected: str, kb: str, request: gr.Request):
        try:
            done = app_actions.correct_answer(assistant, user_of(assistant, request), feedback_id, corrected,
                                              kb or "default")
        except QCAError as exc:
            return warning(exc), gr.skip()
        return (f"Correction of feedback #{done['feedback_id']} saved as FAQ "
                f"`{app_actions.escape(done['source'])}` ({done['chunks_added']} chunks)."), ""

    return export_feedback, show_down, correct


def feedback_panel(assistant: Assistant, kb: gr.Dropdown) -> None:
    """The components inside the current tab, working on the knowledge base chosen in `kb`."""
    export_feedback, show_down, correct = _handlers(assistant)
    gr.Markdown("### Feedback 反馈")
    with gr.Row():
        export_btn = gr.Button("Download feedback (CSV)")
        down_btn = gr.Button("Show thumbs-down feedback")
    csv_file = gr.File(label="Feedback CSV", interactive=False)
    status = gr.Markdown()
    down = gr.Dataframe(headers=app_actions.DOWN_COLUMNS, interactive=False, wrap=True)
    with gr.Row():
        feedback_id = gr.Textbox(label="Feedback id", scale=1)
        corrected = gr.Textbox(label="Corrected answer (saved as an FAQ entry)", lines=4, scale=4)
    save_btn = gr.Button("Save correction as FAQ", variant="primary")
    export_btn.click(export_feedback, kb, [csv_file, status], api_visibility="private")
    down_btn.click(show_down, kb, [down, status], api_visibility="private")
    save_btn.click(correct, [feedback_id, corrected, kb], [status, corrected], api_visibility="private")
