"""What the app's buttons do, without Gradio: per-file upload results, escaping, exports, feedback, access."""

import pytest

from assistant.app import actions as app_actions
from assistant.app.feedback import FeedbackStore, default_path
from assistant.auth import UserStore
from assistant.errors import PermissionDeniedError
from assistant.service import Assistant
from assistant.workflows.document import WorkDocument


@pytest.fixture
def assistant(hash_settings):
    return Assistant(hash_settings)


def _md(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path), path.name


def test_upload_reports_each_file(assistant, tmp_path):
    good = _md(tmp_path / "note.md", "# Note\n\nFirst pass yield rose from 91% to 97% after poka-yoke.\n")
    fake = _md(tmp_path / "scan.pdf", "plain text, not a PDF")
    rows = app_actions.upload(assistant, None, [good, fake], "default")
    assert [r["status"] for r in rows] == ["ingested", "failed"]
    assert "not a PDF" in rows[1]["detail"] and not (assistant.settings.data_dir / "uploads/default/scan.pdf").exists()
    assert app_actions.upload(assistant, None, [good], "default")[0]["status"] == "skipped"
    sources = [s["source"] for s in assistant.list_sources("default")["sources"]]
    assert any(s.endswith("uploads/default/note.md") for s in sources)
    table = app_actions.table(rows, app_actions.UPLOAD_COLUMNS)
    assert table[0][:2] == ["note.md", "ingested"]


def test_upload_outside_the_upload_folder_is_refused(assistant, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = _md(tmp_path / "elsewhere.md", "# Elsewhere\n\nNot uploaded through the app.\n")
    [row] = app_actions.upload(assistant, None, [outside], "default", upload_root=inbox)
    assert row["status"] == "failed" and "not uploaded through the app" in row["detail"]


def test_viewer_may_not_upload(hash_settings, tmp_path):
    store = UserStore(tmp_path / "users.json")
    viewer = store.add_user("vic", "viewer-pass", "viewer")
    assistant = Assistant(hash_settings.model_copy(update={"auth_file": tmp_path / "users.json"}))
    with pytest.raises(PermissionDeniedError):
        app_actions.upload(assistant, viewer, [_md(tmp_path / "a.md", "# A\n\ntext\n")], "default")
    assert not (hash_settings.data_dir / "uploads").exists()


def test_preview_escapes_document_markup_and_exports_three_formats(assistant):
    doc = WorkDocument("strategy", "Plan <b>", "en")
    doc.section("Steps").add("paragraph", ["Run <script>alert(1)</script> checks [1]."])
    shown = app_actions.preview(doc)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    paths = app_actions.export_files(assistant, doc)
    assert sorted(p.rsplit(".", 1)[1] for p in paths) == ["docx", "md", "pdf"]
    assert all(p.startswith(str(assistant.settings.data_dir / "exports")) for p in paths)


def test_feedback_is_stored_with_the_cited_chunks(assistant):
    answer = {"answer": "NPS = promoters - detractors [1]", "backend_used": "extractive",
              "citations": [{"n": 1, "chunk_id": "abc123"}]}
    saved = app_actions.feedback(assistant, None, "up", "What is NPS?", answer, "good", "default")
    [row] = FeedbackStore(default_path(assistant.settings)).list()
    assert row["id"] == saved["id"] and row["chunk_ids"] == ["abc123"] and row["comment"] == "good"
