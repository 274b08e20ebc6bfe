"""The chat's source panel: pick a citation of the conversation's answers; a PDF's page is shown with the passage
highlighted, any other source's section with the passage marked (assistant/app/citation_view.py)."""

from __future__ import annotations

import gradio as gr

from assistant.app import citation_view
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant

PAGE_HEIGHT_PX = 720  # a whole A4 page on a laptop screen, its text still legible; fullscreen shows it larger


def _handlers(assistant: Assistant):
    """list_cited (the choices after each answer) and open_source (the chosen one shown)."""

    def list_cited(turns: list):
        choices = citation_view.citation_choices(turns or [])
        hint = "" if choices else "<p><i>The sources of the answers are listed here once there is an answer.</i></p>"
        return gr.Dropdown(choices=choices, value=None), gr.Image(value=None, visible=False), hint

    def open_source(choice: str, turns: list, request: gr.Request):
        """The choice names an answer the server holds (turns) and one of its citations, nothing else."""
        try:
            kb, chunk_id = citation_view.resolve_choice(turns or [], choice)
            view = citation_view.open_citation(assistant, user_of(assistant, request), kb, chunk_id)
        except QCAError as exc:
            return gr.Image(value=None, visible=False), f"<p>{warning(exc)}</p>"
        return gr.Image(value=view.image, visible=view.image is not None), view.html

    return list_cited, open_source


def citation_panel(assistant: Assistant, turns: gr.State) -> None:
    """The panel inside the current Blocks, listing the citations of the answers held in `turns`."""
    list_cited, open_source = _handlers(assistant)
    with gr.Accordion("Sources 出处", open=True, elem_id="qca-sources"):
        pick = gr.Dropdown(choices=[], value=None, label="Open a cited source 打开引用来源", interactive=True)
        with gr.Row():  # a PDF's page beside its caption; a text source's section takes the whole width
            page = gr.Image(label="Cited page", type="pil", format="png", interactive=False, visible=False,
                            height=PAGE_HEIGHT_PX, buttons=["fullscreen", "download"], elem_id="qca-cited-page",
                            scale=1)
            shown = gr.HTML(js_on_load=None, elem_id="qca-cited-source", scale=1)
    turns.change(list_cited, turns, [pick, page, shown], api_visibility="private")
    pick.input(open_source, [pick, turns], [page, shown], api_visibility="private")
