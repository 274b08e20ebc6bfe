"""Chinese that renders everywhere: every exported PDF embeds the CJK font (a subset), so a viewer with no Chinese
font of its own draws the glyphs; drawn here by poppler's pdftoppm with fontconfig given no fonts at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant.workflows.export import write
from tests.helpers import make_pdf
from tests.test_export import make_doc

DARK = 0.5  # a pixel darker than this (0 black .. 1 white) is ink
MIN_INK = 200  # dark pixels of a Chinese title at 40 dpi: a blank page has none


@pytest.fixture
def no_fonts(tmp_path) -> dict:
    """An environment whose fontconfig knows no font: only fonts embedded in a PDF can be drawn."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>',
                    encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin"}


def ink(pdf: Path, env: dict, band: float = 1.0) -> int:
    """Dark pixels in the top `band` of page 1, rendered at 40 dpi."""
    import matplotlib.image

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], env=env, check=True, capture_output=True)
    pixels = matplotlib.image.imread(pdf.with_suffix(".png"))[..., :3].mean(axis=2)
    return int((pixels[: int(len(pixels) * band)] < DARK).sum())


def fonts(pdf: Path) -> list[dict]:
    """pdffonts' table: name, type and whether each font is embedded and subset."""
    lines = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [line.split() for line in lines[2:]]
    return [{"name": row[0], "emb": row[-5], "sub": row[-4]} for row in rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_exported_pdf_embeds_its_cjk_font_and_draws_chinese_without_system_fonts(tmp_path, no_fonts, lang):
    pdf = write(make_doc(lang), "pdf", tmp_path / "plan.pdf")
    embedded = [f for f in fonts(pdf) if "WenQuanYi" in f["name"]]
    assert embedded and all(f["emb"] == "yes" and f["sub"] == "yes" for f in embedded)
    assert not any("STSong" in f["name"] for f in fonts(pdf))
    assert ink(pdf, no_fonts, band=0.25) > MIN_INK  # the title and the first section
    assert pdf.stat().st_size < 400_000  # a subset, not the 5 MB font file


def test_a_referenced_cid_font_draws_nothing_there(tmp_path, no_fonts):
    """The check can fail: the old export's STSong-Light, referenced but not embedded, renders blank."""
    old = make_pdf(tmp_path / "old.pdf", [["来料检验质量提升方案", "批次不良率从 3.2% 降至 1.1%"]])
    assert ink(old, no_fonts) == 0


@pytest.mark.integration
@pytest.mark.parametrize("product", ["strategy", "onboarding", "draft"])
def test_each_chinese_work_product_draws_its_title_without_system_fonts(corpus_assistant, tmp_path, no_fonts,
                                                                          product):
    from assistant.workflows.onboarding import build_module
    from assistant.workflows.recommendation import draft
    from assistant.workflows.strategy import advise

    build = {"strategy": lambda: advise(corpus_assistant, "物流", "客户投诉交付延迟"),
             "onboarding": lambda: build_module(corpus_assistant, "8D", lang="zh"),
             "draft": lambda: draft(corpus_assistant, "logistics", "华东快运（示例客户）", "客户投诉交付延迟")}[product]
    pdf = write(build(), "pdf", tmp_path / f"{product}.pdf")
    assert all(f["emb"] == "yes" for f in fonts(pdf) if f["name"] != "Helvetica")  # reportlab's unused default
    assert ink(pdf, no_fonts, band=0.15) > MIN_INK
