"""Strategy, onboarding and draft on the real corpus, exported and opened again as DOCX and PDF."""

import re
from pathlib import Path

import pytest

from assistant.answering.grounding import SUPPORT_THRESHOLD, cited_numbers, claim_support
from assistant.errors import BadInputError
from assistant.workflows.evidence import extract_rows
from assistant.workflows.evidence_chart import chart_rows, draw_chart
from assistant.workflows.export import write
from assistant.workflows.onboarding import build_module
from assistant.workflows.recommendation import draft, parse_kpis
from assistant.workflows.strategy import advise

pytestmark = pytest.mark.integration


def _assert_grounded(doc):
    assert doc.grounding.supported_ratio == 1.0 and doc.grounding.claims >= 5
    numbers = {c.n for c in doc.references}
    assert numbers == set(range(1, len(numbers) + 1))  # numbered without gaps
    for section in doc.sections:
        for block in section.blocks:
            for item in block.items if block.grounded else []:
                assert cited_numbers(item) and set(cited_numbers(item)) <= numbers, item


def test_strategy_for_logistics_delays_leads_with_scheduling_and_case_figures(corpus_assistant):
    doc = advise(corpus_assistant, "物流", "客户投诉交付延迟")
    strategies = doc.data["strategies"]
    assert doc.lang == "zh" and doc.data["industry"] == "logistics" and 3 <= len(strategies) <= 5
    assert strategies[0]["id"] == "smart_scheduling"
    assert any("20%" in effect for effect in strategies[0]["expected_effect"])
    assert strategies[0]["kpis"][0] == "准时率" and strategies[0]["first_steps"]
    _assert_grounded(doc)
    assert "依据检查" in doc.footer and not doc.data["coverage"]["thin"]


def test_strategy_english_problem_and_errors(corpus_assistant):
    doc = advise(corpus_assistant, "retail", "return rate too high")
    assert doc.lang == "en" and doc.data["strategies"][0]["id"] == "returns_quality"
    assert any("25%" in e or "40%" in e for e in doc.data["strategies"][0]["expected_effect"])
    with pytest.raises(BadInputError, match="known industries"):
        advise(corpus_assistant, "rocketry")
    with pytest.raises(BadInputError, match="industry is required"):
        advise(corpus_assistant, None)


def test_thin_coverage_is_said_not_padded(corpus_assistant, tmp_path):
    corpus_assistant.ingest([Path("corpus/zh/industry-logistics.md")], kb="thin", progress=False)
    doc = advise(corpus_assistant, "logistics", "配送延迟", kb="thin")
    assert doc.data["coverage"]["thin"] and any("覆盖较少" in note for note in doc.notes)
    assert all(s["actions"] for s in doc.data["strategies"])  # no strategy without content from the KB


def test_onboarding_module_has_every_part_and_a_checked_quiz(corpus_assistant):
    doc = build_module(corpus_assistant, "8D", audience="新入职质量工程师", length="short", lang="zh")
    headings = [s.heading for s in doc.sections]
    for part in ("学习目标", "核心概念", "操作步骤", "中英术语表", "小测验", "答案与出处"):
        assert part in headings
    steps = next(s for s in doc.sections if s.heading == "操作步骤").blocks[0].items
    assert len(steps) >= 6 and steps[0].startswith("D0")
    quiz = doc.data["quiz"]
    assert len(quiz) >= 5 and {q["kind"] for q in quiz} == {"choice", "blank"}
    passages = {c.n: c.quote for c in doc.references}
    for q in quiz:
        assert q["answer"] in q["source_sentence"] and "____" in q["stem"]
        # the answer's passage says so
        assert claim_support(q["source_sentence"], passages[q["citation"]]) >= SUPPORT_THRESHOLD
        if q["kind"] == "choice":
            assert len(set(q["options"])) == 4 and q["answer"] in q["options"]
            corpus_text = " ".join(c.text for c in corpus_assistant.kb().all_chunks())
            assert all(option in corpus_text for option in q["options"])  # distractors come from the corpus
    _assert_grounded(doc)


def test_onboarding_refuses_a_topic_the_corpus_lacks(corpus_assistant):
    with pytest.raises(BadInputError, match="nothing on"):
        build_module(corpus_assistant, "medieval falconry techniques", lang="en")


def test_draft_targets_follow_case_figures_and_exports_open(corpus_assistant, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    doc = draft(corpus_assistant, "logistics", "华东快运（示例客户）", "客户投诉交付延迟",
                parse_kpis(["配送延迟率=8%", "NPS=31"]))
    targets = {t["指标"]: t for t in doc.data["kpi_targets"]}
    assert targets["配送延迟率"]["目标值"] == "6.4%" and "-20%" in targets["配送延迟率"]["依据"]
    assert targets["NPS"]["目标值"] == "34.1" and "假设" in targets["NPS"]["依据"]
    _assert_grounded(doc)
    docx_path, pdf_path = write(doc, None, tmp_path / "d.docx"), write(doc, None, tmp_path / "d.pdf")
    paragraphs = [p.text for p in Document(str(docx_path)).paragraphs]
    for heading in ("执行摘要", "问题诊断", "改进建议", "30/60/90天路线图", "KPI目标", "风险与注意事项", "参考资料"):
        assert heading in paragraphs
    assert any(re.match(r"\[1\] ", p) for p in paragraphs) and doc.footer in paragraphs
    pdf_text = "".join(page.extract_text() for page in PdfReader(str(pdf_path)).pages)
    assert "执行摘要" in pdf_text and "参考资料" in pdf_text and "100%" in pdf_text
    with pytest.raises(BadInputError, match="NAME=VALUE"):
        parse_kpis(["NPS"])


def test_evidence_chart_is_a_png_of_the_changes(corpus_assistant, tmp_path):
    rows = extract_rows(corpus_assistant.kb().all_chunks())
    points = chart_rows(rows)
    assert len(points) >= 12 and {"scheduling / delivery", "returns reduction"} <= {p["type"] for p in points}
    delivery = [p for p in points if p["value"] == -20.0 and p["type"] == "scheduling / delivery"]
    assert delivery and delivery[0]["label"].endswith("(logistics)")
    assert any(re.search("[\u4e00-\u9fff]", p["label"]) for p in points)  # Chinese cases keep Chinese metric names
    path = draw_chart(rows, tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_work_product_eval_meets_its_gates(corpus_assistant):
    from evals.work_products import run_work_product_eval

    summary = run_work_product_eval(corpus_assistant)["summary"]
    assert summary["strategy_relevance@3"] >= 0.9 and summary["strategy_relevance@1"] >= 0.7
    assert summary["quiz_questions"] >= 25 and summary["quiz_answers_supported"] == 1.0
    assert summary["quiz_options_from_corpus"] == 1.0 and summary["mean_grounding_ratio"] >= 0.95


@pytest.mark.parametrize("mode", ["annotate", "strip"])
def test_finalize_checks_every_grounded_sentence_like_chat(mode):
    from assistant.models import Chunk
    from assistant.workflows.document import WorkDocument
    from assistant.workflows.grounded import CitationRegistry, finalize

    registry = CitationRegistry()
    n = registry.cite(Chunk("c1", "实施精益生产后，客户投诉率下降了40%。", "corpus/zh/x.md", "示例", "zh"))
    doc = WorkDocument("strategy", "测试", "zh")
    doc.section("效果").add("bullets", [f"客户投诉率下降了40%[{n}]。", f"客户投诉率下降了90%[{n}]。"], grounded=True)
    doc.section("第一步").add("numbered", ["绘制价值流图"])  # template guidance: not a claim
    finalize(doc, registry, mode)
    items = doc.sections[0].blocks[0].items
    assert doc.grounding.claims == 2 and doc.grounding.supported_ratio == 0.5
    assert doc.grounding.unsupported == ["客户投诉率下降了90%。"]
    assert (items[1].endswith("⚠[未经资料证实]") if mode == "annotate" else len(items) == 1)
    assert [c.n for c in doc.references] == [1] and "1/2" in doc.footer


def test_a_draft_takes_the_clients_own_analysis_as_evidence(corpus_assistant, tmp_path):
    """`qcassist analyze --json` saved, then given to the draft: the client's figures as a table, the comparison's
    sentence, the KPI table's current values, and the knowledge base's cited background on the method."""
    from typer.testing import CliRunner

    from assistant.cli.main import app
    from assistant.config import Settings
    from assistant.workflows.analysis_evidence import read_analysis

    samples = Path("assistant/data/samples")
    saved = tmp_path / "survey.json"
    result = CliRunner().invoke(app, ["analyze", "satisfaction", str(samples / "survey.csv"), "--nps-column", "nps",
                                      "--csat-column", "csat", "--json"])
    saved.write_text(result.stdout, encoding="utf-8")
    analysis = read_analysis(saved, Settings(_env_file=None))
    doc = draft(corpus_assistant, "retail", "Example Retail (illustrative)", "too many detractors",
                parse_kpis(["NPS=5"]), lang="en", analysis=analysis)
    section = next(s for s in doc.sections if s.heading == "The client's data")
    table = next(b.rows for b in section.blocks if b.kind == "table")
    assert ["NPS", f"{analysis['nps']:.4g}"] in [[row[0].upper(), row[1]] for row in table]
    assert any(b.grounded and b.items for b in section.blocks)  # the method, cited from the knowledge base
    targets = {t["KPI"]: t for t in doc.data["kpi_targets"]}
    assert targets["NPS"]["Current"] == "5" and targets["CSAT"]["Current"].endswith("%")  # given wins; measured fills
    _assert_grounded(doc)
    not_an_analysis = tmp_path / "other.json"
    not_an_analysis.write_text('{"kind": "draft"}', encoding="utf-8")
    with pytest.raises(BadInputError, match="qcassist analyze"):
        read_analysis(not_an_analysis, Settings(_env_file=None))
    with pytest.raises(BadInputError, match="QCA_MAX_UPLOAD_MB"):
        read_analysis(saved, Settings(max_upload_mb=0.0001, _env_file=None))
