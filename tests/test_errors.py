"""Every exception class the package defines derives from ``WorkbenchError`` (one ``except`` catches them all)."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import workbench
from workbench.errors import WorkbenchError, WorkbenchWarning

ALLOWED = {
    "workbench.store._imports._RowProblem": "an internal signal of one bad cell, turned into a RowError in the module",
    "workbench.store._merge._NothingToCommit": "an internal signal that aborts an empty commit, caught in the module",
}
"""Exception classes that may stay outside ``WorkbenchError``, with the reason (none reaches a caller)."""


RAISE_ALLOWED = {
    ("workbench", "AttributeError"): "module __getattr__: the import system and hasattr() need an AttributeError",
    ("workbench.ui", "AttributeError"): "module __getattr__: the import system and hasattr() need an AttributeError",
    ("workbench.records._item", "AttributeError"): "Item.__getattr__: hasattr(), copy and pickle need AttributeError",
    ("workbench.cli._app", "SystemExit"): "the command's exit status 2 after it printed the WorkbenchError",
    ("workbench.simulator.__main__", "SystemExit"): "the simulator command's exit status",
    ("workbench.cli._ui", "KeyboardInterrupt"): "the SIGTERM handler stops `workbench ui` the way Ctrl-C does",
    ("workbench.scorers._base", "NotImplementedError"): "Scorer.evaluate is abstract unless a score= step is given",
    ("workbench.targets._base", "NotImplementedError"): "Target.run is abstract",
    (
        "workbench.demo.pipelines",
        "KeyError",
    ): "the demo's lookup_order tool stands for user code; the demo target records its failure",
    (
        "workbench.simulator._arithmetic",
        "ValueError",
    ): "an internal signal of an expression it will not evaluate, caught in _expression",
    (
        "workbench.store._imports",
        "ValueError",
    ): "an internal signal of one bad cell, caught in the module and turned into a RowError",
}
"""(module, builtin exception) pairs a module may still raise directly, with the reason (none is a caller's error)."""

BUILTIN_EXCEPTIONS = frozenset(
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
)


def _builtin_raises() -> set[tuple[str, str, int]]:
    """``(module, exception, line)`` of every ``raise X`` / ``raise X(...)`` of a builtin exception class."""
    root = Path(workbench.__path__[0])
    found: set[tuple[str, str, int]] = set()
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id in BUILTIN_EXCEPTIONS:
                found.add((module, target.id, node.lineno))
    return found


def test_no_module_raises_a_builtin_exception_directly() -> None:
    raises = _builtin_raises()
    assert raises, "the scan found no raise at all: it is looking in the wrong place"
    offending = sorted(
        f"{module}:{line} raises {name}" for module, name, line in raises if (module, name) not in RAISE_ALLOWED
    )
    assert offending == [], "raise a class of workbench.errors instead (or allow-list it with a reason)"
    stale = sorted(set(RAISE_ALLOWED) - {(module, name) for module, name, _ in raises})
    assert stale == [], "an allow-listed raise is gone: drop it from RAISE_ALLOWED"


def _modules() -> list[str]:
    names = [workbench.__name__]
    for info in pkgutil.walk_packages(workbench.__path__, prefix="workbench."):
        if info.name.rsplit(".", 1)[-1] != "__main__":  # importing it would run the command line
            names.append(info.name)
    return names


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                found[f"{name}.{obj.__qualname__}"] = obj
    return found


def test_every_exception_class_of_the_package_is_a_workbench_error() -> None:
    classes = _exception_classes()
    outside = sorted(
        name for name, cls in classes.items() if not issubclass(cls, WorkbenchError | Warning)
    )  # warnings are given, not raised: the next test checks them
    assert [name for name in outside if name not in ALLOWED] == []
    assert sorted(ALLOWED) == [name for name in outside if name in ALLOWED], "an allow-listed class is gone: drop it"


def test_every_warning_class_of_the_package_is_a_workbench_warning() -> None:
    warnings = {name: cls for name, cls in _exception_classes().items() if issubclass(cls, Warning)}
    assert "workbench.runs._status.UnreadableRunWarning" in warnings
    assert sorted(name for name, cls in warnings.items() if not issubclass(cls, WorkbenchWarning)) == []


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("workbench.errors.NotFoundError", KeyError),
        ("workbench.errors.ValidationError", ValueError),
        ("workbench.errors.InvalidNameError", ValueError),
        ("workbench.errors.InvalidTypeError", TypeError),
        ("workbench.errors.StateError", RuntimeError),
        ("workbench.errors.ScorerError", RuntimeError),
        ("workbench.prompts._render.MissingValue", Exception),  # still jinja2's UndefinedError too
    ],
)
def test_errors_callers_catch_as_builtins_still_are(name: str, builtin: type[BaseException]) -> None:
    cls = _exception_classes()[name]
    assert issubclass(cls, WorkbenchError)
    assert issubclass(cls, builtin)


def test_provider_judge_partial_result_and_report_errors_are_workbench_errors() -> None:
    classes = _exception_classes()
    for name in (
        "workbench.providers._errors.ProviderError",
        "workbench.scorers._judge.JudgeError",
        "workbench.records._target.PartialResultError",
        "workbench.report._execute.ReportError",
        "workbench.report._execute.KernelNotFoundError",
        "workbench.prompts._render.MissingValue",
    ):
        assert issubclass(classes[name], WorkbenchError), name
