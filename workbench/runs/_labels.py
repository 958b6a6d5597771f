"""Labels: the qualitative outcome of a unit (item x repeat), automatic or human.

Labels are stored as append-only Parquet parts under ``runs/<id>/labels/`` (one
part per call, written atomically through the storage layer), so
the whole history is kept. The *effective* label of a unit is its latest human
label if it has one, else its latest automatic label.

Automatic labels come from :func:`auto_label`, which applies a list of rules to
one result (a :class:`~workbench.records.Result`, or a row). A rule is either a
``(label, predicate)`` pair, where ``predicate(unit) -> bool``, or a callable
``rule(unit) -> str | None``; the first rule that fires decides. ``unit`` is a
:class:`Unit`, the result normalised (scores as a ``{scorer: score}`` dict)::

    from workbench.runs._labels import DEFAULT_RULES, auto_label

    def slow(unit):
        return "failure_timeout_budget" if (unit.row.get("latency_s") or 0) > 30 else None

    run.auto_label(rules=[slow, *DEFAULT_RULES])
"""

from __future__ import annotations

import getpass
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from workbench.errors import InvalidLabelError
from workbench.records._label import LABEL_COLUMNS, LABEL_SCHEMA, OUTCOMES, Label, Source, check_label_name
from workbench.records._result import Result
from workbench.secrets import redact_obj
from workbench.storage import LocalStorage
from workbench.store._table import duckdb_path

__all__ = [
    "DEFAULT_RULES",
    "LABELS_DIR",
    "LABEL_COLUMNS",
    "LABEL_SCHEMA",
    "OUTCOMES",
    "Rule",
    "Source",
    "Unit",
    "auto_label",
    "check_label_name",
    "closest_label",
    "default_author",
    "empty_labels",
    "has_labels",
    "labels_sql",
    "make_label",
    "score_rules",
    "validate_label",
    "write_labels",
]

LABELS_DIR = "labels"


INFRA_KINDS = frozenset({"rate_limit", "timeout", "server", "connection", "auth", "bad_response"})
_APOS = "['\u2019]"
REFUSAL_RE = re.compile(
    rf"\b(I can{_APOS}?t|I cannot|I{_APOS}m sorry|I am sorry|as an AI|I am unable to|I{_APOS}m unable to|"
    rf"I won{_APOS}t be able|I must decline)\b",
    re.IGNORECASE,
)
FORMAT_SCORER_RE = re.compile(r"json|schema|format|regex|parse", re.IGNORECASE)
JUDGE_SCORER_RE = re.compile(r"judge|faithful|hallucinat|grounded|factual", re.IGNORECASE)
THRESHOLD = 0.5


def validate_label(label: object, taxonomy: Iterable[str] = OUTCOMES) -> str:
    """``label`` if it is one of ``taxonomy`` (the store's: ``wb.label_taxonomy()``), else :class:`InvalidLabelError`.

    The one-line message names the closest label (``did you mean 'failure_hallucination'?``)
    and, for a well-formed name, how to add it to the store's taxonomy.
    """
    labels = tuple(taxonomy)
    if isinstance(label, str) and label in labels:
        return label
    best = closest_label(label, labels)
    hint = f"did you mean {best!r}?" if best is not None else f"the labels are {', '.join(labels)}"
    try:
        check_label_name(label)
    except InvalidLabelError:
        raise InvalidLabelError(f"label {label!r} is not valid: {hint}") from None
    raise InvalidLabelError(
        f"label {label!r} is not in this store's labels: {hint} "
        f"(to add it: wb.add_labels({label!r}) or workbench labels --add {label})"
    )


SIMILAR = 60.0
"""How alike (0-100, rapidfuzz ``WRatio``) a label must be to be suggested as the one meant."""


def closest_label(label: object, taxonomy: Sequence[str]) -> str | None:
    """The label of ``taxonomy`` most like ``label`` (case and separators aside), or ``None`` if none is close.

    ``"halucination"`` gives ``failure_hallucination``, ``"Success"`` ``success``.
    """
    found = process.extractOne(
        str(label), taxonomy, scorer=fuzz.WRatio, processor=default_process, score_cutoff=SIMILAR
    )
    return None if found is None else str(found[0])


# -- automatic labels ----------------------------------------------------------------
def _decode(value: Any) -> Any:
    if isinstance(value, str | bytes):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _scores_of(row: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    nested = row.get("scores")
    if nested is not None and not isinstance(nested, str | bytes | float):
        for s in nested:
            if isinstance(s, Mapping) and s.get("error") is None and not _missing(s.get("score")):
                out[str(s.get("scorer"))] = float(s["score"])
        return out
    for key, value in row.items():
        if isinstance(key, str) and key.startswith("score_") and not _missing(value):
            out[key.removeprefix("score_")] = float(value)
    return out


def _text(output: Any) -> str:
    if output is None:
        return ""
    if isinstance(output, str):
        return output
    return orjson.dumps(output, default=str).decode()


@dataclass(frozen=True)
class Unit:
    """One result row, normalised for label rules.

    Attributes:
        row: the row as given (a dict or a ``results()`` row), or the result's plain values.
        error: the unit's error text, if any.
        error_kind: ``rate_limit``, ``timeout``, ``exception``... or ``None``.
        output: the decoded output.
        output_text: the output as text (strings as they are, other values as JSON).
        tool_calls: decoded tool calls (dicts with ``name``, ``error``, ``valid``...).
        scores: ``{scorer: score}`` of the scorers that did not fail.
    """

    row: Mapping[str, Any]
    error: str | None
    error_kind: str | None
    output: Any
    output_text: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: Result) -> Unit:
        """Normalise a :class:`~workbench.records.Result` (``row`` is its :meth:`~Result.to_dict`)."""
        scores = {name: float(s.score) for name, s in result.scores if s.error is None and s.score is not None}
        return cls(
            row=result.to_dict(),
            error=result.error,
            error_kind=result.error_kind,
            output=result.output,
            output_text=_text(result.output),
            tool_calls=[c.to_dict() for c in result.tool_calls],
            scores=scores,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Unit:
        """Normalise a result row given by hand: a stored row or a row of ``Run.results()``.

        Values that are JSON text are decoded (so a stored row and a ``results()`` row give
        the same unit, but for a text output that happens to be JSON itself).
        """
        output = None if _missing(row.get("output")) else _decode(row.get("output"))
        text = _text(output)
        calls = None if _missing(row.get("tool_calls")) else _decode(row.get("tool_calls"))
        error = row.get("error")
        kind = row.get("error_kind")
        return cls(
            row=row,
            error=None if _missing(error) else str(error),
            error_kind=None if _missing(kind) else str(kind),
            output=output,
            output_text=text,
            tool_calls=[c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else [],
            scores=_scores_of(row),
        )


Predicate = Callable[[Unit], bool]
Rule = tuple[str, Predicate] | Callable[[Unit], str | None]
"""A ``(label, predicate)`` pair, or a callable returning a label or ``None`` (does not apply)."""


def is_infra_error(unit: Unit) -> bool:
    """The unit failed for an infrastructure reason (rate limit, timeout, server, connection, auth...)."""
    return unit.error_kind in INFRA_KINDS


def has_tool_error(unit: Unit) -> bool:
    """A tool call failed or had invalid arguments."""
    return any(c.get("error") or c.get("valid") is False for c in unit.tool_calls)


def is_refusal(unit: Unit) -> bool:
    """The output reads like a refusal (``I can't``, ``I'm sorry``, ``as an AI``...)."""
    return bool(unit.output_text) and REFUSAL_RE.search(unit.output_text) is not None


def has_format_failure(unit: Unit) -> bool:
    """A format scorer (name has json/schema/format/regex/parse) scored 0."""
    return any(FORMAT_SCORER_RE.search(n) and s <= 0.0 for n, s in unit.scores.items())


def has_judge_failure(unit: Unit, threshold: float = THRESHOLD) -> bool:
    """A judge/faithfulness scorer (name has judge/faithful/hallucinat/grounded/factual) scored below ``threshold``."""
    return any(JUDGE_SCORER_RE.search(n) and s < threshold for n, s in unit.scores.items())


def all_pass(unit: Unit, threshold: float = THRESHOLD) -> bool:
    """There are scores and every one is at least ``threshold``."""
    return bool(unit.scores) and all(s >= threshold for s in unit.scores.values())


def some_pass(unit: Unit, threshold: float = THRESHOLD) -> bool:
    """Some scores pass ``threshold`` and some do not."""
    passed = [s >= threshold for s in unit.scores.values()]
    return any(passed) and not all(passed)


def logic_failure(unit: Unit, threshold: float = THRESHOLD) -> bool:
    """The target itself failed (non-infra error), or every score is below ``threshold``."""
    if unit.error is not None:
        return True
    return bool(unit.scores) and all(s < threshold for s in unit.scores.values())


def score_rules(threshold: float = THRESHOLD) -> list[Rule]:
    """The default rules with another pass ``threshold`` for scores."""
    return [
        ("error_infra", is_infra_error),
        ("failure_tool_error", has_tool_error),
        ("failure_refusal", is_refusal),
        ("failure_format", has_format_failure),
        ("failure_hallucination", lambda u: has_judge_failure(u, threshold)),
        ("success", lambda u: all_pass(u, threshold)),
        ("partial_success", lambda u: some_pass(u, threshold)),
        ("failure_logic_bug", lambda u: logic_failure(u, threshold)),
    ]


DEFAULT_RULES: tuple[Rule, ...] = tuple(score_rules())
"""Infra error, tool error, refusal, format, hallucination, success, partial success, logic bug — in that order."""


def auto_label(row: Result | Mapping[str, Any] | Unit, rules: Iterable[Rule] | None = None) -> str | None:
    """The first label whose rule fires on ``row`` (a result or a result row), or ``None`` when none does.

    ``rules`` defaults to :data:`DEFAULT_RULES`; see the module docstring for the rule forms.
    """
    if isinstance(row, Unit):
        unit = row
    elif isinstance(row, Result):
        unit = Unit.from_result(row)
    else:
        unit = Unit.from_row(row)
    for rule in DEFAULT_RULES if rules is None else rules:
        if isinstance(rule, tuple):
            label, predicate = rule
            if predicate(unit):
                return label
        else:
            found = rule(unit)
            if found is not None:
                return found
    return None


# -- storage ---------------------------------------------------------------------------
def default_author() -> str:
    """``$USER`` (or the login name), else ``unknown``."""
    user = os.environ.get("USER") or os.environ.get("USERNAME")
    if user:
        return user
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def make_label(
    item_id: str,
    repeat: int,
    label: str,
    source: Source,
    author: str | None,
    note: str = "",
    *,
    run_id: str | None = None,
) -> Label:
    """One label, stamped now; its name is checked (``[a-z0-9_]``), not its place in a taxonomy.

    A person's label is checked against the store's taxonomy before (:meth:`Run.label`);
    an automatic one may be any name a rule returns.
    """
    return Label(
        item_id=item_id,
        repeat=int(repeat),
        label=check_label_name(label),
        source=source,
        author=author,
        note=note,
        created_at=datetime.now(UTC),
        run_id=run_id,
    )


def write_labels(run_folder: Path, labels: Sequence[Label]) -> None:
    """Append ``labels`` as one label part, atomically (temporary name, fsync, rename)."""
    if not labels:
        return
    table = pa.Table.from_pylist(redact_obj(Label.to_table(labels).to_pylist()), schema=LABEL_SCHEMA)  # no secret
    # the name sorts in write order: it breaks ties between labels stamped the same microsecond
    name = f"labels-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
    with LocalStorage(run_folder).open_atomic(f"{LABELS_DIR}/{name}") as fh:
        pq.write_table(table, fh, compression="zstd")


def has_labels(run_folder: Path) -> bool:
    """Whether the run has any label part."""
    return bool(LocalStorage(run_folder).list(LABELS_DIR, ".parquet"))


def labels_sql(run_folder: Path, *, history: bool = False) -> str:
    """SQL for a run's labels: every label (oldest first), or the effective one per unit."""
    glob = (duckdb_path(run_folder / LABELS_DIR) + "/*.parquet").replace("'", "''")
    cols = ", ".join(LABEL_COLUMNS)
    base = f"select {cols}, filename from read_parquet('{glob}', filename = true)"
    if history:
        return f"select {cols} from ({base}) order by created_at, filename"
    return f"""select {cols} from ({base})
               qualify row_number() over (
                   partition by item_id, repeat
                   order by (source = 'human') desc, created_at desc, filename desc) = 1
               order by item_id, repeat"""


def empty_labels() -> pd.DataFrame:
    """A label frame with no rows."""
    df: pd.DataFrame = LABEL_SCHEMA.empty_table().to_pandas()
    return df
