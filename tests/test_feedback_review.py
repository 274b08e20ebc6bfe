"""Reviewing thumbs-down answers without ids: the list, choosing one (its answer and citations), refusing what the
server did not list for that knowledge base, saving the correction as an FAQ entry; real Chroma, hash embedder."""

import sqlite3
import types

import pytest

from assistant.app import actions as app_actions
from assistant.app import feedback_review as review
from assistant.app.feedback import FeedbackStore
from assistant.errors import BadInputError, PermissionDeniedError
from tests.helpers import ui_callbacks

QUESTION = "How is the Net Promoter Score calculated?"
CORRECTED = "NPS is the share of promoters minus the share of detractors, from -100 to 100."
REFUSED = "choose one of the thumbs-down answers listed"


def _rate(assistant, user, rating, question=QUESTION, kb="default", comment=""):
    answer = assistant.ask(question, kb, user=user).to_dict()
    return app_actions.feedback(assistant, user, rating, question, answer, comment, kb)["id"], answer


@pytest.fixture
def rated(secured):
    """default: a thumbs-up, then two thumbs-down (the second with markup); 'secret': a thumbs-down."""
    assistant, viewer, editor = secured
    up, _ = _rate(assistant, viewer, "up")
    first, answer = _rate(assistant, viewer, "down", comment="misses the scale")
    second, _ = _rate(assistant, viewer, "down", "What is <b>CSAT</b>?", comment="<script>x()</script>")
    assistant.ingest(_small_doc(assistant), "secret", progress=False, user=editor)
    foreign, _ = _rate(assistant, editor, "down", "What does the secret note say?", kb="secret")
    return assistant, viewer, editor, {"up": up, "first": first, "second": second, "foreign": foreign,
                                       "answer": answer}


def _small_doc(assistant):
    path = assistant.settings.data_dir.parent / "secret-note.md"
    path.write_text("# Secret note\n\nThe secret note says the audit is on Friday.\n", encoding="utf-8")
    return [path]


def test_the_list_holds_the_kbs_thumbs_down_newest_first(rated):
    assistant, viewer, editor, ids = rated
    listed = review.review_list(assistant, editor, "default")
    assert listed["ids"] == [ids["second"], ids["first"]] and listed["total"] == 2
    assert [row[0] for row in listed["rows"]] == listed["ids"]
    number, date, question, answer, comment, user, faq = listed["rows"][1]
    assert question == QUESTION and comment == "misses the scale" and user == "vic" and faq == ""
    assert answer.startswith(ids["answer"]["answer"][:100]) and len(date) == 16
    label, value = listed["choices"][1]
    assert label == f"{date} · {QUESTION}" and value == ids["first"]
    assert review.review_list(assistant, editor, "secret")["ids"] == [ids["foreign"]]
    with pytest.raises(PermissionDeniedError):
        review.review_list(assistant, viewer, "default")


def test_choosing_shows_the_answer_with_its_citations_escaped(rated):
    assistant, viewer, editor, ids = rated
    item = review.review_item(assistant, editor, "default", ids["first"])
    cited = ids["answer"]["citations"]
    assert item["answer"] == ids["answer"]["answer"] and item["cited"] and cited
    assert [p["n"] for p in item["passages"]] == [c["n"] for c in cited]
    assert [p["source"] for p in item["passages"]] == [c["source"] for c in cited]
    shown = review.item_markdown(item)
    assert "**Citations**" in shown and f"[{cited[0]['n']}]" in shown and "misses the scale" in shown
    markup = review.item_markdown(review.review_item(assistant, editor, "default", str(ids["second"])))
    assert "&lt;b&gt;CSAT&lt;/b&gt;" in markup and "&lt;script&gt;x()&lt;/script&gt;" in markup
    assert "<b>" not in markup and "<script>" not in markup


def test_anything_not_listed_for_the_kb_is_refused_alike(rated):
    """A thumbs-up, another knowledge base's thumbs-down, a missing row and hostile values: one refusal, no crash."""
    assistant, viewer, editor, ids = rated
    for chosen in (ids["up"], ids["foreign"], ids["foreign"] + 100, "1 OR 1=1", None, True, -1, 0, 2**70, "9" * 5000,
                   "١", 1.0, [1], {"id": 1}):
        with pytest.raises(BadInputError, match=REFUSED):
            review.review_item(assistant, editor, "default", chosen)
        with pytest.raises(BadInputError, match=REFUSED):
            review.save_review(assistant, editor, "default", chosen, CORRECTED)
    assert not (assistant.settings.faq_dir("default")).exists()
    assert FeedbackStore(assistant.settings.feedback_db).corrections() == []


def test_saving_turns_the_chosen_answer_into_an_faq_entry(rated):
    assistant, viewer, editor, ids = rated
    with pytest.raises(PermissionDeniedError):
        review.save_review(assistant, viewer, "default", ids["first"], CORRECTED)
    done = review.save_review(assistant, editor, "default", ids["first"], CORRECTED)
    assert done["feedback_id"] == ids["first"] and done["chunks_added"] >= 1
    faq = assistant.settings.faq_dir("default") / f"faq-{ids['first']}.md"
    assert CORRECTED in faq.read_text(encoding="utf-8")
    rows = review.review_list(assistant, editor, "default")["rows"]
    assert {row[0]: row[-1] for row in rows} == {ids["first"]: "saved", ids["second"]: ""}
    assert assistant.ask(QUESTION, user=viewer).citations[0].source == done["source"]
    # deleting the entry deletes its file: nothing of it is left on disk
    assert assistant.delete_source(done["source"], "default", user=editor)["file_removed"] and not faq.exists()


def test_feedback_from_before_citations_were_kept(small_kb, tmp_path):
    """A database made before the 'cited' column gets it (empty) and shows the retrieved passages instead."""
    assistant = small_kb
    answer = assistant.ask(QUESTION).to_dict()
    path = assistant.settings.feedback_db
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, kb TEXT NOT "
                     "NULL, user TEXT NOT NULL, backend TEXT NOT NULL, rating TEXT NOT NULL, question TEXT NOT NULL, "
                     "answer TEXT NOT NULL, chunk_ids TEXT NOT NULL, comment TEXT NOT NULL)")
        conn.execute("INSERT INTO feedback (ts, kb, user, backend, rating, question, answer, chunk_ids, comment) "
                     "VALUES ('2024-05-01T08:00:00+00:00', 'default', '', 'extractive', 'down', ?, ?, ?, '')",
                     (QUESTION, answer["answer"], str(answer["retrieved"]).replace("'", '"')))
    item = review.review_item(assistant, None, "default", 1)
    assert not item["cited"] and [p["n"] for p in item["passages"]] == [None] * len(item["passages"])
    assert len(item["passages"]) == min(review.MAX_PASSAGES, len(answer["retrieved"]))
    assert "its citations were not kept then" in review.item_markdown(item)
    assert FeedbackStore(path).get(1)["cited"] == []


def test_a_client_cannot_store_malformed_citations(small_kb):
    answer = small_kb.ask(QUESTION).to_dict()
    answer["citations"][0]["n"] = "1; DROP TABLE feedback"
    with pytest.raises(BadInputError, match="citations"):
        app_actions.feedback(small_kb, None, "down", QUESTION, answer)


def test_the_panel_callbacks_pick_by_row_and_by_choice(rated):
    assistant, viewer, editor, ids = rated
    fns = ui_callbacks(assistant)
    eda, vic = types.SimpleNamespace(username="eda"), types.SimpleNamespace(username="vic")
    rows, choices, listed, status = fns["feedback_panel._handlers.show_down"]("default", eda)
    assert listed == [ids["second"], ids["first"]] and "2 thumbs-down answer(s)" in status
    assert "may not change documents" in fns["feedback_panel._handlers.show_down"]("default", vic)[3]
    shown, editor_text, chosen, picked = fns["feedback_panel._handlers.choose_row"](
        listed, "default", types.SimpleNamespace(index=[1, 2]), eda)
    assert chosen == picked == ids["first"] and editor_text == ids["answer"]["answer"] and QUESTION in shown
    skipped = fns["feedback_panel._handlers.choose_row"](listed, "default", types.SimpleNamespace(index=[7, 0]), eda)
    assert all(not isinstance(value, str | int) for value in skipped)  # a row the server did not list: nothing
    refused, *_ = fns["feedback_panel._handlers.choose"](ids["foreign"], "default", eda)
    assert REFUSED in refused
    assert "first" in fns["feedback_panel._handlers.correct"](None, CORRECTED, "default", eda)
    saved = fns["feedback_panel._handlers.correct"](chosen, CORRECTED, "default", eda)
    assert "saved as FAQ" in saved and f"faq-{ids['first']}.md" in saved
