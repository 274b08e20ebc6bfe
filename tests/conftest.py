"""Shared fixtures: settings in a temporary data dir, the real corpus ingested once per session, file makers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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


def make_pdf(path: Path, pages: list[list[str]], encrypt: str | None = None) -> Path:
    """A real PDF with a CJK font, one list of lines per page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    kwargs = {"encrypt": encrypt} if encrypt else {}
    pdf = canvas.Canvas(str(path), **kwargs)
    for lines in pages:
        pdf.setFont("STSong-Light", 11)
        for row, line in enumerate(lines):
            pdf.drawString(50, 800 - 15 * row, line)
        pdf.showPage()
    pdf.save()
    return path
