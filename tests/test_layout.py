"""The house rules, checked on the source: no import circles (imports inside functions count), the product never
imports its test harness, gradio only in the UI package, and at most ten modules at the top of assistant/."""

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGES = ("assistant", "ingest", "evals")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every project module and the project modules it imports, anywhere in its body."""
    files = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                       [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                       if isinstance(node, ast.ImportFrom) and node.module else [])
            found |= {t for t in targets if t in files and t != name}
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    return next((c for n in sorted(graph) if n not in state and (c := visit(n))), None)


def test_no_import_circles():
    assert _cycle(_imports()) is None


def test_the_product_never_imports_the_evals():
    offenders = {m: sorted(i for i in deps if i.startswith("evals")) for m, deps in _imports().items()
                 if m.startswith("assistant") or m == "ingest"}
    assert not {m: deps for m, deps in offenders.items() if deps}


def test_gradio_is_imported_only_by_the_ui_package():
    users = [p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")
             if "import gradio" in p.read_text(encoding="utf-8")]
    assert users and all(u.startswith("assistant/app/ui/") for u in users), users


def test_at_most_ten_modules_at_the_top_of_assistant():
    top = [p.name for p in (ROOT / "assistant").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= 10, top
