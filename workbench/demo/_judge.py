"""The offline demo's simulated judge: the simulator's model, plus deterministic verdicts for judge prompts.

A judge request (the reply-format instructions ask for ``"verdict": "pass" | "fail"``)
gets a verdict from comparing the reference answer with the answer to judge: pass when
the reference is contained in the answer, or when most of its words are (a lenient
judge, like many real ones). Every other request goes to :class:`SimulatedModel`.
It is a simulation: the demo names it so wherever it shows.
"""

from __future__ import annotations

import json
import re

from workbench.simulator import Reply, SimRequest, SimulatedModel, TextReply

_SECTIONS = re.compile(r"Reference answer:\s*(.*?)\s*Answer to judge:\s*(.*)", re.DOTALL | re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
LENIENT_SHARE = 0.6
"""Pass an answer holding at least this share of the reference's words."""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def verdict(reference: str, answer: str) -> tuple[str, str]:
    """``("pass" | "fail", reason)`` for an answer against the reference."""
    ref, got = reference.strip().lower(), answer.strip().lower()
    if ref and ref in got:
        return "pass", "The answer states the reference answer."
    words = _words(ref)
    if words:
        found = set(_words(got))
        share = sum(1 for w in words if w in found) / len(words)
        if share >= LENIENT_SHARE:
            return "pass", f"The answer has {share:.0%} of the reference's words."
    return "fail", "The answer does not give the reference answer."


class SimulatedJudgeModel:
    """A responder for :class:`~workbench.simulator.SimulatedLLMServer` that also plays an LLM judge."""

    def __init__(self) -> None:
        self.model = SimulatedModel()

    def __call__(self, request: SimRequest) -> Reply:
        """A JSON verdict for a judge prompt, the simulated model's reply otherwise."""
        conversation = request.conversation
        if '"verdict"' in (conversation.system or ""):
            found = _SECTIONS.search(conversation.last_user_text)
            if found is not None:
                decision, reason = verdict(found.group(1), found.group(2))
                return TextReply(json.dumps({"verdict": decision, "reason": reason}))
        return self.model(request)
