"""`qcassist bench --scale`, CI-sized: a synthetic knowledge base is built, asked, restarted and changed, and
every figure the README's scale table shows is reported."""

import json

import typer
from typer.testing import CliRunner

from evals.cli import add_commands


def test_a_small_scale_series_reports_every_figure_and_its_ratio_to_the_smallest():
    app = typer.Typer()
    add_commands(app)
    done = CliRunner().invoke(app, ["bench", "--scale", "400", "--scale", "200", "--json"])
    assert done.exit_code == 0, done.output
    small, result = json.loads(done.output)["runs"]
    assert small["chunks"] == 200 and "ratio_to_smallest" not in small
    assert result["ratio_to_smallest"]["ask_p50_ms"] == round(result["ask_p50_ms"] / small["ask_p50_ms"], 2)
    assert result["chunks"] == 400 and result["ingest_chunks_per_s"] > 0
    assert 0 < result["ask_p50_ms"] <= result["ask_p95_ms"] and result["rss_after_asks_mb"] > 0
    assert result["first_answer_after_start_s"] > 0 and result["disk_mb"] > 0
    assert result["kb_stats_chunks"] == 400 and result["kb_stats_ms"] > 0
    assert set(result["one_file_change"]) == {"ingest_s", "answer_before_s", "next_answer_s"}


def test_the_encoder_alone_is_timed_on_the_chunks_ingest_embedded(tmp_path, monkeypatch):
    from assistant.config import Settings
    from assistant.service import Assistant
    from evals.bench import encoder_seconds

    text = "# SPC\n\n控制图用于监控过程。\n\nControl charts separate common and special causes.\n"
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hash", _env_file=None))
    assistant.ingest([tmp_path / "a.md"], progress=False)
    embedded: list[int] = []
    original = assistant.embedder.embed
    monkeypatch.setattr(assistant.embedder, "embed", lambda texts: embedded.append(len(texts)) or original(texts))
    assert encoder_seconds(assistant) > 0
    assert embedded == [assistant.kb().count()]
