"""Every exception class the package defines derives from ``WorkbenchError`` (one ``except`` catches them all)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import workbench
from workbench.errors import WorkbenchError, WorkbenchWarning

ALLOWED = {
    "workbench.store._imports._RowProblem": "an internal signal of one bad cell, turned into a RowError in the module",
    "workbench.store._imports._NothingToCommit": "an internal signal that aborts an empty commit, caught in the module",
}
"""Exception classes that may stay outside ``WorkbenchError``, with the reason (none reaches a caller)."""


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
    outside = sorted(name for name, cls in classes.items() if not issubclass(cls, WorkbenchError | WorkbenchWarning))
    assert [name for name in outside if name not in ALLOWED] == []
    assert sorted(ALLOWED) == [name for name in outside if name in ALLOWED], "an allow-listed class is gone: drop it"


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("workbench.errors.NotFoundError", KeyError),
        ("workbench.errors.ValidationError", ValueError),
        ("workbench.errors.InvalidNameError", ValueError),
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


def test_every_warning_class_of_the_package_is_a_workbench_warning() -> None:
    warnings = {n: c for n, c in _exception_classes().items() if issubclass(c, Warning)}
    assert warnings, "the package defines warnings (unreadable files and runs)"
    assert sorted(n for n, c in warnings.items() if not issubclass(c, WorkbenchWarning)) == []
