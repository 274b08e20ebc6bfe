"""Feedback section of the knowledge-base tab: download a KB's feedback as CSV; review its thumbs-down answers (a
list to pick from, the answer with its passages next to an editor pre-filled with it) and save a correction as an
FAQ entry. The logic is assistant/app/feedback_review.py."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app import feedback_review as review
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant

PICK_LABEL = "Thumbs-down answer to review (date · question)"
COLUMN_WIDTHS = ["5%", "12%", "24%", "35%", "11%", "7%", "6%"]  # the answer gets the room; the rest stays in view


def _handlers(assistant: Assistant):
    """export_feedback, show_down, relist, choose, choose_row, correct, reset."""

    def export_feedback(kb: str, request: gr.Request):
        try:
            return app_actions.feedback_csv(assistant, user_of(assistant, request), kb or "default"), ""
        except QCAError as exc:
            return None, warning(exc)

    def listing(kb: str, request: gr.Request, keep=None):
        """The table, the choices (`keep` still chosen) and the ids in the table's order (kept on the server for
        row clicks)."""
        try:
            listed = review.review_list(assistant, user_of(assistant, request), kb or "default")
        except QCAError as exc:
            return [], gr.Dropdown(choices=[], value=None), [], warning(exc)
        shown = len(listed["rows"])
        more = f" (the newest {shown} listed; all are in the CSV)" if listed["total"] > shown else ""
        return (listed["rows"], gr.Dropdown(choices=listed["choices"], value=keep if keep in listed["ids"] else None),
                listed["ids"], f"{listed['total']} thumbs-down answer(s){more}. Choose one to review it.")

    def show_down(kb: str, request: gr.Request):
        return listing(kb, request)

    def relist(chosen, kb: str, request: gr.Request):
        """After a save: the list again, still pointing at the answer just corrected."""
        return listing(kb, request, chosen)

    def choose(feedback_id, kb: str, request: gr.Request):
        """The chosen answer shown, the editor filled with it, and the choice kept on the server for saving."""
        try:
            item = review.review_item(assistant, user_of(assistant, request), kb or "default", feedback_id)
        except QCAError as exc:
            return warning(exc), gr.skip(), None, gr.skip()
        return review.item_markdown(item), item["answer"], item["id"], item["id"]

    def choose_row(ids: list, kb: str, evt: gr.SelectData, request: gr.Request):
        # Only the row's place comes from the client; the id is the one this server listed at that place.
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(ids):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return choose(ids[row], kb, request)

    def correct(chosen, corrected: str, kb: str, request: gr.Request):
        if chosen is None:
            return "Choose a thumbs-down answer first."
        try:
            done = review.save_review(assistant, user_of(assistant, request), kb or "default", chosen, corrected)
        except QCAError as exc:
            return warning(exc)
        return (f"Correction of the answer to feedback #{done['feedback_id']} saved as FAQ "
                f"`{app_actions.escape(done['source'])}` ({done['chunks_added']} chunks).")

    def reset():
        return [], gr.Dropdown(choices=[], value=None), [], "", "", "", "", None

    return export_feedback, show_down, relist, choose, choose_row, correct, reset


def feedback_panel(assistant: Assistant, kb: gr.Dropdown) -> None:
    """The components inside the current tab, working on the knowledge base chosen in `kb`."""
    export_feedback, show_down, relist, choose, choose_row, correct, reset = _handlers(assistant)
    gr.Markdown("### Feedback 反馈")
    with gr.Row():
        export_btn = gr.Button("Download feedback (CSV)")
        down_btn = gr.Button("Show thumbs-down answers")
    csv_file = gr.File(label="Feedback CSV", interactive=False)
    status = gr.Markdown()
    ids, chosen = gr.State([]), gr.State(None)
    down = gr.Dataframe(headers=review.REVIEW_COLUMNS, interactive=False, wrap=True, max_height=360,
                        column_widths=COLUMN_WIDTHS)
    pick = gr.Dropdown(label=PICK_LABEL, choices=[], value=None, interactive=True)
    with gr.Row(equal_height=False):
        shown = gr.Markdown(elem_id="feedback-review-item")
        with gr.Column():
            corrected = gr.Textbox(label="Corrected answer (saved as an FAQ entry)", lines=10)
            save_btn = gr.Button("Save correction as FAQ", variant="primary")
    saved = gr.Markdown()
    export_btn.click(export_feedback, kb, [csv_file, status], api_visibility="private")
    listing = [down, pick, ids, status]
    down_btn.click(show_down, kb, listing, api_visibility="private")
    pick.input(choose, [pick, kb], [shown, corrected, chosen, pick], api_visibility="private")
    down.select(choose_row, [ids, kb], [shown, corrected, chosen, pick], api_visibility="private")
    save_btn.click(correct, [chosen, corrected, kb], saved, api_visibility="private").then(
        relist, [chosen, kb], listing, api_visibility="private")
    kb.change(reset, None, [*listing, shown, corrected, saved, chosen], api_visibility="private")
