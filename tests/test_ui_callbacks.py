"""The app's callbacks called in-process (no server, hash embedder): each tab wires through to assistant/."""

import types

import pytest

from assistant.app.feedback import FeedbackStore, default_path
from assistant.auth import UserStore
from assistant.service import Assistant
from tests.helpers import ui_callbacks

NOBODY = types.SimpleNamespace(username=None)


@pytest.fixture
def app(small_kb):
    return small_kb, ui_callbacks(small_kb)


def test_chat_streams_then_thumbs_down_on_that_answer_is_stored(app):
    assistant, fns = app
    *_, (messages, cleared, last) = fns["chat._handlers.chat_turn"]("How is the Net Promoter Score calculated?", [],
                                                               "default", "", "", "", "", NOBODY)
    assert cleared == "" and messages[-1]["role"] == "assistant" and last["kb"] == "default"
    assert last["index"] == 1  # the answer's place in the conversation, which the thumbs under it report
    rate = fns["chat._handlers.rate_message"]
    status, comment = rate(types.SimpleNamespace(index=0, liked=False), [last], "?", NOBODY)
    assert "no answer" in status and comment == "?"  # the user's own message cannot be rated
    status, comment = rate(types.SimpleNamespace(index=1, liked=False), [last], "missing the formula", NOBODY)
    assert "saved" in status and comment == ""
    store = FeedbackStore(default_path(assistant.settings))
    [row] = store.list()
    retrieved = last["answer"]["retrieved"]
    assert row["rating"] == "down" and row["chunk_ids"] == retrieved
    assert {c["chunk_id"] for c in last["answer"]["citations"]} <= set(retrieved)
    [logged] = store.questions()  # the audit log holds every answered question
    assert logged["question"] == "How is the Net Promoter Score calculated?" and logged["chunk_ids"] == retrieved


def test_retrieval_tab_shows_scores(app):
    _, fns = app
    rows, info = fns["retrieval_tab.retrieval_tab.run"]("Net Promoter Score", "default", "", 3, NOBODY)
    assert rows and len(rows[0]) == 8 and rows[0][1].endswith("customer-metrics.md") and "Expanded" in info


def test_work_products_preview_and_files(app):
    _, fns = app
    preview, files = fns["docs_tab.onboarding_tab.run"]("Net Promoter Score", "", "short", "default", "en", NOBODY)
    assert preview.startswith("# ") and sorted(f.rsplit(".", 1)[1] for f in files) == ["docx", "md", "pdf"]
    preview, files = fns["docs_tab.strategy_tab.run"]("manufacturing", "customer complaints", "default", "", NOBODY)
    assert preview.startswith("# ") and len(files) == 3
    preview, files = fns["docs_tab.draft_tab.run"]("Acme", "manufacturing", "customer complaints", "NPS=31",
                                                   "default", "en", NOBODY)
    assert preview.startswith("# ") and len(files) == 3
    shown, nothing = fns["docs_tab.strategy_tab.run"]("astrology", "", "default", "", NOBODY)
    assert shown.startswith("⚠️") and nothing is None
    table, chart, info = fns["evidence_tab.evidence_tab.run"]("default", "", NOBODY)
    assert table and chart.endswith(".png") and "figures" in info


def test_kb_tab_upload_list_delete_create(app, tmp_path, monkeypatch):
    assistant, fns = app
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n\nNot uploaded.\n", encoding="utf-8")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    refused, _ = fns["kb_tab._handlers.show_upload"](fns["kb_tab._handlers.upload"]([str(outside)], "default", NOBODY))
    assert refused[0][1] == "failed" and "not uploaded through the app" in refused[0][2]
    tmp_path = tmp_path / "gradio"
    tmp_path.mkdir()
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nGauge R&R below 10% is acceptable.\n", encoding="utf-8")
    result = fns["kb_tab._handlers.upload"]([str(note)], "default", NOBODY)
    table, status = fns["kb_tab._handlers.show_upload"](result)
    assert table[0][1] == "ingested" and "1 file" in status
    rows, choices, count = fns["sources_panel._handlers.show_sources"]("default", "note", NOBODY)
    assert [row[0] for row in rows] == ["note.md"] and count.startswith("1 of 4 sources match")
    pending, *_ = fns["sources_panel._handlers.ask_delete"](["note.md"], "default", NOBODY)
    assert pending == {"kb": "default", "names": ["note.md"]}
    status, *_ = fns["sources_panel._handlers.confirm_delete"](pending, "", NOBODY)
    assert status.startswith("Deleted 1 source(s)") and "1 uploaded file(s)" in status
    made, _ = fns["kb_tab._handlers.create"]("team-b", NOBODY)
    assert "team-b" in made and "team-b" in assistant.kb_names()


def test_signed_in_viewer_sees_no_kb_management_and_only_readable_kbs(hash_settings, tmp_path):
    store = UserStore(tmp_path / "users.json")
    store.add_user("vic", "viewer-pass", "viewer")
    store.restrict_kb("secret", roles=["editor"])
    assistant = Assistant(hash_settings.model_copy(update={"auth_file": tmp_path / "users.json"}))
    assistant.kb("secret")
    signed_in = ui_callbacks(assistant)["app_blocks.build_app.signed_in"]
    label, panel, notice, *dropdowns = signed_in(types.SimpleNamespace(username="vic"))
    assert "vic" in label and panel.visible is False and notice.visible is True
    assert all(d.choices == [("default", "default")] for d in dropdowns)
