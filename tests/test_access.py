"""Access control enforced by Assistant itself: restricted knowledge bases and who may change documents."""

import pytest

from assistant.auth import UserStore
from assistant.errors import BadInputError, PermissionDeniedError
from assistant.service import Assistant
from tests.helpers import ROOT

pytestmark = pytest.mark.security

DOC = ROOT / "corpus/en/customer-metrics.md"


def test_without_auth_file_everything_is_allowed(hash_settings):
    assistant = Assistant(hash_settings)
    assert assistant.access() is None and assistant.user_for("anyone") is None
    report = assistant.ingest([DOC], "secret", progress=False)
    assert report.files_ok == 1
    assert assistant.search("Net Promoter Score", "secret").hits


def test_editor_ingests_and_viewer_cannot(secured):
    assistant, viewer, editor = secured
    with pytest.raises(PermissionDeniedError, match="may not change documents"):
        assistant.ingest([DOC], "default", progress=False, user=viewer)
    assert assistant.ingest([DOC], "secret", progress=False, user=editor).files_ok == 1
    with pytest.raises(PermissionDeniedError):
        assistant.delete_source("corpus/en/customer-metrics.md", "secret", user=viewer)


def test_viewer_cannot_read_a_kb_restricted_to_another_role(secured):
    assistant, viewer, editor = secured
    assistant.ingest([DOC], "secret", progress=False, user=editor)
    assert assistant.search("Net Promoter Score", "secret", user=editor).hits
    for call in (lambda: assistant.search("Net Promoter Score", "secret", user=viewer),
                 lambda: assistant.ask("How is NPS calculated?", "secret", user=viewer),
                 lambda: assistant.stream("How is NPS calculated?", "secret", user=viewer),
                 lambda: assistant.list_sources("secret", user=viewer)):
        with pytest.raises(PermissionDeniedError, match="no access to knowledge base 'secret'"):
            call()
    assert assistant.kb_names(viewer) == ["default"] and "secret" in assistant.kb_names(editor)


def test_unknown_signed_in_name_is_refused(secured):
    assistant, _, editor = secured
    assert assistant.user_for("eda") == editor
    with pytest.raises(PermissionDeniedError, match="sign in"):
        assistant.user_for("ghost")
    with pytest.raises(PermissionDeniedError, match="sign in"):
        assistant.user_for(None)


def test_rebuild_reingests_every_source_and_refuses_when_a_file_is_gone(secured, tmp_path):
    assistant, viewer, editor = secured
    gone = tmp_path / "gone.md"
    gone.write_text("# Gone\n\nA note on pallet labels that will be deleted from disk.\n", encoding="utf-8")
    assistant.ingest([DOC], "secret", progress=False, user=editor)
    before = assistant.stats("secret")["chunks"]
    with pytest.raises(PermissionDeniedError):
        assistant.rebuild("secret", user=viewer)
    done = assistant.rebuild("secret", user=editor)
    assert done["sources"] == 1 and done["chunks"] == before == assistant.stats("secret")["chunks"]
    assistant.ingest([gone], "secret", progress=False, user=editor)
    gone.unlink()
    with pytest.raises(BadInputError, match="gone"):
        assistant.rebuild("secret", user=editor)
    assert assistant.stats("secret")["sources"] == 2  # nothing was dropped


def test_a_request_chooses_only_an_offered_backend_and_only_an_admin_chooses(secured, tmp_path):
    assistant, viewer, editor = secured
    assistant = Assistant(assistant.settings.model_copy(update={"backends": ["extractive", "llamacpp:bundled"]}))
    admin = UserStore(assistant.settings.auth_file).add_user("ann", "admin-pass", "admin")
    real_file = tmp_path / "model.gguf"
    real_file.write_bytes(b"GGUF")
    for requested in (f"llamacpp:{real_file}", f"llamacpp:{tmp_path / 'missing.gguf'}", "openai:any-model"):
        for user in (viewer, admin):  # not even an admin names a file: model paths come from settings only
            with pytest.raises(PermissionDeniedError, match="not offered here") as refused:
                assistant.check_backend(requested, user)
            assert str(tmp_path) not in str(refused.value)  # nothing tells whether a file exists
    assert [assistant.check_backend(b, viewer) for b in (None, "", "extractive")] == [None, None, None]
    for user in (viewer, editor):
        with pytest.raises(PermissionDeniedError, match="only an admin"):
            assistant.check_backend("llamacpp:bundled", user)
    assert assistant.check_backend("llamacpp:bundled", admin) == "llamacpp:bundled"


def test_an_open_app_offers_the_configured_backends_to_anyone(hash_settings):
    assistant = Assistant(hash_settings.model_copy(update={"backend": "ollama:qwen", "backends": ["extractive"]}))
    assert assistant.settings.offered_backends == ["ollama:qwen", "extractive"]
    assert assistant.check_backend("extractive") == "extractive"
    with pytest.raises(PermissionDeniedError, match="not offered here"):
        assistant.check_backend("llamacpp:/etc/hostname")
