"""The Compare panel: a candidate run against a baseline run (``wb.compare``), with its charts.

Warnings (dataset version mismatch, partial run, coverage, scorer mismatch, dead scorer,
cache mixed, no shared items) stand at the top, then the verdict, per-scorer deltas with confidence intervals,
latency/cost/token deltas, the regressed and improved items (with both outputs), and
the charts (``workbench.charts.scorer_bars`` and ``item_deltas``) rendered to SVG in
the kernel, so they show offline in Jupyter and Voila alike. Every text is escaped.

The settings row takes what ``workbench compare`` takes: the significance level (alpha),
the margin, i.e. the smallest worsening that counts per scorer (``scorer=0.02, other=0.1``,
or one number for all: the ``--margin`` syntax), pass marks (the ``--pass-mark`` syntax),
the scorers where lower is better (comma-separated names: ``--direction SCORER=lower``) and
whether a dead scorer may pass (``--allow-dead-scorers``). Each scorer's own direction and
pass mark (declared in the runs' manifests) apply unless these override them; the scores
table shows the ones used. Bad input is shown in the message, not raised.

CSS classes (for browser tests): ``wb-compare-panel`` (root), ``wb-compare-baseline``,
``wb-compare-candidate``, ``wb-compare-go`` ("Compare"), ``wb-compare-message`` (errors),
``wb-compare-alpha``, ``wb-compare-margins``, ``wb-compare-pass-marks``, ``wb-compare-lower``,
``wb-compare-allow-dead`` (the settings row),
``wb-compare-warnings``, ``wb-compare-headline``, ``wb-compare-scorers``,
``wb-compare-metrics``, ``wb-compare-items``, ``wb-compare-charts``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.analysis._compare import verdict as scorer_verdict
from workbench.analysis._options import lower_directions, parse_margins, parse_pass_marks, split_list
from workbench.analysis._summary import fmt, fmt_p, fmt_pct, html_table
from workbench.errors import WorkbenchError
from workbench.report import run_items
from workbench.ui._pickers import RunPicker, run_options
from workbench.ui._table import cell_text, json_values, message_html

if TYPE_CHECKING:
    import pandas as pd

    from workbench._workbench import Workbench
    from workbench.analysis._compare import Comparison

MAX_ITEMS = 20
"""Items listed per scorer and direction (the rest are counted)."""
MAX_OUTPUT_CHARS = 160
SCORER_HEADER = [
    "scorer", "n", "baseline", "candidate", "delta", "CI", "p", "pass rate (mark)", "items +/-", "verdict",
]  # fmt: skip
METRIC_HEADER = ["metric", "baseline", "candidate", "delta", "CI", "p", "verdict"]
ALPHAS = (0.01, 0.05, 0.1)
AT_MARK = {"higher": "\u2265", "lower": "\u2264"}
"""How a pass mark reads for each direction: a score passes at or above (or at or below) it."""


def _table(header: list[str], rows: list[list[str]]) -> str:
    """An escaped HTML table (``html_table``) with some room between its cells."""
    return (
        html_table(header, rows)
        .replace("<table>", "<table style='border-collapse:collapse;margin:4px 0 10px'>")
        .replace(
            "<td>",
            "<td style='padding:2px 12px 2px 0;vertical-align:top;white-space:pre-wrap;"
            "overflow-wrap:anywhere;max-width:28em'>",
        )
        .replace("<th>", "<th style='padding:2px 12px 2px 0;text-align:left'>")
    )


def _delta(value: Any) -> str:
    text = fmt(value)
    return text if text == "\u2013" or text.startswith("-") else "+" + text


def verdict(row: Any, allow_dead: bool = False) -> str:
    """In words: dead scorer, regression, improved, worse within margin, or no significant change."""
    return scorer_verdict(row, allow_dead)


def warnings_html(comparison: Comparison) -> str:
    """The warnings as an escaped list (empty when there are none)."""
    if not comparison.warnings:
        return ""
    items = "".join(f"<li><b>{html.escape(w.code)}</b>: {html.escape(w.message)}</li>" for w in comparison.warnings)
    return f'<div style="background:#fff4e5;border-left:4px solid #e08a00;padding:4px 8px"><ul>{items}</ul></div>'


def headline_html(comparison: Comparison) -> str:
    """The verdict line: a regression (which scorers) or none, and how many items are shared."""
    title = (
        f"Candidate {comparison.candidate_id} ({comparison.candidate_target}) vs baseline "
        f"{comparison.baseline_id} ({comparison.baseline_target}), {comparison.shared_items} shared items"
    )
    if comparison.has_regression:
        verdict_text = comparison.headline
        colour = "#cf222e"
    else:
        verdict_text = f"No significant regression (alpha {comparison.alpha:g})"
        colour = "#1a7f37"
    return f"<p>{html.escape(title)}<br><b style='color:{colour}'>{html.escape(verdict_text)}</b></p>"


def scorers_html(comparison: Comparison) -> str:
    """Per scorer: means, paired delta with its interval and p-value, pass rates, item counts, verdict."""
    df = comparison.scorers
    if df.empty:
        return "<i>No scorer in common.</i>"
    arrow = {"higher": "\u2191", "lower": "\u2193"}
    rows = [
        [
            f"{r.scorer} {arrow.get(str(r.direction), '')}",
            fmt(r.n),
            fmt(r.baseline_mean),
            fmt(r.candidate_mean),
            _delta(r.delta),
            f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            f"{fmt_p(r.p_value)} ({r.test})",
            f"{fmt_pct(r.baseline_pass_rate)} \u2192 {fmt_pct(r.candidate_pass_rate)} "
            f"({AT_MARK.get(str(r.direction), '')} {fmt(r.pass_mark)})",
            f"+{r.improved} / -{r.regressed}",
            verdict(r, comparison.allow_dead_scorers),
        ]
        for r in df.itertuples(index=False)
    ]
    level = f"{100 * comparison.level:g}%"
    html_out = f"<b>Scores</b> (candidate \u2212 baseline, paired {level} intervals)" + _table(SCORER_HEADER, rows)
    if comparison.cache_line is not None:
        html_out += f"<p class='wb-compare-cache'>{html.escape(comparison.cache_line)}</p>"
    return html_out


def metrics_html(comparison: Comparison) -> str:
    """Latency, cost and token deltas with intervals."""
    df = comparison.metrics
    if df.empty:
        return ""
    rows = [
        [str(r.metric), fmt(r.baseline), fmt(r.candidate), _delta(r.delta), f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
         fmt_p(r.p_value), "REGRESSION" if getattr(r, "regression", False) else ""]
        for r in df.itertuples(index=False)
    ]  # fmt: skip
    return "<b>Success rate, latency, cost, tokens</b>" + _table(METRIC_HEADER, rows)


def _short(value: Any) -> str:
    text = cell_text(value)
    return text if len(text) <= MAX_OUTPUT_CHARS else text[: MAX_OUTPUT_CHARS - 1] + "\u2026"


ITEM_HEADER = ["item", "input", "expected", "baseline", "candidate", "baseline output", "candidate output"]


def _without_empty_columns(
    header: list[str], rows: list[list[str]], keep: int = 1
) -> tuple[list[str], list[list[str]]]:
    """The header and rows without the columns (after the first ``keep``) that are blank in every row."""
    full = [i for i in range(len(header)) if i < keep or any(row[i].strip() for row in rows)]
    return [header[i] for i in full], [[row[i] for i in full] for row in rows]


def items_html(comparison: Comparison, limit: int = MAX_ITEMS, items: pd.DataFrame | None = None) -> str:
    """Per scorer, the regressed then the improved items: input and expected output, scores before/after, both outputs.

    ``items`` are the dataset's items (``item_id``, ``input``, ``expected_output``; see
    ``workbench.report.run_items``); without them the input columns are left out, as is any
    column blank in every row. Long text wraps; a table wider than the panel scrolls.
    """
    scores = comparison.items.set_index(["scorer", "item_id"]) if not comparison.items.empty else None
    outputs: pd.DataFrame | None = None
    if not comparison.outputs.empty:  # outputs as values: text without quotes, objects compact
        outputs = comparison.outputs.set_index("item_id")[["baseline_output", "candidate_output"]].copy()
        for column in outputs.columns:
            outputs[column] = json_values(outputs[column].tolist())
    fields: dict[str, tuple[Any, Any]] = {}
    if items is not None and not items.empty:
        for item_id, given, expected in zip(items["item_id"], items["input"], items["expected_output"], strict=True):
            fields.setdefault(str(item_id), (given, expected))
    parts = []
    for kind, lists in (("regressed", comparison.regressed_items), ("improved", comparison.improved_items)):
        for scorer, ids in lists.items():
            if not ids:
                continue
            rows = []
            for item_id in ids[:limit]:
                b = c = None
                if scores is not None and (scorer, item_id) in scores.index:
                    b, c = scores.loc[(scorer, item_id), ["baseline", "candidate"]]
                out_b = out_c = None
                if outputs is not None and item_id in outputs.index:
                    out_b, out_c = outputs.loc[item_id, ["baseline_output", "candidate_output"]]
                given, expected = fields.get(str(item_id), (None, None))
                rows.append([item_id, _short(given), _short(expected), fmt(b), fmt(c), _short(out_b), _short(out_c)])
            more = f" (first {limit} of {len(ids)})" if len(ids) > limit else ""
            header, rows = _without_empty_columns(ITEM_HEADER, rows)
            parts.append(
                f"<p class='wb-compare-{kind}'><b>{len(ids)} {html.escape(kind)}</b> on "
                f"{html.escape(str(scorer))}{html.escape(more)}</p>"
                + f"<div class='wb-compare-table' style='overflow-x:auto;max-width:100%'>{_table(header, rows)}</div>"
            )
    return "".join(parts) or "<i>No item changed on any scorer.</i>"


def charts_html(comparison: Comparison) -> str:
    """The comparison's charts as inline SVG (rendered by vl-convert in the kernel: no network, no JS)."""
    from workbench import charts

    parts = []
    for name, build in (("scorer_bars", charts.scorer_bars), ("item_deltas", charts.item_deltas)):
        try:
            svg = charts.to_svg(build(comparison))
        except (WorkbenchError, ValueError) as exc:  # e.g. no scorer in common: nothing to draw
            parts.append(f"<p><i>No {html.escape(name)} chart: {html.escape(str(exc))}</i></p>")
            continue
        parts.append(f"<div class='wb-chart wb-chart-{name}'>{svg}</div>")
    return "".join(parts)


class ComparePanel:
    """Pick two runs and see how the candidate compares with the baseline (see the module's docstring).

    Args:
        wb: the workbench.
        charts: draw the charts (turn off to compare faster, e.g. in tests of the tables).

    Attributes:
        comparison: the last comparison shown (``None`` before the first).
    """

    def __init__(self, wb: Workbench, *, charts: bool = True) -> None:
        self.wb = wb
        self.draw_charts = charts
        self.comparison: Comparison | None = None

        self.baseline = RunPicker("Baseline", css_class="wb-compare-baseline", rows=4)
        self.candidate = RunPicker("Candidate", css_class="wb-compare-candidate", rows=4)
        self.go = widgets.Button(description="Compare", button_style="primary")
        self.go.add_class("wb-compare-go")
        self.go.on_click(lambda _b: self.compare())
        self.alpha = widgets.Dropdown(
            description="alpha", options=[(f"{a:g}", a) for a in ALPHAS], value=0.05, layout={"width": "160px"}
        )
        self.alpha.add_class("wb-compare-alpha")
        self.margins = widgets.Text(
            description="margins",
            placeholder="scorer=0.02, other=0.1",
            tooltip="Smallest worsening that counts: SCORER=NUMBER (comma-separated), or NUMBER for all",
            layout={"width": "300px"},
        )
        self.margins.add_class("wb-compare-margins")
        self.pass_marks = widgets.Text(
            description="pass marks",
            placeholder="as the scorers declare",
            tooltip="Override pass marks: SCORER=NUMBER (comma-separated), or NUMBER for all",
            style={"description_width": "initial"},
            layout={"width": "300px"},
        )
        self.pass_marks.add_class("wb-compare-pass-marks")
        self.lower = widgets.Text(
            description="lower is better",
            placeholder="scorer, other",
            tooltip="Override: scorers where a lower score is better (comma-separated names)",
            style={"description_width": "initial"},
            layout={"width": "300px"},
        )
        self.lower.add_class("wb-compare-lower")
        self.allow_dead = widgets.Checkbox(
            description="allow dead scorers", value=False, indent=False, layout={"width": "180px"}
        )
        self.allow_dead.add_class("wb-compare-allow-dead")
        self.message = widgets.HTML()
        self.message.add_class("wb-compare-message")
        self.warnings = widgets.HTML()
        self.warnings.add_class("wb-compare-warnings")
        self.headline = widgets.HTML()
        self.headline.add_class("wb-compare-headline")
        self.scorers = widgets.HTML()
        self.scorers.add_class("wb-compare-scorers")
        self.metrics = widgets.HTML()
        self.metrics.add_class("wb-compare-metrics")
        self.items = widgets.HTML()
        self.items.add_class("wb-compare-items")
        self.charts = widgets.HTML()
        self.charts.add_class("wb-compare-charts")
        self.widget = widgets.VBox(
            [
                self.baseline,
                widgets.HBox([self.candidate, self.go]),
                widgets.HBox([widgets.Label("Settings"), self.alpha, self.margins, self.pass_marks]),
                widgets.HBox([self.lower, self.allow_dead]),
                self.message,
                self.warnings,
                self.headline,
                self.scorers,
                self.metrics,
                self.charts,
                self.items,
            ]
        )
        self.widget.add_class("wb-compare-panel")
        self.refresh()

    def refresh(self) -> None:
        """Reload the list of runs, keeping the choices (default: the two newest, older as baseline)."""
        options = run_options(self.wb)
        ids = [v for _, v in options]
        chosen = self.baseline.value, self.candidate.value
        self.baseline.options = options
        self.candidate.options = options
        defaults = (ids[1] if len(ids) > 1 else None, ids[0] if ids else None)
        self.baseline.value = chosen[0] if chosen[0] in ids else defaults[0]
        self.candidate.value = chosen[1] if chosen[1] in ids else defaults[1]

    def show(self, baseline: str, candidate: str) -> None:
        """Pick ``baseline`` and ``candidate`` (run ids) and compare them."""
        ids = [v for _, v in self.baseline.options]
        if baseline not in ids or candidate not in ids:
            self.refresh()
            ids = [v for _, v in self.baseline.options]
        missing = [r for r in (baseline, candidate) if r not in ids]
        if missing:
            self._clear()
            self.message.value = message_html(f"run {missing[0]!r} does not exist", "error")
            return
        self.baseline.value = baseline
        self.candidate.value = candidate
        self.compare()

    def compare(self) -> Comparison | None:
        """Compare the chosen runs and show the result (what "Compare" does); errors are shown."""
        self._clear()
        if self.baseline.value is None or self.candidate.value is None:
            self.message.value = message_html("Pick a baseline run and a candidate run.", "error")
            return None
        if self.baseline.value == self.candidate.value:
            self.message.value = message_html("Pick two different runs.", "error")
            return None
        try:
            comparison = self.wb.compare(self.baseline.value, self.candidate.value, **self.options())
        except WorkbenchError as exc:
            self.message.value = message_html(str(exc), "error")
            return None
        self.comparison = comparison
        self.warnings.value = warnings_html(comparison)
        self.headline.value = headline_html(comparison)
        self.scorers.value = scorers_html(comparison)
        self.metrics.value = metrics_html(comparison)
        self.items.value = items_html(comparison, items=run_items(self.wb, comparison.candidate_id))
        if self.draw_charts:
            self.charts.value = charts_html(comparison)
        return comparison

    def options(self) -> dict[str, Any]:
        """The settings row as ``wb.compare`` keywords (``ValidationError`` on bad input)."""
        names: list[str] = []
        for run_id in (self.baseline.value, self.candidate.value):
            if run_id is None:
                continue
            names += [str(s["name"]) for s in self.wb.get_run(run_id).manifest.scorers if str(s["name"]) not in names]
        return {
            "margins": parse_margins(split_list(self.margins.value), names, "margins"),
            "pass_marks": parse_pass_marks(split_list(self.pass_marks.value), names, "pass marks"),
            "directions": lower_directions(self.lower.value),
            "alpha": float(self.alpha.value),
            "allow_dead_scorers": bool(self.allow_dead.value),
        }

    def _clear(self) -> None:
        self.comparison = None
        for w in (self.message, self.warnings, self.headline, self.scorers, self.metrics, self.items, self.charts):
            w.value = ""
