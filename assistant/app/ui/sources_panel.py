"""Sources section of the knowledge-base tab: the sources as a table by display name, a name filter, select
several, delete them after a confirmation, re-ingest one. The logic is in assistant/app/source_actions.py."""

from __future__ import annotations

import gradio as gr

from assistant.app import source_actions
from assistant.app.actions import escape
from assistant.app.ui.common import user_of, warning
from assistant.errors import QCAError
from assistant.service import Assistant


def _code(name: str) -> str:
    """A name as inline code; a backquote in it would end the code early."""
    return "`" + escape(name).replace("`", "'") + "`"


def _count_line(listed: dict, name_filter: str) -> str:
    shown, matches = len(listed["sources"]), listed["matches"]
    line = f"{matches} of {listed['total']} sources match {_code(name_filter.strip())}." \
        if name_filter.strip() else f"{matches} sources."
    return line + (f" Showing the first {shown}; filter by name to see the rest." if shown < matches else "")


def _handlers(assistant: Assistant):
    """show_sources, ask_delete, confirm_delete, cancel_delete, forget_pending, reingest_selected: named so that
    none takes an API endpoint's name (Gradio names even a private event after its function)."""

    def show_sources(kb: str, name_filter: str, request: gr.Request):
        """(table rows, checkbox group of their names, count line)."""
        try:
            listed = source_actions.list_sources(assistant, user_of(assistant, request), kb, name_filter or "")
        except QCAError as exc:
            return [], gr.CheckboxGroup(choices=[], value=[]), warning(exc)
        names = [s["name"] for s in listed["sources"]]
        return (source_actions.table_rows(listed["sources"]), gr.CheckboxGroup(choices=names, value=[]),
                _count_line(listed, name_filter or ""))

    def ask_delete(selected: list[str], kb: str, request: gr.Request):
        """Nothing is deleted yet: the selection is kept server-side (with its knowledge base) for Confirm."""
        try:
            names = source_actions.selected_names(assistant, user_of(assistant, request), selected or [], kb)
        except QCAError as exc:
            return None, gr.Row(visible=False), "", warning(exc)
        text = (f"Delete {len(names)} source(s) from knowledge base {_code(kb or 'default')}: "
                f"{', '.join(_code(n) for n in names)}? Their chunks go, and uploaded files with them.")
        return {"kb": kb or "default", "names": names}, gr.Row(visible=True), text, ""

    def confirm_delete(pending: dict | None, name_filter: str, request: gr.Request):
        """Delete what Ask showed, then list again: (status, hidden confirm row, cleared pending, listing...)."""
        if not pending:
            return warning("nothing to delete: select sources and press Delete selected"), gr.Row(visible=False), \
                None, gr.skip(), gr.skip(), gr.skip()
        try:
            done = source_actions.delete_sources(assistant, user_of(assistant, request), pending["names"],
                                                 pending["kb"])
            files = sum(d["file_removed"] for d in done["deleted"])
            status = (f"Deleted {len(done['deleted'])} source(s) "
                      f"({sum(d['chunks_removed'] for d in done['deleted'])} chunks, {files} uploaded file(s)).")
        except QCAError as exc:
            status = warning(exc)
        return status, gr.Row(visible=False), None, *show_sources(pending["kb"], name_filter, request)

    def cancel_delete():
        return "Nothing deleted.", gr.Row(visible=False), None

    def forget_pending():
        """Another knowledge base was chosen: a pending question about the last one goes."""
        return "", gr.Row(visible=False), None

    def reingest_selected(selected: list[str], kb: str, name_filter: str, request: gr.Request):
        try:
            done = source_actions.reingest_source(assistant, user_of(assistant, request), selected or [], kb)
        except QCAError as exc:
            return warning(exc), gr.skip(), gr.skip(), gr.skip()
        detail = "unchanged since it was last ingested" if done["unchanged"] else \
            f"{done['chunks_added']} chunks added, {done['chunks_removed']} removed"
        return f"Re-ingested {_code(done['name'])}: {detail}.", *show_sources(kb, name_filter, request)

    return show_sources, ask_delete, confirm_delete, cancel_delete, forget_pending, reingest_selected


def sources_panel(assistant: Assistant, kb: gr.Dropdown) -> tuple:
    """The components inside the current tab, for the knowledge base chosen in `kb`; returns (show_sources,
    inputs, outputs) so that the tab can list the sources again after an upload."""
    show_sources, ask_delete, confirm_delete, cancel_delete, forget_pending, reingest_selected = _handlers(assistant)
    gr.Markdown("### Sources 文档")
    with gr.Row():
        name_filter = gr.Textbox(label="Filter by name", placeholder="part of a file name", scale=3)
        list_btn = gr.Button("List sources", scale=1)
    count = gr.Markdown()
    table = gr.Dataframe(headers=source_actions.TABLE_COLUMNS, interactive=False, wrap=True, elem_id="kb-sources")
    selected = gr.CheckboxGroup(label="Select sources", choices=[])
    with gr.Row():
        delete_btn = gr.Button("Delete selected", variant="stop")
        reingest_btn = gr.Button("Re-ingest selected")
    with gr.Row(visible=False) as confirm_row:
        with gr.Column(scale=2):
            confirm_text = gr.Markdown()
        confirm_btn = gr.Button("Confirm delete", variant="stop")
        cancel_btn = gr.Button("Cancel")
    status = gr.Markdown()
    pending = gr.State(None)  # kept on the server: what Confirm deletes is what the question named
    listed = [table, selected, count]
    for event in (list_btn.click, name_filter.submit, kb.change):
        event(show_sources, [kb, name_filter], listed, api_visibility="private")
    kb.change(forget_pending, None, [status, confirm_row, pending], api_visibility="private")
    delete_btn.click(ask_delete, [selected, kb], [pending, confirm_row, confirm_text, status],
                     api_visibility="private")
    confirm_btn.click(confirm_delete, [pending, name_filter], [status, confirm_row, pending, *listed],
                      api_visibility="private")
    cancel_btn.click(cancel_delete, None, [status, confirm_row, pending], api_visibility="private")
    reingest_btn.click(reingest_selected, [selected, kb, name_filter], [status, *listed], api_visibility="private")
    return show_sources, [kb, name_filter], listed
