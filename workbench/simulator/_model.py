"""The simulated model: the server's default, deterministic responder.

It is a simulation, not a language model. Given the same request it always
gives the same reply, chosen in this order:

1. The conversation ends with tool results: answer with them
   ("According to get_order: status: shipped.").
2. Tools are offered (and ``tool_choice`` is not ``none``), the conversation
   ends with the user's text, and a tool shares a keyword with that text (or
   the client requires a tool): call it, with arguments filled from its JSON
   schema and the message (an id such as ``A-1042``, a number, a place...).
3. Otherwise answer the last user message: an ``Answer: ...`` hint line in the
   system prompt or the message; a computation (``17 * 23``, ``15% of 80``,
   ``square root of 144``, Fahrenheit to Celsius, ``is 97 prime``); the
   sentence of a ``Context:`` passage that best matches the question; the
   first sentence of a quoted passage to summarise; a greeting back; else
   :attr:`SimulatedModel.fallback`.

A text longer than the request's ``max_tokens`` (or ``max_completion_tokens``)
is cut there and ends with the ``length`` finish reason, as a real model's would.

With a ``miss_rate`` (``sim-small`` has 1/3), the model misses that share of the
questions, chosen by a stable hash of the last user message (so the same
question is missed every time, by every process): it calls no tool and answers
"I don't know." or, for the other half of them, a vaguer or wrong sentence (another
sentence of the context, or "It depends; I would need more details to answer that.").
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from workbench.simulator._arithmetic import solve
from workbench.simulator._conversation import Conversation, ToolResult, ToolSpec
from workbench.simulator._replies import Reply, TextReply, ToolCall, ToolCallReply
from workbench.simulator._request import SimRequest
from workbench.simulator._text import (
    answer_hint,
    best_sentence,
    is_greeting,
    question_of,
    quoted_passage,
    sentences,
    split_context,
)
from workbench.simulator._tokens import count_tokens, truncate_tokens
from workbench.simulator._tools import build_calls, choose_tool

GREETING_REPLY = "Hello! How can I help you today?"
VAGUE_REPLY = "It depends; I would need more details to answer that."
_SPACES = re.compile(r"\s+")


class SimulatedModel:
    """A deterministic stand-in for a chat model (see the module's docstring for its rules).

    Args:
        fallback: The answer when no rule applies.
        miss_rate: The share of questions (0..1, chosen by a stable hash) the model
            gets wrong on purpose: no tool call, and "I don't know." or a vaguer or
            wrong sentence.
    """

    def __init__(self, *, fallback: str = "I don't know.", miss_rate: float = 0.0) -> None:
        self.fallback = fallback
        self.miss_rate = min(1.0, max(0.0, float(miss_rate)))

    def __call__(self, request: SimRequest) -> Reply:
        """Reply to a request as a model would.

        Args:
            request: The request received.

        Returns:
            A tool call reply or a text reply.
        """
        conversation = request.conversation
        if conversation.pending_tool_results:
            return self._limit(answer_from_results(conversation.pending_tool_results), request)
        miss = self.miss(conversation.last_user_text)
        if miss is not None:
            return self._limit(self.worse_answer(conversation, vague=miss), request)
        tool = self._tool_to_call(conversation)
        if tool is not None:
            parallel = request.body.get("parallel_tool_calls", True) is not False
            calls = build_calls(tool, conversation.last_user_text, parallel=parallel)
            return ToolCallReply([ToolCall(tool.name, args) for args in calls])
        return self._limit(self.answer(conversation), request)

    def answer(self, conversation: Conversation) -> str:
        """The text answer to the conversation's last user message (rule 3)."""
        user = conversation.last_user_text
        hint = answer_hint([conversation.system, user])
        if hint:
            return hint
        system_context, _ = split_context(conversation.system)
        user_context, rest = split_context(user)
        question = question_of(rest)
        computed = solve(question)
        if computed is not None:
            return computed
        context = user_context or system_context
        if context:
            return best_sentence(context, question)
        quoted = quoted_passage(question)
        if quoted:
            return quoted
        if is_greeting(question):
            return GREETING_REPLY
        return self.fallback

    def miss(self, question: str) -> bool | None:
        """``None`` when the model answers this question well; else whether its miss is vague (not "I don't know").

        The choice is a stable hash of the question (lower-cased, spaces collapsed).
        """
        if self.miss_rate <= 0.0:
            return None
        key = _SPACES.sub(" ", question.strip().lower()).encode()
        digest = hashlib.sha256(key).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 >= self.miss_rate:
            return None
        return bool(digest[8] & 1)

    def worse_answer(self, conversation: Conversation, *, vague: bool) -> str:
        """A missed question's answer: "I don't know.", or (``vague``) another context sentence or a vague one."""
        if not vague:
            return self.fallback
        good = self.answer(conversation)
        system_context, _ = split_context(conversation.system)
        user_context, _ = split_context(conversation.last_user_text)
        others = [s for s in sentences(user_context or system_context or "") if s != good]
        return others[-1] if others else VAGUE_REPLY

    @staticmethod
    def _tool_to_call(conversation: Conversation) -> ToolSpec | None:
        if not conversation.tools or conversation.tool_choice == "none" or not conversation.awaits_answer_to_user:
            return None
        if conversation.forced_tool:
            forced = [t for t in conversation.tools if t.name == conversation.forced_tool]
            if forced:
                return forced[0]
        tool = choose_tool(conversation.tools, conversation.last_user_text)
        if tool is None and conversation.tool_choice == "required":
            return conversation.tools[0]
        return tool

    @staticmethod
    def _limit(text: str, request: SimRequest) -> TextReply:
        limit = request.body.get("max_completion_tokens") or request.body.get("max_tokens")
        if isinstance(limit, int) and not isinstance(limit, bool) and count_tokens(text) > limit:
            return TextReply(truncate_tokens(text, limit), finish="length")
        return TextReply(text)


def answer_from_results(results: tuple[ToolResult, ...]) -> str:
    """A sentence per tool result: ``According to NAME: ...`` or ``NAME failed: ...``."""
    parts = []
    for result in results:
        name = result.name or "the tool"
        body, failed = _render_result(result.content)
        if result.is_error or failed:
            parts.append(f"{name} failed: {body}")
        else:
            parts.append(f"According to {name}: {body}")
    return " ".join(part if part.endswith((".", "!", "?")) else part + "." for part in parts)


def _render_result(content: str) -> tuple[str, bool]:
    """A tool result as prose, and whether it reports an error (a JSON ``error`` key)."""
    try:
        value: Any = json.loads(content)
    except ValueError:
        return content.strip() or "(empty result)", False
    if isinstance(value, dict):
        if set(value) == {"error"} or (value.get("error") and len(value) <= 2):
            return _scalar(value["error"]), True
        return ", ".join(f"{key}: {_scalar(item)}" for key, item in value.items()) or "(empty result)", False
    if isinstance(value, list):
        return ", ".join(_scalar(item) for item in value) or "(no results)", False
    return _scalar(value), False


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
