"""The Run panel: pick a dataset version, targets, scorers and items, launch runs, watch them finish.

Launching never blocks: ``wb.run(...)`` returns a :class:`~workbench.Run` at once (the work
goes on in the background event loop) and a watcher thread updates the progress bar,
the counts and ETA, and the live results table a few times a second (ipywidgets sends
trait changes made on any thread, so this works in Jupyter, Voila and plain Python).
Several targets start one run each, over the same items and scorers.

CSS classes (for browser tests): ``wb-run-panel`` (root), ``wb-run-dataset``,
``wb-run-version``, ``wb-run-targets``, ``wb-run-scorers``, ``wb-run-models`` (models to add as
targets, comma-separated), ``wb-run-provider`` (``openai`` or ``anthropic``: the provider of a model
typed without one), ``wb-run-base-url`` (the API's URL, e.g. a local OpenAI-compatible server; kept in
the run's spec, unlike an API key, which is never asked for here: it comes from the environment or
``.env``), ``wb-run-prompts`` (prompt versions for them), ``wb-run-add-models``
("Add model targets": one per model x prompt version), ``wb-run-meta-filter``
(``key=value, ...`` over item metadata), ``wb-run-items`` (the item table: its checkboxes
are ``wb-item-checkbox``, its "k of n selected" label ``wb-table-selected``, its search
box ``wb-table-search``), ``wb-run-selected`` ("Run selected"), ``wb-run-all`` ("Run all"),
``wb-run-cancel``, ``wb-run-progress`` (the bar), ``wb-run-status`` (done/errors/total, ETA, the
runs' statuses), ``wb-run-failed`` (a failed run's first error: ``run ID failed: item q1: ...``),
``wb-run-message`` (errors and notes), ``wb-run-results`` (the live results table).
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import ipywidgets as widgets
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.runs import Run
from workbench.ui._datasets import items_source
from workbench.ui._table import FrameSource, PagedTable, ReloadThrottle, SqlSource, TableSource, message_html

if TYPE_CHECKING:
    from workbench._workbench import Workbench

POLL_SECONDS = 0.25
PAGE_SIZE = 10
ITEM_COLUMNS = ["input", "expected_output", "metadata"]
RESULT_COLUMNS = ["target", "repeat", "output", "error", "latency_s", "cost"]
_META_KEY = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*")

PROVIDERS = ("openai", "anthropic")
RunCallback = Callable[[Run], None]


def model_names(text: str, provider: str) -> list[str]:
    """The models typed (comma-separated), each as ``provider:name``: ``provider`` where none is given.

    Raises:
        WorkbenchError: ``provider`` is not one of :data:`PROVIDERS`.
    """
    if provider not in PROVIDERS:
        raise WorkbenchError(f"provider {provider!r}: use one of {', '.join(PROVIDERS)}")
    models = [m.strip() for m in text.split(",") if m.strip()]
    return [m if ":" in m else f"{provider}:{m}" for m in models]


def checked_base_url(text: str) -> str | None:
    """The base URL typed (``None`` when empty: the provider's default, or ``$OPENAI_BASE_URL``...).

    Raises:
        WorkbenchError: it is not an ``http://`` or ``https://`` URL with a host, or it holds
            a user name or password (an API key goes in the environment or ``.env``, never in a run).
    """
    url = text.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WorkbenchError(f"base URL {url!r}: write http://host:port/v1 (or https://...)")
    if parts.username or parts.password:
        raise WorkbenchError(
            f"base URL {parts.scheme}://{parts.hostname}...: no user name or key in the URL "
            "(set OPENAI_API_KEY / ANTHROPIC_API_KEY in the environment or .env)"
        )
    return url


def first_error(run: Run) -> str | None:
    """The run's first error (``item <id>: <message>``), from ``Run.first_error`` where there is one."""
    found = getattr(run, "first_error", None)
    if found is not None or hasattr(type(run), "first_error"):
        return None if found is None else str(found)
    errors = run.results()  # before Run.first_error: the first unit that errored
    errors = errors[errors["error"].notna()] if "error" in errors.columns else errors.iloc[0:0]
    if errors.empty:
        return None
    return f"item {errors['item_id'].iloc[0]}: {errors['error'].iloc[0]}"


def meta_filter_sql(text: str) -> tuple[str, list[str]]:
    """A ``where`` clause for ``key=value, other.key=value`` over the item's JSON ``metadata``.

    Values are compared as text (``tier=2`` matches ``{"tier": 2}`` and ``{"tier": "2"}``).

    Raises:
        WorkbenchError: a part is not ``key=value`` or the key has other characters than
            letters, digits, ``_``, ``-`` and dots (nested keys).
    """
    clauses, params = [], []
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not _META_KEY.fullmatch(key):
            raise WorkbenchError(f"metadata filter {part!r}: write key=value (keys of letters, digits, _ - and .)")
        path = "$." + ".".join(f'"{k}"' for k in key.split("."))
        clauses.append("json_extract_string(metadata, ?) = ?")
        params += [path, value.strip()]
    return (" and ".join(clauses) or "true"), params


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA \u2013"
    if seconds < 60:
        return f"ETA {seconds:.0f} s"
    return f"ETA {int(seconds // 60)} min {int(seconds % 60):02d} s"


class RunPanel:
    """Launch runs of registered targets and scorers on a dataset version (see the module's docstring).

    Args:
        wb: the workbench (its registry gives the targets and scorers: ``wb.register(...)``).
        poll_interval: seconds between progress updates while runs go on.

    Attributes:
        runs: the runs of the last launch (one per target).
    """

    def __init__(self, wb: Workbench, *, poll_interval: float = POLL_SECONDS) -> None:
        self.wb = wb
        self.poll_interval = poll_interval
        self.runs: list[Run] = []
        self._callbacks: list[RunCallback] = []
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._clock: Callable[[], float] = time.monotonic  # the results reload throttle's clock (tests fake it)
        self._throttle = ReloadThrottle(poll_interval, clock=self._clock)
        self._base: TableSource = FrameSource(pd.DataFrame(columns=["item_id", *ITEM_COLUMNS]))
        self._item_count = 0
        self._refreshing = False
        self._loaded: str | None = None

        self.dataset = widgets.Dropdown(description="Dataset", options=[], layout={"width": "320px"})
        self.dataset.add_class("wb-run-dataset")
        self.version = widgets.Dropdown(description="Version", options=[], layout={"width": "320px"})
        self.version.add_class("wb-run-version")
        self.targets = widgets.SelectMultiple(description="Targets", options=[], rows=5, layout={"width": "420px"})
        self.targets.add_class("wb-run-targets")
        self.scorers = widgets.SelectMultiple(description="Scorers", options=[], rows=5, layout={"width": "420px"})
        self.scorers.add_class("wb-run-scorers")
        self.meta_filter = widgets.Text(
            description="Metadata", placeholder="key=value, other=value", continuous_update=False
        )
        self.meta_filter.add_class("wb-run-meta-filter")
        self.items = PagedTable(
            self._base,
            key="item_id",
            columns=ITEM_COLUMNS,
            selectable=True,
            page_size=PAGE_SIZE,
            max_chars=100,
            css_class="wb-run-items",
        )
        self.run_selected_button = widgets.Button(description="Run selected", button_style="primary")
        self.run_selected_button.add_class("wb-run-selected")
        self.run_all_button = widgets.Button(description="Run all")
        self.run_all_button.add_class("wb-run-all")
        self.cancel_button = widgets.Button(description="Cancel", button_style="warning", disabled=True)
        self.cancel_button.add_class("wb-run-cancel")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Progress")
        self.progress.add_class("wb-run-progress")
        self.status = widgets.HTML()
        self.status.add_class("wb-run-status")
        self.message = widgets.HTML()
        self.message.add_class("wb-run-message")
        self.failed = widgets.HTML()
        self.failed.add_class("wb-run-failed")
        self._result_source = FrameSource(
            pd.DataFrame(columns=["item_id", *RESULT_COLUMNS]), key="item_id", json_columns=["output"]
        )
        self._result_source.search_columns = ["item_id", "target", "output", "error"]
        self.results = PagedTable(
            self._result_source, key="item_id", columns=RESULT_COLUMNS, page_size=PAGE_SIZE, css_class="wb-run-results"
        )

        self.dataset.observe(self._on_dataset, names="value")
        self.version.observe(self._on_version, names="value")
        self.meta_filter.observe(self._on_meta_filter, names="value")
        self.items.on_select(lambda _keys: self._update_buttons())
        self.run_selected_button.on_click(lambda _b: self.run_selected())
        self.run_all_button.on_click(lambda _b: self.run_all())
        self.cancel_button.on_click(lambda _b: self.cancel())

        self.models = widgets.Text(
            description="Models", placeholder="openai:gpt-4o-mini, anthropic:claude-3-5-haiku-latest"
        )
        self.models.add_class("wb-run-models")
        self.provider = widgets.Dropdown(description="Provider", options=PROVIDERS, value="openai")
        self.provider.add_class("wb-run-provider")
        self.base_url = widgets.Text(
            description="Base URL",
            placeholder="the provider's API (or $OPENAI_BASE_URL); e.g. http://127.0.0.1:8000/v1",
            layout={"width": "520px"},
        )
        self.base_url.add_class("wb-run-base-url")
        self.prompts = widgets.SelectMultiple(description="Prompts", options=[], rows=4)
        self.prompts.add_class("wb-run-prompts")
        self.add_models_button = widgets.Button(description="Add model targets", layout={"width": "auto"})
        self.add_models_button.add_class("wb-run-add-models")
        self.add_models_button.on_click(lambda _b: self.add_models())

        pickers = widgets.HBox(
            [widgets.VBox([self.dataset, self.version, self.meta_filter]), self.targets, self.scorers]
        )
        models = widgets.Accordion(
            [
                widgets.VBox(
                    [
                        widgets.HTML(
                            "Models as <code>gpt-4o-mini</code> (the provider below) or <code>anthropic:NAME</code>;"
                            " the API key comes from the environment or <code>.env</code>, never from here."
                        ),
                        widgets.HBox(
                            [
                                widgets.VBox([self.models, self.provider, self.base_url, self.add_models_button]),
                                self.prompts,
                            ]
                        ),
                    ]
                )
            ],
            selected_index=None,
        )
        models.set_title(0, "Model targets: models \u00d7 prompt versions, provider and base URL")
        actions = widgets.HBox([self.run_selected_button, self.run_all_button, self.cancel_button])
        watch = widgets.HBox([self.progress, self.status], layout={"align_items": "center"})
        self.widget = widgets.VBox(
            [
                pickers,
                models,
                actions,
                self.message,
                watch,
                self.failed,
                widgets.HTML("<b>Items</b> (tick the ones to run)"),
                self.items.widget,
                widgets.HTML("<b>Results</b>"),
                self.results.widget,
            ]
        )
        self.widget.add_class("wb-run-panel")
        self.refresh()

    # -- public --------------------------------------------------------------
    def on_run(self, callback: RunCallback) -> None:
        """Call ``callback(run)`` for each run this panel starts, as it starts."""
        self._callbacks.append(callback)

    def refresh(self) -> None:
        """Reload datasets, versions, items and the registered targets and scorers (keeping choices)."""
        self._refreshing = True
        try:
            names = [str(n) for n in self.wb.datasets()["name"]]
            current = self.dataset.value
            self.dataset.options = names
            self.dataset.value = current if current in names else (names[0] if names else None)
            targets = list(self.wb.registry.targets())
            chosen = [t for t in self.targets.value if t in targets]
            self.targets.options = targets
            self.targets.value = tuple(chosen or targets[:1])
            scorers = list(self.wb.registry.scorers())
            picked = [s for s in self.scorers.value if s in scorers]
            self.scorers.options = scorers
            self.scorers.value = tuple(picked)
            prompts = self._prompt_versions()
            self.prompts.value = tuple(p for p in self.prompts.value if p in prompts)
            self.prompts.options = prompts
        finally:
            self._refreshing = False
        self._load_versions()

    def add_models(self) -> list[str]:
        """Register a model target per model typed x prompt version chosen (what "Add model targets" does).

        A model typed without a provider (``gpt-4o-mini``) takes the one chosen; the base URL, when
        given, goes to every new target (and so into its runs' specs). The new targets are chosen
        for the next launch; returns their names.
        """
        try:
            models = model_names(self.models.value, str(self.provider.value))
            base_url = checked_base_url(self.base_url.value)
        except WorkbenchError as exc:
            self.message.value = message_html(str(exc), "error")
            return []
        if not models:
            self.message.value = message_html("Type one or more models, e.g. gpt-4o-mini.", "error")
            return []
        prompts: list[str | None] = list(self.prompts.value) or [None]
        extra = {} if base_url is None else {"base_url": base_url}
        try:
            names = [e.name for e in self.wb.registry.add_models(models, prompts, **extra)]
        except WorkbenchError as exc:
            self.message.value = message_html(str(exc), "error")
            return []
        self.refresh()
        self.targets.value = tuple(names)
        self.message.value = message_html(f"Added {len(names)} model target(s): {', '.join(names)}", "ok")
        return names

    def _prompt_versions(self) -> list[str]:
        prompts = self.wb.prompts()
        out = []
        for name in prompts["name"] if not prompts.empty else []:
            out += [f"{name}@{int(v)}" for v in self.wb.prompt_versions(str(name))["version"]]
        return out

    def run_selected(self) -> list[Run]:
        """Start one run per chosen target over the selected items (what "Run selected" does)."""
        selected = self.items.selected
        if not selected:
            self.message.value = message_html("Select items first (tick their boxes), or use Run all.", "error")
            return []
        return self.launch(selected)

    def run_all(self) -> list[Run]:
        """Start one run per chosen target over every item of the version (what "Run all" does)."""
        return self.launch(None)

    def launch(self, item_ids: Sequence[str] | None) -> list[Run]:
        """Start the runs (returns at once) and watch them; errors are shown, not raised."""
        if self.busy:
            self.message.value = message_html("Runs are still going on: wait for them or cancel them.", "error")
            return []
        if self.dataset.value is None:
            self.message.value = message_html("Create a dataset first.", "error")
            return []
        if not self.targets.value:
            self.message.value = message_html("Pick at least one target (register targets with wb.register).", "error")
            return []
        started: list[Run] = []
        try:
            scorers = [self.wb.registry.scorer(name) for name in self.scorers.value]
            for name in self.targets.value:
                run = self.wb.run(
                    self.dataset.value,
                    self.wb.registry.target(name),
                    scorers=scorers,
                    version=self.version.value,
                    item_ids=None if item_ids is None else list(item_ids),
                    progress=False,
                )
                started.append(run)
        except WorkbenchError as exc:
            self.message.value = message_html(str(exc), "error")
        if not started:
            return []
        if len(started) < len(self.targets.value):
            self.message.value += message_html(f" ({len(started)} of {len(self.targets.value)} runs started)", "error")
        else:
            ids = ", ".join(r.id for r in started)
            self.message.value = message_html(f"Started {len(started)} run(s): {ids}", "ok")
        self.failed.value = ""
        self._watch(started)
        for run in started:
            for callback in self._callbacks:
                callback(run)
        return started

    def cancel(self) -> None:
        """Cancel the runs going on (finished units are kept)."""
        runs = list(self.runs)
        self.cancel_button.disabled = True
        for run in runs:
            run.cancel()
        self.message.value = message_html(f"Cancelled {len(runs)} run(s); finished items are kept.")
        self._wait_for_watcher(timeout=5)

    @property
    def busy(self) -> bool:
        """Whether runs started here are still going on."""
        return self._watcher is not None and self._watcher.is_alive()

    def close(self) -> None:
        """Stop watching (the runs go on) and close the widgets."""
        self._stop.set()
        self._wait_for_watcher(timeout=5)
        self.widget.close()

    # -- items -----------------------------------------------------------------
    def _item_source(self, where: str, params: Sequence[Any]) -> TableSource:
        base = self._base
        if not isinstance(base, SqlSource) or where == "true":
            return base
        return SqlSource(
            f"select * from ({base.sql}) where {where}",
            order_by=base.order_by,
            search_columns=base.search_columns,
            params=[*base.params, *params],
            json_columns=base.json_columns,
        )

    def _load_versions(self) -> None:
        name = self.dataset.value
        self._refreshing = True
        try:
            if name is None:
                self.version.options = []
            else:
                versions = self.wb.dataset(name).versions()
                rows: list[Any] = list(versions.itertuples())
                options = [
                    (f"v{r.version} \u00b7 {r.item_count} items" + (" (latest)" if i == 0 else ""), int(r.version))
                    for i, r in enumerate(reversed(rows))
                ]
                current = self.version.value
                old = [v for _, v in self.version.options]
                follow_latest = not old or current == old[0]  # the latest stays chosen as new versions come
                self.version.options = options
                values = [v for _, v in options]
                keep = current in values and not follow_latest
                self.version.value = current if keep else (values[0] if values else None)
        finally:
            self._refreshing = False
        self._load_items()

    def _load_items(self) -> None:
        name, version = self.dataset.value, self.version.value
        if name is None:
            self._base = FrameSource(pd.DataFrame(columns=["item_id", *ITEM_COLUMNS]))
        else:
            self._base = items_source(self.wb.dataset(name), version)
        self._item_count = self._base.count("")
        same_dataset = self._loaded == name
        self._loaded = name
        self._apply_filter(keep_selection=same_dataset)  # a refresh keeps the ticked items still there

    def _apply_filter(self, *, keep_selection: bool) -> None:
        try:
            where, params = meta_filter_sql(self.meta_filter.value)
        except WorkbenchError as exc:
            self.message.value = message_html(str(exc), "error")
            return
        source = self._item_source(where, params)
        matching = set(source.keys("")) if keep_selection else set()
        kept = [k for k in self.items.selected if k in matching]  # the filter bounds the selection
        self.items.set_source(source, keep_selection=False)
        self.items.select(kept)
        self._update_buttons()

    def _on_dataset(self, _change: Any) -> None:
        if not self._refreshing:
            self._load_versions()

    def _on_version(self, _change: Any) -> None:
        if not self._refreshing:
            self._load_items()

    def _on_meta_filter(self, _change: Any) -> None:
        self.message.value = ""
        self._apply_filter(keep_selection=True)

    def _update_buttons(self) -> None:
        self.run_selected_button.description = f"Run selected ({len(self.items.selected)})"
        self.run_all_button.description = f"Run all ({self._item_count})"

    # -- watching ----------------------------------------------------------------
    def _watch(self, runs: list[Run]) -> None:
        self.runs = runs
        self._stop.clear()
        self.cancel_button.disabled = False
        self.run_selected_button.disabled = self.run_all_button.disabled = True
        self.progress.bar_style = ""
        self._throttle = ReloadThrottle(self.poll_interval, clock=self._clock)
        self._watcher = threading.Thread(
            target=self._poll, args=(runs, time.monotonic()), name="workbench-run-panel", daemon=True
        )
        self._watcher.start()

    def _wait_for_watcher(self, timeout: float) -> None:
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def _poll(self, runs: list[Run], started: float) -> None:
        shown_done = -1
        while True:
            finished = all(r.done() for r in runs)
            try:
                shown_done = self._update(runs, started, shown_done, final=finished)
            except Exception as exc:  # a watcher must never die silently mid-run
                self.message.value = message_html(f"Progress update failed: {type(exc).__name__}: {exc}", "error")
            if finished or self._stop.wait(self.poll_interval):
                break
        self.cancel_button.disabled = True
        self.run_selected_button.disabled = self.run_all_button.disabled = False

    def _update(self, runs: list[Run], started: float, shown_done: int, *, final: bool) -> int:
        """Show the progress; reload the results when units finished (throttled) or the runs ended.

        Returns the done count the results table shows now.
        """
        progress = [r.progress for r in runs]
        done = sum(int(p["done"]) for p in progress)
        errors = sum(int(p["errors"]) for p in progress)
        total = sum(int(p["total"]) for p in progress)
        statuses = sorted({str(p["status"]) for p in progress})
        elapsed = time.monotonic() - started
        eta = (total - done) * elapsed / done if done and not final else None
        with self._lock:
            self.progress.max = max(total, 1)
            self.progress.value = done
            if final:
                self.progress.bar_style = "danger" if errors or "failed" in statuses else "success"
                self.failed.value = self._failures(runs, progress)
            when = f"done in {elapsed:.1f} s" if final else _eta(eta)
            self.status.value = (
                f'<span class="wb-run-counts">{done} of {total} done &middot; {errors} errors &middot; '
                f"{html.escape(when)} &middot; {html.escape(', '.join(statuses))}</span>"
            )
            # re-reading every result costs more as the runs grow: at most every max(poll, 4 x last reload)
            if final or (done != shown_done and self._throttle.due()):
                self._throttle.run(lambda: self._show_results(runs))
                shown_done = done
        return shown_done

    @staticmethod
    def _failures(runs: list[Run], progress: list[dict[str, Any]]) -> str:
        """Each failed run (every item errored) with its first error; empty when none failed."""
        lines = []
        for run, p in zip(runs, progress, strict=True):
            if p["status"] == "failed" or (int(p["done"]) and int(p["errors"]) == int(p["done"])):
                why = first_error(run) or "every item errored"
                lines.append(message_html(f"run {run.id} failed: {why}", "error"))
        return "<br>".join(lines)

    def _show_results(self, runs: list[Run]) -> None:
        frames = []
        for run in runs:
            df = run.results()
            df.insert(0, "target", str(run.manifest.target.get("name")))
            frames.append(df)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        score_columns = sorted({c for c in frame.columns if c.startswith("score_")})
        with self.results.lock:  # the user may be paging the table on the kernel's thread meanwhile
            self._result_source.frame = frame.reset_index(drop=True)
            self.results.columns = [c for c in RESULT_COLUMNS if c in frame.columns] + score_columns
            self.results.refresh()
