"""The Analyze tab in a real browser: a shipped sample, a control chart, its limits and the knowledge base's
background on reading it. The screenshot is the README's docs/screenshots/analyze.png."""

import pytest

from tests.helpers import ROOT, SMALL_CORPUS, running_app
from tests.test_browser import SHOTS, browser  # noqa: F401 - the fixture, one Chromium per module

pytestmark = pytest.mark.integration

# The control-chart method documents, so the background answers with citations.
DOCUMENTS = [*SMALL_CORPUS, ROOT / "corpus/zh/spc-control-charts.md", ROOT / "corpus/en/spc-and-capability.md"]


def _pick(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.locator(f"li[role=option][aria-label='{option}'] >> visible=true").first.click()


def test_control_chart_on_the_inspection_sample(browser, tmp_path_factory):  # noqa: F811
    with running_app(tmp_path_factory.mktemp("analyze-data"), DOCUMENTS) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Analyze · 数据分析").click()
        panel = page.get_by_role("tabpanel")
        _pick(panel, "…or a sample 示例数据", "inspection.csv")
        panel.get_by_text("4 columns: subgroup, diameter_mm, lsl, usl").wait_for(timeout=30_000)
        panel.get_by_role("button", name="Run 运行").click()
        panel.get_by_text("UCL=").first.wait_for(timeout=120_000)
        panel.get_by_text("How do you read a control chart").wait_for(timeout=60_000)
        text = panel.inner_text()
        assert "XBAR-R CL=" in text and "LCL=" in text and "[1]" in text
        image = panel.locator("img[src*='chart.png']").first
        image.wait_for(timeout=30_000)
        assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 0
        page.screenshot(path=SHOTS / "06-analyze.png", full_page=True)
        _pick(panel, "Analysis 分析", "capability")  # the sample's USL and LSL were filled in with its columns
        panel.get_by_label("USL 规格上限").wait_for(timeout=30_000)
        panel.get_by_role("button", name="Run 运行").click()
        panel.get_by_text("Cpk=").first.wait_for(timeout=120_000)
        page.close()
