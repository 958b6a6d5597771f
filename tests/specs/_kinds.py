"""Support for the resume tests: an importable module of functions, and a simulator that also judges."""

from __future__ import annotations

import json

from workbench.simulator import Reply, SimRequest, SimulatedModel, TextReply

SUPPORT = '''
def answer(input):
    return f"{input} has {len(input)} characters"


def lookup(n: int) -> int:
    """Look a number up.

    Args:
        n: the number to look up.
    """
    return n * 2


def said_something(output):
    return bool(output)
'''
"""The module ``kinds_support`` that targets, tools and scorers are imported from (in any process)."""


class JudgingModel:
    """The simulated model, except that a judge prompt gets a well-formed verdict."""

    def __init__(self) -> None:
        self.model = SimulatedModel()

    def __call__(self, request: SimRequest) -> Reply:
        """A verdict in the shape the judge asked for, or the simulated model's reply."""
        system = request.conversation.system or ""
        if "Reply with a single JSON object" in system:
            if '"verdict"' in system:
                return TextReply(json.dumps({"verdict": "pass", "reason": "It gives the reference answer."}))
            return TextReply(json.dumps({"score": 4, "reason": "Mostly there."}))
        return self.model(request)
