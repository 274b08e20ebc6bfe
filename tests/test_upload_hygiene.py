"""Uploads leave nothing behind: the web server's received copies are deleted once handled (stored, refused or
not permitted), stored uploads that no knowledge base lists are swept at start-up, and the server refuses a file
over QCA_MAX_UPLOAD_MB while it arrives."""

import os
import time

import pytest

from assistant.app import actions as app_actions
from assistant.auth import UserStore
from assistant.errors import PermissionDeniedError
from assistant.service import Assistant
from tests.helpers import SMALL_CORPUS, running_app

pytestmark = pytest.mark.security


def _received(inbox, name, text):
    """A file as Gradio leaves it: in its own folder under the server's upload folder."""
    folder = inbox / f"hash-{name}"
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name), name


def test_received_files_are_deleted_whatever_happened_to_them(hash_settings, tmp_path):
    inbox = tmp_path / "gradio"
    assistant = Assistant(hash_settings)
    good = _received(inbox, "note.md", "# Note\n\nFirst pass yield rose from 91% to 97%.\n")
    fake = _received(inbox, "scan.pdf", "not a PDF")
    rows = app_actions.upload(assistant, None, [good, fake], "default", upload_root=inbox)
    assert [r["status"] for r in rows] == ["ingested", "failed"]
    assert list(inbox.iterdir()) == []  # both copies and their folders are gone; the stored one stays
    assert (hash_settings.data_dir / "uploads/default/note.md").is_file()

    store = UserStore(tmp_path / "users.json")
    viewer = store.add_user("vic", "viewer-pass", "viewer")
    secured = Assistant(hash_settings.model_copy(update={"auth_file": store.path}))
    refused = _received(inbox, "a.md", "# A\n\ntext\n")
    with pytest.raises(PermissionDeniedError):
        app_actions.upload(secured, viewer, [refused], "default", upload_root=inbox)
    assert list(inbox.iterdir()) == []


def test_a_file_outside_the_upload_folder_is_never_deleted(hash_settings, tmp_path):
    inbox, outside = tmp_path / "gradio", tmp_path / "precious.md"
    inbox.mkdir()
    outside.write_text("# Keep me\n\ntext\n", encoding="utf-8")
    app_actions.upload(Assistant(hash_settings), None, [(str(outside), "precious.md")], "default", upload_root=inbox)
    assert outside.is_file()


def test_orphan_uploads_are_swept_and_listed_ones_kept(hash_settings, tmp_path):
    assistant = Assistant(hash_settings)
    inbox = tmp_path / "gradio"
    app_actions.upload(assistant, None, [_received(inbox, "kept.md", "# Kept\n\nCpk 1.33.\n")], "default",
                       upload_root=inbox)
    folder = hash_settings.data_dir / "uploads/default"
    old_orphan, young_orphan, half_copy = folder / "killed.md", folder / "in-progress.md", folder / ".x.md.abc.part"
    for path in (old_orphan, young_orphan, half_copy):
        path.write_text("# Orphan\n", encoding="utf-8")
    an_hour_ago = time.time() - app_actions.ORPHAN_MIN_AGE_SECONDS - 1
    for path in (old_orphan, half_copy):
        os.utime(path, (an_hour_ago, an_hour_ago))
    removed = app_actions.sweep_orphan_uploads(Assistant(hash_settings))
    assert sorted(p.name for p in removed) == sorted([old_orphan.name, half_copy.name])
    assert sorted(p.name for p in folder.iterdir()) == ["in-progress.md", "kept.md"]


@pytest.mark.integration
@pytest.mark.security
def test_each_export_removes_exports_older_than_an_hour(hash_settings):
    """Repeated downloads (charts, documents, conversations) cannot fill the disk."""
    assistant = Assistant(hash_settings)
    old, recent = app_actions.export_folder(assistant, "old-"), app_actions.export_folder(assistant, "recent-")
    (old / "chart.png").write_bytes(b"x")
    hour_ago = time.time() - app_actions.EXPORT_KEEP_SECONDS - 1
    os.utime(old, (hour_ago, hour_ago))
    new = app_actions.export_folder(assistant, "new-")
    assert not old.exists() and recent.is_dir() and new.is_dir()


def test_the_server_refuses_a_file_over_the_upload_limit_as_it_arrives(tmp_path):
    import requests

    with running_app(tmp_path / "data", SMALL_CORPUS, max_upload_mb="1") as url:
        big = requests.post(f"{url}gradio_api/upload", files={"files": ("big.md", b"# Big\n" + b"x" * 1_500_000)},
                            timeout=60)
        small = requests.post(f"{url}gradio_api/upload", files={"files": ("small.md", b"# Small\n\ntext\n")},
                              timeout=60)
    assert big.status_code == 413 and small.status_code == 200, (big.status_code, big.text[:200])
