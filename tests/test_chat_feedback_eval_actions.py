"""Chat filters and conversation export, feedback CSV, corrected answers as FAQ entries, the Evaluation tab logic."""

import os
import time
import types
from pathlib import Path

import pytest

from assistant.app import actions as app_actions
from assistant.app.feedback import FeedbackStore, default_path
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.plugins import load_plugins
from assistant.retrieval.hybrid import HybridSearcher
from assistant.service import Assistant
from evals import app_panel as eval_actions
from tests.helpers import ui_callbacks

QUESTION = "How is the Net Promoter Score calculated?"
CORRECTED = "The Net Promoter Score is the share of promoters minus the share of detractors, from -100 to 100."


def test_language_filter_keeps_only_english_citations(small_kb):
    assistant = small_kb
    question = "客户投诉率 lean production Net Promoter Score"
    answer = assistant.ask(question, "default", None, None, None, lang="en")
    assert answer.citations and all(c.source.startswith("corpus/en/") for c in answer.citations)
    chinese = assistant.ask(question, lang="zh")
    assert all(c.source.startswith("corpus/zh/") for c in chinese.citations)
    streamed = list(assistant.stream(question, "default", doc_type="no-such-type"))
    assert streamed[-1].citations == []


def _turn(question, text, citations):
    return {"question": question, "kb": "default", "answer": {"answer": text, "notes": [], "citations": citations}}


def test_conversation_markdown_and_export(small_kb):
    assistant = small_kb
    cited = {"n": 1, "source": "corpus/en/customer-metrics.md", "title": "Customer metrics", "section": "NPS",
             "page": None, "chunk_id": "c1", "quote": "..."}
    turns = [_turn(QUESTION, "Promoters minus detractors [1].", [cited]), _turn("And CSAT?", "Not covered.", [])]
    text = app_actions.conversation_markdown(turns)
    assert text.startswith("# QC Assist conversation")
    assert f"## 1. {QUESTION}" in text and "## 2. And CSAT?" in text
    assert "- [1] Customer metrics › NPS — `corpus/en/customer-metrics.md`" in text
    path = app_actions.export_conversation(assistant, turns)
    assert path.endswith(".md") and Path(path).read_text(encoding="utf-8") == text
    with pytest.raises(BadInputError, match="no conversation"):
        app_actions.export_conversation(assistant, [])


def test_feedback_csv_of_one_kb_for_editors_only(secured):
    assistant, viewer, editor = secured
    store = FeedbackStore(default_path(assistant.settings))
    store.record(QUESTION, "answer", ["c1"], "down", "=cmd()", "default", "vic")
    store.record("other kb question", "answer", [], "up", "", "team-b", "vic")
    path = app_actions.feedback_csv(assistant, editor, "default")
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and path.endswith("feedback-default.csv")
    text = raw.decode("utf-8-sig")
    assert QUESTION in text and "other kb question" not in text and "'=cmd()" in text
    with pytest.raises(PermissionDeniedError):
        app_actions.feedback_csv(assistant, viewer, "default")


def test_corrected_answer_becomes_the_first_cited_faq(secured):
    assistant, viewer, editor = secured
    answer = assistant.ask(QUESTION, user=viewer)
    saved = app_actions.feedback(assistant, viewer, "down", QUESTION, answer.to_dict(), "wrong", "default")
    from assistant.app.feedback_review import review_list

    listed = review_list(assistant, editor, "default")
    assert listed["ids"] == [saved["id"]] and listed["rows"][0][2] == QUESTION
    with pytest.raises(PermissionDeniedError):
        app_actions.correct_answer(assistant, viewer, saved["id"], CORRECTED, "default")
    with pytest.raises(BadInputError, match="not a feedback id"):
        app_actions.correct_answer(assistant, editor, "abc", CORRECTED, "default")
    with pytest.raises(BadInputError, match="no thumbs-down feedback"):
        app_actions.correct_answer(assistant, editor, saved["id"] + 1, CORRECTED, "default")
    done = app_actions.correct_answer(assistant, editor, str(saved["id"]), CORRECTED, "default")
    faq = assistant.settings.data_dir / "faq" / "default" / f"faq-{saved['id']}.md"
    assert faq.exists() and "doc_type: faq" in faq.read_text(encoding="utf-8") and done["chunks_added"] >= 1
    assert FeedbackStore(default_path(assistant.settings)).corrections("default")[0]["answer"] == CORRECTED
    again = assistant.ask(QUESTION, user=viewer)
    assert again.citations and again.citations[0].source == done["source"]


def test_faq_boost_multiplies_the_fused_score(small_kb, tmp_path):
    assistant = small_kb
    answer = assistant.ask(QUESTION)
    saved = app_actions.feedback(assistant, None, "down", QUESTION, answer.to_dict(), "", "default")
    source = app_actions.correct_answer(assistant, None, saved["id"], CORRECTED, "default")["source"]
    scores = {}
    for boost in (0.0, 0.5):
        settings = assistant.settings.model_copy(update={"faq_boost": boost})
        searcher = HybridSearcher(assistant.kb(), assistant.lexical(), assistant.embedder, settings)
        scores[boost] = next(h.fused_score for h in searcher.search(QUESTION).hits if h.chunk.source == source)
    assert scores[0.5] == pytest.approx(scores[0.0] * 1.5)


def _minimal_report(kb="default"):
    metrics = {key: 0.5 for key in ("recall@5", "mrr", "faithfulness", "hallucination_rate", "citation_precision",
                                    "citation_recall", "key_fact_recall", "negative_rejection", "over_refusal")}
    group = {"all": {"n": 2, "recall@5": 0.5, "faithfulness": 1.0, "key_fact_recall": 0.5, "negative_rejection": None}}
    return {"n": 2, "backend": "extractive", "kb": kb, "metrics": metrics, "checker": {"n": 0, "precision": None,
            "recall": None}, "by_language": group, "by_industry": group, "by_type": group,
            "items": [{"latency_ms": 12.0}, {"latency_ms": 30.0}]}


def test_latest_report_is_the_newest_folder(tmp_path):
    from evals.report import write_report

    root = tmp_path / "reports"
    assert eval_actions.latest_report(root) is None
    old = write_report({**_minimal_report(), "kb": "old-kb"}, root / "eval-old")
    past = time.time() - 3600
    os.utime(old / "report.json", (past, past))
    write_report(_minimal_report(), root / "smoke-new")
    (root / "broken").mkdir()
    (root / "broken" / "report.json").write_text("{", encoding="utf-8")
    os.utime(root / "broken" / "report.json", (past - 10, past - 10))
    found = eval_actions.latest_report(root)
    assert found["folder"].endswith("smoke-new") and "'default'" in found["title"]
    assert ["recall@5", "0.500", "n/a"] in found["rows"]
    assert {os.path.basename(c) for c in found["charts"]} >= {"metrics.png", "latency.png"}


def test_smoke_run_on_an_empty_kb_says_so(hash_settings, tmp_path):
    assistant = Assistant(hash_settings)
    assistant.create_kb("empty-kb")
    with pytest.raises(BadInputError, match="knowledge base 'empty-kb' is empty"):
        eval_actions.run_smoke(assistant, None, "empty-kb")
    assert not hash_settings.reports_root.exists()


def test_ui_callbacks_remember_export_and_correct(small_kb):
    assistant = small_kb

    nobody = types.SimpleNamespace(username=None)
    fns = ui_callbacks(assistant, load_plugins())  # the evals' panel, plugged in as app.py does
    *_, (_, _, last) = fns["chat._handlers.chat_turn"](QUESTION, [], "default", "", "", "metric", "en", nobody)
    turns = fns["chat._export_handlers.remember"](last, [])
    assert fns["chat._export_handlers.remember"](last, turns) == turns and len(turns) == 1
    path, status = fns["chat._export_handlers.export"](turns)
    assert path.endswith("conversation.md") and status == ""
    fns["chat._handlers.rate_message"](types.SimpleNamespace(index=last["index"], liked=False), turns, "", nobody)
    rows, _, ids, info = fns["feedback_panel._handlers.show_down"]("default", nobody)
    assert len(rows) == 1 and "1 thumbs-down" in info
    csv_path, _ = fns["feedback_panel._handlers.export_feedback"]("default", nobody)
    assert csv_path.endswith(".csv")
    *_, chosen, _ = fns["feedback_panel._handlers.choose"](ids[0], "default", nobody)
    assert "saved as FAQ" in fns["feedback_panel._handlers.correct"](chosen, CORRECTED, "default", nobody)
    heading, metric_rows, charts = fns["eval_tab._handlers.latest"]()
    assert metric_rows == [] and charts == []
