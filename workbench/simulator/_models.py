"""The simulated models by name, and the server's default responder that routes to them.

* ``sim-large``: :class:`SimulatedModel`'s best answers (any other model name too);
* ``sim-small``: worse on about a third of the questions, chosen by a stable hash of
  the question: "I don't know." or a vaguer or wrong sentence, and no tool call.

Whatever the model name, a request that is an LLM-judge request (see
:mod:`workbench.simulator._judge`) gets a verdict in the JSON it asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from workbench.simulator._judge import judge_reply
from workbench.simulator._model import SimulatedModel
from workbench.simulator._replies import Reply
from workbench.simulator._request import SimRequest

DEFAULT_MODEL = "sim-large"
"""The model that answers for any name the simulator does not know."""
SMALL_MISS_RATE = 1 / 3
"""The share of questions ``sim-small`` gets wrong."""

MODELS: Mapping[str, str] = MappingProxyType(
    {
        "sim-large": "good answers: arithmetic, the best context sentence, tool calls (any unknown name too)",
        "sim-small": "worse on about 1 question in 3 (a stable hash of the question): "
        "'I don't know.' or a vaguer or wrong sentence, no tool call",
    }
)
"""The simulated model names and how each behaves."""


class SimulatedModels:
    """The server's default responder: a judge verdict for judge requests, else the named model's answer.

    Args:
        models: The models by name (default: ``sim-large`` and ``sim-small``); an
            unknown name is answered by ``DEFAULT_MODEL``'s.
    """

    def __init__(self, models: Mapping[str, SimulatedModel] | None = None) -> None:
        self.models = dict(models) if models is not None else {
            "sim-large": SimulatedModel(),
            "sim-small": SimulatedModel(miss_rate=SMALL_MISS_RATE),
        }  # fmt: skip

    def model(self, name: str) -> SimulatedModel:
        """The model answering for ``name`` (case-insensitive; unknown names get the default model)."""
        found = self.models.get(name.strip().lower())
        return found if found is not None else self.models.get(DEFAULT_MODEL) or SimulatedModel()

    def __call__(self, request: SimRequest) -> Reply:
        """The judge's JSON verdict for a judge request, else the requested model's reply."""
        verdict = judge_reply(request)
        if verdict is not None:
            return verdict
        return self.model(request.model)(request)
