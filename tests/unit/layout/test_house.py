"""The house (docs/design.md): each folder one job, the Prefect layer on top, nothing reaching up.

These read the source files (every import, at the top of a module or inside a function),
so a new import that reaches up or closes a circle fails here, not in review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = (
    "transforms",
    "expectations",
    "config",
    "approval",
    "warehouse",
    "sources",
    "pipeline",
    "filers",
    "reports",
    "notify",
    "synthetic",
    "flows",
    "portal",
    "cli",
)
"""Every package of the project; ``flows`` (Prefect), ``portal`` (the filers' web portal)
and ``cli`` (the command) on top."""
MAX_LINES = 400
MAX_FLOWS_LINES = 250


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]) -> Iterator[str]:
    """The project's modules that ``name`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # ``from pkg import sub`` imports the module ``pkg.sub``; ``from pkg import name``, pkg
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for t in targets:
            if t in modules and t != name:
                yield t


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {n: set(_imports(p, n, modules)) for n, p in modules.items()}


def test_nothing_outside_flows_the_portal_and_the_command_line_imports_flows() -> None:
    reaching_up = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target.split(".")[0] == "flows"
        and module.split(".")[0] not in ("flows", "portal", "cli")
    )
    assert reaching_up == []


def test_only_the_command_line_imports_the_command_line() -> None:
    graph = _graph()
    assert (
        sorted(
            f"{m} imports {t}"
            for m, ts in graph.items()
            for t in ts
            if t.split(".")[0] == "cli" and m.split(".")[0] != "cli"
        )
        == []
    )


def test_only_the_command_line_imports_the_portal() -> None:
    """The portal sits on top like flows: only ``cli`` starts it."""
    graph = _graph()
    assert (
        sorted(
            f"{m} imports {t}"
            for m, ts in graph.items()
            for t in ts
            if t.split(".")[0] == "portal" and m.split(".")[0] not in ("portal", "cli")
        )
        == []
    )


def test_the_approval_store_reaches_nothing_above_it() -> None:
    """The portal writes the store, runs read it: it imports no package above ``config``."""
    below = {"approval", "config", "transforms"}
    graph = _graph()
    assert (
        sorted(
            f"{m} imports {t}"
            for m, ts in graph.items()
            if m.split(".")[0] == "approval"
            for t in ts
            if t.split(".")[0] not in below
        )
        == []
    )


def test_no_import_circle_between_files() -> None:
    graph = _graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert [" → ".join(c) for c in circles] == []


def test_no_source_file_is_over_400_lines_and_the_flows_file_is_thin() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules().values()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
    assert len((ROOT / "flows" / "flows.py").read_text().splitlines()) <= MAX_FLOWS_LINES


def test_the_intake_and_the_workspace_live_where_the_design_says() -> None:
    graph = _graph()
    assert "sources.inbox" in graph and "warehouse.workspace" in graph
    assert "pipeline.run" in graph and "pipeline.steps" in graph
    # ronghe validate reads and validates with the code a run uses
    assert "pipeline.steps" in graph["filers.check"]
