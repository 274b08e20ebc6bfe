"""The chat tab's per-user parts: the conversation kept across page reloads (and a New conversation button),
example questions from the chosen knowledge base's own headings, and the backend dropdown only for who may
choose. The logic lives in assistant/app/conversations.py and chat_options.py."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import gradio as gr

from assistant.app import chat_options, conversations
from assistant.app.ui.common import user_of
from assistant.errors import QCAError
from assistant.models import Answer
from assistant.service import Assistant

BACKEND_LABELS = {True: "Backend (you may choose)", False: "Backend (set by the administrator)"}


def _conversation_handlers(assistant: Assistant, render: Callable[[Answer], str]):
    """restore (at page load) and new (the button, and the chat's own clear); each answer is kept by the chat's
    turn itself (conversations.append), in the request that answered it."""

    def restore(request: gr.Request):
        try:
            turns = conversations.load(assistant, user_of(assistant, request))
        except QCAError:  # not signed in as a known user: the page says so elsewhere
            turns = []
        if not turns:
            return gr.skip(), gr.skip()
        return conversations.chat_messages(turns, render)

    def new(request: gr.Request):
        with contextlib.suppress(QCAError):
            conversations.clear(assistant, user_of(assistant, request))
        return [], [], {}

    return restore, new


def _option_handlers(assistant: Assistant):
    """examples (for the chosen knowledge base), fill (a clicked example into the question box) and backends."""

    def examples(kb: str, request: gr.Request):
        try:
            questions = chat_options.example_questions(assistant, user_of(assistant, request), kb or "default")
        except QCAError:  # a knowledge base this user may not read, or none of that name: no examples
            questions = []
        return gr.Dataset(samples=[[q] for q in questions], visible=bool(questions)), questions

    def fill(index: int | None, shown: list[str]):
        # The index is the client's; the questions are the ones this server listed for the session.
        if not isinstance(index, int) or not 0 <= index < len(shown):
            return gr.skip()
        return shown[index]

    def backends(request: gr.Request):
        try:
            offer = chat_options.backend_choice(assistant, user_of(assistant, request))
        except QCAError:
            offer = {"choices": [assistant.settings.backend], "value": assistant.settings.backend,
                     "may_choose": False}
        return gr.Dropdown(choices=offer["choices"], value=offer["value"], interactive=offer["may_choose"],
                           label=BACKEND_LABELS[offer["may_choose"]])

    return examples, fill, backends


def conversation_controls(assistant: Assistant, chatbot: gr.Chatbot, turns: gr.State, last: gr.State,
                          question: gr.Textbox, kb: gr.Dropdown, backend: gr.Dropdown,
                          render: Callable[[Answer], str]) -> None:
    """The New conversation button and the examples, placed where this is called; wires the page load, the
    turns, the knowledge base and the backend dropdown of the chat tab."""
    restore, new = _conversation_handlers(assistant, render)
    examples, fill, backends = _option_handlers(assistant)
    new_btn = gr.Button("New conversation 新对话", scale=0)
    listed = gr.State([])
    shown = gr.Dataset(components=[question], samples=[], label="Examples 示例问题", type="index", visible=False)
    gr.on(None, restore, None, [chatbot, turns], api_visibility="private")  # no inputs: at page load only
    for trigger in (new_btn.click, chatbot.clear):
        trigger(new, None, [chatbot, turns, last], api_visibility="private")
    gr.on(None, examples, kb, [shown, listed], api_visibility="private")  # at page load and when kb changes
    shown.click(fill, [shown, listed], question, api_visibility="private")
    gr.on(None, backends, None, backend, api_visibility="private")
