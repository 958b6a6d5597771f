"""The target protocol: what every evaluated thing (function, model, agent, scorer) provides."""

from __future__ import annotations

from contextvars import ContextVar
from time import perf_counter
from typing import TYPE_CHECKING, Any

from workbench.specs import Spec
from workbench.targets._types import Item, TargetResult

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.providers._context import CallContext

_steps: ContextVar[list[dict[str, Any]] | None] = ContextVar("workbench_steps", default=None)
_started: ContextVar[float] = ContextVar("workbench_started", default=0.0)


def record_step(name: str, **data: Any) -> None:
    """Record a step of a pipeline being evaluated (kept in the result's ``steps``).

    Call it from inside a function target, e.g. ``record_step("retrieve", docs=3)``;
    outside a run it does nothing.
    """
    steps = _steps.get()
    if steps is not None:
        steps.append({"name": name, "at_s": round(perf_counter() - _started.get(), 6), **data})


class Target:
    """Base class of targets. Subclasses set ``kind`` and implement :meth:`run`."""

    kind: str = "target"
    name: str = "target"

    def spec(self) -> Spec:
        """What this target is (kind, name, arguments), kept in the run's manifest (never any secret).

        :func:`workbench.targets.build_target` builds the same target again from it.
        """
        return Spec(self.kind, self.name)

    def prepare(self, project: Project) -> None:
        """Resolve what the target refers to in the store (prompt versions...) before a run."""

    def check(self, item: Item) -> str | None:
        """Why this item cannot be sent (e.g. a template variable it lacks), or ``None``."""
        return None

    @property
    def checks_items(self) -> bool:
        """Whether :meth:`check` may refuse an item: a run reads every item before it starts only then."""
        return type(self).check is not Target.check

    async def run(self, item: Item, ctx: CallContext) -> TargetResult:
        """Produce the output for one item."""
        raise NotImplementedError

    async def __call__(self, item: Item, ctx: CallContext) -> TargetResult:
        """Run on one item, collecting the steps it records."""
        steps: list[dict[str, Any]] = []
        token = _steps.set(steps)
        started = _started.set(perf_counter())
        try:
            result = await self.run(item, ctx)
        finally:
            _steps.reset(token)
            _started.reset(started)
        if steps:
            result.steps = steps + result.steps
        return result
