"""Comparison of two runs on the items they share: per-scorer paired tests, item changes, warnings.

How it is computed (DuckDB SQL over both runs' result parts; the tests from
:mod:`workbench.analysis._stats`):

- Each run is reduced to one value per item and scorer: the mean over the item's repeats
  of the scores that did not fail. The runs are aligned on the items both have; a scorer
  compares the items where both runs have a score.
- ``delta`` is candidate - baseline, per item and on average (the mean of the per-item
  deltas, so ``candidate_mean - baseline_mean``). Its interval is the paired t interval
  at level ``1 - alpha``. The p-value is the paired t test's, except for a pass/fail
  scorer (every per-item value 0 or 1 on both sides), where it is the exact sign test on
  the items that flipped (the exact McNemar test); ``test`` says which.
- A scorer's ``direction`` says whether higher or lower is better: what the scorer declares
  in the runs' manifests (``manifest.scorers[i]["direction"]``; the candidate's when the two
  disagree, with a ``scorer_settings_mismatch`` warning; ``higher`` when neither declares
  one), unless ``directions=`` overrides it. An item ``improved`` / ``regressed`` when its
  delta is better / worse in that direction.
- Pass rates use each scorer's ``pass_mark`` (declared the same way, default 0.5; override
  with ``pass_marks=``): a score passes at or above it, at or below it for a
  lower-is-better scorer; ``pass_p_value`` is the exact sign test on the items whose
  pass share went up vs down.
- ``significant``: ``p_value < alpha``, i.e. the change is significantly different from 0
  (paired t test, or the exact sign test for pass/fail). ``regression``: significant *and*
  the mean delta is worse than ``-margin`` in the scorer's direction (``margin``: the
  smallest worsening that matters, default 0). The margin does not move the test's null
  hypothesis (it stays "no change"); it only ignores significant drops smaller than it.
- A *dead* scorer fails the gate (unless ``allow_dead_scorers=True``): one with no item
  scored on both sides (``n == 0``: it failed on every unit of a side, or the runs share no
  item), or whose scorer-error rate rose significantly (per item, the share of scored units
  where the scorer raised; exact sign test on the items whose share differs, ``p < alpha``).
  Without this rule a scorer that broke in the candidate compares nothing and passes.
- Cache hits (``results.cache_hit``: a reply served from the response cache, milliseconds
  and no cost) are left out of the latency and cost figures; each side's share of them is
  reported, and a ``cache_mixed`` warning says when a side mixes cached and fresh units or
  the two sides differ in their use of the cache.
- A unit whose target raised has no scores, so the scorer statistics leave it out; the
  ``errors`` warning says how many shared items errored on each side, and the success rate
  is gated on its own: per item, the share of repeats without a target error, compared with
  the exact sign test on the items whose share differs (the exact McNemar test on the
  error flags). A significant drop (``p < alpha``) is a regression.
- ``metrics``: the paired t comparison of per-item mean latency, cost (both over fresh
  units) and tokens (in + out), informative only, and the success rate (share of units
  without a target error), whose p-value is the sign test above and whose drop is a regression.
- ``coverage``: a warning when the candidate covers fewer of the baseline's items than the
  baseline has (or the other way round), whatever the reason: a partial run, or runs over
  different selections of items (``item_ids``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow.compute as pc

from workbench.analysis._stats import exact_sign_test, paired_from_moments
from workbench.analysis._summary import (
    ARROWS,
    FRESH,
    Direction,
    PassMarks,
    clean,
    declared_settings,
    fmt,
    fmt_p,
    fmt_pct,
    frame_html,
    frame_markdown,
    pass_marks_of,
    per_scorer,
    records,
    resolve_run,
    scorer_directions,
    scorer_names,
    target_name,
)
from workbench.errors import NotFoundError, ValidationError
from workbench.runs._labels import has_labels, labels_sql
from workbench.runs._manifest import RunManifest
from workbench.runs._plan import latest_rows_sql
from workbench.runs._results import RESULT_SCHEMA, has_parts, parts_glob
from workbench.runs._run import Run
from workbench.store._table import connect, sql_literal

if TYPE_CHECKING:
    from workbench.project import Project

EPS = 1e-9
"""Per-item deltas smaller than this are no change (float noise of means over repeats)."""
METRICS = (("latency_s", "latency"), ("cost", "cost"), ("tokens", "tokens"), ("success_rate", "success"))
SCORER_COLUMNS = [
    "scorer", "direction", "n", "baseline_mean", "candidate_mean", "delta", "ci_low", "ci_high", "p_value", "test",
    "baseline_pass_rate", "candidate_pass_rate", "pass_rate_delta", "pass_p_value", "improved", "regressed",
    "pass_mark", "margin", "baseline_scorer_error_rate", "candidate_scorer_error_rate", "scorer_error_p_value",
    "significant", "regression", "dead",
]  # fmt: skip
MAX_LISTED = 20
TOKENS = (
    "case when tokens_in is null and tokens_out is null then null "
    "else coalesce(tokens_in, 0) + coalesce(tokens_out, 0) end"
)
"""A unit's tokens, in + out; null when it recorded none. A plain function's units record 0 in and
out (an empty usage), so a ``tokens`` row is also left out when both runs' shared items have 0."""


@dataclass(frozen=True)
class ComparisonWarning:
    """Something to know before trusting a comparison.

    ``code`` is one of ``dataset_version_mismatch``, ``partial_run``, ``coverage`` (one run
    covers fewer of the other's items), ``scorer_mismatch``, ``scorer_settings_mismatch``
    (the runs declare a scorer's direction or pass mark differently), ``no_shared_items``,
    ``errors`` (a run's target raised on some shared items, whose scores are then missing
    from the scorer statistics), ``dead_scorer`` (a scorer with no score to compare, or
    whose scorer-error rate rose significantly: it fails the gate unless
    ``allow_dead_scorers``), ``cache_mixed`` (a side mixes cached and fresh units, or the
    sides differ in cache use); ``message`` says what, in words.
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """``{"code", "message"}``."""
        return {"code": self.code, "message": self.message}


@dataclass
class Comparison:
    """A candidate run compared with a baseline run (see :func:`compare`).

    The gate, :attr:`has_regression`, is True when a scorer regressed, the success rate
    dropped significantly, or a scorer is dead (unless ``allow_dead_scorers``). A scorer
    regresses when its change is significant against 0 at ``alpha`` (paired t test, or the
    exact sign test for a pass/fail scorer) *and* its mean delta is worse than ``-margin``
    in the scorer's direction: the margin is the smallest worsening that matters, not a
    shifted null hypothesis. The success rate (share of units without a target error)
    regresses when it is lower and the exact sign test on the items whose error share
    differs gives ``p < alpha`` (no margin). A scorer is dead when no item has a score on
    both sides, or its scorer-error rate rose significantly. Latency, cost and tokens are
    informative only (cache hits left out).

    Attributes:
        baseline_id: the baseline run.
        candidate_id: the candidate run.
        warnings: see :class:`ComparisonWarning` for the codes.
        scorers: one row per scorer both runs have: ``scorer, direction, n, baseline_mean,
            candidate_mean, delta, ci_low, ci_high, p_value, test, baseline_pass_rate,
            candidate_pass_rate, pass_rate_delta, pass_p_value, improved, regressed,
            pass_mark, margin, baseline_scorer_error_rate, candidate_scorer_error_rate,
            scorer_error_p_value, significant, regression, dead``. The scorer-error rates
            are over the shared items' scored units (those whose target did not raise).
        items: long, one row per shared item and scorer: ``item_id, scorer, baseline,
            candidate, delta, change`` (``improved``/``regressed``/``unchanged``).
        outputs: one row per shared item: ``item_id, output_changed, baseline_output,
            candidate_output, baseline_label, candidate_label, label_changed,
            baseline_latency, candidate_latency, latency_delta, baseline_cost,
            candidate_cost, cost_delta``. With repeats, the output and label are those of
            the item's first repeat and latency/cost its means over fresh units (no
            latency or cost when every unit of the item was a cache hit);
            ``label_changed`` needs a label on both sides.
        metrics: ``metric, baseline, candidate, delta, ci_low, ci_high, p_value, regression``
            for ``latency_s``, ``cost`` (fresh units), ``tokens`` (in + out) and ``success_rate``: the
            paired comparison of per-item means (a metric neither run records, e.g. cost or
            tokens of a plain function, has no row). The success rate's p-value is the exact
            sign test on the items whose error share differs, and ``regression`` is True
            when it dropped at ``p < alpha``; ``regression`` is always False for latency,
            cost and tokens (informative only).
        regressed_items: per scorer, the regressed items, worst first.
        improved_items: per scorer, the improved items, best first.
        alpha: the significance level (intervals are at ``1 - alpha``).
        shared_items: how many items both runs have.
        baseline_target: the baseline's target name.
        candidate_target: the candidate's target name.
        level: the intervals' confidence level, ``1 - alpha``.
        baseline_cache_hit_share: the share of the baseline's units served from the cache.
        candidate_cache_hit_share: the same for the candidate.
        allow_dead_scorers: whether a dead scorer is left out of the gate.
    """

    baseline_id: str
    candidate_id: str
    warnings: list[ComparisonWarning]
    scorers: pd.DataFrame
    items: pd.DataFrame
    outputs: pd.DataFrame
    metrics: pd.DataFrame
    regressed_items: dict[str, list[str]]
    improved_items: dict[str, list[str]]
    alpha: float = 0.05
    shared_items: int = 0
    baseline_target: str = ""
    candidate_target: str = ""
    level: float = 0.95
    baseline_cache_hit_share: float | None = None
    candidate_cache_hit_share: float | None = None
    allow_dead_scorers: bool = False

    @property
    def has_regression(self) -> bool:
        """The gate: some scorer regressed significantly and beyond its margin, the success rate dropped
        significantly (more target errors), or a scorer is dead (unless ``allow_dead_scorers``)."""
        scorers = bool(self.scorers["regression"].any()) if not self.scorers.empty else False
        dead = bool(self.dead_scorers) and not self.allow_dead_scorers
        return scorers or self.success_regression or dead

    @property
    def dead_scorers(self) -> list[str]:
        """The scorers with no score to compare, or whose scorer-error rate rose significantly."""
        if self.scorers.empty:
            return []
        return [str(s) for s in self.scorers.loc[self.scorers["dead"].astype(bool), "scorer"]]

    @property
    def success_regression(self) -> bool:
        """Whether the success rate (units without a target error) dropped significantly (``p < alpha``)."""
        return bool(self.metrics["regression"].any()) if not self.metrics.empty else False

    def _success_row(self) -> Any | None:
        rows = self.metrics[self.metrics["metric"] == "success_rate"] if not self.metrics.empty else self.metrics
        return None if rows.empty else next(rows.itertuples(index=False))

    def to_dict(self, *, items: bool = False) -> dict[str, Any]:
        """Plain JSON-ready data (NaN as ``None``); the per-item frames only with ``items=True``."""
        out: dict[str, Any] = {
            "baseline_id": self.baseline_id,
            "candidate_id": self.candidate_id,
            "baseline_target": self.baseline_target,
            "candidate_target": self.candidate_target,
            "alpha": self.alpha,
            "level": self.level,
            "shared_items": self.shared_items,
            "has_regression": self.has_regression,
            "dead_scorers": self.dead_scorers,
            "allow_dead_scorers": self.allow_dead_scorers,
            "baseline_cache_hit_share": clean(self.baseline_cache_hit_share),
            "candidate_cache_hit_share": clean(self.candidate_cache_hit_share),
            "warnings": [w.to_dict() for w in self.warnings],
            "scorers": records(self.scorers),
            "metrics": records(self.metrics),
            "regressed_items": clean(self.regressed_items),
            "improved_items": clean(self.improved_items),
        }
        if items:
            out["items"] = records(self.items)
            out["outputs"] = records(self.outputs)
        return out

    # -- rendering ------------------------------------------------------------------------
    def _verdict(self, row: Any) -> str:
        return verdict(row, self.allow_dead_scorers)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The comparison as display tables of text: ``scorers`` and ``metrics`` (when there are any)."""
        out = {}
        if not self.scorers.empty:
            rows = [
                [
                    f"{r.scorer} {ARROWS.get(str(r.direction), '')}",
                    fmt(r.baseline_mean),
                    fmt(r.candidate_mean),
                    _signed(r.delta),
                    f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                    f"{fmt_p(r.p_value)} ({r.test})",
                    f"{fmt_pct(r.baseline_pass_rate)} → {fmt_pct(r.candidate_pass_rate)}",
                    f"+{r.improved} / -{r.regressed}",
                    self._verdict(r),
                ]
                for r in self.scorers.itertuples(index=False)
            ]
            header = ["scorer", "baseline", "candidate", "delta", "CI", "p", "pass rate", "items +/-", "verdict"]
            out["scorers"] = pd.DataFrame(rows, columns=header)
        if not self.metrics.empty:
            rows = [
                [
                    str(r.metric),
                    fmt(r.baseline),
                    fmt(r.candidate),
                    _signed(r.delta),
                    f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
                    fmt_p(r.p_value),
                    "regression" if r.regression else "-" if r.metric != "success_rate" else "no significant drop",
                ]
                for r in self.metrics.itertuples(index=False)
            ]
            header = ["metric", "baseline", "candidate", "delta", "CI", "p", "verdict"]
            out["metrics"] = pd.DataFrame(rows, columns=header)
        return out

    @property
    def headline(self) -> str:
        """One line: the regressed scorers, or that there is no significant regression."""
        if self.has_regression:
            regressed = [] if self.scorers.empty else self.scorers.loc[self.scorers["regression"], "scorer"]
            names = [str(s) for s in regressed] + (["success rate"] if self.success_regression else [])
            text = f"Regression: {', '.join(names)} (significant at alpha {self.alpha:g} and beyond margin)"
            if self.dead_scorers and not self.allow_dead_scorers:
                dead = f"Dead scorer: {', '.join(self.dead_scorers)} (no score to compare, or more scorer errors)"
                text = f"{text}; {dead}" if names else dead
            return text
        return f"No significant regression (alpha {self.alpha:g}) on {self.shared_items} shared items"

    @property
    def cache_line(self) -> str | None:
        """One line on the share of cache hits on each side (``None`` when neither side has any)."""
        b, c = self.baseline_cache_hit_share, self.candidate_cache_hit_share
        if not b and not c:
            return None
        return f"Cache hits: baseline {fmt_pct(b)}, candidate {fmt_pct(c)} of units (left out of latency and cost)."

    @property
    def title(self) -> str:
        """One line naming both runs and their targets."""
        return (
            f"Candidate {self.candidate_id} ({self.candidate_target}) vs baseline "
            f"{self.baseline_id} ({self.baseline_target})"
        )

    def _item_lists(self, limit: int) -> list[tuple[str, str, list[str]]]:
        out = []
        for kind, lists in (("regressed", self.regressed_items), ("improved", self.improved_items)):
            for scorer, ids in lists.items():
                if ids:
                    out.append((kind, scorer, ids[:limit]))
        return out

    def to_markdown(self) -> str:
        """The comparison as markdown, for a pull-request comment."""
        icon = "❌" if self.has_regression else "✅"
        parts = [f"### {self.title}", "", f"{icon} **{self.headline}**", ""]
        for w in self.warnings:
            parts.append(f"> ⚠️ **{w.code}**: {' '.join(w.message.split())}")
        if self.warnings:
            parts.append("")
        tables = self.tables()
        if "scorers" in tables:
            parts += [frame_markdown(tables["scorers"]), ""]
            parts.append(f"Intervals: paired t, {100 * self.level:g}%. Deltas are candidate - baseline.")
            if (self.scorers["test"] == "sign_test").any():
                parts[-1] += (
                    " Pass/fail scorers (sign_test) are tested with the exact sign test on the items that"
                    " flipped (the exact McNemar test)."
                )
            parts.append("")
        success = self._success_row()
        if success is not None and (success.baseline < 1 or success.candidate < 1):
            line = (
                f"Success rate: {100 * success.baseline:.4g}% -> {100 * success.candidate:.4g}% "
                f"(p={fmt_p(success.p_value)})" + (" REGRESSION" if success.regression else "")
            )
            parts += [
                line + " — units without a target error; exact sign test on the items whose error share differs.",
                "",
            ]
        if "metrics" in tables:
            parts += ["**Latency, cost, tokens, success rate**", "", frame_markdown(tables["metrics"]), ""]
        if self.cache_line is not None:
            parts += [self.cache_line, ""]
        for kind, scorer, ids in self._item_lists(MAX_LISTED):
            total = len((self.regressed_items if kind == "regressed" else self.improved_items)[scorer])
            shown = ", ".join(f"`{i.replace('`', '')}`" for i in ids) + (" …" if total > len(ids) else "")
            summary = f"{total} {kind} on {html.escape(scorer)}"
            parts += [f"<details><summary>{summary}</summary>", "", shown, "", "</details>", ""]
        return "\n".join(parts).rstrip() + "\n"

    def _repr_html_(self) -> str:
        out = [f"<div><h4>{html.escape(self.title)}</h4>", f"<p><b>{html.escape(self.headline)}</b></p>"]
        if self.warnings:
            out.append(
                "<ul>"
                + "".join(f"<li><b>{html.escape(w.code)}</b>: {html.escape(w.message)}</li>" for w in self.warnings)
                + "</ul>"
            )
        out += [frame_html(table) for table in self.tables().values()]
        for kind, scorer, ids in self._item_lists(MAX_LISTED):
            out.append(f"<p>{html.escape(kind)} on {html.escape(scorer)}: {html.escape(', '.join(ids))}</p>")
        return "".join(out) + "</div>"

    def __repr__(self) -> str:
        return (
            f"Comparison({self.baseline_id!r} -> {self.candidate_id!r}, shared_items={self.shared_items}, "
            f"regression={self.has_regression}, warnings={[w.code for w in self.warnings]})"
        )


# -- computing it ---------------------------------------------------------------------------
def verdict(row: Any, allow_dead: bool = False) -> str:
    """A scorer row's verdict in words: dead scorer, regression, improved, worse within margin, no change."""
    if bool(getattr(row, "dead", False)):
        return "dead scorer (allowed)" if allow_dead else "dead scorer"
    if bool(row.regression):
        return "regression"
    if not bool(row.significant):
        return "no significant change"
    better = row.delta > 0 if row.direction == "higher" else row.delta < 0
    return "improved" if better else "worse, within margin"


@dataclass(frozen=True)
class ScorerSetting:
    """How one scorer is compared: its direction, pass mark and smallest worsening that counts (margin)."""

    name: str
    direction: Direction
    pass_mark: float
    margin: float


def _units_source(con: duckdb.DuckDBPyConnection, run: Run, side: str) -> str:
    """Where the run's units are read from: its parts as they are when no unit was written twice
    (checking that costs less than keeping each unit's latest row), else each unit's latest row."""
    if not has_parts(run.folder):
        con.register(f"{side}_empty", RESULT_SCHEMA.empty_table())
        return f"{side}_empty"
    parts = f"read_parquet({sql_literal(parts_glob(run.folder))}, union_by_name = true)"
    doubled = con.execute(f"select count(*) - count(distinct (item_id, repeat)) from {parts}").fetchall()[0][0]
    return f"({latest_rows_sql(run.folder)})" if doubled else parts


def _load_side(
    con: duckdb.DuckDBPyConnection, run: Run, side: str, settings: list[ScorerSetting], repeats: int
) -> None:
    """The per-item table ``{side}_i`` of one run: units, cache hits, mean latency and cost (fresh units),
    tokens, success; first output; label; and per scorer ``k`` the mean score ``s<k>``, pass share
    ``p<k>`` and scorer-error share ``e<k>`` (of the units it scored or failed on) over the item's repeats.

    Scores are pivoted out of the nested list per unit (no unnest and join: a 100,000-item
    run takes tens of milliseconds); a run of one repeat needs no grouping at all.
    """
    picks = [
        f"list_filter(scores, lambda s: s.scorer = {sql_literal(n)})[1] as x{k}"
        for k, n in enumerate(st.name for st in settings)
    ]
    outcome = [
        f"case when x{k}.error is null then x{k}.score end as s{k}, "
        f"case when x{k} is not null then (x{k}.error is not null)::double end as e{k}"
        for k in range(len(settings))
    ]
    units = (
        "select item_id, repeat, output, error, coalesce(cache_hit, false) as hit, "
        f"case when {FRESH} then latency_s end as latency_s, case when {FRESH} then cost end as cost, "
        "tokens_in, tokens_out"
        + "".join(f", {o}" for o in outcome)
        + " from (select *"
        + "".join(f", {p}" for p in picks)
        + f" from {_units_source(con, run, side)})"
    )
    grouped = repeats != 1

    def agg(expr: str) -> str:
        return f"avg({expr})" if grouped else expr

    cols = [
        "count(*) as units" if grouped else "1::bigint as units",
        "count(*) filter (where hit) as hits" if grouped else "hit::bigint as hits",
        f"{agg('latency_s')} as latency",
        f"{agg('cost')} as cost",
        f"{agg(TOKENS)}::double as tokens",
        f"{agg('(error is null)::double')} as success",
        "arg_min(output, repeat) as output" if grouped else "output",
    ]
    for k, st in enumerate(settings):
        op = ">=" if st.direction == "higher" else "<="
        cols += [
            f"{agg(f's{k}')} as s{k}",
            f"{agg(f'(s{k} {op} {st.pass_mark!r})::double')} as p{k}",
            f"{agg(f'e{k}')} as e{k}",
        ]
    group = " group by item_id" if grouped else ""
    per_item = f"select item_id, {', '.join(cols)} from ({units}){group}"
    if has_labels(run.folder):
        con.execute(
            f"""create temp table {side}_i as
                select u.*, l.label from ({per_item}) as u
                left join (select item_id, arg_min(label, repeat) as label from ({labels_sql(run.folder)})
                           group by item_id) as l using (item_id)"""
        )
    else:
        con.execute(f"create temp table {side}_i as select *, null::varchar as label from ({per_item})")


def _aligned(con: duckdb.DuckDBPyConnection, settings: list[ScorerSetting], shared: list[str]) -> None:
    """The long table ``al``: one row per shared item and shared scorer where both runs have a score."""
    entries = [
        f"{{'scorer': {sql_literal(st.name)}, 'ord': {k}, 'sign': {1 if st.direction == 'higher' else -1}, "
        f"'baseline': b.s{k}, 'candidate': c.s{k}, 'b_pass': b.p{k}, 'c_pass': c.p{k}}}"
        for k, st in enumerate(settings)
        if st.name in shared
    ]
    if entries:  # one join, unpivoted per scorer
        source = f"""select item_id, unnest([{", ".join(entries)}], recursive := true)
                     from b_i as b join c_i as c using (item_id)"""
    else:
        source = (
            "select null::varchar as item_id, null::varchar as scorer, 0 as ord, 1 as sign, null::double as baseline, "
            "null::double as candidate, null::double as b_pass, null::double as c_pass where false"
        )
    con.execute(
        f"""create temp table al as
            select item_id, scorer, ord, baseline, candidate, candidate - baseline as delta, b_pass, c_pass,
                   sign * (candidate - baseline) as signed,
                   case when signed > {EPS} then 'improved' when signed < -{EPS} then 'regressed'
                        else 'unchanged' end as change
            from ({source}) where baseline is not null and candidate is not null"""
    )


def _scorer_errors(
    con: duckdb.DuckDBPyConnection, settings: list[ScorerSetting], shared: list[str]
) -> dict[str, tuple[Any, Any, int, int]]:
    """Per shared scorer, over the shared items where both sides have units it scored or failed on:
    the baseline's and the candidate's scorer-error share, and how many items' share went up / down.

    One aggregate over the join (no unpivoted table): cheap next to the scores' alignment.
    """
    picked = [(k, st.name) for k, st in enumerate(settings) if st.name in shared]
    if not picked:
        return {}
    parts = [
        f"avg(b.e{k}) filter (where c.e{k} is not null), avg(c.e{k}) filter (where b.e{k} is not null), "
        f"count(*) filter (where c.e{k} > b.e{k}), count(*) filter (where c.e{k} < b.e{k})"
        for k, _ in picked
    ]
    row = con.execute(f"select {', '.join(parts)} from b_i as b join c_i as c using (item_id)").fetchall()[0]
    return {
        name: (row[4 * i], row[4 * i + 1], int(row[4 * i + 2]), int(row[4 * i + 3]))
        for i, (_, name) in enumerate(picked)
    }


def _scorer_stats(
    con: duckdb.DuckDBPyConnection, settings: list[ScorerSetting], shared: list[str], alpha: float, level: float
) -> pd.DataFrame:
    rows = con.execute(
        """select scorer, count(*), avg(baseline), avg(candidate), avg(delta), stddev_samp(delta),
                  avg(b_pass), avg(c_pass),
                  count(*) filter (where c_pass > b_pass), count(*) filter (where c_pass < b_pass),
                  count(*) filter (where change = 'improved'), count(*) filter (where change = 'regressed'),
                  bool_and(baseline in (0, 1) and candidate in (0, 1))
           from al group by scorer"""
    ).fetchall()
    found = {r[0]: r[1:] for r in rows}
    errs = _scorer_errors(con, settings, shared)
    out = []
    for st in settings:
        if st.name not in shared:
            continue
        scorer, direction, margin = st.name, st.direction, st.margin
        b_err, c_err, err_up, err_down = errs.get(scorer, (None, None, 0, 0))
        err_p = exact_sign_test(int(err_up), int(err_down)) if err_up or err_down else float("nan")
        errors_rose = not math.isnan(err_p) and err_p < alpha and err_up > err_down
        n, b_mean, c_mean, mean, sd, b_pass, c_pass, up, down, improved, regressed, binary = found.get(
            scorer, (0, None, None, None, None, None, None, 0, 0, 0, 0, False)
        )
        test = paired_from_moments(int(n), _num(mean), _num(sd), level)
        p_value, name = test.p_value, test.test
        if n and binary:
            p_value, name = exact_sign_test(int(improved), int(regressed)), "sign_test"
        significant = bool(n) and not math.isnan(p_value) and p_value < alpha
        sign = 1.0 if direction == "higher" else -1.0
        worse = not math.isnan(test.mean) and sign * test.mean < -margin
        out.append(
            {
                "scorer": scorer,
                "direction": direction,
                "n": int(n),
                "baseline_mean": _num(b_mean),
                "candidate_mean": _num(c_mean),
                "delta": test.mean,
                "ci_low": test.low,
                "ci_high": test.high,
                "p_value": p_value,
                "test": name,
                "baseline_pass_rate": _num(b_pass),
                "candidate_pass_rate": _num(c_pass),
                "pass_rate_delta": _num(c_pass) - _num(b_pass),
                "pass_p_value": exact_sign_test(int(up), int(down)) if n else float("nan"),
                "improved": int(improved),
                "regressed": int(regressed),
                "pass_mark": st.pass_mark,
                "margin": margin,
                "baseline_scorer_error_rate": _num(b_err),
                "candidate_scorer_error_rate": _num(c_err),
                "scorer_error_p_value": err_p,
                "significant": significant,
                "regression": significant and worse,
                "dead": not n or errors_rose,
            }
        )
    return pd.DataFrame(out, columns=SCORER_COLUMNS)


def _signed(value: Any) -> str:
    return "-" if clean(value) is None else f"{value:+.4g}"


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


METRIC_COLUMNS = ["metric", "baseline", "candidate", "delta", "ci_low", "ci_high", "p_value", "regression"]


def _metrics(con: duckdb.DuckDBPyConnection, alpha: float, level: float) -> pd.DataFrame:
    """Latency, cost and tokens (informative), and the success rate, gated on the exact sign test
    on the items whose success share (units without a target error) went up vs down."""
    parts = []
    for _, col in METRICS:
        d = f"c.{col} - b.{col}"
        parts.append(
            f"count({d}), avg(b.{col}) filter (where {d} is not null), "
            f"avg(c.{col}) filter (where {d} is not null), avg({d}), stddev_samp({d})"
        )
    parts.append("count(*) filter (where c.success > b.success), count(*) filter (where c.success < b.success)")
    row = con.execute(f"select {', '.join(parts)} from b_i as b join c_i as c using (item_id)").fetchall()[0]
    out = []
    for k, (metric, _) in enumerate(METRICS):
        n, b, c, mean, sd = row[5 * k : 5 * k + 5]
        if not n or (metric == "tokens" and not b and not c):
            continue  # not recorded; tokens all 0 on both sides: a target that does not report usage
        test = paired_from_moments(int(n), _num(mean), _num(sd), level)
        p_value, regression = test.p_value, False
        if metric == "success_rate":
            up, down = row[-2:]
            p_value = exact_sign_test(int(up), int(down))
            regression = p_value < alpha and test.mean < 0
        out.append(
            {
                "metric": metric,
                "baseline": _num(b),
                "candidate": _num(c),
                "delta": test.mean,
                "ci_low": test.low,
                "ci_high": test.high,
                "p_value": p_value,
                "regression": bool(regression),
            }
        )
    return pd.DataFrame(out, columns=METRIC_COLUMNS)


def _error_warnings(con: duckdb.DuckDBPyConnection) -> list[ComparisonWarning]:
    """``errors``: per side, how many shared items had a unit whose target raised."""
    n, b, c = con.execute(
        """select count(*), count(*) filter (where b.success < 1), count(*) filter (where c.success < 1)
           from b_i as b join c_i as c using (item_id)"""
    ).fetchall()[0]
    out = []
    for side, k, other in (("candidate", c, ("baseline", b)), ("baseline", b, ("candidate", c))):
        if k:
            out.append(
                ComparisonWarning(
                    "errors",
                    f"{side} errored on {k} of {n} shared items ({other[0]}: {other[1]}); "
                    "their scores are excluded from the scorer statistics",
                )
            )
    return out


def _changed_items(
    con: duckdb.DuckDBPyConnection, shared: list[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per scorer, the regressed items (worst first) and the improved ones (best first)."""
    table = (
        con.sql(
            """select scorer, change, item_id from al where change <> 'unchanged'
               order by case when change = 'regressed' then signed else -signed end, item_id"""
        )
        .arrow()
        .read_all()
    )
    regressed: dict[str, list[str]] = {}
    improved: dict[str, list[str]] = {}
    for scorer in shared:
        for change, into in (("regressed", regressed), ("improved", improved)):
            mask = pc.and_(pc.equal(table.column("scorer"), scorer), pc.equal(table.column("change"), change))
            into[scorer] = table.column("item_id").filter(mask).to_pylist()
    return regressed, improved


def _outputs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    df: pd.DataFrame = (
        con.sql(
            """select item_id, b.output is distinct from c.output as output_changed,
                      b.output as baseline_output, c.output as candidate_output,
                      b.label as baseline_label, c.label as candidate_label,
                      coalesce(b.label <> c.label, false) as label_changed,
                      b.latency as baseline_latency, c.latency as candidate_latency,
                      c.latency - b.latency as latency_delta,
                      b.cost as baseline_cost, c.cost as candidate_cost, c.cost - b.cost as cost_delta
               from b_i as b join c_i as c using (item_id) order by item_id"""
        )
        .arrow()
        .read_all()
        .to_pandas()
    )
    return df


def _dataset_warning(project: Project, b: RunManifest, c: RunManifest) -> ComparisonWarning | None:
    if b.dataset == c.dataset and b.dataset_version == c.dataset_version:
        return None
    if b.dataset != c.dataset:
        return ComparisonWarning(
            "dataset_version_mismatch",
            f"the runs use different datasets: baseline {b.dataset}@{b.dataset_version}, "
            f"candidate {c.dataset}@{c.dataset_version}",
        )
    what = ""
    if b.dataset is not None and b.dataset_version is not None and c.dataset_version is not None:
        try:
            diff = project.dataset(b.dataset).diff(b.dataset_version, c.dataset_version)
        except NotFoundError:
            diff = None
        if diff is not None:
            counts = diff["change"].value_counts().to_dict() if not diff.empty else {}
            what = ": " + ", ".join(_items(int(counts.get(k, 0)), k) for k in ("added", "removed", "changed"))
            what += f" from version {b.dataset_version} to {c.dataset_version}"
    return ComparisonWarning(
        "dataset_version_mismatch",
        f"the runs use different versions of {b.dataset}: baseline version {b.dataset_version}, "
        f"candidate version {c.dataset_version}{what}",
    )


def _items(n: int, what: str) -> str:
    return f"{n} item{'' if n == 1 else 's'} {what}"


def _partial_warning(
    con: duckdb.DuckDBPyConnection, side: str, run_id: str, m: RunManifest
) -> ComparisonWarning | None:
    items, units = con.execute(f"select count(*), coalesce(sum(units), 0) from {side}_i").fetchall()[0]
    planned = m.item_count * m.repeats
    if units >= planned:
        return None
    return ComparisonWarning(
        "partial_run",
        f"the {side_name(side)} run {run_id} is partial: {items} of {m.item_count} items "
        f"({units} of {planned} units, status {m.status})",
    )


def side_name(side: str) -> str:
    """``baseline`` for ``b``, ``candidate`` for ``c``."""
    return "baseline" if side == "b" else "candidate"


def _scorer_warning(b: list[str], c: list[str]) -> ComparisonWarning | None:
    only_b = [s for s in b if s not in c]
    only_c = [s for s in c if s not in b]
    if not only_b and not only_c:
        return None
    parts = []
    if only_b:
        parts.append(f"only the baseline has {', '.join(only_b)}")
    if only_c:
        parts.append(f"only the candidate has {', '.join(only_c)}")
    return ComparisonWarning("scorer_mismatch", "the runs have different scorers: " + "; ".join(parts))


def _coverage_warnings(con: duckdb.DuckDBPyConnection, shared: int) -> list[ComparisonWarning]:
    """``coverage``: a side whose items are not all in the other side (partial runs, different selections)."""
    if not shared:
        return []  # no_shared_items says it
    b_items, c_items = con.execute("select (select count(*) from b_i), (select count(*) from c_i)").fetchall()[0]
    out = []
    if shared < b_items:
        out.append(
            ComparisonWarning(
                "coverage",
                f"the candidate covers {shared} of the baseline's {b_items} items: the comparison leaves "
                f"{b_items - shared} out",
            )
        )
    if shared < c_items:
        out.append(
            ComparisonWarning(
                "coverage",
                f"the baseline covers {shared} of the candidate's {c_items} items: the comparison leaves "
                f"{c_items - shared} out",
            )
        )
    return out


def _settings_warning(
    b: RunManifest,
    c: RunManifest,
    shared: list[str],
    directions: Mapping[str, str] | None,
    pass_marks: PassMarks,
) -> ComparisonWarning | None:
    """``scorer_settings_mismatch``: the runs declare a shared scorer's direction or pass mark differently."""
    b_dirs, b_marks = declared_settings([b])
    c_dirs, c_marks = declared_settings([c])
    keep_dir = [n for n in shared if directions is None or (isinstance(directions, Mapping) and n not in directions)]
    keep_mark = [n for n in shared if pass_marks is None or (isinstance(pass_marks, Mapping) and n not in pass_marks)]
    parts = [
        f"{n} is {b_dirs[n]}-is-better in the baseline, {c_dirs[n]} in the candidate"
        for n in keep_dir
        if n in b_dirs and n in c_dirs and b_dirs[n] != c_dirs[n]
    ]
    parts += [
        f"{n} passes at {b_marks[n]:g} in the baseline, {c_marks[n]:g} in the candidate"
        for n in keep_mark
        if n in b_marks and n in c_marks and b_marks[n] != c_marks[n]
    ]
    if not parts:
        return None
    return ComparisonWarning(
        "scorer_settings_mismatch",
        "the runs declare scorers differently: " + "; ".join(parts) + " (compared with the candidate's)",
    )


def _dead_warnings(scorers: pd.DataFrame, shared: int, alpha: float, allowed: bool) -> list[ComparisonWarning]:
    """``dead_scorer``: a scorer with no score to compare, or whose scorer-error rate rose significantly."""
    out = []
    gate = "allowed by allow_dead_scorers" if allowed else "the gate fails"
    for r in scorers.itertuples(index=False):
        if not r.dead:
            continue
        if not r.n:
            why = (
                "the runs share no item"
                if not shared
                else f"no shared item has a score on both sides (scorer errors: baseline "
                f"{fmt_pct(r.baseline_scorer_error_rate)}, candidate {fmt_pct(r.candidate_scorer_error_rate)})"
            )
            message = f"scorer {r.scorer} has no score to compare: {why}; {gate}"
        else:
            message = (
                f"scorer {r.scorer} failed more often: scorer errors {fmt_pct(r.baseline_scorer_error_rate)} -> "
                f"{fmt_pct(r.candidate_scorer_error_rate)} of scored units (p={fmt_p(r.scorer_error_p_value)} "
                f"< alpha {alpha:g}); {gate}"
            )
        out.append(ComparisonWarning("dead_scorer", message))
    return out


def _cache_shares(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, float | None, int]]:
    """Per side (``b``, ``c``): cache hits, their share of the units, units."""
    out: dict[str, tuple[int, float | None, int]] = {}
    for side in ("b", "c"):
        units, hits = con.execute(f"select coalesce(sum(units), 0), coalesce(sum(hits), 0) from {side}_i").fetchall()[0]
        out[side] = (int(hits), hits / units if units else None, int(units))
    return out


def _cache_warnings(shares: Mapping[str, tuple[int, float | None, int]]) -> list[ComparisonWarning]:
    """``cache_mixed``: a side mixes cached and fresh units, or the two sides differ in cache use."""
    b_hits, c_hits = shares["b"][0], shares["c"][0]
    mixed = [side_name(s) for s in ("b", "c") if 0 < shares[s][0] < shares[s][2]]
    differ = (b_hits > 0) != (c_hits > 0)
    if not mixed and not differ:
        return []
    what = "; ".join(
        f"{side_name(s)}: {shares[s][0]} of {shares[s][2]} units from the response cache" for s in ("b", "c")
    )
    why = []
    if mixed:
        why.append(f"the {' and the '.join(mixed)} mixes cached and fresh results")
    if differ:
        why.append("the runs differ in their use of the cache")
    return [
        ComparisonWarning(
            "cache_mixed",
            f"{' and '.join(why)} ({what}); cache hits are left out of latency and cost, but their outputs "
            "and scores are the cached replies'",
        )
    ]


def margins_of(margins: float | Mapping[str, float] | None, names: list[str]) -> dict[str, float]:
    """Each scorer's margin (the smallest worsening that counts; default 0), validated."""
    out = per_scorer(margins, names, 0.0, "margin")
    for k, v in out.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValidationError(f"margin of {k!r} must be a number of at least 0, got {v!r}")
    return {k: float(v) for k, v in out.items()}


def compare(
    project: Project,
    baseline: str | Run,
    candidate: str | Run,
    *,
    margins: float | Mapping[str, float] | None = None,
    directions: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    pass_marks: PassMarks = None,
    allow_dead_scorers: bool = False,
) -> Comparison:
    """Compare a candidate run with a baseline run on the items both have.

    Args:
        project: the workbench holding the runs.
        baseline: the reference run (id or :class:`Run`).
        candidate: the run under test.
        margins: per scorer, the smallest worsening of the mean that counts as a
            regression (default 0: any significant worsening); a number applies to all.
        directions: override, per scorer, ``"higher"`` or ``"lower"`` is better (default:
            what the scorer declares in the runs' manifests, else higher).
        alpha: significance level; intervals are at ``1 - alpha``.
        pass_marks: override the pass mark of every scorer (a number) or of some (a dict);
            default: what each scorer declares, else 0.5.
        allow_dead_scorers: let the gate pass with a dead scorer (one with no score to
            compare, or whose scorer-error rate rose significantly); it is still warned.

    Returns:
        A :class:`Comparison`; ``has_regression`` is the CI gate: a scorer whose change is
        significant against 0 at ``alpha`` and worse than ``-margin`` in its direction, a
        significant drop of the success rate (more target errors), or a dead scorer.

    Examples:
        >>> cmp = wb.compare("run-a", "run-b", margins={"exact": 0.02})  # doctest: +SKIP
        >>> cmp.scorers[["scorer", "delta", "ci_low", "ci_high", "p_value", "regression"]]  # doctest: +SKIP
    """
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValidationError(f"alpha must be between 0 and 1, got {alpha!r}")
    if not isinstance(allow_dead_scorers, bool):
        raise ValidationError(f"allow_dead_scorers must be True or False, got {allow_dead_scorers!r}")
    b_run, c_run = resolve_run(project, baseline), resolve_run(project, candidate)
    bm, cm = b_run.manifest, c_run.manifest
    b_names, c_names = scorer_names(bm), scorer_names(cm)
    names = b_names + [s for s in c_names if s not in b_names]
    shared_scorers = [s for s in b_names if s in c_names]
    declared_dirs, declared_marks = declared_settings([bm, cm])  # the candidate's declaration wins
    margin = margins_of(margins, names)
    dirs = scorer_directions(directions, names, declared_dirs)
    marks = pass_marks_of(pass_marks, names, declared_marks)
    settings = [ScorerSetting(n, dirs[n], marks[n], margin[n]) for n in names]
    level = 1 - alpha
    con = connect()
    try:
        _load_side(con, b_run, "b", settings, bm.repeats)
        _load_side(con, c_run, "c", settings, cm.repeats)
        _aligned(con, settings, shared_scorers)
        shared = con.execute("select count(*) from b_i semi join c_i using (item_id)").fetchall()[0][0]
        warnings = [
            w
            for w in (
                _dataset_warning(project, bm, cm),
                _partial_warning(con, "b", b_run.id, bm),
                _partial_warning(con, "c", c_run.id, cm),
                _scorer_warning(b_names, c_names),
                _settings_warning(bm, cm, shared_scorers, directions, pass_marks),
            )
            if w is not None
        ]
        warnings += _coverage_warnings(con, int(shared))
        warnings += _error_warnings(con)
        if shared == 0:
            warnings.append(ComparisonWarning("no_shared_items", "the runs have no item in common: nothing to compare"))
        scorer_stats = _scorer_stats(con, settings, shared_scorers, alpha, level)
        warnings += _dead_warnings(scorer_stats, int(shared), alpha, allow_dead_scorers)
        shares = _cache_shares(con)
        warnings += _cache_warnings(shares)
        items: pd.DataFrame = (
            con.sql("select item_id, scorer, baseline, candidate, delta, change from al order by ord, item_id")
            .arrow()
            .read_all()
            .to_pandas()
        )
        regressed, improved = _changed_items(con, shared_scorers)
        return Comparison(
            baseline_id=b_run.id,
            candidate_id=c_run.id,
            warnings=warnings,
            scorers=scorer_stats,
            items=items,
            outputs=_outputs(con),
            metrics=_metrics(con, alpha, level),
            regressed_items=regressed,
            improved_items=improved,
            alpha=float(alpha),
            shared_items=int(shared),
            baseline_target=target_name(bm),
            candidate_target=target_name(cm),
            level=level,
            baseline_cache_hit_share=shares["b"][1],
            candidate_cache_hit_share=shares["c"][1],
            allow_dead_scorers=allow_dead_scorers,
        )
    finally:
        con.close()
