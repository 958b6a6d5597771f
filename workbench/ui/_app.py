"""``App``: the panels as tabs, Datasets | Run | Results | Compare (``wb.ui()`` and ``workbench ui``).

The Run, Results and Compare panels are imported when the app is built; a panel
that cannot be imported shows a note in its tab instead of breaking the others.
Launching a run shows its results: ``RunPanel.on_run`` -> ``ResultsPanel.show(run.id)``
and the Results tab. Opening a tab refreshes its panel (a dataset created in the
Datasets tab is offered in the Run tab).
"""

from __future__ import annotations

import html
import importlib
import os
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.ui._datasets import DatasetsPanel

if TYPE_CHECKING:
    from workbench._workbench import Workbench
    from workbench.runs import Run

TABS = ("Datasets", "Run", "Results", "Compare")
TARGETS_ENV = "WORKBENCH_UI_TARGETS"
SCORERS_ENV = "WORKBENCH_UI_SCORERS"
"""Comma-separated ``module:function`` specs ``workbench ui`` passes to the served notebook."""
_PANELS = {
    "Run": ("workbench.ui._run", "RunPanel"),
    "Results": ("workbench.ui._results", "ResultsPanel"),
    "Compare": ("workbench.ui._compare", "ComparePanel"),
}


class Placeholder:
    """Stands in for a panel that could not be built (says why, escaped)."""

    def __init__(self, title: str, reason: str) -> None:
        self.title = title
        self.reason = reason
        self.widget = widgets.HTML(f"<i>The {html.escape(title)} panel is not available: {html.escape(reason)}</i>")
        self.widget.add_class("wb-placeholder")

    def refresh(self) -> None:
        """Nothing to refresh."""


def _build(title: str, wb: Workbench) -> Any:
    module_name, class_name = _PANELS[title]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        return Placeholder(title, f"{module_name}.{class_name} cannot be imported ({exc})")
    try:
        return cls(wb)
    except Exception as exc:  # one broken panel must not take the other tabs down
        return Placeholder(title, f"{class_name} failed to start: {type(exc).__name__}: {exc}")


class App:
    """Every panel in one tab widget.

    Args:
        wb: the workbench the panels show.

    Attributes:
        datasets, run, results, compare: the panels (``Placeholder`` when one is unavailable).
        tabs: the ``ipywidgets.Tab``; ``widget`` is the root to display.
    """

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self._showing_run = False
        self.datasets = DatasetsPanel(wb)
        self.run = _build("Run", wb)
        self.results = _build("Results", wb)
        self.compare = _build("Compare", wb)
        self.panels = [self.datasets, self.run, self.results, self.compare]
        self.tabs = widgets.Tab(children=[p.widget for p in self.panels])
        for i, title in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.tabs.add_class("wb-app-tabs")
        self.tabs.selected_index = 0
        self.tabs.observe(self._tab_changed, names="selected_index")
        if hasattr(self.run, "on_run"):
            self.run.on_run(self._run_started)
        self.widget = widgets.VBox([self.tabs])
        self.widget.add_class("wb-app")

    def select(self, title: str) -> None:
        """Open the tab called ``title`` (``Datasets``, ``Run``, ``Results`` or ``Compare``)."""
        self.tabs.selected_index = TABS.index(title)

    def refresh(self) -> None:
        """Refresh every panel."""
        for panel in self.panels:
            panel.refresh()

    def _tab_changed(self, change: Any) -> None:
        index = change["new"]
        if index is not None and not self._showing_run:
            self.panels[index].refresh()

    def _run_started(self, run: Run) -> None:
        if not hasattr(self.results, "show"):
            return
        self._showing_run = True  # show() fills the panel: no refresh on top of it
        try:
            self.results.show(run.id)
            self.select("Results")
        finally:
            self._showing_run = False

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def import_object(spec: str) -> Any:
    """The object named by ``"module:attribute"`` (``ValidationError`` naming the spec otherwise)."""
    from workbench.errors import ValidationError

    module_name, sep, attribute = spec.strip().partition(":")
    if not sep or not module_name or not attribute:
        raise ValidationError(f"{spec!r}: write module:function, e.g. workbench.demo.pipelines:answer_v1")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValidationError(f"{spec!r}: module {module_name!r} cannot be imported ({exc})") from exc
    obj = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValidationError(f"{spec!r}: {module_name!r} has no {attribute!r}") from None
    return obj


def _specs(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def app_from_environment(environ: dict[str, str] | None = None) -> App:
    """The app ``workbench ui`` serves: the store at ``$WORKBENCH_ROOT``, with the targets in
    ``$WORKBENCH_UI_TARGETS`` and the scorers in ``$WORKBENCH_UI_SCORERS`` registered."""
    from workbench._workbench import Workbench
    from workbench.project import ROOT_ENV

    env = dict(os.environ if environ is None else environ)
    wb = Workbench(env.get(ROOT_ENV) or ".")
    for spec in _specs(env.get(TARGETS_ENV)):
        wb.register(import_object(spec), kind="target")
    for spec in _specs(env.get(SCORERS_ENV)):
        wb.register(import_object(spec), kind="scorer")
    return App(wb)
