"""Citations opened at their source in a real browser: a PDF uploaded through the app is cited, its page shows with
the passage highlighted; a Markdown source's section shows with the passage marked."""

from __future__ import annotations

import io

import pytest

from tests.helpers import make_pdf
from tests.test_browser import SHOTS, _tab, _upload, app_page, browser  # noqa: F401 - browser is a fixture used here

pytestmark = pytest.mark.integration

PICKER = "Open a cited source 打开引用来源"
PDF_TITLE = "Receiving inspection"
PAGE_ONE = ["Receiving inspection handbook, warehouse 3.", "Contents: 1. Documents. 2. Pallets. 3. Cartons."]
PAGE_TWO = ["2. Pallets", "",
            "Trucks are unloaded at dock doors 4 to 9 only. The driver hands over the delivery note and the",
            "carrier's seal number; the clerk compares both with the advance shipping notice before the doors",
            "open. A missing or broken seal is photographed and reported to the shift lead at once.",
            "",
            "Incoming pallets are inspected with a twelve-point visual check before they are put away;",
            "the receiving clerk records every damaged corner board in the goods-in log.",
            "",
            "Pallets that fail the check are moved to the quarantine lane, labelled with a red tag and",
            "held until the supplier answers. Stretch wrap is removed only after the check is complete.",
            "Wooden pallets must carry the ISPM 15 mark; plastic pallets are counted and returned weekly.",
            "", "3. Cartons", "",
            "Cartons are counted against the packing list by the pallet, never by the layer. A shortfall of",
            "more than two cartons stops the receipt: the clerk calls the buyer, who decides whether the",
            "delivery is accepted in part. Crushed cartons are opened in front of the driver and the contents",
            "are checked one by one; the driver signs the damage note with the clerk.",
            "",
            "Temperature-controlled goods are checked first. The logger is read at the dock and its curve",
            "is attached to the receipt; an excursion above eight degrees sends the whole delivery to the",
            "cold quarantine room until quality assurance releases it in writing."]


def _pdf(path):
    return make_pdf(path, [PAGE_ONE, PAGE_TWO], embedded=True, title=PDF_TITLE)


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):  # noqa: F811 - the fixture of the same name is imported above
    with app_page(browser, tmp_path_factory.mktemp("citations-data")) as tab:
        yield tab


def _ask(page, question):
    _tab(page, "Chat 问答")
    before = page.locator("details summary").count()
    page.get_by_placeholder("提问 / Ask a question").fill(question)
    page.get_by_role("button", name="Ask 提问").click()
    page.locator("details summary").nth(before).wait_for(timeout=60_000)


def _open(page, label_part):
    """Pick the first listed citation whose label contains label_part; the panel shows it."""
    page.get_by_label(PICKER).click()
    option = page.locator("li[role=option] >> visible=true", has_text=label_part).first
    option.wait_for(timeout=30_000)
    option.click()


def _amber_share(png: bytes) -> float:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(image.width * image.height)
    amber = sum(n for n, (r, g, b) in colours if r > 240 and 195 < g < 245 and 100 < b < 190)
    return amber / (image.width * image.height)


def test_a_pdf_citation_opens_its_page_with_the_passage_highlighted(page, tmp_path):
    _upload(page, _pdf(tmp_path / "receiving-inspection.pdf"))
    _ask(page, "What happens to a delivery when the temperature logger shows an excursion?")
    assert "eight degrees" in page.locator("details").last.locator("xpath=..").inner_text()
    _open(page, f"{PDF_TITLE}, p. 2")
    shown = page.locator("#qca-cited-source")
    shown.get_by_text("the passage is highlighted").wait_for(timeout=30_000)
    picture = page.locator("#qca-cited-page img").first
    picture.wait_for(timeout=30_000)
    assert page.evaluate("img => img.naturalWidth", picture.element_handle()) > 800  # the page at 110 dpi
    assert f"{PDF_TITLE}, p. 2" in shown.inner_text() and "uploads/default/receiving-inspection.pdf" in \
        shown.inner_text()
    assert _amber_share(picture.screenshot()) > 0.005  # the highlight is in what the user sees
    page.locator("#qca-sources").screenshot(path=SHOTS / "citation-pdf-page.png")


def test_a_markdown_citation_opens_its_section_with_the_passage_marked(page):
    _ask(page, "8D的D4根本原因分析要做什么？")
    _open(page, "[2]")  # the newest answer's second citation: the middle of the section D0–D8
    mark = page.locator("#qca-cited-source mark").first
    mark.wait_for(timeout=30_000)
    assert "D4 根本原因" in mark.inner_text()
    shown = page.locator("#qca-cited-source").inner_text()
    assert "corpus/zh/8d.md" in shown and "D0–D8 各步骤" in shown
    assert shown.index("D0 准备") < shown.index(mark.inner_text()[:20])  # the section before the passage
    assert not page.locator("#qca-cited-page img").first.is_visible()  # no page picture for a text source
    page.locator("#qca-sources").screenshot(path=SHOTS / "citation-markdown-section.png")
