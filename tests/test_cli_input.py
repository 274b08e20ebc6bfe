"""Careless input to the command line: a malformed batch is `error:` and exit 2 before any answer, text in a
legacy encoding is read with a note naming the encoding (never guessed silently), a line without spaces cannot
make a giant chunk, NUL bytes never reach a chunk, and one missing path fails alone."""

import json
import os
import random
import string
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.security
QCASSIST = [sys.executable, "-m", "assistant.cli.main"]
GERMAN = "Qualitätskontrolle für Zulieferer: Prüfung der Maße und der Oberflächengüte an jedem Los. " * 3


def run(args, data_dir):
    env = {**os.environ, "QCA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "QCA_EMBEDDING_MODEL": "hash"}
    return subprocess.run(QCASSIST + args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


@pytest.mark.parametrize("line, message", [
    ({"id": 1, "question": 123}, "'question' must be non-empty text"),
    ({"id": 1, "question": "What is NPS?", "industry": 5}, "'industry' must be text"),
    ({"id": 1, "question": "What is NPS?", "history": "x"}, "'history' must be a list"),
    ({"question": "What is NPS?"}, "needs an 'id'"),
])
def test_a_malformed_batch_line_is_an_error_before_any_answer(tmp_path, line, message):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": 0, "question": "What is Cpk?"}) + "\n" + json.dumps(line) + "\n")
    proc = run(["ask", "--batch", str(batch)], tmp_path / "data")
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and message in proc.stderr and ":2:" in proc.stderr


def test_a_batch_file_that_is_not_utf8_is_an_error(tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(json.dumps({"id": 1, "question": "质量"}, ensure_ascii=False).encode("gb18030"))
    proc = run(["ask", "--batch", str(batch)], tmp_path / "data")
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_careless_files_ingest_safely_and_a_missing_path_fails_alone(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lieferanten.txt").write_bytes(GERMAN.encode("cp1252"))
    blob = "".join(random.Random(0).choices(string.ascii_letters, k=1_000_000))  # one "word" of 1 MB
    (docs / "blob.txt").write_text(f"# Blob\n\n客户满意{blob}\n", encoding="utf-8")
    (docs / "nul.md").write_bytes(b"# Note\n\n" + b"Cpk 1.33. " * 500 + b"\x00hidden\n")
    proc = run(["ingest", str(docs / "lieferanten.txt"), str(tmp_path / "missing.md"), str(docs / "blob.txt"),
                str(docs / "nul.md"), "--json"], tmp_path / "data")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["files_ok"] == 2, proc.stderr
    failed = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in report["files_failed"]}
    assert failed == {"missing.md": "path does not exist", "nul.md": failed["nul.md"]} and "NUL" in failed["nul.md"]
    [note] = report["notes"]
    assert note["path"].endswith("lieferanten.txt") and "not UTF-8: read as cp125" in note["note"]

    from assistant.config import Settings
    from assistant.service import Assistant

    chunks = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hash", _env_file=None)).kb().all_chunks()
    assert any("Qualitätskontrolle" in c.text for c in chunks)  # the umlauts came through
    longest = max(len(c.text) for c in chunks)
    assert longest <= Settings(_env_file=None).chunk_tokens * 8 and len(chunks) > 700  # the blob, cut to size
