"""Chat tab: question in, answer with numbered citations out, thumbs up/down; also the named API endpoint 'ask'."""

from __future__ import annotations

import html

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app import conversations
from assistant.app.ui.citation_panel import citation_panel
from assistant.app.ui.common import as_json, user_of, warning
from assistant.app.ui.conversation import conversation_controls
from assistant.errors import QCAError
from assistant.industries import INDUSTRY_ALIASES
from assistant.models import DOC_TYPES, LANGS, Answer
from assistant.retrieval.sources import shown_source
from assistant.service import Assistant


def render_answer(answer: Answer) -> str:
    """Markdown for the chat bubble; passage text is escaped so document markup shows as text."""
    lines = [html.escape(answer.answer)]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = c.label
            quote = html.escape(c.quote[:600])
            lines.append(f"<details><summary>[{c.n}] {html.escape(where)}</summary>\n\n"
                         f"<code>{html.escape(shown_source(c.source))}</code>\n\n{quote}\n\n</details>")
    lines += [f"*{html.escape(note)}*" for note in answer.notes]
    ratio = answer.grounding.supported_ratio
    checked = f" · {ratio:.0%} of sentences supported" if ratio is not None else ""
    lines.append(f"<sub>backend: {html.escape(answer.backend_used)}{checked}</sub>")
    return "\n".join(lines)


def _handlers(assistant: Assistant):
    """The chat callbacks: a streamed turn, and 👍/👎 on any answer of the conversation."""

    def chat_turn(question: str, messages: list, kb: str, industry: str, backend: str, doc_type: str, lang: str,
                  request: gr.Request):
        """Streams the answer into the last bubble; the verified answer (with citations) replaces it at the end."""
        question = (question or "").strip()
        if not question:
            yield messages, "", gr.skip()
            return
        history = [{"role": m["role"], "content": _plain(m["content"])} for m in messages]
        messages = messages + [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        streamed = ""
        try:
            user = user_of(assistant, request)
            parts = assistant.stream(question, kb or "default", industry or None, history,
                                     assistant.check_backend(backend, user), user=user, doc_type=doc_type or None,
                                     lang=lang or None)
            for part in parts:
                if isinstance(part, str):
                    streamed += part
                    messages[-1]["content"] = html.escape(streamed)
                    yield messages, "", gr.skip()
                else:
                    messages[-1]["content"] = render_answer(part)
                    app_actions.log_answer(assistant, user, part.to_dict(), kb)
                    turn = {"question": question, "answer": part.to_dict(), "kb": kb or "default",
                            "index": len(messages) - 1}
                    conversations.append(assistant, user, turn)  # kept for a reload (signed-in users)
                    yield messages, "", turn
        except QCAError as exc:
            messages[-1]["content"] = warning(exc)
            yield messages, "", {}

    def rate(rating: str, last: dict, comment: str, request: gr.Request) -> tuple[str, str]:
        if not last:
            return "Ask a question first.", comment
        result = as_json(lambda: app_actions.feedback(assistant, user_of(assistant, request), rating,
                                                      last["question"], last["answer"], comment, last["kb"]))
        if "error" in result:
            return warning(result["error"]), comment
        return f"Thanks — feedback #{result['id']} saved.", ""

    def rate_message(data: gr.LikeData, turns: list, comment: str, request: gr.Request) -> tuple[str, str]:
        """The thumbs under each answer: the rated message is found by its place in the conversation."""
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn = next((t for t in turns if t.get("index") == index), None)
        if turn is None:
            return "That message has no answer to rate.", comment
        return rate("up" if data.liked else "down", turn, comment, request)

    return chat_turn, rate_message


def _export_handlers(assistant: Assistant):
    """remember (the finished turn joins the conversation) and export (the conversation as a .md file)."""

    def remember(last: dict, turns: list) -> list:
        if not last or (turns and turns[-1] == last):
            return turns  # no new answer (an error, an empty question)
        return turns + [last]

    def export(turns: list):
        try:
            return app_actions.export_conversation(assistant, turns), ""
        except QCAError as exc:
            return None, warning(exc)

    def forget() -> tuple[list, dict]:
        return [], {}

    return remember, export, forget


def chat_tab(assistant: Assistant, kb_choices: list[str]):
    """The chat components inside the current Blocks; returns the KB dropdown so the app can refresh it."""
    chat_turn, rate_message = _handlers(assistant)
    remember, export, forget = _export_handlers(assistant)
    chatbot = gr.Chatbot(height=480, label="Chat")
    last, turns = gr.State({}), gr.State([])
    with gr.Row():
        question = gr.Textbox(placeholder="提问 / Ask a question", show_label=False, scale=5)
        send = gr.Button("Ask 提问", variant="primary", scale=1)
    with gr.Row():
        kb = gr.Dropdown(choices=kb_choices, value="default", label="Knowledge base", allow_custom_value=True)
        industry = gr.Dropdown(choices=[""] + list(INDUSTRY_ALIASES), value="", label="Industry filter")
        doc_type = gr.Dropdown(choices=[""] + list(DOC_TYPES), value="", label="Document type filter")
        lang = gr.Dropdown(choices=[""] + list(LANGS), value="", label="Language filter")
        # Shown locked until the page load says whether this user may choose (conversation_controls).
        backend = gr.Dropdown(choices=[assistant.settings.backend], value=assistant.settings.backend,
                              label="Backend", interactive=False)
    comment = gr.Textbox(placeholder="Optional comment, saved with your 👍/👎 under an answer", show_label=False)
    status = gr.Markdown()
    with gr.Row():
        export_btn = gr.Button("Export conversation (Markdown)", scale=0)
        exported = gr.File(label="Conversation", interactive=False, scale=2)
    conversation_controls(assistant, chatbot, turns, last, question, kb, backend, render_answer)
    citation_panel(assistant, turns)
    for trigger in (send.click, question.submit):
        trigger(chat_turn, [question, chatbot, kb, industry, backend, doc_type, lang], [chatbot, question, last],
                api_visibility="private").then(remember, [last, turns], turns, api_visibility="private")
    export_btn.click(export, turns, [exported, status], api_visibility="private")
    chatbot.clear(forget, None, [turns, last], api_visibility="private")
    chatbot.like(rate_message, [turns, comment], [status, comment], api_visibility="private")
    return kb


def register_ask(assistant: Assistant) -> None:
    def ask_api(question: str, kb: str = "default", industry: str = "", backend: str = "", doc_type: str = "",
                lang: str = "", request: gr.Request = None) -> dict:
        """The `ask` JSON of the CLI contract, for gradio_client and other programs."""
        def answer() -> dict:
            user = user_of(assistant, request)
            result = assistant.ask(question, kb or "default", industry or None,
                                   backend=assistant.check_backend(backend, user), user=user,
                                   doc_type=doc_type or None, lang=lang or None).to_dict()
            app_actions.log_answer(assistant, user, result, kb)
            return result

        return as_json(answer)

    gr.api(ask_api, api_name="ask")


def _plain(content) -> str:
    text = content if isinstance(content, str) else str(content)
    return html.unescape(text.split("<details>")[0]).strip()

