"""`qcassist bench --scale`, CI-sized: a synthetic knowledge base is built, asked, restarted and changed, and
every figure the README's scale table shows is reported."""

from evals.scale_bench import run_scale_bench


def test_a_small_scale_run_reports_every_figure():
    result = run_scale_bench(400)
    assert result["chunks"] == 400 and result["ingest_chunks_per_s"] > 0
    assert 0 < result["ask_p50_ms"] <= result["ask_p95_ms"] and result["rss_after_asks_mb"] > 0
    assert result["first_answer_after_start_s"] > 0 and result["disk_mb"] > 0
    assert set(result["one_file_change"]) == {"ingest_s", "next_answer_s"}
