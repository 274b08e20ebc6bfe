"""The knowledge base's sources as the app lists and changes them (assistant/app/source_actions.py): names people
see instead of server paths, the filter, deleting selected sources with their stored uploads, re-ingesting one.
Real Chroma and real files; the hash embedder keeps it fast."""

from __future__ import annotations

import pytest

from assistant.app import actions as app_actions
from assistant.app import source_actions
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.retrieval.sources import SourceSummary, display_names, remove_kept_file

pytestmark = pytest.mark.security


def _upload(assistant, tmp_path, name: str, text: str, kb: str = "default") -> None:
    received = tmp_path / "received"
    received.mkdir(exist_ok=True)
    (received / name).write_text(text, encoding="utf-8")
    [result] = app_actions.upload(assistant, None, [(str(received / name), name)], kb, received)
    assert result["status"] == "ingested", result


def _names(assistant, kb: str = "default", name_filter: str = "") -> list[str]:
    return [s["name"] for s in source_actions.list_sources(assistant, None, kb, name_filter)["sources"]]


def test_display_names_of_uploads_folder_files_and_absolute_paths():
    names = display_names(["uploads/default/Pallet check.md", "corpus/zh/8d.md", "/srv/docs/zh/a.md",
                           "/srv/docs/en/b.pdf", "uploads/other/x.md"], "uploads/default")
    assert names == {"uploads/default/Pallet check.md": "Pallet check.md", "corpus/zh/8d.md": "corpus/zh/8d.md",
                     "/srv/docs/zh/a.md": "zh/a.md", "/srv/docs/en/b.pdf": "en/b.pdf",
                     "uploads/other/x.md": "uploads/other/x.md"}
    assert display_names(["/home/q/notes/one.md"], "uploads/default") == {"/home/q/notes/one.md": "one.md"}
    # An upload and a file ingested from the working folder under the same name stay two names.
    twins = display_names(["uploads/default/a.md", "a.md"], "uploads/default")
    assert len(set(twins.values())) == 2 and all(n.startswith("a.md #") for n in twins.values())


def test_the_list_shows_names_type_language_size_and_filters_by_name(small_kb, tmp_path):
    text = "# Pallet inspection\n\nInbound pallets get a 12-point visual check.\n"
    _upload(small_kb, tmp_path, "Pallet-Inspection.md", text)
    folder = tmp_path / "docs" / "zh"  # a folder outside the working folder, ingested by its absolute path
    folder.mkdir(parents=True)
    (folder / "gauge.md").write_text("# 量具\n\n量具重复性与再现性低于百分之十可以接受。\n", encoding="utf-8")
    small_kb.ingest([tmp_path / "docs"], progress=False)
    listed = source_actions.list_sources(small_kb, None, "default", "")
    assert [s["name"] for s in listed["sources"]] == ["corpus/en/customer-metrics.md", "corpus/zh/8d.md",
                                                      "corpus/zh/case-auto-lean.md", "gauge.md",
                                                      "Pallet-Inspection.md"]
    upload = next(s for s in listed["sources"] if s["name"] == "Pallet-Inspection.md")
    assert upload["size"] == len(text.encode()) and upload["lang"] == "en" and upload["doc_type"]
    rows = source_actions.table_rows(listed["sources"])
    assert all(str(tmp_path) not in str(cell) for row in rows for cell in row)  # never a server path
    assert rows[-1][0] == "Pallet-Inspection.md" and rows[-1][5].endswith(" B") and len(rows[-1][4]) == 16
    assert _names(small_kb, name_filter="  pallet ") == ["Pallet-Inspection.md"]  # any case, spaces trimmed
    assert _names(small_kb, name_filter="corpus/zh") == ["corpus/zh/8d.md", "corpus/zh/case-auto-lean.md"]
    with pytest.raises(BadInputError, match="at most"):
        source_actions.list_sources(small_kb, None, "default", "x" * (source_actions.MAX_FILTER_CHARS + 1))


def test_a_knowledge_base_from_before_sizes_lists_them_empty(small_kb):
    kb = small_kb.kb()
    old = SourceSummary("corpus/zh/8d.md", "8D", "zh", 3, "2024-05-01T08:00:00+00:00", "")
    record = {k: v for k, v in old.__dict__.items() if k not in ("doc_type", "size")}  # as an old version wrote
    collection = kb.summaries._collection()
    collection.delete(ids=[old.source])  # an upsert would keep the fields it does not name
    collection.add(ids=[old.source], embeddings=[[0.0]], metadatas=[record])
    [row] = source_actions.table_rows(source_actions.list_sources(small_kb, None, "default", "8d.md")["sources"])
    assert row == ["corpus/zh/8d.md", 3, "zh", "", "2024-05-01 08:00", ""]


def test_delete_removes_the_stored_upload_and_refuses_names_not_listed(small_kb, tmp_path):
    _upload(small_kb, tmp_path, "note.md", "# Note\n\nGauge R&R below 10% is acceptable.\n")
    stored = small_kb.settings.uploads_dir("default") / "note.md"
    before = _names(small_kb)
    # Only names the knowledge base lists: not a source id, a path or a made-up name; nothing is deleted.
    for bad in (["note.md", "uploads/default/note.md"], [str(stored)], ["../../README.md"], "note.md", [3], []):
        with pytest.raises(BadInputError):
            source_actions.delete_sources(small_kb, None, bad, "default")
    assert _names(small_kb) == before and stored.is_file()
    done = source_actions.delete_sources(small_kb, None, ["note.md", "corpus/zh/8d.md"], "default")
    assert [(d["name"], d["file_removed"]) for d in done["deleted"]] == [("note.md", True),
                                                                        ("corpus/zh/8d.md", False)]
    assert not stored.exists() and "note.md" not in _names(small_kb) and "corpus/zh/8d.md" not in _names(small_kb)
    from tests.helpers import ROOT

    assert (ROOT / "corpus/zh/8d.md").is_file()  # a file ingested from its own folder is never deleted


def test_too_many_names_are_refused_before_any_work(small_kb):
    many = [f"n{i}.md" for i in range(source_actions.MAX_SELECTED + 1)]
    with pytest.raises(BadInputError, match=f"at most {source_actions.MAX_SELECTED}"):
        source_actions.delete_sources(small_kb, None, many, "default")


def test_only_a_file_inside_the_upload_folder_is_removed(small_kb, tmp_path):
    folder = small_kb.settings.uploads_dir("default")
    folder.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "precious.md"
    outside.write_text("keep me", encoding="utf-8")
    (folder / "link.md").symlink_to(outside)
    for source in ("uploads/default/link.md", "uploads/default/../../../precious.md", "uploads/default/"):
        assert remove_kept_file(small_kb.settings, "default", source) is False
    assert outside.read_text(encoding="utf-8") == "keep me"


def test_the_api_deletes_by_source_id_with_its_upload(small_kb, tmp_path):
    _upload(small_kb, tmp_path, "api-note.md", "# API note\n\nSampling plans follow ISO 2859-1.\n")
    with pytest.raises(BadInputError, match="is not a source"):
        source_actions.delete_source(small_kb, None, "api-note.md", "default")  # the API takes ids
    done = source_actions.delete_source(small_kb, None, "uploads/default/api-note.md", "default")
    assert done["name"] == "api-note.md" and done["file_removed"] and done["chunks_removed"] >= 1
    assert not (small_kb.settings.uploads_dir("default") / "api-note.md").exists()


def test_a_viewer_may_list_but_not_delete_or_reingest(secured):
    assistant, viewer, _ = secured
    assert "corpus/zh/8d.md" in [s["name"] for s in source_actions.list_sources(assistant, viewer)["sources"]]
    for act in (source_actions.delete_sources, source_actions.reingest_source, source_actions.selected_names):
        with pytest.raises(PermissionDeniedError):
            act(assistant, viewer, ["corpus/zh/8d.md"], "default")
    assert "corpus/zh/8d.md" in [s["name"] for s in source_actions.list_sources(assistant, viewer)["sources"]]


def test_reingest_one_source_from_its_upload_or_its_folder(small_kb, tmp_path):
    _upload(small_kb, tmp_path, "spc.md", "# SPC\n\nA point beyond 3 sigma signals a special cause.\n")
    assert source_actions.reingest_source(small_kb, None, ["spc.md"], "default")["unchanged"]
    stored = small_kb.settings.uploads_dir("default") / "spc.md"
    stored.write_text("# SPC\n\nSeven points in a row on one side of the centre line signal a shift.\n",
                      encoding="utf-8")
    done = source_actions.reingest_source(small_kb, None, ["spc.md"], "default")
    assert done["chunks_added"] >= 1 and not done["unchanged"] and _names(small_kb, name_filter="spc") == ["spc.md"]
    [listed] = source_actions.list_sources(small_kb, None, "default", "spc")["sources"]
    assert listed["size"] == stored.stat().st_size  # the size of the file as it is now
    assert "Seven points" in small_kb.kb().all_chunks(where={"source": "uploads/default/spc.md"})[0].text
    own = tmp_path / "own" / "capability.md"  # ingested by its path: re-read from there, under the same id
    own.parent.mkdir()
    own.write_text("# Capability\n\nCpk of 1.33 is the usual minimum.\n", encoding="utf-8")
    small_kb.ingest([own], progress=False)
    own.write_text("# Capability\n\nCpk of 1.67 is required for safety characteristics.\n", encoding="utf-8")
    assert not source_actions.reingest_source(small_kb, None, ["capability.md"], "default")["unchanged"]
    assert _names(small_kb, name_filter="capab") == ["capability.md"]
    with pytest.raises(BadInputError, match="select one source"):
        source_actions.reingest_source(small_kb, None, ["spc.md", "capability.md"], "default")
    own.unlink()
    with pytest.raises(BadInputError, match="'capability.md' is gone") as gone:
        source_actions.reingest_source(small_kb, None, ["capability.md"], "default")
    assert str(tmp_path) not in str(gone.value) and "capability.md" in _names(small_kb)


def test_the_public_endpoints_keep_their_names(hash_settings):
    """Gradio names even a private event after its function, first come first served: a handler called `ask`
    would take the name and move the /ask endpoint to /ask_1."""
    from assistant.app.ui.app_blocks import build_app
    from assistant.service import Assistant

    public = {f.api_name for f in build_app(Assistant(hash_settings)).fns.values() if f.api_visibility == "public"}
    assert public == {"ask", "upload", "search", "list_sources", "delete_source", "onboarding", "feedback"}


def test_a_citation_in_the_chat_and_its_export_never_shows_a_server_path():
    from assistant.app.ui.chat import render_answer
    from assistant.models import Answer, Citation

    citation = Citation(1, "/srv/qc/manuals/8d-deadline.md", "8D manual", None, "D3", "c1", "Contain within 24 h.")
    answer = Answer("8D D3 deadline?", "8D D3 deadline?", "en", "Contain within 24 h [1].", False, "extractive",
                    citations=[citation])
    shown = render_answer(answer)
    exported = app_actions.conversation_markdown([{"question": "q", "answer": answer.to_dict()}])
    assert "8d-deadline.md" in shown and "8d-deadline.md" in exported
    assert "/srv/qc" not in shown and "/srv/qc" not in exported


def test_deleting_a_source_through_the_service_removes_its_upload_too(small_kb, tmp_path):
    """What `qcassist kb delete` calls: the stored upload goes with the source, as in the app."""
    _upload(small_kb, tmp_path, "cli-note.md", "# CLI note\n\nAQL sampling follows ISO 2859-1.\n")
    done = small_kb.delete_source("uploads/default/cli-note.md")
    assert done["file_removed"] and done["chunks_removed"] >= 1
    assert not (small_kb.settings.uploads_dir("default") / "cli-note.md").exists()
