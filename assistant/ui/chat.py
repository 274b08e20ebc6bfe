"""Chat tab: question in, answer with numbered citations out; also the named API endpoint 'ask'."""

from __future__ import annotations

import html

from assistant.errors import QCAError
from assistant.industries import INDUSTRY_ALIASES
from assistant.models import Answer
from assistant.service import Assistant

EXAMPLES = [
    "质量管控流程由哪些部分组成？",
    "How is the Net Promoter Score calculated?",
    "某汽车制造商实施精益生产后客户投诉率下降了多少？",
    "What did the Galaxy Note 7 recall teach about battery quality control?",
]


def render_answer(answer: Answer) -> str:
    """Markdown for the chat bubble; passage text is escaped so document markup shows as text."""
    lines = [html.escape(answer.answer)]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = " › ".join(p for p in (c.title, c.section) if p) + (f", p. {c.page}" if c.page else "")
            quote = html.escape(c.quote[:600])
            lines.append(f"<details><summary>[{c.n}] {html.escape(where)}</summary>\n\n"
                         f"<code>{html.escape(c.source)}</code>\n\n{quote}\n\n</details>")
    lines += [f"*{html.escape(note)}*" for note in answer.notes]
    ratio = answer.grounding.supported_ratio
    checked = f" · {ratio:.0%} of sentences supported" if ratio is not None else ""
    lines.append(f"<sub>backend: {html.escape(answer.backend_used)}{checked}</sub>")
    return "\n".join(lines)


def build_app(assistant: Assistant):
    import gradio as gr

    def chat_turn(question: str, messages: list, kb: str, industry: str, backend: str):
        """Streams the answer into the last bubble; the verified answer (with citations) replaces it at the end."""
        question = (question or "").strip()
        if not question:
            yield messages, ""
            return
        history = [{"role": m["role"], "content": _plain(m["content"])} for m in messages]
        messages = messages + [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        streamed = ""
        try:
            for part in assistant.stream(question, kb or "default", industry or None, history, backend or None):
                if isinstance(part, str):
                    streamed += part
                    messages[-1]["content"] = html.escape(streamed)
                else:
                    messages[-1]["content"] = render_answer(part)
                yield messages, ""
        except QCAError as exc:
            messages[-1]["content"] = f"⚠️ {html.escape(str(exc))}"
            yield messages, ""

    def ask_api(question: str, kb: str = "default", industry: str = "", backend: str = "") -> dict:
        """The `ask` JSON of the CLI contract, for gradio_client and other programs."""
        try:
            return assistant.ask(question, kb or "default", industry or None, backend=backend or None).to_dict()
        except QCAError as exc:
            return {"error": str(exc)}

    with gr.Blocks(title="QC Assist") as demo:
        gr.Markdown("# QC Assist · 质量管控知识助手\nAsk in Chinese or English; every answer cites its sources.")
        chatbot = gr.Chatbot(height=480, label="Chat")
        with gr.Row():
            question = gr.Textbox(placeholder="提问 / Ask a question", show_label=False, scale=5)
            send = gr.Button("Ask 提问", variant="primary", scale=1)
        with gr.Row():
            kb = gr.Textbox(value="default", label="Knowledge base")
            industry = gr.Dropdown(choices=[""] + list(INDUSTRY_ALIASES), value="", label="Industry filter")
            backend = gr.Textbox(value=assistant.settings.backend, label="Backend (extractive, openai:MODEL …)")
        gr.Examples(EXAMPLES, inputs=question)
        for trigger in (send.click, question.submit):
            trigger(chat_turn, [question, chatbot, kb, industry, backend], [chatbot, question],
                    api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return demo


def _plain(content) -> str:
    text = content if isinstance(content, str) else str(content)
    return html.unescape(text.split("<details>")[0]).strip()


def launch(host: str = "127.0.0.1", port: int = 7860) -> None:
    assistant = Assistant()
    assistant.searcher("default")  # load the models and the index before the first user arrives
    build_app(assistant).queue(default_concurrency_limit=4).launch(server_name=host, server_port=port)
