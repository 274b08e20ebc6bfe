"""The whole Gradio app: tabs, named API endpoints, sign-in when an auth file is configured."""

from __future__ import annotations

import logging

import gradio as gr
from starlette.middleware import Middleware

from assistant.app import actions as app_actions
from assistant.app.signin import SignInGuard, SignInThrottle, signin_check
from assistant.app.ui.analysis_tab import analysis_tab
from assistant.app.ui.api import register_api
from assistant.app.ui.chat import chat_tab, register_ask
from assistant.app.ui.common import user_of
from assistant.app.ui.docs_tab import draft_tab, onboarding_tab, strategy_tab
from assistant.app.ui.eval_tab import eval_tab
from assistant.app.ui.evidence_tab import evidence_tab
from assistant.app.ui.kb_tab import kb_tab
from assistant.app.ui.retrieval_tab import retrieval_tab
from assistant.config import Settings
from assistant.plugins import Plugins
from assistant.service import Assistant

RECEIVED_FILE_LIFETIME = 3600  # seconds
INTRO = "# QC Assist · 质量管控知识助手\nAsk in Chinese or English; every answer cites its sources."


def build_app(assistant: Assistant, plugins: Plugins | None = None) -> gr.Blocks:
    """Every tab; the Evaluation tab when a plugin provides it."""
    plugins = plugins or Plugins()
    choices = assistant.kb_names()
    # Files a client uploads but never submits are deleted by Gradio after RECEIVED_FILE_LIFETIME.
    with gr.Blocks(title="QC Assist", delete_cache=(RECEIVED_FILE_LIFETIME, RECEIVED_FILE_LIFETIME)) as demo:
        gr.Markdown(INTRO)
        who = gr.Markdown()
        dropdowns = []
        with gr.Tab("Chat 问答"):
            dropdowns.append(chat_tab(assistant, choices))
        with gr.Tab("Retrieval test 检索测试"):
            dropdowns.append(retrieval_tab(assistant, choices))
        for title, tab in (("Strategy 策略", strategy_tab), ("Onboarding 培训", onboarding_tab),
                           ("Draft 建议书", draft_tab), ("Evidence 案例证据", evidence_tab),
                           ("Analyze · 数据分析", analysis_tab)):
            with gr.Tab(title):
                dropdowns.append(tab(assistant, choices))
        with gr.Tab("Knowledge base 知识库"):
            # Gradio cannot hide a tab's label after load, so the panel inside is what a viewer does not get.
            editors_only = gr.Markdown("Knowledge-base management is for editors and admins. "
                                       "知识库管理仅限编辑和管理员。", visible=False)
            with gr.Column() as manage:
                dropdowns.append(kb_tab(assistant, choices))
        if plugins.report_panel is not None:
            with gr.Tab("Evaluation 评测"):
                dropdowns.append(eval_tab(assistant, choices, plugins.report_panel))
        register_ask(assistant)
        register_api(assistant)

        def signed_in(request: gr.Request):
            user = user_of(assistant, request)
            names = assistant.kb_names(user)
            label = f"Signed in as **{user.name}** ({user.role})" if user else ""
            managing = user is None or assistant.access().can_manage(user)
            return (label, gr.Column(visible=managing), gr.Markdown(visible=not managing),
                    *[gr.Dropdown(choices=names) for _ in dropdowns])

        demo.load(signed_in, None, [who, manage, editors_only, *dropdowns], api_visibility="private")
    return demo


def launch(settings: Settings, plugins: Plugins) -> None:
    """Serve the app on QCA_HOST:QCA_PORT with the models loaded before the first user arrives."""
    assistant = Assistant(settings)
    assistant.searcher("default")
    for path in app_actions.sweep_orphan_uploads(assistant):
        logging.getLogger(__name__).warning("removed an upload no knowledge base lists: %s", path)
    store = assistant.access()
    demo = build_app(assistant, plugins).queue(default_concurrency_limit=4)
    # Gradio refuses larger files while they arrive, before any of our code runs.
    limits = {"server_name": settings.host, "server_port": settings.port,
              "max_file_size": int(settings.max_upload_mb * 1_000_000)}
    if store is None:
        demo.launch(**limits)
        return
    throttle = SignInThrottle(settings.signin_free_failures, settings.signin_longest_wait_s)
    demo.launch(**limits, auth=signin_check(store),
                app_kwargs={"middleware": [Middleware(SignInGuard, throttle=throttle)]})
