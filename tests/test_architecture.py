"""The core's arrows point down.

Below the facade (``workbench._workbench``) sit the concept packages; above it only the
user interfaces (``ui``, ``cli``, ``demo``). Every import counts here — module level,
function-local and ``TYPE_CHECKING`` alike — because an import hidden in a function is
still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
TOP = {"_workbench", "ui", "cli", "demo", "__init__", "__main__"}
"""The facade and what sits on it; they may import anything below."""


def _unit(module: str) -> str:
    """The package (or top-level module) a dotted module name belongs to: ``runs``, ``errors``..."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[tuple[str, str], list[str]]:
    """``(from_unit, to_unit) -> [where]`` for every import of one workbench unit by another."""
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if not p.name.startswith(".")}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        source = _unit(module) if module != "workbench" else "__init__"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] if node.module != "workbench" else [f"workbench.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if not name.startswith("workbench."):
                    continue
                target = _unit(name)
                if target in units and target != source:
                    edges[(source, target)].append(f"{module} (line {node.lineno}) imports {name}")
    return edges


def test_nothing_below_the_facade_imports_it_or_what_sits_on_it() -> None:
    bad = [w for (a, b), where in _imports().items() if a not in TOP and b in TOP for w in where]
    assert not bad, "imports pointing up:\n" + "\n".join(sorted(bad))


def test_no_import_cycle_crosses_packages_below_the_facade() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    edges = _imports()
    for a, b in edges:
        if a not in TOP and b not in TOP:
            graph[a].add(b)
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    detail = [f"{sorted(c)}: " + "; ".join(w for a in c for b in c for w in edges.get((a, b), [])[:1]) for c in cycles]
    assert not cycles, "import cycles across packages:\n" + "\n".join(detail)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative enough for a few dozen packages)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(component)

    for node in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if node not in index:
            visit(node)
    return out


def test_the_checker_sees_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == [["a", "b", "c"]]
