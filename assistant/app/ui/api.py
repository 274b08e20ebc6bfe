"""Named API endpoints for gradio_client and other programs; each acts as the signed-in user."""

from __future__ import annotations

import gradio as gr

from assistant.app import actions as app_actions
from assistant.app import source_actions
from assistant.app.ui.common import as_json, user_of
from assistant.service import Assistant


def register_api(assistant: Assistant) -> None:
    """search, list_sources, delete_source, onboarding, feedback (ask and upload live with their tabs)."""

    def search(query: str, kb: str = "default", industry: str = "", k: int = 5, request: gr.Request = None) -> dict:
        """Hybrid search: hits with dense, BM25 and fused scores and the matched terms."""
        return as_json(lambda: app_actions.search(assistant, user_of(assistant, request), query, kb, industry, k))

    def list_sources(kb: str = "default", request: gr.Request = None) -> dict:
        """The sources of a knowledge base: id, display name, chunk count, language, type, date, size."""
        return as_json(lambda: assistant.list_sources(kb or "default", user=user_of(assistant, request)))

    def delete_source(source: str, kb: str = "default", request: gr.Request = None) -> dict:
        """Remove a source (its id as listed), its chunks and its stored upload (editors and admins)."""
        return as_json(lambda: source_actions.delete_source(assistant, user_of(assistant, request), source,
                                                            kb or "default"))

    def onboarding(topic: str, audience: str = "", length: str = "standard", lang: str = "", kb: str = "default",
                   request: gr.Request = None) -> dict:
        """A training module as JSON, with its Markdown preview."""
        def build() -> dict:
            doc = app_actions.workflow(assistant, user_of(assistant, request), "onboarding", topic=topic,
                                       audience=audience, length=length, lang=lang, kb=kb)
            return {**doc.to_dict(), "markdown": app_actions.preview(doc)}
        return as_json(build)

    def feedback(rating: str, question: str, answer: dict, comment: str = "", kb: str = "default",
                 request: gr.Request = None) -> dict:
        """Thumbs 'up' or 'down' on an answer (the JSON returned by ask)."""
        return as_json(lambda: app_actions.feedback(assistant, user_of(assistant, request), rating, question, answer,
                                                    comment, kb))

    for fn in (search, list_sources, delete_source, onboarding, feedback):
        gr.api(fn, api_name=fn.__name__)
