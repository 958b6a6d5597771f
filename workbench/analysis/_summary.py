"""Summary of one run: coverage, success, scores with confidence intervals, latency, cost, tools, labels.

Everything is DuckDB SQL over the run's result parts (each unit's latest row); the
intervals come from :mod:`workbench.analysis._stats`. How each figure is defined:

- ``success_rate``: the share of units (item x repeat) without a target error.
- ``item_success_rate``: the share of covered items none of whose repeats had a target
  error (the same as ``success_rate`` for a run without repeats).
- score ``mean``: over units whose scorer did not fail (a scorer error is counted in
  ``errors``, never a silent 0; units whose target failed have no scores). The 95%
  interval is clustered by item (see :func:`~workbench.analysis.mean_ci`).
- a scorer's ``direction`` (``higher`` or ``lower`` is better) and ``pass_mark`` are what the
  run's scorer declares (``manifest.scorers[i]["direction"]``, ``["pass_mark"]``; a scorer
  that declares nothing is higher-is-better with pass mark 0.5); ``directions=`` and
  ``pass_marks=`` override them for one call.
- ``pass_rate``: the share of those scores at or above the scorer's pass mark (at or
  below it for a ``lower``-is-better scorer).
- ``cache_hits`` / ``cache_hit_share``: the units answered from the response cache
  (``results.cache_hit``). A cache hit costs nothing and takes milliseconds, so latency and
  cost figures are over the *fresh* units only (units that are not cache hits).
- latency percentiles: linear interpolation between order statistics (as numpy's default).
- ``cost_total``: the cost of the fresh units; ``cost_per_item``: what an item costs when it
  is not served from the cache (the mean cost of a fresh unit times the units per item: the
  run's cost over the items it covers when nothing was cached).
- tool calls, from ``results.tool_calls`` (the calls the target recorded): ``tool_calls``
  counts them, ``tool_calls_succeeded_share`` is the share with no ``error``,
  ``tool_calls_incorrect`` the calls recorded invalid (unknown tool or arguments that broke
  the tool's schema) plus, when the run has a ``tool_calls`` scorer, the valid calls it
  found with wrong arguments (``incorrect_arguments``); ``tool_calls_missing`` is the
  expected calls that scorer found missing (``None`` without such a scorer).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import numpy as np
import pandas as pd

from workbench.analysis._stats import clustered_from_sums
from workbench.errors import NotFoundError, ValidationError
from workbench.runs._labels import has_labels, labels_sql
from workbench.runs._manifest import RunManifest
from workbench.runs._plan import latest_rows_sql
from workbench.runs._results import RESULT_SCHEMA, has_parts
from workbench.runs._run import Run
from workbench.runs._runner import open_run
from workbench.store._table import connect

if TYPE_CHECKING:
    from workbench.project import Project

Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
ARROWS = {"higher": "↑", "lower": "↓"}
"""How a table marks a scorer's direction."""
DEFAULT_PASS_MARK = 0.5
"""The pass mark of a scorer that declares none."""
PassMarks = float | Mapping[str, float] | None
FRESH = "not coalesce(cache_hit, false)"
"""SQL: a unit that was not answered from the response cache (latency and cost count only these)."""

TOOL_COLUMNS_SQL = """
    coalesce(json_array_length(tool_calls), 0) as calls,
    coalesce(len(list_filter(json_extract_string(tool_calls, '$[*].error'), lambda e: e is not null)), 0) as failed,
    coalesce(len(list_filter(json_extract_string(tool_calls, '$[*].valid'), lambda v: v = 'false')), 0) as invalid
"""


# -- shared helpers (also used by the comparison) -----------------------------------------
def resolve_run(project: Project, run: str | Run) -> Run:
    """The :class:`Run` for a run id or a run (``NotFoundError`` for an unknown id)."""
    if isinstance(run, Run):
        return run
    if not isinstance(run, str) or not run:
        raise ValidationError(f"a run is a run id or a Run, not {run!r}")
    return open_run(project, run)


def scorer_names(manifest: RunManifest) -> list[str]:
    """The run's scorers, in the order they were given."""
    return [str(s["name"]) for s in manifest.scorers]


def target_name(manifest: RunManifest) -> str:
    """A short name of the run's target."""
    return str(manifest.target.get("name") or manifest.target.get("kind") or "?")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def per_scorer(
    value: float | Mapping[str, Any] | None,
    scorers: Iterable[str],
    default: Any,
    what: str,
    declared: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Expand one value, or a ``{scorer: value}`` mapping, over ``scorers``; unknown names are an error.

    A scorer the mapping leaves out (or every scorer, when ``value`` is None) gets its
    ``declared`` value when it has one, else ``default``.
    """
    names = list(scorers)
    fallback = {n: (declared or {}).get(n, default) for n in names}
    if value is None:
        return fallback
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            known = ", ".join(names) or "none"
            raise ValidationError(f"{what} for unknown scorer {unknown[0]!r} (scorers: {known})")
        return {n: value.get(n, fallback[n]) for n in names}
    return dict.fromkeys(names, value)


def declared_settings(manifests: Iterable[RunManifest]) -> tuple[dict[str, Direction], dict[str, float]]:
    """The directions and pass marks the runs' scorers declare (a later manifest wins).

    Read from each scorer dict of ``manifest.scorers`` (``"direction"``: ``"higher"`` or
    ``"lower"``, ``"pass_mark"``: a number); a scorer that leaves them out (or sets them
    to null) declares nothing. A malformed value is a one-line ``ValidationError``.
    """
    directions: dict[str, Direction] = {}
    marks: dict[str, float] = {}
    for m in manifests:
        for spec in m.scorers:
            name = str(spec.get("name"))
            way = spec.get("direction")
            if way is not None:
                if way not in DIRECTIONS:
                    raise ValidationError(
                        f"run {m.id}: scorer {name!r} has direction {way!r}; it must be 'higher' or 'lower'"
                    )
                directions[name] = way
            mark = spec.get("pass_mark")
            if mark is not None:
                marks[name] = _number(mark, f"run {m.id}: the pass_mark of scorer {name!r}")
    return directions, marks


def pass_marks_of(
    pass_marks: PassMarks, scorers: Iterable[str], declared: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Each scorer's pass mark: ``pass_marks`` (the override), else what it declares, else 0.5; validated."""
    out = per_scorer(pass_marks, scorers, DEFAULT_PASS_MARK, "pass mark", declared)
    return {k: _number(v, f"pass mark of {k!r}") for k, v in out.items()}


def scorer_directions(
    directions: Mapping[str, str] | None, scorers: Iterable[str], declared: Mapping[str, str] | None = None
) -> dict[str, Direction]:
    """Each scorer's direction: ``directions`` (the override), else what it declares, else ``higher``; validated."""
    if directions is not None and not isinstance(directions, Mapping):
        raise ValidationError(f"directions must be a mapping of scorer to 'higher' or 'lower', got {directions!r}")
    out = per_scorer(directions, scorers, "higher", "direction", declared)
    for k, v in out.items():
        if v not in DIRECTIONS:
            raise ValidationError(f"direction of {k!r} must be 'higher' or 'lower', got {v!r}")
    return out


def lower_is_better(
    directions: Mapping[str, str] | None, scorers: Iterable[str], declared: Mapping[str, str] | None = None
) -> set[str]:
    """The lower-is-better scorers, for views over many runs: ``directions`` overrides what ``declared`` says.

    Every direction must be ``higher`` or ``lower``; a scorer none of ``scorers`` has is an
    error unless ``scorers`` is empty (an empty selection of runs has nothing to check against).
    """
    if directions is not None and not isinstance(directions, Mapping):
        raise ValidationError(f"directions must be a mapping of scorer to 'higher' or 'lower', got {directions!r}")
    names = list(scorers)
    if not names:
        names = list(directions or {})
    checked = scorer_directions(directions, names, declared)
    return {k for k, v in checked.items() if v == "lower"}


def load_units(con: duckdb.DuckDBPyConnection, run: Run, table: str, columns: str = "*") -> None:
    """Create the temporary table ``table`` of the run's units (latest row each; ``columns`` of it) on ``con``."""
    if has_parts(run.folder):
        con.execute(f"create temp table {table} as select {columns} from ({latest_rows_sql(run.folder)})")
    else:
        con.register(f"{table}_empty", RESULT_SCHEMA.empty_table())
        con.execute(f"create temp table {table} as select {columns} from {table}_empty")
        con.unregister(f"{table}_empty")


def tool_scorer(manifest: RunManifest) -> str | None:
    """The name of the run's first ``tool_calls`` scorer, if any."""
    for spec in manifest.scorers:
        if spec.get("kind") == "tool_calls":
            return str(spec["name"])
    return None


def dataset_item_count(project: Project, manifest: RunManifest) -> int | None:
    """How many items the run's pinned dataset version has (``None`` when it is gone or unknown)."""
    if manifest.dataset is None or manifest.dataset_version is None:
        return None
    try:
        versions = project.dataset(manifest.dataset).versions()
    except NotFoundError:
        return None
    row = versions[versions["version"] == manifest.dataset_version]
    return int(row["item_count"].iloc[0]) if not row.empty else None


def clean(value: Any) -> Any:
    """A JSON-ready value: NaN -> None, numpy scalars -> Python, timestamps -> ISO text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records."""
    return [clean(r) for r in df.astype(object).to_dict("records")]


def fmt(value: Any) -> str:
    """A value for a table cell: numbers rounded, missing as ``-``."""
    value = clean(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def fmt_pct(value: Any) -> str:
    """A share as a percentage."""
    value = clean(value)
    return "-" if value is None else f"{100 * value:.1f}%"


def fmt_p(value: Any) -> str:
    """A p-value."""
    value = clean(value)
    if value is None:
        return "-"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def markdown_table(header: list[str], rows: Iterable[Iterable[str]]) -> str:
    """A GitHub markdown table (pipes and line breaks in cells escaped)."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(header: list[str], rows: Iterable[Iterable[str]]) -> str:
    """An HTML table, every header and cell escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_markdown(df: pd.DataFrame) -> str:
    """A DataFrame of text as a markdown table."""
    return markdown_table([str(c) for c in df.columns], df.astype(str).itertuples(index=False))


def frame_html(df: pd.DataFrame) -> str:
    """A DataFrame of text as an escaped HTML table."""
    return html_table([str(c) for c in df.columns], df.astype(str).itertuples(index=False))


# -- the summary ---------------------------------------------------------------------------
@dataclass
class Summary:
    """The summary of one run (see :func:`summarize`).

    Attributes:
        run_id: the run.
        target: the target's name.
        dataset: the dataset's name (``None`` for a monitored run without one).
        dataset_version: the pinned version.
        overview: items, repeats, units, dataset_items, coverage, success_rate (per unit),
            item_success_rate (per item: no repeat errored), errors, scorer_errors,
            cache_hits, cache_hit_share, latency_mean/p50/p95/p99 (fresh units), tokens_in,
            tokens_out, cost_total (fresh units), cost_per_item, tool_calls,
            tool_calls_succeeded_share, tool_calls_incorrect, tool_calls_missing.
        scorers: ``[scorer, direction, n, mean, ci_low, ci_high, pass_rate, pass_mark, errors]``.
        histogram: ``[scorer, bin_low, bin_high, count]``, equal bins over 0..1 (wider if scores are).
        latency: ``[bin_low, bin_high, count]``, equal bins over the fresh units' latencies.
        labels: ``[label, count, share]``, the effective label of each unit (share of labelled units).
    """

    run_id: str
    target: str
    dataset: str | None
    dataset_version: int | None
    overview: dict[str, Any]
    scorers: pd.DataFrame
    histogram: pd.DataFrame
    latency: pd.DataFrame
    labels: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (NaN as ``None``)."""
        return {
            "run_id": self.run_id,
            "target": self.target,
            "dataset": self.dataset,
            "dataset_version": self.dataset_version,
            "overview": clean(self.overview),
            "scorers": records(self.scorers),
            "histogram": records(self.histogram),
            "latency": records(self.latency),
            "labels": records(self.labels),
        }

    @property
    def title(self) -> str:
        """One line naming the run, its target and dataset version."""
        where = f"{self.dataset}@{self.dataset_version}" if self.dataset is not None else "no dataset"
        return f"Run {self.run_id} · target {self.target} · {where}"

    def _overview_rows(self) -> list[list[str]]:
        o = self.overview
        planned = f" of {o['dataset_items']} in the dataset version" if o.get("dataset_items") is not None else ""
        return [
            ["items", f"{o['items']}{planned}"],
            [
                "units (item x repeat)",
                f"{o['units']} ({o['repeats']} repeat{'' if o['repeats'] == 1 else 's'}, "
                f"coverage {fmt_pct(o['coverage'])})",
            ],
            [
                "success rate",
                f"{fmt_pct(o['success_rate'])} ({o['errors']} errors, {o['scorer_errors']} scorer errors)",
            ],
            ["item success rate", f"{fmt_pct(o['item_success_rate'])} (items with no errored repeat)"],
            ["cache hits", _cache_text(o)],
            [
                "latency (s)",
                f"mean {fmt(o['latency_mean'])} · p50 {fmt(o['latency_p50'])} · p95 {fmt(o['latency_p95'])} "
                f"· p99 {fmt(o['latency_p99'])}",
            ],
            ["tokens", f"{fmt(o['tokens_in'])} in · {fmt(o['tokens_out'])} out"],
            ["cost", f"{fmt(o['cost_total'])} total · {fmt(o['cost_per_item'])} per item"],
            [
                "tool calls",
                f"{o['tool_calls']} · {fmt_pct(o['tool_calls_succeeded_share'])} succeeded · "
                f"{fmt(o['tool_calls_incorrect'])} incorrect · {fmt(o['tool_calls_missing'])} missing",
            ],
        ]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The summary as display tables of text (``overview``, ``scorers``, ``labels`` when there are any)."""
        out = {"overview": pd.DataFrame(self._overview_rows(), columns=["figure", "value"])}
        if not self.scorers.empty:
            rows = [
                [
                    f"{r.scorer} {ARROWS.get(str(r.direction), '')}",
                    str(r.n),
                    fmt(r.mean),
                    f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                    f"{fmt_pct(r.pass_rate)} ({'≥' if r.direction == 'higher' else '≤'} {fmt(r.pass_mark)})",
                    str(r.errors),
                ]
                for r in self.scorers.itertuples(index=False)
            ]
            out["scorers"] = pd.DataFrame(rows, columns=["scorer", "n", "mean", "95% CI", "pass rate", "errors"])
        if not self.labels.empty:
            rows = [[str(r.label), str(r.count), fmt_pct(r.share)] for r in self.labels.itertuples(index=False)]
            out["labels"] = pd.DataFrame(rows, columns=["label", "count", "share"])
        return out

    def to_markdown(self) -> str:
        """The summary as markdown (tables of the overview, scorers and labels)."""
        parts = [f"### {self.title}"]
        for name, table in self.tables().items():
            if name != "overview":
                parts += ["", f"**{name.capitalize()}**"]
            parts += ["", frame_markdown(table)]
        return "\n".join(parts) + "\n"

    def _repr_html_(self) -> str:
        out = [f"<div><h4>{html.escape(self.title)}</h4>"]
        out += [frame_html(table) for table in self.tables().values()]
        return "".join(out) + "</div>"

    def __repr__(self) -> str:
        o = self.overview
        return f"Summary({self.run_id!r}, items={o['items']}, units={o['units']}, scorers={len(self.scorers)})"


def _cache_text(o: Mapping[str, Any]) -> str:
    if not o.get("cache_hits"):
        return "none"
    return f"{o['cache_hits']} of {o['units']} units ({fmt_pct(o['cache_hit_share'])}), left out of latency and cost"


def per_item_cost(cost: float | None, units: int, cache_hits: int, items: int) -> float | None:
    """What an item costs when it is not served from the cache: mean fresh-unit cost x units per item."""
    fresh = units - cache_hits
    if cost is None or not fresh or not items:
        return None
    return float(cost) / fresh * units / items


def _overview(con: duckdb.DuckDBPyConnection, manifest: RunManifest, project: Project) -> dict[str, Any]:
    row = con.execute(
        f"""select count(distinct item_id), count(distinct item_id) filter (where error is not null),
                   count(*), count(*) filter (where error is not null), count(*) filter (where cache_hit),
                   avg(latency_s) filter (where {FRESH}), quantile_cont(latency_s, 0.5) filter (where {FRESH}),
                   quantile_cont(latency_s, 0.95) filter (where {FRESH}),
                   quantile_cont(latency_s, 0.99) filter (where {FRESH}), sum(tokens_in), sum(tokens_out),
                   sum(cost) filter (where {FRESH}), sum(calls), sum(failed), sum(invalid)
            from (select *, {TOOL_COLUMNS_SQL} from r)"""
    ).fetchall()[0]
    (items, failed_items, units, errors, hits, lat_mean, p50, p95, p99, tok_in, tok_out, cost, calls, failed,
     invalid) = row  # fmt: skip
    scorer_errors = con.execute("select count(*) from s where error is not null").fetchall()[0][0]
    calls, failed, invalid = int(calls or 0), int(failed or 0), int(invalid or 0)
    incorrect: int | None = invalid
    missing: int | None = None
    tool = tool_scorer(manifest)
    if tool is not None:
        wrong, missing = con.execute(
            """select coalesce(sum(json_array_length(details, '$.incorrect_arguments')
                        - len(list_filter(json_extract_string(details, '$.incorrect_arguments[*].invalid'),
                                          lambda v: v = 'true'))), 0),
                      coalesce(sum(json_array_length(details, '$.missing')), 0)
               from s where scorer = ? and error is null""",
            [tool],
        ).fetchall()[0]
        incorrect, missing = invalid + int(wrong), int(missing)
    planned = manifest.item_count * manifest.repeats
    return {
        "items": int(items),
        "repeats": manifest.repeats,
        "units": int(units),
        "dataset_items": dataset_item_count(project, manifest),
        "coverage": units / planned if planned else None,
        "success_rate": (units - errors) / units if units else None,
        "item_success_rate": (items - failed_items) / items if items else None,
        "errors": int(errors),
        "scorer_errors": int(scorer_errors),
        "cache_hits": int(hits),
        "cache_hit_share": hits / units if units else None,
        "latency_mean": lat_mean,
        "latency_p50": p50,
        "latency_p95": p95,
        "latency_p99": p99,
        "tokens_in": int(tok_in or 0),
        "tokens_out": int(tok_out or 0),
        "cost_total": cost,
        "cost_per_item": per_item_cost(cost, int(units), int(hits), int(items)),
        "tool_calls": calls,
        "tool_calls_succeeded_share": (calls - failed) / calls if calls else None,
        "tool_calls_incorrect": incorrect,
        "tool_calls_missing": missing,
    }


def _scorers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = con.execute(
        """with v as (select s.scorer, s.item_id, s.score,
                             (case when th.higher then s.score >= th.pass_mark
                                   else s.score <= th.pass_mark end)::double as passed
                      from s join th using (scorer) where s.error is null and s.score is not null),
                m as (select scorer, count(*) as n, avg(score) as mean, count(distinct item_id) as g,
                             avg(passed) as pass_rate
                      from v group by scorer),
                c as (select v.scorer, sum(v.score - m.mean) as dev from v join m using (scorer)
                      group by v.scorer, v.item_id),
                cs as (select scorer, sum(dev * dev) as ss from c group by scorer),
                e as (select scorer, count(*) filter (where error is not null) as errors from s group by scorer)
           select th.scorer, th.higher, coalesce(m.n, 0), m.mean, coalesce(m.g, 0), m.pass_rate, cs.ss,
                  th.pass_mark, coalesce(e.errors, 0)
           from th left join m using (scorer) left join cs using (scorer) left join e using (scorer)
           order by th.ord"""
    ).fetchall()
    out = []
    for scorer, higher, n, mean, g, pass_rate, ss, pass_mark, errors in rows:
        ci = clustered_from_sums(int(n), float("nan") if mean is None else float(mean), int(g), float(ss or 0.0))
        out.append(
            {
                "scorer": scorer,
                "direction": "higher" if higher else "lower",
                "n": int(n),
                "mean": ci.mean,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "pass_rate": float("nan") if pass_rate is None else float(pass_rate),
                "pass_mark": float(pass_mark),
                "errors": int(errors),
            }
        )
    columns = ["scorer", "direction", "n", "mean", "ci_low", "ci_high", "pass_rate", "pass_mark", "errors"]
    return pd.DataFrame(out, columns=columns)


def _histogram(con: duckdb.DuckDBPyConnection, bins: int) -> pd.DataFrame:
    df: pd.DataFrame = con.execute(
        f"""with v as (select scorer, score from s where error is null and score is not null),
                 rng as (select scorer, least(0.0, min(score)) as lo, greatest(1.0, max(score)) as hi
                         from v group by scorer),
                 b as (select v.scorer, least(floor((score - lo) / (hi - lo) * {bins}), {bins - 1})::bigint as k,
                              count(*) as c
                       from v join rng using (scorer) group by all)
            select rng.scorer, lo + (hi - lo) * r.k / {bins} as bin_low,
                   lo + (hi - lo) * (r.k + 1) / {bins} as bin_high, coalesce(b.c, 0)::bigint as count
            from rng cross join (select range as k from range({bins})) as r
                 left join b on b.scorer = rng.scorer and b.k = r.k
                 join th on th.scorer = rng.scorer
            order by th.ord, r.k"""
    ).df()
    return df


def _latency(con: duckdb.DuckDBPyConnection, bins: int) -> pd.DataFrame:
    fresh = f"(select latency_s from r where {FRESH})"
    lo, hi, n = con.execute(f"select min(latency_s), max(latency_s), count(latency_s) from {fresh}").fetchall()[0]
    if not n:
        return pd.DataFrame({"bin_low": pd.Series([], dtype="float64"), "bin_high": [], "count": []})
    if hi == lo:
        return pd.DataFrame({"bin_low": [lo], "bin_high": [hi], "count": [int(n)]})
    df: pd.DataFrame = con.execute(
        f"""with b as (select least(floor((latency_s - $lo) / ($hi - $lo) * {bins}), {bins - 1})::bigint as k,
                              count(*) as c
                       from {fresh} where latency_s is not null group by all)
            select $lo + ($hi - $lo) * r.k / {bins} as bin_low, $lo + ($hi - $lo) * (r.k + 1) / {bins} as bin_high,
                   coalesce(b.c, 0)::bigint as count
            from (select range as k from range({bins})) as r left join b using (k) order by r.k""",
        {"lo": lo, "hi": hi},
    ).df()
    return df


def unit_labels_sql(run: Run, units_table: str) -> str | None:
    """SQL for the effective label of each unit that has a result (``None`` when the run has no labels)."""
    if not has_labels(run.folder):
        return None
    return f"select l.* from ({labels_sql(run.folder)}) as l semi join {units_table} using (item_id, repeat)"


def _labels(con: duckdb.DuckDBPyConnection, run: Run) -> pd.DataFrame:
    sql = unit_labels_sql(run, "r")
    if sql is None:
        return pd.DataFrame({"label": pd.Series([], dtype="str"), "count": [], "share": []})
    df: pd.DataFrame = con.execute(
        f"""select label, count(*) as count, count(*) / sum(count(*)) over () as share
            from ({sql}) group by label order by count desc, label"""
    ).df()
    return df


def register_table(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """Copy ``df`` into the temporary table ``name`` on ``con``."""
    con.register(f"{name}_df", df)
    con.execute(f"create temp table {name} as select * from {name}_df")
    con.unregister(f"{name}_df")


def scorer_table(names: list[str], values: Mapping[str, Any], directions: Mapping[str, Direction]) -> pd.DataFrame:
    """The per-scorer settings registered in SQL as ``th``: scorer, pass_mark, higher, ord."""
    return pd.DataFrame(
        {
            "scorer": pd.Series(names, dtype="str"),
            "pass_mark": pd.Series([float(values[n]) for n in names], dtype="float64"),
            "higher": pd.Series([directions[n] == "higher" for n in names], dtype="bool"),
            "ord": pd.Series(range(len(names)), dtype="int64"),
        }
    )


def summarize(
    project: Project,
    run: str | Run,
    *,
    pass_marks: PassMarks = None,
    bins: int = 10,
    directions: Mapping[str, str] | None = None,
) -> Summary:
    """Summarize one run: coverage, success, scores with 95% intervals, cache hits, latency, cost, tools, labels.

    Each scorer's direction and pass mark are what it declares in the run's manifest (else
    higher-is-better, 0.5); the keywords override them for this call.

    Args:
        project: the workbench holding the run.
        run: a run id or a :class:`Run`.
        pass_marks: override the pass mark of every scorer (a number) or of some (a dict;
            the others keep their declared pass mark).
        bins: histogram bins (of scores over 0..1, and of latency).
        directions: override, per scorer, ``"higher"`` or ``"lower"`` is better: a
            lower-is-better score passes at or *below* its pass mark.

    Examples:
        >>> s = wb.summarize(run_id, pass_marks={"exact": 1.0})  # doctest: +SKIP
        >>> s.scorers[["scorer", "mean", "ci_low", "ci_high", "pass_rate"]]  # doctest: +SKIP
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValidationError(f"bins must be a whole number of at least 1, got {bins!r}")
    the_run = resolve_run(project, run)
    manifest = the_run.manifest
    con = connect()
    try:
        load_units(con, the_run, "r")
        con.execute(
            "create temp table s as select item_id, repeat, sc.scorer, sc.score, sc.details, sc.error "
            "from (select item_id, repeat, unnest(scores) as sc from r)"  # select-list unnest, not a lateral join
        )
        names = scorer_names(manifest)
        found = con.execute("select distinct scorer from s order by scorer").fetchall()
        names += [n for (n,) in found if n not in names]
        declared_dirs, declared_marks = declared_settings([manifest])
        marks = pass_marks_of(pass_marks, names, declared_marks)
        register_table(con, "th", scorer_table(names, marks, scorer_directions(directions, names, declared_dirs)))
        return Summary(
            run_id=the_run.id,
            target=target_name(manifest),
            dataset=manifest.dataset,
            dataset_version=manifest.dataset_version,
            overview=_overview(con, manifest, project),
            scorers=_scorers(con),
            histogram=_histogram(con, bins),
            latency=_latency(con, bins),
            labels=_labels(con, the_run),
        )
    finally:
        con.close()
