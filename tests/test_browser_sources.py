"""The knowledge base's sources in a real browser: two uploads listed by their names, filtered, one deleted after
a confirmation (its stored file with it), the other re-ingested. The screenshot is the README's
docs/screenshots/kb-upload.png."""

import re

import pytest

from tests.helpers import SMALL_CORPUS, running_app
from tests.test_browser import SHOTS, browser  # noqa: F401 - the fixture, one Chromium per module

pytestmark = pytest.mark.integration

DOCS = {"pallet-inspection.md": "# Pallet inspection\n\nInbound pallets get a 12-point visual check.\n",
        "来料检验.md": "# 来料检验\n\n来料按批抽样检验，每批抽取八十件。\n"}


def _shot(page, name: str, last) -> None:
    """The page from its top down to the element `last` (the feedback section below it is another story)."""
    box, scrolled = last.bounding_box(), page.evaluate("window.scrollY")  # the box is where the window shows it
    page.screenshot(path=SHOTS / name, full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": scrolled + box["y"] + box["height"] + 16})


def test_sources_table_filter_select_and_delete_with_confirmation(browser, tmp_path_factory):  # noqa: F811
    data_dir, received = tmp_path_factory.mktemp("sources-data"), tmp_path_factory.mktemp("sources-docs")
    for name, text in DOCS.items():
        (received / name).write_text(text, encoding="utf-8")
    stored = data_dir / "uploads" / "default"
    with running_app(data_dir, SMALL_CORPUS) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1200})
        page.goto(url)
        page.get_by_role("tab", name="Knowledge base 知识库").click()
        panel = page.get_by_role("tabpanel")
        panel.locator("input[type=file]").first.set_input_files([str(received / name) for name in DOCS])
        panel.get_by_role("button", name="Upload and ingest").click()
        page.get_by_text("2 file(s) processed").wait_for(timeout=120_000)
        page.get_by_text("5 sources.").wait_for(timeout=30_000)  # listed again after the upload
        table = page.locator("#kb-sources")
        for name in (*DOCS, "corpus/zh/8d.md"):
            assert table.get_by_text(name, exact=True).count() == 1
        assert str(data_dir) not in panel.inner_text()  # no server path anywhere

        panel.get_by_label("Filter by name").fill("PALLET")
        panel.get_by_label("Filter by name").press("Enter")
        page.get_by_text("1 of 5 sources match").wait_for(timeout=30_000)
        assert table.get_by_text("来料检验.md").count() == 0
        panel.get_by_role("checkbox", name="pallet-inspection.md").check()
        panel.get_by_role("button", name="Delete selected").click()
        question = page.get_by_text(re.compile(r"Delete 1 source\(s\) from knowledge base"))
        question.wait_for(timeout=30_000)
        _shot(page, "07-sources-confirm.png", panel.get_by_role("button", name="Confirm delete"))
        assert (stored / "pallet-inspection.md").is_file()  # nothing deleted before Confirm
        panel.get_by_role("button", name="Cancel").click()
        page.get_by_text("Nothing deleted.").wait_for(timeout=30_000)
        assert (stored / "pallet-inspection.md").is_file() and not question.is_visible()

        panel.get_by_role("button", name="Delete selected").click()
        panel.get_by_role("button", name="Confirm delete").click()
        page.get_by_text("Deleted 1 source(s)").wait_for(timeout=60_000)
        page.get_by_text("0 of 4 sources match").wait_for(timeout=30_000)
        assert not (stored / "pallet-inspection.md").exists() and (stored / "来料检验.md").is_file()

        panel.get_by_label("Filter by name").fill("")
        panel.get_by_role("button", name="List sources").click()
        page.get_by_text("4 sources.").wait_for(timeout=30_000)
        assert table.get_by_text("pallet-inspection.md").count() == 0
        panel.get_by_role("checkbox", name="来料检验.md").check()
        panel.get_by_role("button", name="Re-ingest selected").click()
        done = page.get_by_text("unchanged since it was last ingested")
        done.wait_for(timeout=60_000)
        _shot(page, "08-sources-table.png", done)
        page.close()
