"""What every `qcassist` command shares: the common options, the assistant, the exit on bad input, reading
input files and printing answers for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from assistant.errors import BadInputError
from assistant.models import Answer

KbOpt = Annotated[str, typer.Option("--kb", help="Knowledge base name; 'default' holds corpus/.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help="e.g. logistics, 制造业, software")]


def make_assistant():
    from assistant.service import Assistant

    return Assistant()


def fail(message: object) -> NoReturn:
    """The contract for bad input: one line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def emit(payload: Any, as_json: bool, human: str) -> None:
    """The one JSON document on stdout with --json, else the text for people."""
    typer.echo(json.dumps(payload, ensure_ascii=False) if as_json else human)


def read_history(path: Path) -> list[dict[str, str]]:
    """A conversation: a JSON list of {"role": "user"|"assistant", "content": str}."""
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot read history {path}: {exc}") from exc
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in turns
    ):
        raise BadInputError(f"history {path} must be a JSON list of {{role: user|assistant, content}} objects")
    return turns


def read_batch(path: Path) -> list[dict]:
    """Every line is checked before any question is answered, so a bad file fails fast."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BadInputError(f"batch file {path} is not UTF-8 (bad byte at offset {exc.start})") from exc
    except OSError as exc:
        raise BadInputError(f"cannot read batch file {path}: {exc}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise BadInputError(f"{path}:{number}: not valid JSON ({exc})") from exc
        _check_batch_item(item, f"{path}:{number}")
        items.append(item)
    if not items:
        raise BadInputError(f"batch file {path} has no questions")
    return items


def _check_batch_item(item: object, where: str) -> None:
    """The shape of one batch line; what the values mean (an industry's name, a history's turns) is checked by
    Assistant.ask like any question's."""
    if not isinstance(item, dict) or "id" not in item:
        raise BadInputError(f"{where}: each line needs an 'id' and a non-empty 'question'")
    if not isinstance(item.get("question"), str) or not item["question"].strip():
        raise BadInputError(f"{where}: 'question' must be non-empty text")
    for key, kind, name in (("industry", str, "text"), ("history", list, "a list of {role, content} turns")):
        if item.get(key) is not None and not isinstance(item[key], kind):
            raise BadInputError(f"{where}: '{key}' must be {name}")


def format_answer(answer: Answer) -> str:
    lines = [answer.answer, ""]
    lines += [f"[{c.n}] {c.label} ({c.source})" for c in answer.citations]
    lines += [f"note: {note}" for note in answer.notes]
    if answer.grounding.supported_ratio is not None:
        lines.append(f"grounding: {answer.grounding.supported_ratio:.0%} of sentences supported")
    return "\n".join(lines).strip()
