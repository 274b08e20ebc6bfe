"""The Analyze tab's actions: each analysis on its shipped sample, the knowledge-base background, uploads within the
limits, careless tables as messages, and access like the other actions."""

import re
from pathlib import Path

import pytest

from assistant.app import analysis_actions as actions
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.service import Assistant
from assistant.workflows.analysis import BACKGROUND, method_background
from tests.helpers import ui_callbacks

CASES = [("complaints.csv", "pareto"), ("inspection.csv", "control"), ("inspection.csv", "capability"),
         ("survey.csv", "satisfaction"), ("monthly.csv", "compare"), ("monthly.csv", "link")]
EXPECTED = {"pareto": "关键少数", "control": "UCL=", "capability": "Cpk=", "satisfaction": "NPS=",
            "compare": "退货率下降", "link": "lag 1: rho=-0.948"}


def _fields(sample: str, analysis: str) -> dict:
    return {**actions.SAMPLES[sample], "analysis": analysis}


def _exports(assistant) -> list:
    root = assistant.settings.exports_dir
    return sorted(root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize(("sample", "analysis"), CASES)
def test_each_analysis_on_its_sample(small_kb, sample, analysis):
    done = actions.analyze(small_kb, None, _fields(sample, analysis), sample=sample, lang="zh")
    assert done["analysis"] == done["result"]["analysis"] == analysis
    assert EXPECTED[analysis] in done["summary"]
    if analysis in ("pareto", "control", "capability"):
        chart = done["chart"]
        assert chart.startswith(str(small_kb.settings.exports_dir))
        assert Path(chart).read_bytes()[:4] == b"\x89PNG"
    else:
        assert done["chart"] is None
    found = done["background"]
    assert found["question"] == BACKGROUND[analysis][1] and "error" not in found
    shown = actions.background_markdown(found)
    assert found["question"] in shown and all(f"[{c['n']}]" in shown for c in found["citations"])


def test_choosing_a_sample_fills_the_fields_that_fit_it(small_kb):
    table = actions.choose_table(small_kb, None, sample="inspection.csv")
    assert table["columns"] == ["subgroup", "diameter_mm", "lsl", "usl"]
    assert table["preset"]["analysis"] == "control" and table["preset"]["column"] == "diameter_mm"
    choose = ui_callbacks(small_kb)["analysis_tab._handlers.choose"]
    status, analysis, *rest = choose(None, "monthly.csv", "", None)
    assert "5 columns" in status and analysis == "compare"
    assert set(actions.visible_fields("link")) <= set(actions.SAMPLES["monthly.csv"])


def test_background_cites_the_knowledge_base_in_english(small_kb):
    found = method_background(small_kb, "satisfaction", "default", "en")
    assert found["citations"] and found["answer"]
    assert all(c["source"].startswith("corpus/") for c in found["citations"])


def test_uploaded_csv_and_xlsx_are_analysed(small_kb, tmp_path):
    import openpyxl

    csv = tmp_path / "defects.csv"
    csv.write_text("defect,n\nscratch,30\ndent,12\nstain,5\n", encoding="utf-8")
    book = openpyxl.Workbook()
    for row in (["defect", "n"], ["scratch", 30], ["dent", 12], ["stain", 5]):
        book.active.append(row)
    book.save(tmp_path / "defects.xlsx")
    for name in ("defects.csv", "defects.xlsx"):
        path = str(tmp_path / name)
        assert actions.choose_table(small_kb, None, path, upload_root=tmp_path) == {"columns": ["defect", "n"],
                                                                                     "preset": {}}
        done = actions.analyze(small_kb, None, {"analysis": "pareto", "category": "defect", "count": "n"}, path,
                               "inspection.csv", upload_root=tmp_path, lang="en")
        assert "scratch\t30" in done["summary"]  # the file, not the sample


def test_careless_tables_are_messages_and_nothing_is_written(small_kb, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("subgroup,diameter_mm\n1,10.01\n1,ten\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("a,b\n1,2\n", encoding="utf-8")
    cases = [({"analysis": "control", "column": "diameter_mm"}, str(bad), "not numbers in row(s) 3"),
             ({"analysis": "control", "column": "width"}, str(bad), "no column 'width'"),
             ({"analysis": "pareto"}, str(bad), "pareto needs --category"),
             ({"analysis": "control", "usl": "high"}, str(bad), "USL must be a number"),
             ({"analysis": "control", "column": "x", "colour": "red"}, str(bad), "unknown field(s): colour"),
             ({"analysis": "regression"}, str(bad), "choose an analysis"),
             ({"analysis": "control"}, str(tmp_path / "notes.txt"), "use a .csv or .xlsx file")]
    for fields, path, message in cases:
        with pytest.raises(BadInputError, match=re.escape(message)):
            actions.analyze(small_kb, None, fields, path, upload_root=tmp_path)
    with pytest.raises(BadInputError, match="no sample"):
        actions.choose_table(small_kb, None, sample="../../config.py")
    with pytest.raises(BadInputError, match="or choose a sample"):
        actions.analyze(small_kb, None, {"analysis": "pareto"})
    assert _exports(small_kb) == []


def test_a_file_not_received_by_the_server_is_refused(small_kb, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.raises(BadInputError, match="not uploaded through the app"):
        actions.choose_table(small_kb, None, str(actions.SAMPLES_DIR / "survey.csv"), upload_root=inbox)


def test_a_file_over_the_upload_limit_is_refused_before_reading(small_kb, tmp_path, monkeypatch):
    import assistant.analytics.table as table

    big = tmp_path / "big.csv"
    big.write_text("value\n" + "1.0\n" * 600, encoding="utf-8")  # 2.4 kB
    monkeypatch.setattr(table, "_read_csv", lambda *a: pytest.fail("the file was read"))
    small = Assistant(small_kb.settings.model_copy(update={"max_upload_mb": 0.002}))
    for call in (lambda: actions.choose_table(small, None, str(big), upload_root=tmp_path),
                 lambda: actions.analyze(small, None, {"analysis": "control", "column": "value"}, str(big),
                                         upload_root=tmp_path)):
        with pytest.raises(BadInputError, match="QCA_MAX_UPLOAD_MB"):
            call()
    assert _exports(small) == []


def test_access_like_the_other_actions(secured):
    assistant, viewer, editor = secured
    fields = _fields("inspection.csv", "control")
    with pytest.raises(PermissionDeniedError):
        actions.analyze(assistant, viewer, fields, sample="inspection.csv", kb="secret")
    with pytest.raises(PermissionDeniedError, match="sign in"):
        actions.analyze(assistant, None, fields, sample="inspection.csv")
    with pytest.raises(PermissionDeniedError, match="sign in"):
        actions.choose_table(assistant, None, sample="inspection.csv")
    assert _exports(assistant) == []
    assert "UCL=" in actions.analyze(assistant, viewer, fields, sample="inspection.csv")["summary"]


def test_markdown_of_user_text_is_escaped_and_fenced():
    assert actions.summary_markdown("a ``` b").startswith("````text\n")
    shown = actions.background_markdown({"question": "q", "answer": "<script>x</script>",
                                         "citations": [{"n": 1, "label": "<b>", "source": "s.md"}]})
    assert "<script>" not in shown and "&lt;b&gt;" in shown
    assert "&lt;i&gt;" in actions.warnings_markdown(["<i>"])
