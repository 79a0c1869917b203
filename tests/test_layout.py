"""The package's shape: its import graph has no cycle and no upward edge, modules stay small,
and the runtime dependencies are exactly what `reporter/` imports."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "reporter"
TOP = ("reporter.cli", "reporter.commands")  # only the entry points may import these
ENTRY = ("reporter.__main__",)
MAX_LINES = 400
# Distribution name -> the module it is imported as, where the two differ.
IMPORT_NAME = {"gitpython": "git", "pyyaml": "yaml"}


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every reporter module that `module` imports: at the top, in functions and under
    TYPE_CHECKING alike. `from P import x` is an edge to P.x when that is a module, else
    to P."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    known = module_names()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def is_top(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in TOP)


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


def test_nothing_below_the_commands_imports_the_cli_or_a_command() -> None:
    upward = sorted(f"{src} -> {dst}" for src, dsts in import_graph().items()
                    for dst in dsts if is_top(dst) and not is_top(src) and src not in ENTRY)
    assert upward == []


def test_a_command_does_not_import_another_command() -> None:
    sideways = sorted(f"{src} -> {dst}" for src, dsts in import_graph().items()
                      if src.startswith("reporter.commands.")
                      for dst in dsts if dst.startswith("reporter.commands."))
    assert sideways == []


def test_the_checks_see_a_cycle_and_an_upward_edge(tmp_path: Path) -> None:
    """The graph reader is not blind: a cycle, and an upward import inside a function or
    under TYPE_CHECKING, are found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    known = {"reporter.cli": Path(), "reporter.commands": Path(), "reporter.store.x": Path()}
    path = tmp_path / "x.py"
    path.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    from reporter import commands\n"
                    "def f():\n    from reporter.cli import main\n", encoding="utf-8")
    assert imports_of("reporter.store.x", path, known) == {"reporter.cli",
                                                           "reporter.commands"}


@pytest.mark.parametrize("name", sorted(module_names()))
def test_modules_stay_small(name: str) -> None:
    lines = module_names()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it by job"


def test_every_module_has_a_docstring_and_logs_under_its_own_name() -> None:
    problems = []
    for name, path in module_names().items():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        if name != "reporter.__main__" and not ast.get_docstring(tree):
            problems.append(f"{name}: no docstring")
        for call in re.findall(r"getLogger\(([^)]*)\)", text):
            if call != "__name__" and not (name == "reporter.cli" and call == '"reporter"'):
                problems.append(f"{name}: getLogger({call})")
    assert problems == []


def third_party_imports() -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            found.update(n.split(".")[0] for n in names)
    return {n for n in found if n not in stdlib and n not in ("reporter", "__future__")}


def _module_of(requirement: str) -> str:
    dist = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
    return IMPORT_NAME.get(dist, dist.replace("-", "_"))


def test_the_runtime_dependencies_are_exactly_what_the_package_imports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_module_of(r) for r in project["dependencies"]}
    extras = {_module_of(r) for name, reqs in project["optional-dependencies"].items()
              if name != "test" for r in reqs}
    imported = third_party_imports()
    assert runtime <= imported, f"declared but never imported: {sorted(runtime - imported)}"
    assert imported <= runtime | extras, \
        f"imported but not declared: {sorted(imported - runtime - extras)}"
