"""`qcassist bench --scale N`: how a knowledge base of N chunks behaves. Builds it from corpus sentences recombined
into synthetic documents (the `hash` embedder unless told otherwise, so everything but the model is measured),
then reports ingest chunks/s, ask p50/p95, the first answer after a restart, the answer after a one-file change,
memory and disk. Each phase that a new process would pay for runs in a fresh process."""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.text import split_sentences

ROOT = Path(__file__).resolve().parent.parent
CHUNKS_PER_DOCUMENT = 200  # sections per synthetic file, one sentence group each
SENTENCES_PER_SECTION = 3
QUESTIONS = 50
SEED = 0
RATIO_KEYS = ("ask_p50_ms", "ask_p95_ms", "first_answer_after_start_s", "rss_after_asks_mb")
CHANGED_FILE = "# 变更\n\n## 新增\n供应商丙的来料合格率为97.6%。\n"
CHANGED_QUESTION = "供应商丙的来料合格率是多少？"


def corpus_sentences() -> list[str]:
    sentences = []
    for path in sorted((ROOT / "corpus").rglob("*.md")):
        sentences += [s for s in split_sentences(path.read_text(encoding="utf-8"))
                      if len(s) > 12 and not s.startswith(("#", "-", "title:", "lang:"))]
    return sentences


def write_documents(folder: Path, chunks: int) -> None:
    """Files of CHUNKS_PER_DOCUMENT short sections, each a random recombination of corpus sentences (in the
    corpus's mix of Chinese and English), so that no two sections are the same chunk."""
    rng, sentences = random.Random(SEED), corpus_sentences()
    for number in range(0, chunks, CHUNKS_PER_DOCUMENT):
        sections = [f"## 第{number + n}节 Section {number + n}\n"
                    + " ".join(rng.sample(sentences, SENTENCES_PER_SECTION))
                    for n in range(min(CHUNKS_PER_DOCUMENT, chunks - number))]
        path = folder / f"synthetic-{number // CHUNKS_PER_DOCUMENT:05d}.md"
        path.write_text(f"# Synthetic {number}\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


def questions() -> list[str]:
    items = [json.loads(line) for line in (ROOT / "evals/datasets/qc_eval.jsonl").read_text("utf-8").splitlines()]
    return [item["question"] for item in items][:QUESTIONS]


def run_scale_bench(chunks: int, embedding_model: str = "hash") -> dict:
    with tempfile.TemporaryDirectory(prefix="qca-scale-") as tmp:
        data_dir, docs = Path(tmp) / "data", Path(tmp) / "docs"
        docs.mkdir()
        write_documents(docs, chunks)
        ingest = _phase("ingest", data_dir, embedding_model, paths=[str(docs)])  # a folder: 1M chunks = 5,000 files
        asks = _phase("asks", data_dir, embedding_model)
        restart = _phase("first_answer", data_dir, embedding_model)
        change = docs / "changed.md"
        change.write_text(CHANGED_FILE, encoding="utf-8")
        changed = _phase("after_change", data_dir, embedding_model, paths=[str(change)])
        disk = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file())
    return {"chunks": ingest["chunks"], "embedding_model": embedding_model,
            "ingest_chunks_per_s": round(ingest["chunks"] / ingest["seconds"], 1),
            "ask_p50_ms": asks["p50_ms"], "ask_p95_ms": asks["p95_ms"],
            "first_answer_after_start_s": restart["seconds"], "rss_after_asks_mb": asks["rss_mb"],
            "kb_stats_ms": asks["stats_ms"], "kb_stats_chunks": asks["stats_chunks"],
            "one_file_change": changed, "disk_mb": round(disk / 1e6, 1)}


def run_scale_series(sizes: list[int], embedding_model: str = "hash") -> dict:
    """Several sizes in one run, each figure also as its ratio to the smallest size's (the issue's targets are
    ratios to a 1k-chunk base measured in the same run)."""
    runs = [run_scale_bench(size, embedding_model) for size in sorted(sizes)]
    base = runs[0]
    for run in runs[1:]:
        run["ratio_to_smallest"] = {key: round(run[key] / base[key], 2) for key in RATIO_KEYS if base[key]}
    return {"runs": runs}


def _phase(name: str, data_dir: Path, embedding_model: str, paths: list[str] | None = None) -> dict:
    """One phase in a fresh process, as a restarted app or a separate CLI call would run it."""
    spec = json.dumps({"phase": name, "data_dir": str(data_dir), "model": embedding_model, "paths": paths or []})
    done = subprocess.run([sys.executable, "-m", "evals.scale_bench", spec], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _in_process(spec: dict) -> dict:
    from assistant.config import Settings
    from assistant.service import Assistant

    started = time.perf_counter()
    assistant = Assistant(Settings(data_dir=Path(spec["data_dir"]), embedding_model=spec["model"], _env_file=None))
    if spec["phase"] == "ingest":
        report = assistant.ingest([Path(p) for p in spec["paths"]], progress=False)
        return {"chunks": report.chunks_added, "seconds": time.perf_counter() - started}
    if spec["phase"] == "first_answer":
        assistant.ask(questions()[0])
        return {"seconds": round(time.perf_counter() - started, 2)}
    if spec["phase"] == "after_change":
        assistant.ask(questions()[0])  # a warm app, then a file changes
        answer_before = _seconds(assistant.ask, CHANGED_QUESTION)  # the same question as a normal answer
        ingest = _seconds(assistant.ingest, [Path(p) for p in spec["paths"]], progress=False)
        return {"ingest_s": ingest, "answer_before_s": answer_before,
                "next_answer_s": _seconds(assistant.ask, CHANGED_QUESTION)}
    assistant.ask(questions()[0])  # warm
    latencies = []
    for question in questions():
        start = time.perf_counter()
        assistant.ask(question)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    started = time.perf_counter()
    chunks = assistant.stats()["chunks"]
    return {"stats_ms": round((time.perf_counter() - started) * 1000, 1), "stats_chunks": chunks,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _seconds(call, *args, **kwargs) -> float:
    started = time.perf_counter()
    call(*args, **kwargs)
    return round(time.perf_counter() - started, 2)


if __name__ == "__main__":
    print(json.dumps(_in_process(json.loads(sys.argv[1]))))
