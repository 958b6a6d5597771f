"""Only the storage layer (``workbench/storage``) touches store files.

The test reads every module's syntax tree and fails on a call that opens, replaces or
locks a file (``open``, ``os.open``, ``os.fdopen``, ``io.open``, ``os.replace``,
``fcntl``/``flock``) or on the old ``workbench._fs`` helpers, anywhere outside the
storage package — unless the call is listed below with why it is not store I/O.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import workbench

PACKAGE = Path(workbench.__file__).parent
STORAGE = PACKAGE / "storage"

OPENERS = {"open", "os.open", "os.fdopen", "io.open", "os.replace", "fcntl.flock", "fcntl.lockf", "flock", "lockf"}

ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("store/_readers.py", "open"): (2, "reads the user's file being imported (CSV/JSONL/Parquet), outside the store"),
    ("store/_exports.py", "os.replace"): (1, "writes the user's export file (ds.export), outside the store"),
    ("store/_exports.py", "open"): (1, "writes the user's CSV export file (ds.export), outside the store"),
    ("runs/_status.py", "open"): (1, "reads /proc/<pid>/stat to tell a live shard process from a reused pid"),
}
"""(module under ``workbench/``, call) -> (how many such calls, why it is not store I/O)."""


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _violations(path: Path) -> tuple[Counter[str], list[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls: Counter[str] = Counter()
    imports: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (name := _name(node.func)) in OPENERS:
            calls[name] += 1
        elif isinstance(node, ast.Import):
            imports += [a.name for a in node.names if a.name in ("fcntl", "workbench._fs")]
        elif isinstance(node, ast.ImportFrom) and node.module in ("fcntl", "workbench._fs"):
            imports.append(node.module)
    return calls, imports


def test_nothing_outside_the_storage_layer_opens_replaces_or_locks_store_files() -> None:
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORAGE in path.parents:
            continue
        module = path.relative_to(PACKAGE).as_posix()
        calls, imports = _violations(path)
        found += [f"{module}: imports {name}" for name in imports]
        for call, count in calls.items():
            allowed, _reason = ALLOWED.get((module, call), (0, ""))
            if (module, call) in ALLOWED:
                seen.add((module, call))
            if count > allowed:
                found.append(f"{module}: {count} call(s) of {call}() (allowed {allowed}); go through workbench.storage")
    assert not found, "store file access outside workbench/storage:\n" + "\n".join(found)
    assert seen == set(ALLOWED), f"allow-list entries no longer needed: {sorted(set(ALLOWED) - seen)}"


def test_the_old_file_helpers_are_gone() -> None:
    assert not (PACKAGE / "_fs.py").exists()


def test_the_checker_sees_a_forbidden_call(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import fcntl, os\nwith open('x') as f:\n    os.replace('a', 'b')\n", encoding="utf-8")
    calls, imports = _violations(sample)
    assert calls == Counter({"open": 1, "os.replace": 1})
    assert imports == ["fcntl"]
