"""Shared fixtures: settings in a temporary data dir, the real corpus ingested once per session, the small corpus
with and without sign-in."""

from __future__ import annotations

import os

import pytest

from assistant.config import Settings
from tests.helpers import ROOT, SMALL_CORPUS

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _one_model_cache(tmp_path_factory):
    """Every data dir of the session, app processes included, shares one model cache: the int8 embedder is
    exported once (as for a user, whose app and CLI share a data dir), not once per test's data dir."""
    os.environ["QCA_MODEL_CACHE_DIR"] = str(tmp_path_factory.mktemp("models"))
    yield
    os.environ.pop("QCA_MODEL_CACHE_DIR", None)


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    # Sources are named relative to the working folder; the corpus is known as corpus/...
    monkeypatch.chdir(ROOT)


@pytest.fixture
def hash_settings(tmp_path) -> Settings:
    """Fast settings for unit tests: the deterministic hash embedder, a private data dir."""
    return Settings(data_dir=tmp_path / "data", embedding_model="hash", _env_file=None)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory):
    """The real bundled model and real embedded Chroma, with corpus/ ingested once."""
    from assistant.service import Assistant

    os.chdir(ROOT)
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-data"), _env_file=None)
    assistant = Assistant(settings)
    report = assistant.ingest([ROOT / "corpus"], progress=False)
    assert not report.files_failed, report.files_failed
    return assistant


@pytest.fixture
def small_kb(hash_settings):
    """The hash embedder over the small corpus in the default knowledge base."""
    from assistant.service import Assistant

    assistant = Assistant(hash_settings)
    assistant.ingest(SMALL_CORPUS, progress=False)
    return assistant


@pytest.fixture
def secured(small_kb, tmp_path):
    """small_kb behind sign-in: viewer 'vic', editor 'eda'; knowledge base 'secret' is for editors only."""
    from assistant.auth import UserStore
    from assistant.service import Assistant

    store = UserStore(tmp_path / "users.json")
    viewer, editor = store.add_user("vic", "viewer-pass", "viewer"), store.add_user("eda", "editor-pass", "editor")
    store.restrict_kb("secret", roles=["editor"])
    return Assistant(small_kb.settings.model_copy(update={"auth_file": store.path})), viewer, editor
