"""The qcassist console script as a user runs it: JSON on stdout, exit codes 0 / 1 / 2."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.integration
QCASSIST = [sys.executable, "-m", "assistant.cli.main"]


def run(args, data_dir, check_code=0):
    env = {**os.environ, "QCA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(QCASSIST + args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == check_code, proc.stderr
    return proc


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli-data")
    docs = tmp_path_factory.mktemp("cli-docs")
    for name in ("zh/case-auto-lean.md", "en/customer-metrics.md", "zh/satisfaction-metrics.md"):
        (docs / name.replace("/", "-")).write_bytes((ROOT / "corpus" / name).read_bytes())
    (docs / "broken.pdf").write_bytes(b"garbage")
    return data_dir, docs


def test_ingest_reports_failures_with_exit_1_and_is_incremental(cli_data):
    data_dir, docs = cli_data
    first = json.loads(run(["ingest", str(docs), "--json"], data_dir, check_code=1).stdout)
    assert first["files_ok"] == 3 and first["chunks_added"] > 0
    assert first["files_failed"][0]["path"].endswith("broken.pdf")
    assert set(first) == {"kb", "files_ok", "files_failed", "chunks_added", "chunks_unchanged", "chunks_removed",
                          "seconds", "notes"}
    (docs / "broken.pdf").unlink()
    again = json.loads(run(["ingest", str(docs), "--json"], data_dir).stdout)
    assert again["chunks_added"] == 0 and again["chunks_unchanged"] == first["chunks_added"]


def test_ask_json_follows_the_contract(cli_data):
    data_dir, _ = cli_data
    answer = json.loads(run(["ask", "某汽车制造商实施精益生产后客户投诉率下降了多少？", "--json"], data_dir).stdout)
    assert {"question", "standalone_question", "language", "answer", "refused", "backend_used", "notes",
            "citations", "grounding", "timings_ms"} <= set(answer)
    assert "40%" in answer["answer"] and answer["citations"][0]["n"] == 1
    assert {"n", "source", "title", "page", "section", "chunk_id", "quote"} <= set(answer["citations"][0])
    assert {"retrieve", "generate", "total"} <= set(answer["timings_ms"])
    assert {c["chunk_id"] for c in answer["citations"]} <= set(answer["retrieved"])  # cited among retrieved


def test_ask_batch_prints_one_answer_per_line_with_ids(cli_data, tmp_path):
    data_dir, _ = cli_data
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "How is NPS calculated?"}\n{"id": "b", "question": "红烧肉怎么做"}\n',
                     encoding="utf-8")
    lines = run(["ask", "--batch", str(batch)], data_dir).stdout.strip().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["id"] for a in answers] == ["a", "b"]
    assert not answers[0]["refused"] and answers[1]["refused"]


def test_ask_with_history_rewrites_the_follow_up(cli_data, tmp_path):
    data_dir, _ = cli_data
    history = tmp_path / "h.json"
    history.write_text(json.dumps([{"role": "user", "content": "How is NPS calculated?"},
                                   {"role": "assistant", "content": "..."}]), encoding="utf-8")
    answer = json.loads(run(["ask", "and CSAT?", "--history", str(history), "--json"], data_dir).stdout)
    assert answer["standalone_question"] == "How is CSAT calculated?"  # the new acronym in the old one's place


def test_kb_list_stats_delete(cli_data):
    data_dir, _ = cli_data
    listing = json.loads(run(["kb", "list", "--json"], data_dir).stdout)
    assert len(listing["sources"]) == 3 and {"source", "title", "chunks", "ingested_at"} <= set(listing["sources"][0])
    stats = json.loads(run(["kb", "stats", "--json"], data_dir).stdout)
    assert stats["sources"] == 3 and stats["by_lang"]["zh"] > 0 and stats["by_lang"]["en"] > 0
    source = listing["sources"][0]["source"]
    deleted = json.loads(run(["kb", "delete", source, "--json"], data_dir).stdout)
    assert deleted["chunks_removed"] == listing["sources"][0]["chunks"] and deleted["file_removed"] is False
    assert json.loads(run(["kb", "stats", "--json"], data_dir).stdout)["sources"] == 2


@pytest.mark.parametrize(
    "args",
    [["ask", "   "], ["ask", "x", "--industry", "astrology"], ["ingest", "x.md", "--kb", "../bad"],
     ["kb", "delete", "nope.md"], ["search", "x", "--kb", "../bad"], ["ask", "--batch", "/no/such.jsonl"]],
)
def test_bad_input_exits_2_with_one_line_error(cli_data, args):
    data_dir, _ = cli_data
    proc = run(args + ["--json"], data_dir, check_code=2)
    assert proc.stdout == "" and proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error:")


def test_work_product_commands_write_files_and_fail_fast_on_bad_options(cli_data, tmp_path):
    data_dir, docs = cli_data
    run(["ingest", *(str(p) for p in sorted(docs.glob("*.md")))], data_dir)  # unchanged files are skipped
    assert "known industries" in run(["strategy", "--industry", "火箭"], data_dir, check_code=2).stderr
    assert "needs -o" in run(["onboarding", "--topic", "NPS", "--format", "pdf"], data_dir, check_code=2).stderr
    assert "NAME=VALUE" in run(["draft", "--industry", "automotive", "--client", "X", "--problem", "投诉",
                                "--kpi", "NPS"], data_dir, check_code=2).stderr
    strategy = json.loads(run(["strategy", "--industry", "汽车", "--problem", "客户投诉率高", "--json"],
                              data_dir).stdout)
    assert strategy["industry"] == "automotive" and strategy["strategies"] and strategy["coverage"]["thin"]
    assert strategy["grounding"]["supported_ratio"] == 1.0
    out = tmp_path / "nps.pdf"
    module = json.loads(run(["onboarding", "--topic", "NPS", "--lang", "en", "--length", "short", "-o", str(out),
                             "--json"], data_dir).stdout)
    assert module["output"] == str(out) and out.read_bytes().startswith(b"%PDF-") and module["quiz"]
    printed = run(["draft", "--industry", "automotive", "--client", "示例客户", "--problem", "客户投诉率高",
                   "--kpi", "客户投诉率=2%"], data_dir).stdout
    assert "KPI目标" in printed and "依据检查" in printed
