"""The `qcassist` command line: every command prints one JSON document with --json; exit 2 on bad input."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import docs as cli_docs
from assistant.cli.analyze import analyze
from assistant.cli.io import IndustryOpt, JsonOpt, KbOpt, emit, fail, make_assistant
from assistant.cli.users import users_app
from assistant.errors import QCAError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="QC Assist: quality-control knowledge assistant.")
kb_app = typer.Typer(no_args_is_help=True, help="List, count or delete the sources of a knowledge base.")
app.add_typer(kb_app, name="kb")


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
    lines += [f"note {n['path']}: {n['note']}" for n in report.notes]
    lines += [f"FAILED {f['path']}: {f['error']}" for f in report.files_failed]
    emit(report.to_dict(), as_json, "\n".join(lines))
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
    from assistant.cli.io import format_answer, read_batch, read_history

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
    emit(answer.to_dict(), as_json, format_answer(answer))


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
        lines.append(f"{i}. {hit.chunk.context_prefix}  [{hit.chunk.source}]  fused={hit.fused_score:.4f} "
                     f"dense={hit.dense_score:.3f} bm25={hit.bm25_score:.2f} terms={','.join(hit.matched_terms)}")
        lines += [f"   flagged, never quoted ({rule}): {sentence}" for sentence, rule in hit.flagged]
    emit(result.to_dict(), as_json, "\n".join(lines))


@kb_app.command("list")
def kb_list(kb: KbOpt = "default", as_json: JsonOpt = False) -> None:
    """Sources with chunk counts and ingest dates."""
    try:
        listing = make_assistant().list_sources(kb)
    except QCAError as exc:
        fail(exc)
    rows = [f"{s['source']}\t{s['chunks']}\t{s['ingested_at']}\t{s['title']}" for s in listing["sources"]]
    emit(listing, as_json, "\n".join(rows) or f"knowledge base '{kb}' is empty")


@kb_app.command("stats")
def kb_stats(kb: KbOpt = "default", as_json: JsonOpt = False) -> None:
    """Counts of sources and chunks, by language."""
    try:
        stats = make_assistant().stats(kb)
    except QCAError as exc:
        fail(exc)
    emit(stats, as_json, f"{stats['sources']} sources, {stats['chunks']} chunks, by language {stats['by_lang']}")


@kb_app.command("delete")
def kb_delete(source: Annotated[str, typer.Argument(help="Source as shown by 'kb list'.")], kb: KbOpt = "default",
              as_json: JsonOpt = False) -> None:
    """Remove every chunk of one source."""
    try:
        result = make_assistant().delete_source(source, kb)
    except QCAError as exc:
        fail(exc)
    emit(result, as_json, f"removed {result['chunks_removed']} chunks of {source} from '{kb}'")


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Default: QCA_HOST (127.0.0.1).")] = None,
          port: Annotated[int | None, typer.Option(help="Default: QCA_PORT (7860).")] = None) -> None:
    """Start the Gradio app (same as python app.py)."""
    from assistant.app.ui.app_blocks import launch
    from assistant.config import get_settings
    from assistant.plugins import load_plugins

    settings = get_settings()
    overrides = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
    launch(settings.model_copy(update=overrides), load_plugins())


app.command()(cli_docs.strategy)
app.command()(cli_docs.evidence)
app.command()(cli_docs.onboarding)
app.command()(cli_docs.draft)
app.command()(analyze)
app.add_typer(users_app, name="users")


def main() -> None:
    from assistant.plugins import load_plugins

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for add_commands in load_plugins().commands:
        add_commands(app)
    app()


if __name__ == "__main__":
    main()
