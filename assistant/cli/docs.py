"""The work-product commands of `qcassist`: strategy, evidence, onboarding, draft (registered in cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.io import IndustryOpt, JsonOpt, KbOpt, fail, make_assistant
from assistant.errors import BadInputError, QCAError

BackendOpt = Annotated[str | None, typer.Option("--backend", help="extractive (default) or an LLM backend")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="md, docx or pdf (default: from -o, else md)")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="File to write (needed for docx and pdf)")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en (default: the language of the input)")]


def _check_output(fmt: str | None, output: Path | None) -> None:
    """Bad output options fail before minutes of work, not after."""
    if fmt not in (None, "md", "docx", "pdf"):
        raise BadInputError(f"unknown format '{fmt}': use md, docx or pdf")
    if (fmt in ("docx", "pdf") or (output and output.suffix.lower() in (".docx", ".pdf"))) and output is None:
        raise BadInputError(f"--format {fmt} needs -o FILE")
    if output and fmt is None and output.suffix.lower() not in (".md", ".docx", ".pdf"):
        raise BadInputError(f"cannot tell the format of {output.name}: use .md, .docx or .pdf, or --format")


def _produce(build, as_json: bool, fmt: str | None, output: Path | None) -> None:
    """Check the output options, build the document, write the file when asked, print JSON or the Markdown."""
    from assistant.workflows.export import to_markdown, write

    try:
        _check_output(fmt, output)
        doc = build(make_assistant())
        written = str(write(doc, fmt, output)) if output else None
    except QCAError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({**doc.to_dict(), "output": written}, ensure_ascii=False))
    elif written:
        typer.echo(f"wrote {written} ({doc.footer})")
    else:
        typer.echo(to_markdown(doc))


def strategy(
    industry: IndustryOpt = None,
    problem: Annotated[str | None, typer.Option("--problem", help="e.g. 客户投诉交付延迟, 'return rate too high'")]
    = None, kb: KbOpt = "default", backend: BackendOpt = None, lang: LangOpt = None, as_json: JsonOpt = False,
    fmt: FormatOpt = None, output: OutOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10, help="Most strategies to list")] = 5,
) -> None:
    """Ranked improvement strategies for an industry and a problem, with case figures, KPIs and citations."""
    from assistant.workflows.strategy import advise

    _produce(lambda a: advise(a, industry, problem, kb, backend, lang, limit), as_json, fmt, output)


def evidence(
    industry: IndustryOpt = None, kb: KbOpt = "default", as_json: JsonOpt = False,
    fmt: Annotated[str, typer.Option("--format", help="md or csv (ignored with --json)")] = "md",
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the changes as a PNG chart here")] = None,
) -> None:
    """The case-evidence table: each case study's figures (before -> after or change) with its source."""
    from assistant.industries import normalize_industry
    from assistant.workflows.evidence import case_evidence, to_csv, to_markdown

    try:
        if fmt not in ("md", "csv"):
            raise BadInputError(f"unknown format '{fmt}': use md or csv")
        rows = case_evidence(make_assistant().kb(kb), normalize_industry(industry))
        if chart:
            from assistant.workflows.evidence_chart import draw_chart

            draw_chart(rows, chart)
    except QCAError as exc:
        fail(exc)
    payload = {"rows": [r.to_dict() for r in rows], "chart": str(chart) if chart else None}
    typer.echo(json.dumps(payload, ensure_ascii=False) if as_json else
               (to_csv(rows) if fmt == "csv" else to_markdown(rows)))


def onboarding(
    topic: Annotated[str, typer.Option("--topic", help="e.g. 8D, 控制图, 'customer complaints'")],
    audience: Annotated[str | None, typer.Option("--audience", help="e.g. new QC inspectors")] = None,
    length: Annotated[str, typer.Option("--length", help="short or standard")] = "standard",
    lang: LangOpt = None, kb: KbOpt = "default", backend: BackendOpt = None, as_json: JsonOpt = False,
    fmt: FormatOpt = None, output: OutOpt = None,
) -> None:
    """A training module: objectives, concepts, procedure, worked case, glossary and a quiz with answer key."""
    from assistant.workflows.onboarding import build_module

    _produce(lambda a: build_module(a, topic, audience, length, lang, kb, backend), as_json, fmt, output)


def draft(
    industry: IndustryOpt = None,
    client: Annotated[str, typer.Option("--client", help="The client's name")] = "",
    problem: Annotated[str, typer.Option("--problem", help="The client's problem")] = "",
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="Current value, NAME=VALUE; repeatable")] = None,
    analysis: Annotated[Path | None, typer.Option("--analysis", help="The client's data analysed: the JSON "
                                                   "`qcassist analyze ... --json` printed")] = None,
    lang: LangOpt = None, kb: KbOpt = "default", backend: BackendOpt = None, as_json: JsonOpt = False,
    fmt: FormatOpt = None, output: OutOpt = None,
) -> None:
    """A recommendation draft: summary, diagnosis, the client's data, strategies with evidence, roadmap, KPI
    targets, risks."""
    from assistant.workflows.analysis_evidence import read_analysis
    from assistant.workflows.recommendation import draft as make_draft
    from assistant.workflows.recommendation import parse_kpis

    def produce(assistant):
        analysed = read_analysis(analysis, assistant.settings) if analysis else None
        return make_draft(assistant, industry, client, problem, parse_kpis(kpi or []), kb, backend, lang,
                          analysis=analysed)

    _produce(produce, as_json, fmt, output)
