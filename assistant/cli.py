"""The `qcassist` command line: every command prints one JSON document with --json; exit 2 on bad input."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant import cli_docs
from assistant.cli_io import IndustryOpt, JsonOpt, KbOpt, fail, make_assistant
from assistant.cli_users import users_app
from assistant.errors import QCAError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="QC Assist: quality-control knowledge assistant.")
kb_app = typer.Typer(no_args_is_help=True, help="List, count or delete the sources of a knowledge base.")
app.add_typer(kb_app, name="kb")



def _emit(payload: Any, as_json: bool, human: str) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        typer.echo(human)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (PDF, Markdown, text, HTML, DOCX).")],
    kb: KbOpt = "default", as_json: JsonOpt = False,
    reindex: Annotated[bool, typer.Option("--reindex", help="Drop the knowledge base and rebuild it.")] = False,
) -> None:
    """Add or update documents; unchanged files are skipped, failed files are listed and skipped."""
    try:
        report = make_assistant().ingest(paths, kb, reindex=reindex)
    except QCAError as exc:
        fail(exc)
    lines = [f"{report.files_ok} file(s) ingested into '{kb}': {report.chunks_added} chunks added, "
             f"{report.chunks_unchanged} unchanged, {report.chunks_removed} removed in {report.seconds:.1f}s"]
    lines += [f"FAILED {f['path']}: {f['error']}" for f in report.files_failed]
    _emit(report.to_dict(), as_json, "\n".join(lines))
    if report.files_failed:
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in Chinese or English.")] = None,
    kb: KbOpt = "default", industry: IndustryOpt = None, as_json: JsonOpt = False,
    backend: Annotated[str | None, typer.Option(
        "--backend", help="extractive | llamacpp:PATH.gguf | llamacpp:bundled | openai:MODEL | ollama:MODEL")] = None,
    history: Annotated[Path | None, typer.Option("--history", help="JSON list of {role, content} turns.")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL file of {id, question} lines.")] = None,
) -> None:
    """Answer a question with numbered citations, or every question of a JSONL batch."""
    from assistant.cli_io import format_answer, read_batch, read_history

    try:
        if batch is not None:
            items = read_batch(batch)
            assistant = make_assistant()
            for item in items:
                answer = assistant.ask(item["question"], kb, item.get("industry") or industry, item.get("history"),
                                       backend)
                typer.echo(json.dumps({"id": item["id"], **answer.to_dict()}, ensure_ascii=False))
            return
        if not question:
            raise QCAError("give a QUESTION or --batch FILE.jsonl")
        answer = make_assistant().ask(question, kb, industry, read_history(history) if history else None, backend)
    except QCAError as exc:
        fail(exc)
    _emit(answer.to_dict(), as_json, format_answer(answer))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")], kb: KbOpt = "default",
    industry: IndustryOpt = None, k: Annotated[int, typer.Option("-k", min=1, max=50)] = 5, as_json: JsonOpt = False,
) -> None:
    """The retrieval debugger: ranked hits with dense, BM25 and fused scores and the matched terms."""
    try:
        result = make_assistant().search(query, kb, industry=industry, k=k)
    except QCAError as exc:
        fail(exc)
    lines = [f"expanded terms: {', '.join(result.expanded_terms) or '-'}"]
    for i, hit in enumerate(result.hits, start=1):
        lines.append(f"{i}. {hit.chunk.title} › {hit.chunk.section}  [{hit.chunk.source}]  fused={hit.fused_score:.4f} "
                     f"dense={hit.dense_score:.3f} bm25={hit.bm25_score:.2f} terms={','.join(hit.matched_terms)}")
    _emit(result.to_dict(), as_json, "\n".join(lines))


@kb_app.command("list")
def kb_list(kb: KbOpt = "default", as_json: JsonOpt = False) -> None:
    """Sources with chunk counts and ingest dates."""
    try:
        listing = make_assistant().list_sources(kb)
    except QCAError as exc:
        fail(exc)
    rows = [f"{s['source']}\t{s['chunks']}\t{s['ingested_at']}\t{s['title']}" for s in listing["sources"]]
    _emit(listing, as_json, "\n".join(rows) or f"knowledge base '{kb}' is empty")


@kb_app.command("stats")
def kb_stats(kb: KbOpt = "default", as_json: JsonOpt = False) -> None:
    """Counts of sources and chunks, by language."""
    try:
        stats = make_assistant().stats(kb)
    except QCAError as exc:
        fail(exc)
    _emit(stats, as_json, f"{stats['sources']} sources, {stats['chunks']} chunks, by language {stats['by_lang']}")


@kb_app.command("delete")
def kb_delete(source: Annotated[str, typer.Argument(help="Source as shown by 'kb list'.")], kb: KbOpt = "default",
              as_json: JsonOpt = False) -> None:
    """Remove every chunk of one source."""
    try:
        result = make_assistant().delete_source(source, kb)
    except QCAError as exc:
        fail(exc)
    _emit(result, as_json, f"removed {result['chunks_removed']} chunks of {source} from '{kb}'")


@app.command()
def bench(
    as_json: JsonOpt = False,
    backend: Annotated[list[str] | None, typer.Option("--backend", help="Repeat to compare backends.")] = None,
    questions: Annotated[int, typer.Option("--questions", min=1, max=100)] = 20,
    app_only: Annotated[bool, typer.Option("--app", help="Benchmark the running app instead: cold start, "
                                                         "browser latency, 10 users at once, memory.")] = False,
    llm: Annotated[bool, typer.Option("--llm", help="A local GGUF model in this process against its worker "
                                                    "process: first token, tokens/s.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="GGUF file for --llm (default: bundled).")] = None,
) -> None:
    """Time ingest, unchanged re-ingest, and per backend answer latency, first streamed text and grounding."""
    from evals.bench import run_bench

    try:
        if app_only:
            from evals.app_bench import run_app_bench

            result = run_app_bench()
        elif llm:
            from evals.llm_bench import run_llm_bench

            result = run_llm_bench(model)
        else:
            result = run_bench(questions, backend)
    except QCAError as exc:
        fail(exc)
    _emit(result, as_json, json.dumps(result, ensure_ascii=False, indent=1))


@app.command("eval")
def eval_command(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL (evals/README.md); default: shipped")] = None,
    kb: KbOpt = "default", as_json: JsonOpt = False,
    backend: Annotated[str | None, typer.Option("--backend", help="Backend to evaluate.")] = None,
    out: Annotated[Path | None, typer.Option("-o", help="Report folder (default reports/eval-TIMESTAMP).")] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="Only the ~20-question smoke subset.")] = False,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Measure the plain recipe too.")] = True,
    compare: Annotated[tuple[Path, Path] | None, typer.Option("--compare", help="Two saved runs: A B.")] = None,
    work_products: Annotated[bool, typer.Option("--work-products", help="Evaluate strategies and quizzes.")] = False,
) -> None:
    """Run the eval suite (grounding, citations, retrieval, refusal, latency) and write a report."""
    from evals.dataset import load_dataset, smoke_subset
    from evals.report import compare as compare_runs
    from evals.report import default_out_dir, write_report

    try:
        if work_products:
            from evals.work_products import run_work_product_eval

            result = run_work_product_eval(make_assistant(), kb)
            _emit(result, as_json, json.dumps(result["summary"], ensure_ascii=False, indent=1))
            return
        if compare:
            result = compare_runs(*compare)
            rows = [f"{k}: {v['a']} -> {v['b']} ({v['delta']:+})" if v["delta"] is not None else f"{k}: n/a"
                    for k, v in result["metrics"].items()]
            _emit(result, as_json, "\n".join(rows))
            return
        from evals.evaluate import run_eval

        items = load_dataset(dataset)
        report = run_eval(make_assistant(), smoke_subset(items) if smoke else items, kb, backend, baseline)
    except QCAError as exc:
        fail(exc)
    folder = write_report(report, out or default_out_dir())
    summary = {key: report[key] for key in ("n", "metrics", "baseline", "checker") if key in report}
    _emit({**summary, "report": str(folder)}, as_json,
          json.dumps(summary, ensure_ascii=False, indent=1) + f"\nreport: {folder}/report.md")


@app.command()
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1", port: Annotated[int, typer.Option()] = 7860) -> None:
    """Start the Gradio app (same as python app.py)."""
    from assistant.ui.chat import launch

    launch(host, port)


app.command()(cli_docs.strategy)
app.command()(cli_docs.evidence)
app.command()(cli_docs.onboarding)
app.command()(cli_docs.draft)
app.add_typer(users_app, name="users")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    app()
if __name__ == "__main__":
    main()
