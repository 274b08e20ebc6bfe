"""`qcassist analyze` as a user runs it on the shipped samples: one JSON document with --json, a PNG with --chart,
Chinese with --lang zh, and for bad input exit 2 with one `error:` line and nothing written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.config import get_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "assistant" / "data" / "samples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COMMON = {"analysis", "warnings", "chart_file"}

RUNS = {
    "pareto": (["pareto", str(SAMPLES / "complaints.csv"), "--category", "category", "--count", "count"],
               {"categories", "vital_few", "total"}),
    "control": (["control", str(SAMPLES / "inspection.csv"), "--column", "diameter_mm", "--subgroup", "subgroup"],
                {"chart", "center", "ucl", "lcl", "out_of_control", "rule_violations", "values", "second_chart"}),
    "capability": (["capability", str(SAMPLES / "inspection.csv"), "--column", "diameter_mm", "--subgroup",
                    "subgroup", "--usl", "10.06", "--lsl", "9.94"],
                   {"cp", "cpk", "pp", "ppk", "cpk_ci", "mean", "sigma_within", "sigma_overall", "n", "ppm_below",
                    "ppm_above", "normality_p"}),
    "satisfaction": (["satisfaction", str(SAMPLES / "survey.csv"), "--nps-column", "nps", "--csat-column", "csat",
                      "--ces-column", "ces", "--segment", "segment"],
                     {"n", "nps", "nps_ci", "promoters_pct", "detractors_pct", "csat_top2_pct", "ces_mean",
                      "segments"}),
    "compare": (["compare", str(SAMPLES / "monthly.csv"), "--defectives", "returns", "--size", "shipped",
                 "--period-column", "month", "--split", "2024-01", "--metric-name", "return rate"],
                {"before", "after", "change_pct", "change_ci", "p_value", "test", "sentence_en", "sentence_zh"}),
    "link": (["link", str(SAMPLES / "monthly.csv"), "--month-column", "month", "--qc-column", "return_rate",
              "--sat-column", "nps"], {"lags"}),
}


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("QCA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QCA_EMBEDDING_MODEL", "hash")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def analyze(*args: str, background: bool = False):
    """The command as a user runs it; the knowledge base's background only where a test asks for it."""
    return CliRunner().invoke(app, ["analyze", *args, *([] if background else ["--no-background"])])


def assert_bad_input(result) -> None:
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", list(RUNS))
def test_json_is_one_document_with_the_required_keys_for_every_sample(name):
    args, keys = RUNS[name]
    result = analyze(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    payload = json.loads(result.stdout)
    assert COMMON | keys <= set(payload) and payload["analysis"] == name
    if name == "control":
        assert payload["chart"] == "xbar-r"  # the chart type, not overwritten by the chart file's name


def test_the_samples_say_what_they_were_made_to_show():
    """complaints: two or three vital few of seven; compare: returns fell about 30%, significantly."""
    pareto = json.loads(analyze(*RUNS["pareto"][0], "--json").stdout)
    assert 2 <= len(pareto["vital_few"]) <= 3 and len(pareto["categories"]) == 7
    compared = json.loads(analyze(*RUNS["compare"][0], "--json").stdout)
    assert -35 < compared["change_pct"] < -25 and compared["p_value"] < 0.001
    assert compared["sentence_en"].startswith("The return rate fell ")
    assert compared["sentence_zh"].startswith("退货率下降 ")
    lags = json.loads(analyze(*RUNS["link"][0], "--json").stdout)["lags"]
    assert [lag["lag"] for lag in lags] == [0, 1, 2, 3] and lags[1]["rho"] < -0.5


@pytest.mark.parametrize("name", ["pareto", "control", "capability"])
def test_chart_writes_a_png(name, tmp_path):
    out = tmp_path / f"{name}.png"
    result = analyze(*RUNS[name][0], "--chart", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == PNG_MAGIC and json.loads(result.stdout)["chart_file"] == str(out)


def test_lang_zh_prints_chinese(tmp_path):
    pareto = analyze(*RUNS["pareto"][0], "--lang", "zh")
    assert pareto.exit_code == 0 and "关键少数" in pareto.stdout and "配送延迟" in pareto.stdout
    control = analyze("control", str(SAMPLES / "inspection.csv"), "--column", "diameter_mm", "--lang", "zh")
    assert "失控点" in control.stdout
    compared = analyze(*RUNS["compare"][0], "--lang", "zh")
    assert "退货率下降" in compared.stdout and "置信区间" in compared.stdout
    linked = json.loads(analyze(*RUNS["link"][0], "--lang", "zh", "--json").stdout)
    assert any("相关不等于因果" in w for w in linked["warnings"])


def test_a_chinese_chart_falls_back_to_english_without_a_cjk_font(tmp_path, monkeypatch):
    from assistant.analytics import charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    out = tmp_path / "p.png"
    payload = json.loads(analyze(*RUNS["pareto"][0], "--chart", str(out), "--lang", "zh", "--json").stdout)
    assert out.exists() and payload["warnings"] == ["未找到中文字体，图表使用英文标注"]
    english = json.loads(analyze(*RUNS["pareto"][0], "--chart", str(out), "--json").stdout)  # Chinese categories
    assert english["warnings"] == ["no Chinese font was found, so Chinese category names show as boxes in the chart"]


def test_a_chinese_chart_has_chinese_labels_drawn_in_the_cjk_font(tmp_path, monkeypatch):
    """The set-up installs the font (fonts-wqy-microhei), so a Chinese chart is read back from its text objects."""
    import matplotlib.pyplot as plt

    from assistant.files import chart_font

    figures = []
    monkeypatch.setattr(plt, "close", figures.append)  # keep the figure to read its text back
    out = tmp_path / "p.png"
    payload = json.loads(analyze(*RUNS["pareto"][0], "--chart", str(out), "--lang", "zh", "--json").stdout)
    assert out.exists() and payload["warnings"] == []
    axes = figures[0].axes[0]
    ticks = axes.get_xticklabels()
    assert axes.get_title().startswith("帕累托图") and axes.get_ylabel() == "数量"
    assert all(re.search("[\u4e00-\u9fff]", t.get_text()) for t in ticks)
    assert {t.get_fontname() for t in ticks} == {chart_font()}


@pytest.mark.parametrize("args", [
    ["control", str(SAMPLES / "inspection.csv"), "--column", "width"],
    ["capability", str(SAMPLES / "inspection.csv"), "--column", "diameter_mm"],
    ["control", str(SAMPLES / "complaints.csv"), "--column", "category"],
    ["pareto", str(SAMPLES / "missing.csv"), "--category", "category"],
    ["control", str(SAMPLES / "inspection.csv"), "--column", "diameter_mm", "--lang", "fr"],
    ["satisfaction", str(SAMPLES / "survey.csv"), "--nps-column", "csat"],
])
def test_bad_input_is_exit_2_one_error_line_and_no_chart(args, tmp_path):
    out = tmp_path / "chart.png"
    assert_bad_input(analyze(*args, "--chart", str(out)))
    assert not out.exists() and not any(p.name.endswith((".png", ".part")) for p in tmp_path.rglob("*"))


def test_chart_options_that_cannot_work_fail_before_the_analysis(tmp_path):
    assert_bad_input(analyze(*RUNS["satisfaction"][0], "--chart", str(tmp_path / "s.png")))
    assert_bad_input(analyze(*RUNS["pareto"][0], "--chart", str(tmp_path / "p.jpg")))
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.jpg"))


def test_the_row_limit_comes_from_the_settings(monkeypatch):
    monkeypatch.setenv("QCA_MAX_TABLE_ROWS", "100")
    get_settings.cache_clear()
    result = analyze(*RUNS["pareto"][0])
    assert_bad_input(result)
    assert "more than 100 data rows (QCA_MAX_TABLE_ROWS)" in result.stderr


def test_an_excel_workbook_with_several_sheets_needs_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Q1"
    book.active.append(["cause", "n"])
    book.active.append(["packaging", 3])
    book.create_sheet("Q2").append(["cause", "n"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    result = analyze("pareto", str(path), "--category", "cause", "--count", "n")
    assert_bad_input(result)
    assert "2 sheets (Q1, Q2)" in result.stderr
    chosen = analyze("pareto", str(path), "--category", "cause", "--count", "n", "--sheet", "Q1", "--json")
    assert json.loads(chosen.stdout)["vital_few"] == ["packaging"]


def test_compare_against_a_before_table(tmp_path):
    before = tmp_path / "before.csv"
    after = tmp_path / "after.csv"
    before.write_text("returned\n" + "1\n" * 30 + "0\n" * 170)
    after.write_text("returned\n" + "1\n" * 29 + "0\n" * 171)
    payload = json.loads(analyze("compare", str(after), "--before", str(before), "--column", "returned",
                                 "--json").stdout)
    assert payload["test"] == "two-proportion z-test" and payload["p_value"] > 0.05
    assert payload["sentence_en"] is None and any("do not show a change" in w for w in payload["warnings"])


def test_importing_the_cli_does_not_import_the_analytics_stack():
    code = "import sys, assistant.cli.main; print(sorted({'pandas', 'scipy', 'matplotlib', 'openpyxl'} & " \
           "set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_the_bench_runs_every_analysis_on_a_small_table():
    from evals.analytics_bench import run

    report = run(rows=2_000)
    assert len(report["seconds"]) == 9 and report["within_budget"]


def test_the_method_is_explained_from_the_knowledge_base_with_citations(tmp_path):
    from assistant.service import Assistant
    from tests.helpers import SMALL_CORPUS

    Assistant(get_settings()).ingest(SMALL_CORPUS, progress=False)
    result = analyze(*RUNS["satisfaction"][0], "--json", background=True)
    found = json.loads(result.stdout)["background"]
    assert found["question"] == "How are NPS and CSAT calculated and interpreted?" and found["citations"]
    assert all(f"[{c['n']}]" in found["answer"] for c in found["citations"][:1])
    text = analyze(*RUNS["satisfaction"][0], "--lang", "zh", background=True).stdout
    assert "NPS 和 CSAT 如何计算和解读？" in text and "[1] " in text
