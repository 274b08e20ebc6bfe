"""The app in a real browser: Debian's headless Chromium driven by Playwright, against the app on 127.0.0.1.

Every step saves a screenshot under test-artifacts/screenshots/ (the README shows some of them)."""

import contextlib
import os
import re
import time

import pytest

from assistant.auth import UserStore
from tests.helpers import ROOT, SMALL_CORPUS, running_app, wait_for

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: background connections would only be refused, many at a time.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is installed by `make test`"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def app_page(browser, data_dir):
    """A tab on the app serving the small corpus from data_dir (no sign-in)."""
    with running_app(data_dir, SMALL_CORPUS) as url:
        tab = browser.new_page(viewport={"width": 1280, "height": 1000})
        tab.goto(url)
        yield tab
        tab.close()


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    with app_page(browser, tmp_path_factory.mktemp("browser-data")) as tab:
        yield tab


def _tab(page, name):
    page.get_by_role("tab", name=name).click()


def test_ask_a_question_open_its_citation_and_rate_it(page):
    _tab(page, "Chat 问答")
    page.get_by_placeholder("提问 / Ask a question").fill("某汽车制造商实施精益生产后客户投诉率下降了多少？")
    started = time.perf_counter()
    page.get_by_role("button", name="Ask 提问").click()
    citation = page.locator("details summary").first
    citation.wait_for(timeout=60_000)
    print(f"answer seen in the browser after {time.perf_counter() - started:.2f}s")
    bubble = page.locator("details").first.locator("xpath=..")
    assert "40%" in bubble.inner_text() and "[1]" in bubble.inner_text()
    page.screenshot(path=SHOTS / "01-chat-answer.png")
    citation.click()
    source = page.locator("details[open] code").first
    source.wait_for()
    assert source.inner_text().endswith("case-auto-lean.md") or source.inner_text().endswith(".md")
    page.screenshot(path=SHOTS / "02-citation-open.png")
    page.get_by_placeholder("Optional comment, saved with your 👍/👎 under an answer").fill("needs the 2019 figure")
    page.get_by_role("button", name="Dislike").first.click()
    page.get_by_text(re.compile(r"feedback #\d+ saved")).wait_for(timeout=30_000)


def test_document_markup_renders_as_text(page, tmp_path):
    doc = tmp_path / "markup-note.md"
    doc.write_text("# Markup note\n\nThe audit checklist <script>window.pwned=1</script> <b>bold</b> lists "
                   "eleven checkpoints for incoming pallets.\n", encoding="utf-8")
    _upload(page, doc)
    _tab(page, "Chat 问答")
    page.get_by_placeholder("提问 / Ask a question").fill("How many checkpoints does the audit checklist list "
                                                          "for incoming pallets?")
    page.get_by_role("button", name="Ask 提问").click()
    answer = page.locator("text=eleven checkpoints >> visible=true").last
    answer.wait_for(timeout=60_000)
    assert page.evaluate("window.pwned") is None  # the script did not run
    assert "<script>window.pwned=1</script>" in answer.inner_text()  # it is shown as text
    assert page.locator(".message b", has_text="bold").count() == 0  # and markup is not applied


def _upload(page, path):
    _tab(page, "Knowledge base 知识库")
    panel = page.get_by_role("tabpanel")
    panel.locator("input[type=file]").first.set_input_files(str(path))
    panel.get_by_role("button", name="Upload and ingest").click()
    # The result table names this file once it is done (an earlier upload's status line is still there).
    page.locator(f"text={path.name} >> visible=true").first.wait_for(timeout=60_000)
    page.get_by_text("file(s) processed").wait_for(timeout=60_000)


def test_upload_a_file_and_see_it_listed(page, tmp_path):
    doc = tmp_path / "pallet-inspection.md"
    doc.write_text("# Pallet inspection\n\nInbound pallets are inspected with a 12-point visual check.\n",
                   encoding="utf-8")
    _upload(page, doc)
    panel = page.get_by_role("tabpanel")
    assert "ingested" in panel.inner_text()
    panel.get_by_role("button", name="List sources").click()
    page.get_by_text(re.compile(r"^\d+ sources\.$")).wait_for(timeout=30_000)
    # The upload result and the source list; polled, as the panel re-renders the list after the count line shows
    # (on a loaded machine it was read in between, with neither).
    assert wait_for(lambda: panel.inner_text().count("pallet-inspection.md") >= 2, seconds=30)
    page.screenshot(path=SHOTS / "03-upload-listed.png", full_page=True)


def test_generate_onboarding_material_and_download_it(page):
    _tab(page, "Onboarding 培训")
    panel = page.get_by_role("tabpanel")
    panel.get_by_label("Topic (e.g. 8D, 控制图)").fill("8D 问题解决法")  # a Chinese topic: a Chinese module
    panel.get_by_role("button", name="Generate").click()
    panel.get_by_text("答案与出处").first.wait_for(timeout=120_000)
    assert "小测验" in panel.inner_text() and "参考资料" in panel.inner_text()
    page.screenshot(path=SHOTS / "04-onboarding.png", full_page=True)
    link = panel.locator("a[href$='onboarding.docx']").first
    with page.expect_download() as download:
        link.click()
    saved = download.value.path()
    from docx import Document

    assert any(p.text == "小测验" for p in Document(str(saved)).paragraphs)


def test_viewer_does_not_see_knowledge_base_admin(browser, tmp_path_factory):
    """Gradio shows every tab's label, so the test looks for the management controls, not the label."""
    data_dir = tmp_path_factory.mktemp("browser-auth")
    store = UserStore(data_dir / "users.json")
    store.add_user("vic", "viewer-pass-1", "viewer")
    store.add_user("eda", "editor-pass-1", "editor")
    with running_app(data_dir, SMALL_CORPUS, data_dir / "users.json") as url:
        for name, password, sees_admin in (("vic", "viewer-pass-1", False), ("eda", "editor-pass-1", True)):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            tab = context.new_page()
            tab.goto(url)
            tab.get_by_label("username").fill(name)
            tab.get_by_label("password").fill(password)
            tab.get_by_role("button", name="Login").click()
            tab.get_by_role("tab", name="Chat 问答").wait_for(timeout=30_000)
            tab.get_by_text(f"Signed in as {name}").wait_for(timeout=30_000)
            _tab(tab, "Knowledge base 知识库")
            notice = tab.get_by_text("Knowledge-base management is for editors and admins.")
            (tab.get_by_role("button", name="Upload and ingest") if sees_admin else notice).wait_for(timeout=30_000)
            tab.screenshot(path=SHOTS / f"05-signed-in-{name}.png")
            assert tab.get_by_role("button", name="Upload and ingest").is_visible() == sees_admin
            assert notice.is_visible() != sees_admin
            context.close()
