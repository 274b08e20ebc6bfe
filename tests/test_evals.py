"""The eval suite: metric definitions on hand-made cases, and the smoke subset as a CI gate."""

import json

import pytest

from assistant.models import Answer, Citation, GroundingReport
from evals.dataset import load_dataset, load_pairs, smoke_subset
from evals.metrics import answer_claims, checker_accuracy, retrieval_scores, token_f1
from evals.runner import aggregate, score_item

PASSAGE = "某电子产品公司将产品返修率降低了30%，客户满意度评分（CSAT）提升了15%。"


def _answer(text: str, refused: bool = False) -> Answer:
    citations = [] if refused else [Citation(1, "corpus/zh/x.md", "x", None, "", "c1", PASSAGE)]
    return Answer("q", "q", "zh", text, refused, "extractive", citations, GroundingReport(None))


def _item(answerable: bool = True) -> dict:
    return {"id": "t", "question": "q", "lang": "zh", "type": "factual", "answerable": answerable,
            "gold_sources": ["corpus/zh/x.md"] if answerable else [], "key_facts": ["30%"] if answerable else [],
            "reference_answer": "返修率降低了30%。", "history": []}


def test_retrieval_scores():
    scores = retrieval_scores(["a", "gold", "b", "gold"], ["gold"], relevant_available=2)
    assert scores["recall@1"] == 0 and scores["recall@3"] == 1 and scores["mrr"] == 0.5
    assert 0 < scores["ndcg@5"] < 1
    assert retrieval_scores(["a", "b"], ["gold"], 1)["mrr"] == 0.0


def test_claims_citations_and_an_empty_answer_is_a_failure():
    good = answer_claims(_answer("产品返修率降低了30%[1]。"))
    assert good == {"claims": 1, "supported": 1, "citations": 1, "good_citations": 1, "cited_supported": 1}
    bad = answer_claims(_answer("返修率降低了50%[1]。返修率降低了30%[7]。"))
    assert bad["supported"] == 0 and bad["good_citations"] == 0 and bad["citations"] == 2
    assert answer_claims(_answer(""))["supported"] == 0


def test_refusals_are_not_applicable_never_nan_and_never_one():
    refused_answerable = score_item(_item(), _answer("知识库中没有找到相关依据。", True), [], 1, "general", 5.0)
    refused_unanswerable = score_item(_item(False), _answer("知识库中没有找到相关依据。", True), [], 0, "none", 5.0)
    metrics = aggregate([refused_answerable, refused_unanswerable])
    assert metrics["faithfulness"] is None and metrics["hallucination_rate"] is None
    assert metrics["over_refusal"] == 1.0 and metrics["negative_rejection"] == 1.0
    assert metrics["key_fact_recall"] == 0.0
    assert json.dumps(metrics)  # no NaN sneaks into the report


def test_token_f1():
    assert token_f1("产品返修率降低了30%[1]。", "返修率降低了30%。") > 0.7
    assert token_f1("完全无关的句子。", "返修率降低了30%。") == 0.0


def test_datasets_meet_the_issue_counts():
    items = load_dataset()
    assert len(items) >= 150
    assert sum(not it["answerable"] for it in items) >= 30
    assert sum(it["type"] == "multi_turn" for it in items) >= 10
    assert sum(it["type"] == "strategy" for it in items) >= 10
    assert {it["lang"] for it in items if it["type"] == "cross_lingual"} == {"zh", "en"}
    pairs = load_pairs()
    assert len(pairs) >= 200 and {p["label"] for p in pairs} == {"supported", "unsupported"}


def test_the_grounding_checker_is_measured_and_good_enough():
    accuracy = checker_accuracy(load_pairs())
    assert accuracy["precision"] >= 0.85 and accuracy["recall"] >= 0.85, accuracy


@pytest.mark.integration
def test_smoke_subset_gates_grounding_refusal_and_retrieval(corpus_assistant, tmp_path):
    from evals.evaluate import run_eval
    from evals.report import write_report

    items = smoke_subset(load_dataset())
    assert len(items) == 20
    report = run_eval(corpus_assistant, items, progress=False)
    m, base = report["metrics"], report["baseline"]
    assert m["recall@5"] >= 0.9 and m["faithfulness"] >= 0.95 and m["hallucination_rate"] <= 0.1, m
    assert m["negative_rejection"] >= 0.66 and m["over_refusal"] <= 0.12, m
    assert m["recall@5"] > base["recall@5"]  # the project's retrieval beats the plain recipe
    assert set(report["by_language"]) == {"zh", "en"}
    folder = write_report(report, tmp_path / "report")
    assert {"report.json", "report.md", "metrics.png", "by_industry.png", "by_language.png", "latency.png"} <= \
        {p.name for p in folder.iterdir()}
    assert "plain LangChain baseline" in (folder / "report.md").read_text(encoding="utf-8")


def test_compare_shows_two_runs_with_deltas(tmp_path):
    from evals.report import compare

    for name, value in (("a", 0.5), ("b", 0.75)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps({"metrics": {"recall@5": value, "mrr": None}}))
    result = compare(tmp_path / "a", tmp_path / "b")
    assert result["metrics"]["recall@5"] == {"a": 0.5, "b": 0.75, "delta": 0.25}
    assert result["metrics"]["mrr"]["delta"] is None
