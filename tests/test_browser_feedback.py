"""Feedback review, the kept conversation, example questions and the backend dropdown in a real browser (headless
Chromium, the app signed in on 127.0.0.1). Screenshots: docs/screenshots/feedback-review.png, conversation.png."""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from assistant.auth import UserStore
from assistant.config import Settings
from assistant.service import Assistant
from tests.helpers import SMALL_CORPUS, running_app
from tests.test_browser import SHOTS, browser  # noqa: F401 - the fixture, one Chromium per module

pytestmark = pytest.mark.integration

QUESTION = "How is the Net Promoter Score calculated?"
CORRECTED = "NPS = % promoters (9–10) − % detractors (0–6), from −100 to +100."
ZH_QUESTION = "8D 问题解决法有哪些步骤？"
PICK = "Thumbs-down answer to review (date · question)"
BACKENDS = ["extractive", "ollama:qwen2.5"]  # offered; only the admin may choose (nothing is asked of ollama)
USERS = {"vic": ("viewer-pass-1", "viewer"), "eda": ("editor-pass-1", "editor"), "ada": ("admin-pass-1", "admin")}


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser-feedback")
    store = UserStore(data_dir / "users.json")
    for name, (password, role) in USERS.items():
        store.add_user(name, password, role)
    doc = data_dir / "brake-recall.md"
    doc.write_text('---\ntitle: "Case Study: The Brake Pad Recall"\nlang: en\ndoc_type: case_study\n---\n'
                   "# Case Study: The Brake Pad Recall\n\n## What went wrong\n\nA supplier changed the resin "
                   "of the brake pads without notice, and wear tests were skipped.\n", encoding="utf-8")
    os.environ["QCA_BACKENDS"] = json.dumps(BACKENDS)  # the app process inherits it
    try:
        Assistant(Settings(data_dir=data_dir, _env_file=None)).ingest([doc], "plants", progress=False)
        with running_app(data_dir, SMALL_CORPUS, data_dir / "users.json") as address:
            yield address
    finally:
        os.environ.pop("QCA_BACKENDS", None)


def _sign_in(browser, url, name):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(USERS[name][0])
    page.get_by_role("button", name="Login").click()
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=30_000)
    return context, page


def _ask(page, question):
    """Ask in the Chat tab and wait for the verified answer (its backend line ends every finished answer)."""
    page.get_by_role("tab", name="Chat 问答").click()
    answers = page.get_by_role("tabpanel").locator("sub", has_text="backend: ")
    before = answers.count()
    page.get_by_placeholder("提问 / Ask a question").fill(question)
    page.get_by_role("button", name="Ask 提问").click()
    expect(answers).to_have_count(before + 1, timeout=60_000)


def _pick(panel, label, option_text):
    panel.get_by_label(label).click()
    panel.page.locator("li[role=option] >> visible=true", has_text=option_text).first.click()


def _shoot_from(page, top, name):
    """A full-page screenshot from this element down (the part of a long tab that the README shows)."""
    y = top.bounding_box()["y"] + page.evaluate("window.scrollY") - 10
    height = page.evaluate("document.documentElement.scrollHeight") - y
    page.screenshot(path=SHOTS / name, full_page=True, clip={"x": 0, "y": y, "width": 1280, "height": height})


def test_thumbs_down_then_review_it_and_save_the_correction_as_faq(browser, url):  # noqa: F811
    context, page = _sign_in(browser, url, "eda")
    _ask(page, QUESTION)
    page.get_by_placeholder("Optional comment, saved with your 👍/👎 under an answer").fill("say the scale")
    page.get_by_role("button", name="Dislike").first.click()
    page.get_by_text(re.compile(r"feedback #\d+ saved")).wait_for(timeout=30_000)
    chat = page.get_by_role("tabpanel").inner_text()

    page.get_by_role("tab", name="Knowledge base 知识库").click()
    panel = page.get_by_role("tabpanel")
    panel.get_by_role("button", name="Show thumbs-down answers").click()
    panel.get_by_text("1 thumbs-down answer(s). Choose one to review it.").wait_for(timeout=30_000)
    assert panel.get_by_label("Feedback id").count() == 0  # no ids to type any more
    _pick(panel, PICK, QUESTION)
    panel.get_by_text("Citations (").wait_for(timeout=30_000)
    editor = panel.get_by_label("Corrected answer (saved as an FAQ entry)")
    prefilled = editor.input_value()
    assert prefilled and prefilled[:60] in chat  # the answer itself, to correct
    assert "say the scale" in panel.inner_text() and "customer-metrics.md" in panel.inner_text()
    _shoot_from(page, panel.get_by_text("Feedback 反馈"), "feedback-review.png")

    editor.fill(CORRECTED)
    panel.get_by_role("button", name="Save correction as FAQ").click()
    panel.get_by_text(re.compile(r"saved as FAQ .*faq-\d+\.md")).wait_for(timeout=60_000)
    panel.get_by_text("saved", exact=True).locator("visible=true").first.wait_for(timeout=30_000)  # the FAQ column
    assert QUESTION in panel.get_by_label(PICK).input_value()  # still the one chosen
    _ask(page, QUESTION)  # the FAQ entry (titled with the question) is now cited first
    page.locator("details summary", has_text=f"[1] {QUESTION}").first.wait_for(timeout=60_000)
    context.close()


def test_the_conversation_survives_a_reload_until_new_conversation(browser, url):  # noqa: F811
    context, page = _sign_in(browser, url, "vic")
    _ask(page, QUESTION)
    _ask(page, ZH_QUESTION)
    page.reload()
    page.get_by_text("Signed in as vic").wait_for(timeout=30_000)
    messages = page.get_by_role("tabpanel").locator(".message")
    messages.filter(has_text=ZH_QUESTION).first.wait_for(timeout=30_000)
    answers = page.get_by_role("tabpanel").locator("sub", has_text="backend: ")
    assert messages.filter(has_text=QUESTION).count() >= 1 and answers.count() == 2  # both answers are back
    page.screenshot(path=SHOTS / "conversation.png", full_page=True)  # the examples are below the chat
    other, theirs = _sign_in(browser, url, "eda")  # another user's page: their own conversation only
    theirs.get_by_role("tabpanel").locator(".message").first.wait_for(timeout=30_000)
    assert ZH_QUESTION not in theirs.get_by_role("tabpanel").inner_text()
    other.close()
    page.get_by_role("button", name="New conversation 新对话").click()
    expect(messages).to_have_count(0, timeout=30_000)
    page.reload()
    page.get_by_text("Signed in as vic").wait_for(timeout=30_000)
    page.wait_for_timeout(2000)  # the load event has run by now: nothing comes back
    assert messages.count() == 0
    context.close()


def test_examples_change_with_the_knowledge_base(browser, url):  # noqa: F811
    context, page = _sign_in(browser, url, "vic")
    page.get_by_role("tab", name="Chat 问答").click()
    panel = page.get_by_role("tabpanel")
    first = panel.get_by_role("button", name=re.compile("Customer Metrics for Quality Control"))
    first.first.wait_for(timeout=30_000)
    before = panel.inner_text()
    _pick(panel, "Knowledge base", "plants")
    lesson = panel.get_by_role("button", name="What are the lessons of the Brake Pad Recall?")
    lesson.wait_for(timeout=30_000)
    assert "Customer Metrics for Quality Control" in before
    assert "Customer Metrics for Quality Control" not in panel.inner_text()
    _shoot_from(page, panel.get_by_placeholder("提问 / Ask a question"), "examples-plants.png")
    lesson.click()
    expect(page.get_by_placeholder("提问 / Ask a question")).to_have_value(lesson.inner_text().strip())
    context.close()


@pytest.mark.parametrize(("name", "may_choose"), [("vic", False), ("ada", True)])
def test_only_the_admin_chooses_the_backend(browser, url, name, may_choose):  # noqa: F811
    context, page = _sign_in(browser, url, name)
    page.get_by_role("tab", name="Chat 问答").click()
    label = "Backend (you may choose)" if may_choose else "Backend (set by the administrator)"
    backend = page.get_by_label(label)
    backend.wait_for(timeout=30_000)
    assert backend.input_value() == "extractive"
    assert backend.is_enabled() == may_choose
    if may_choose:
        backend.click()
        assert page.locator("li[role=option][aria-label='ollama:qwen2.5'] >> visible=true").count() == 1
    page.screenshot(path=SHOTS / f"backend-{name}.png")
    context.close()
