"""Failure modes: label counts per target, and the items that fail most often (``wb.failure_modes()``).

What counts as a failure — one unit (item x repeat) of a run fails when:

1. the target raised an error (``results.error`` is set), or
2. its effective label (latest human, else latest automatic) is anything but ``success``
   or ``partial_success`` (every ``failure_*`` and ``error_*`` label, and a user's own
   labels such as ``needs_review``), or
3. it has no label and some scorer gave it a failing score: one that does not reach the
   scorer's pass mark — below it for a higher-is-better scorer, above it for a
   lower-is-better one (a scorer's own error does not count). Each run's scorers declare
   their direction and pass mark (``manifest.scorers[i]["direction"]``, ``["pass_mark"]``;
   higher-is-better and 0.5 when they declare none); ``directions=`` and ``pass_marks=``
   override them for every run.

Labels, when there are, decide: a human who marks a low-scoring unit ``success`` has the
last word. Without labels, the scores flag the unit, so a store nobody labelled yet
still shows its weak items. Units without a label count as ``unlabelled`` in the label
counts (so each target's shares add up to 1).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from workbench.analysis._summary import (
    DEFAULT_PASS_MARK,
    PassMarks,
    declared_settings,
    pass_marks_of,
    scorer_directions,
)
from workbench.analysis._views import RunRef, select_runs
from workbench.errors import ValidationError
from workbench.runs._labels import LABELS_DIR
from workbench.runs._results import RESULTS_DIR
from workbench.runs._run import Run
from workbench.store._table import connect, sql_list

if TYPE_CHECKING:
    from workbench.project import Project

NOT_FAILURES = ("success", "partial_success")
"""Labels that are not failures."""
UNLABELLED = "unlabelled"
BY_TARGET_COLUMNS = ("target", "label", "count", "share")
ITEM_COLUMNS = ("item_id", "runs", "failures", "failure_rate", "top_label")
_FILES = pa.schema([("filename", pa.string()), ("run_id", pa.string())])
_SETTINGS = pa.schema(
    [("run_id", pa.string()), ("names", pa.list_(pa.string())), ("lower", pa.list_(pa.bool_())),
     ("marks", pa.list_(pa.float64()))]
)  # fmt: skip


@dataclass(frozen=True)
class FailureModes:
    """Failure modes over a set of runs.

    Attributes:
        by_target: ``[target, label, count, share]``: every unit's effective label (``unlabelled``
            when it has none) counted per target; ``share`` is of the target's units.
        items: ``[item_id, runs, failures, failure_rate, top_label]``, most-failing first:
            ``runs`` that have the item, its failing ``failures`` units, ``failure_rate`` =
            failures / its units (runs x repeats), and the most common label among its failing
            units (``unlabelled`` only when none of them has a label).
        runs: the ids of the runs covered.
    """

    by_target: pd.DataFrame
    items: pd.DataFrame
    runs: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"runs": [...], "by_target": [rows], "items": [rows]}``."""
        return {
            "runs": list(self.runs),
            "by_target": _records(self.by_target),
            "items": _records(self.items),
        }

    def _repr_html_(self) -> str:
        title = html.escape(f"Failure modes over {len(self.runs)} run(s)")
        return (
            f"<div><h4>{title}</h4><b>Labels per target</b>{self.by_target.to_html(index=False, escape=True)}"
            f"<b>Most failing items</b>{self.items.to_html(index=False, escape=True)}</div>"
        )

    def __repr__(self) -> str:
        targets = self.by_target["target"].nunique()
        return f"FailureModes(runs={len(self.runs)}, targets={targets}, items={len(self.items)})"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    clean = df.astype(object).where(df.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict(orient="records")]


def _files(refs: Sequence[RunRef], kind: str) -> tuple[list[str], list[str]]:
    names, ids = [], []
    for ref in refs:
        folder = ref.folder / kind
        if folder.is_dir():
            for path in sorted(folder.glob("*.parquet")):
                names.append(str(path))
                ids.append(ref.id)
    return names, ids


def _settings(
    refs: Sequence[RunRef], names: list[str], directions: Mapping[str, str] | None, pass_marks: PassMarks
) -> pa.Table:
    """Per run, each scorer's direction (``lower``) and pass mark: declared by the run, overridden by the call."""
    rows: dict[str, list[object]] = {"run_id": [], "names": [], "lower": [], "marks": []}
    for ref in refs:
        declared_dirs, declared_marks = declared_settings([ref.manifest])
        here = list(dict.fromkeys([*(str(s.get("name")) for s in ref.manifest.scorers), *names]))
        dirs = scorer_directions(directions, here, declared_dirs)
        marks = pass_marks_of(pass_marks, here, declared_marks)
        rows["run_id"].append(ref.id)
        rows["names"].append(here)
        rows["lower"].append([dirs[n] == "lower" for n in here])
        rows["marks"].append([marks[n] for n in here])
    return pa.table(rows, schema=_SETTINGS)


def _units_sql(result_files: list[str], label_files: list[str]) -> str:
    """Each unit's target, effective label (or ``unlabelled``) and failure flag.

    A score fails when it misses its run's pass mark for the scorer (table ``settings``):
    below it, or above it for a lower-is-better scorer.
    """
    labels = (
        f"""select run_id, item_id, repeat, label
            from read_parquet({sql_list(label_files)}, filename = true, union_by_name = true)
                 join label_files using (filename)
            qualify row_number() over (partition by run_id, item_id, repeat
                                       order by (source = 'human') desc, created_at desc, filename desc) = 1"""
        if label_files
        else "select null::VARCHAR as run_id, null::VARCHAR as item_id, null::INTEGER as repeat, "
        "null::VARCHAR as label where false"
    )
    not_failures = ", ".join(f"'{x}'" for x in NOT_FAILURES)
    at = "list_position(st.names, s.scorer)"
    mark = f"coalesce(st.marks[{at}], {DEFAULT_PASS_MARK!r})"
    bad_score = f"(case when coalesce(st.lower[{at}], false) then s.score > {mark} else s.score < {mark} end)"
    return f"""
        with u as (select run_id, item_id, repeat, error, scores
                   from read_parquet({sql_list(result_files)}, filename = true, union_by_name = true)
                        join result_files using (filename)
                   qualify row_number() over (partition by run_id, item_id, repeat order by finished_at desc) = 1),
        l as ({labels})
        select u.run_id, t.target, u.item_id, u.repeat, coalesce(l.label, '{UNLABELLED}') as label,
               u.error is not null
               or (l.label is not null and l.label not in ({not_failures}))
               or (l.label is null and len(list_filter(u.scores,
                       lambda s: s.error is null and {bad_score})) > 0) as failed
        from u join targets as t using (run_id) join settings as st using (run_id)
             left join l using (run_id, item_id, repeat)"""


def failure_modes(
    project: Project,
    runs: Sequence[str | Run] | str | Run | None = None,
    dataset: str | None = None,
    top: int = 20,
    directions: Mapping[str, str] | None = None,
    pass_marks: PassMarks = None,
) -> FailureModes:
    """Label counts and shares per target, and the ``top`` items that fail most often across runs.

    See the module docstring for what counts as a failure. Items are matched by ``item_id``
    across runs (pass ``dataset`` so ids of different datasets do not mix); ties are broken
    by failure rate, then id.

    Args:
        project: the workbench.
        runs: run ids or :class:`Run` handles (default: every run).
        dataset: only runs of this dataset.
        top: how many items to list (at least 1).
        directions: override, per scorer, ``"higher"`` or ``"lower"`` is better (default: what
            each run's scorer declares); an unlabelled unit fails a lower-is-better scorer when
            it scores above its pass mark (not below).
        pass_marks: override the pass mark of every scorer (a number) or of some (a dict).

    Examples:
        >>> fm = wb.failure_modes(dataset="qa", top=10)  # doctest: +SKIP
        >>> fm.by_target, fm.items  # doctest: +SKIP
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValidationError(f"top must be a whole number of at least 1, got {top!r}")
    refs = select_runs(project, runs, dataset)
    result_files, result_ids = _files(refs, RESULTS_DIR)
    empty = FailureModes(
        pd.DataFrame(columns=list(BY_TARGET_COLUMNS)), pd.DataFrame(columns=list(ITEM_COLUMNS)), [r.id for r in refs]
    )
    if not result_files:  # still validate the overrides
        given = [*(directions or {}), *(pass_marks if isinstance(pass_marks, Mapping) else {})]
        scorer_directions(directions, given)
        pass_marks_of(pass_marks, given)
        return empty
    label_files, label_ids = _files(refs, LABELS_DIR)
    con = connect()
    con.register("result_files", pa.table({"filename": result_files, "run_id": result_ids}))
    con.register("label_files", pa.table({"filename": label_files, "run_id": label_ids}, schema=_FILES))
    con.register("targets", pa.table({"run_id": [r.id for r in refs], "target": [r.target for r in refs]}))
    try:
        found = con.sql(
            f"""select distinct sc.scorer from (select unnest(scores) as sc
                   from read_parquet({sql_list(result_files)}, union_by_name = true)) order by 1"""
        ).fetchall()
        con.register("settings", _settings(refs, [str(name) for (name,) in found], directions, pass_marks))
        con.execute(f"create or replace temp view fm_units as {_units_sql(result_files, label_files)}")
        by_target = con.sql(
            """select target, label, count(*) as count,
                      count(*) / sum(count(*)) over (partition by target) as share
               from fm_units group by target, label order by target, count desc, label"""
        ).df()
        items = con.sql(
            f"""with f as (select item_id, count(distinct run_id) as runs, count(*) filter (where failed) as failures,
                                  count(*) as units
                           from fm_units group by item_id),
                     t as (select item_id, label, count(*) as n from fm_units where failed group by item_id, label
                           qualify row_number() over (partition by item_id
                                                      order by label = '{UNLABELLED}', n desc, label) = 1)
                select f.item_id, f.runs, f.failures, f.failures / f.units as failure_rate, t.label as top_label
                from f left join t using (item_id) where f.failures > 0
                order by failures desc, failure_rate desc, item_id limit {int(top)}"""
        ).df()
    finally:
        con.execute("drop view if exists fm_units")
        for name in ("result_files", "label_files", "targets", "settings"):
            con.unregister(name)
        con.close()
    return FailureModes(
        by_target.astype({"count": "int64", "share": "float64"}),
        items.astype({"runs": "int64", "failures": "int64", "failure_rate": "float64"}),
        [r.id for r in refs],
    )
