"""The evals' commands, plugged into `qcassist` through the entry point (evals/plugin.py): eval and bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.io import JsonOpt, KbOpt, emit, fail, make_assistant
from assistant.errors import QCAError

NATURAL_TEST = Path(__file__).parent / "datasets" / "natural_test.jsonl"
BY_TYPE_KEYS = ("n", "key_fact_recall", "negative_rejection", "over_refusal", "faithfulness")


def add_commands(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
    app.command()(bench)


def bench(
    as_json: JsonOpt = False,
    backend: Annotated[list[str] | None, typer.Option("--backend", help="Repeat to compare backends.")] = None,
    questions: Annotated[int, typer.Option("--questions", min=1, max=100)] = 20,
    app_only: Annotated[bool, typer.Option("--app", help="Benchmark the running app instead: cold start, "
                                                         "browser latency, 10 users at once, memory.")] = False,
    llm: Annotated[bool, typer.Option("--llm", help="A local GGUF model in this process against its worker "
                                                    "process: first token, tokens/s.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="GGUF file for --llm (default: bundled).")] = None,
    scale: Annotated[list[int] | None, typer.Option("--scale", min=100, help="Build a synthetic knowledge base of "
                                                    "this many chunks and time ingest, asks, restart, a change; "
                                                    "repeat for several sizes, compared to the smallest.")] = None,
    embedding: Annotated[str, typer.Option("--embedding", help="Embedding model for --scale.")] = "hash",
) -> None:
    """Time ingest, unchanged re-ingest, and per backend answer latency, first streamed text and grounding."""
    from evals.bench import run_bench

    try:
        if scale:
            from evals.scale_bench import run_scale_series

            result = run_scale_series(scale, embedding)
        elif app_only:
            from evals.app_bench import run_app_bench

            result = run_app_bench()
        elif llm:
            from evals.llm_bench import run_llm_bench

            result = run_llm_bench(model)
        else:
            result = run_bench(questions, backend)
    except QCAError as exc:
        fail(exc)
    emit(result, as_json, json.dumps(result, ensure_ascii=False, indent=1))


def eval_command(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL (evals/README.md); default: shipped")] = None,
    kb: KbOpt = "default", as_json: JsonOpt = False,
    backend: Annotated[str | None, typer.Option("--backend", help="Backend to evaluate.")] = None,
    out: Annotated[Path | None, typer.Option("-o", help="Report folder (default: QCA_DATA_DIR/reports/).")] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="Only the ~20-question smoke subset.")] = False,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Measure the plain recipe too.")] = True,
    compare: Annotated[tuple[Path, Path] | None, typer.Option("--compare", help="Two saved runs: A B.")] = None,
    work_products: Annotated[bool, typer.Option("--work-products", help="Evaluate strategies and quizzes.")] = False,
) -> None:
    """Run the eval suite (grounding, citations, retrieval, refusal, latency) and write a report; without
    --dataset, the shipped set and the natural-question test split side by side."""
    from evals.dataset import load_dataset, smoke_subset
    from evals.report import compare as compare_runs
    from evals.report import default_out_dir, write_report

    try:
        if work_products:
            from evals.work_products import run_work_product_eval

            result = run_work_product_eval(make_assistant(), kb)
            emit(result, as_json, json.dumps(result["summary"], ensure_ascii=False, indent=1))
            return
        if compare:
            result = compare_runs(*compare)
            rows = [f"{k}: {v['a']} -> {v['b']} ({v['delta']:+})" if v["delta"] is not None else f"{k}: n/a"
                    for k, v in result["metrics"].items()]
            emit(result, as_json, "\n".join(rows))
            return
        from evals.evaluate import run_eval

        items = load_dataset(dataset)
        assistant = make_assistant()
        report = run_eval(assistant, smoke_subset(items) if smoke else items, kb, backend, baseline)
        if dataset is None and not smoke:  # the shipped set, and next to it the natural test split
            report["natural_test"] = run_eval(assistant, load_dataset(NATURAL_TEST), kb, backend, baseline)
    except QCAError as exc:
        fail(exc)
    folder = write_report(report, out or default_out_dir(assistant.settings.reports_root))
    summary = {key: report[key] for key in ("n", "metrics", "baseline", "checker") if key in report}
    if "natural_test" in report:
        natural = report["natural_test"]
        by_type = {name: {k: group[k] for k in BY_TYPE_KEYS} for name, group in natural["by_type"].items()}
        summary["natural_test"] = {"n": natural["n"], "metrics": natural["metrics"], "by_type": by_type}
    emit({**summary, "report": str(folder)}, as_json,
          json.dumps(summary, ensure_ascii=False, indent=1) + f"\nreport: {folder}/report.md")
