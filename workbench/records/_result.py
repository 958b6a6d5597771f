"""``Result``: one unit's (item x repeat) stored outcome, with its tool calls and scores.

A run writes one row per unit into append-only Parquet parts with :data:`RESULT_SCHEMA`;
the run engine and the live monitor both build a :class:`Result` and hand it to the same
writer. The JSON-valued fields (``input``, ``output``, ``tool_calls``, ``steps`` and each
score's ``details``) are JSON text inside the row only: :meth:`Result.to_row` encodes them
and :meth:`Result.from_row` decodes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, ClassVar

import pyarrow as pa

from workbench.records._codec import from_json, to_json
from workbench.records._score import SCORE_TYPE, Score

RESULT_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()),
        ("repeat", pa.int32()),
        ("shard", pa.string()),
        ("input", pa.string()),
        ("output", pa.string()),
        ("error", pa.string()),
        ("error_kind", pa.string()),
        ("latency_s", pa.float64()),
        ("tokens_in", pa.int64()),
        ("tokens_out", pa.int64()),
        ("tokens_cached", pa.int64()),
        ("cost", pa.float64()),
        ("tool_calls", pa.string()),
        ("steps", pa.string()),
        ("model", pa.string()),
        ("cache_hit", pa.bool_()),
        ("ai_generated", pa.bool_()),
        ("attempts", pa.int32()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("scores", pa.list_(SCORE_TYPE)),
    ]
)
"""One row per finished unit. ``input``, ``output``, ``tool_calls``, ``steps`` and ``details`` are JSON text."""

JSON_FIELDS: tuple[str, ...] = ("input", "output", "tool_calls", "steps")
"""The result columns held as JSON text (besides each score's ``details``)."""


@dataclass(slots=True)
class ToolCall:
    """One tool call made by an agent: what was asked, what came back, how long it took."""

    name: str
    arguments: Any
    step: int
    result: Any = None
    error: str | None = None
    latency_s: float = 0.0
    valid: bool = True
    """False when the arguments did not match the tool's schema (an incorrect call)."""
    call_id: str | None = None
    """The provider's id of the call (kept only when there is one)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (``call_id`` only when set)."""
        out = {
            "name": self.name,
            "arguments": self.arguments,
            "step": self.step,
            "result": self.result,
            "error": self.error,
            "latency_s": self.latency_s,
            "valid": self.valid,
        }
        if self.call_id is not None:
            out["call_id"] = self.call_id
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ToolCall:
        """A tool call from :meth:`to_dict`'s form (missing keys take their defaults)."""
        return cls(
            name=str(data.get("name", "")),
            arguments=data.get("arguments"),
            step=int(data.get("step") or 0),
            result=data.get("result"),
            error=data.get("error"),
            latency_s=float(data.get("latency_s") or 0.0),
            valid=bool(data.get("valid", True)),
            call_id=data.get("call_id"),
        )


def _finite(value: float | None) -> float | None:
    """``value``, or ``None`` for a missing or non-finite number (a NaN cost is an unknown cost)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _json_field(name: str) -> Callable[[Result], str | None]:
    get = attrgetter(name)

    def encode(result: Result) -> str | None:
        value = get(result)
        return None if value is None else to_json(value)

    return encode


def _cost(result: Result) -> float | None:
    cost = result.cost
    return cost if cost is None or math.isfinite(cost) else None


def _tool_calls(result: Result) -> str | None:
    return to_json([c.to_dict() for c in result.tool_calls]) if result.tool_calls else None


def _steps(result: Result) -> str | None:
    return to_json(result.steps) if result.steps else None


def _scores(result: Result) -> list[dict[str, Any]]:
    return [verdict.to_row(name) for name, verdict in result.scores]


_SPECIAL: dict[str, Callable[[Result], Any]] = {
    "input": _json_field("input"),
    "output": _json_field("output"),
    "cost": _cost,
    "tool_calls": _tool_calls,
    "steps": _steps,
    "scores": _scores,
}
_NAMES: tuple[str, ...] = tuple(RESULT_SCHEMA.names)
_ENCODERS: tuple[Callable[[Result], Any], ...] = tuple(_SPECIAL.get(n, attrgetter(n)) for n in _NAMES)
"""How each column of a stored row is made from a :class:`Result`, in schema order (NaN cost as NULL,
empty tool calls and steps as NULL, JSON values as text); the other columns are the fields as they are."""


@dataclass(slots=True)
class Result:
    """One unit's stored outcome: what the target gave back, what it cost, and its scores.

    Attributes:
        item_id: the item.
        repeat: which repeat of the item (0-based).
        shard: the shard that did it (``"i/n"``).
        input: the input as the target saw it, when the run keeps it (live monitor runs);
            ``None`` for dataset runs, whose input is in the dataset version.
        output: the target's output (any JSON value); ``None`` when the target failed.
        error: why the target failed, in one line; ``None`` when it did not.
        error_kind: ``timeout``, ``rate_limit``, ``exception``... ; ``None`` when it did not fail.
        latency_s: seconds the target took.
        tokens_in: input tokens.
        tokens_out: output tokens.
        tokens_cached: input tokens served from the provider's cache.
        cost: US dollars, ``None`` when unknown (a NaN is stored as unknown).
        tool_calls: the agent's tool calls.
        steps: the target's recorded steps (a list of dicts); a live monitor run keeps the
            record's metadata here as ``{"metadata": ...}``.
        model: the model that answered.
        cache_hit: the answer came from the response cache.
        ai_generated: the output was written by a model.
        attempts: calls made (retries included).
        started_at: when the unit started (UTC).
        finished_at: when it finished (UTC).
        scores: each scorer's name and verdict, in scorer order.
    """

    item_id: str
    repeat: int = 0
    shard: str = "0/1"
    input: Any = None
    output: Any = None
    error: str | None = None
    error_kind: str | None = None
    latency_s: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0
    cost: float | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    steps: Any = field(default_factory=list)
    model: str | None = None
    cache_hit: bool = False
    ai_generated: bool = False
    attempts: int = 1
    started_at: datetime | None = None
    finished_at: datetime | None = None
    scores: list[tuple[str, Score]] = field(default_factory=list)

    SCHEMA: ClassVar[pa.Schema] = RESULT_SCHEMA
    """The stored form: :data:`RESULT_SCHEMA`."""

    def score(self, scorer: str) -> Score | None:
        """The verdict of ``scorer`` (the first, should two scorers share a name), or ``None``."""
        return next((s for name, s in self.scores if name == scorer), None)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain values: tool calls as dicts, scores as ``{"scorer", "score", ...}`` dicts."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["tool_calls"] = [c.to_dict() for c in self.tool_calls]
        out["scores"] = [{"scorer": name, **asdict(verdict)} for name, verdict in self.scores]
        return out

    def to_row(self) -> dict[str, Any]:
        """The stored row: JSON-valued fields as JSON text, empty lists and details as NULL."""
        return dict(zip(_NAMES, self.to_values(), strict=True))

    def to_values(self) -> tuple[Any, ...]:
        """The stored row's values in schema order (what the run writer buffers: text and numbers,
        no record objects kept alive until the part is written; see :meth:`values_table`)."""
        return tuple([encode(self) for encode in _ENCODERS])

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Result:
        """A result from a stored row (as :meth:`to_row` makes it, or a Parquet row as read back).

        Columns a row lacks (a part written by an older version) take their defaults.
        """
        calls = from_json(row.get("tool_calls"))
        steps = from_json(row.get("steps"))
        cost = row.get("cost")
        return cls(
            item_id=str(row["item_id"]),
            repeat=int(row.get("repeat") or 0),
            shard=row.get("shard") or "0/1",
            input=from_json(row.get("input")),
            output=from_json(row.get("output")),
            error=row.get("error"),
            error_kind=row.get("error_kind"),
            latency_s=row.get("latency_s"),
            tokens_in=int(row.get("tokens_in") or 0),
            tokens_out=int(row.get("tokens_out") or 0),
            tokens_cached=int(row.get("tokens_cached") or 0),
            cost=None if cost is None else _finite(float(cost)),
            tool_calls=[ToolCall.from_dict(c) for c in calls if isinstance(c, Mapping)] if calls else [],
            steps=[] if steps is None else steps,
            model=row.get("model"),
            cache_hit=bool(row.get("cache_hit")),
            ai_generated=bool(row.get("ai_generated")),
            attempts=int(row.get("attempts") or 1),
            started_at=row.get("started_at"),
            finished_at=row.get("finished_at"),
            scores=[Score.from_row(s) for s in row.get("scores") or ()],
        )

    @classmethod
    def to_table(cls, results: Iterable[Result]) -> pa.Table:
        """The stored rows of ``results`` as one Arrow table with :data:`RESULT_SCHEMA`.

        Built a column at a time with the same encoders as :meth:`to_row` (twice as fast as
        a table of row dicts: the writer makes every part this way).
        """
        return cls.values_table([r.to_values() for r in results])

    @staticmethod
    def errors_in(rows: Iterable[tuple[Any, ...]]) -> int:
        """How many rows of :meth:`to_values` record a target error."""
        at = _NAMES.index("error")
        return sum(1 for row in rows if row[at] is not None)

    @classmethod
    def values_table(cls, rows: Iterable[tuple[Any, ...]]) -> pa.Table:
        """One Arrow table with :data:`RESULT_SCHEMA` from rows of :meth:`to_values`, a column at a time."""
        columns = list(zip(*rows, strict=True)) or [() for _ in _NAMES]
        return pa.Table.from_arrays(
            [pa.array(column, type=field.type) for column, field in zip(columns, RESULT_SCHEMA, strict=True)],
            schema=RESULT_SCHEMA,
        )

    @classmethod
    def from_table(cls, table: pa.Table) -> list[Result]:
        """The results of an Arrow table of stored rows (any column order; extra columns ignored)."""
        return [cls.from_row(row) for row in table.to_pylist()]
