"""A simulated LLM server speaking the OpenAI and Anthropic wire formats, for offline evaluations and tests.

It is a simulation, deterministic, not a language model. Start it from a shell with
``python -m workbench.simulator [--port N] [--latency S]`` (it prints its base URLs and
model names; ``--model-list`` prints only the names), or from Python with
:func:`serve`, which returns a started :class:`SimulatedLLMServer` (also a context
manager). It serves ``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages``
(Anthropic) on 127.0.0.1, so the official clients, and the workbench's model targets
and judges, can be pointed at it; any API key is accepted.

What it answers (see :data:`MODELS`):

* ``sim-large`` (and any model name it does not know): calls an offered tool that
  fits the question, answers with tool results, does arithmetic ("17 * 23" -> "391"),
  quotes the sentence of a ``Context:`` passage that best matches the question, follows
  an ``Answer: ...`` hint line, else "I don't know." (see :class:`SimulatedModel`);
* ``sim-small``: the same, except on about a third of the questions (chosen by a stable
  hash of the question, so always the same ones): no tool call, and "I don't know." or a
  vaguer or wrong sentence. Two models, or two prompt versions, give different,
  deterministic results;
* an LLM-judge request, whatever the model name (every built-in judge of
  :mod:`workbench.scorers`, a ``Judge`` or ``llm_judge`` with your template, or an
  OpenAI ``response_format`` JSON schema): a valid verdict in exactly the JSON asked for,
  from the prompt's labelled sections (``Question:``, ``Reference answer:``/``Expected:``,
  ``Context:``, ``Answer:``/``Output:``/``Response:``): correct when the answer holds the
  reference's words, faithful when the context holds the answer's words, relevant when
  the answer uses the question's words (the rules are in ``workbench/simulator/_judge.py``).

For tests it also plays scripts: :meth:`SimulatedLLMServer.enqueue` queues replies
(text, tool calls, HTTP errors, slow or malformed responses, dropped connections) given
before any of the above, and :attr:`SimulatedLLMServer.requests` records what was sent,
credentials redacted.

Example:
    >>> from workbench.simulator import serve  # doctest: +SKIP
    >>> with serve() as server:  # doctest: +SKIP
    ...     client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused")
    ...     client.chat.completions.create(
    ...         model="sim-large", messages=[{"role": "user", "content": "What is 17 * 23?"}]
    ...     ).choices[0].message.content
    '391'
"""

from workbench.simulator._conversation import Conversation, Provider, ToolResult, ToolSpec, Turn
from workbench.simulator._dispatch import Responder
from workbench.simulator._judge import judge_reply
from workbench.simulator._model import SimulatedModel
from workbench.simulator._models import DEFAULT_MODEL, MODELS, SimulatedModels
from workbench.simulator._replies import (
    DropConnection,
    ErrorReply,
    FinishReason,
    MalformedKind,
    MalformedReply,
    RawReply,
    Reply,
    TextReply,
    ToolCall,
    ToolCallReply,
    Usage,
)
from workbench.simulator._request import REDACTED, SimRequest
from workbench.simulator._server import SimulatedLLMServer, serve
from workbench.simulator._tokens import count_tokens

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "REDACTED",
    "Conversation",
    "DropConnection",
    "ErrorReply",
    "FinishReason",
    "MalformedKind",
    "MalformedReply",
    "Provider",
    "RawReply",
    "Reply",
    "Responder",
    "SimRequest",
    "SimulatedLLMServer",
    "SimulatedModel",
    "SimulatedModels",
    "TextReply",
    "ToolCall",
    "ToolCallReply",
    "ToolResult",
    "ToolSpec",
    "Turn",
    "Usage",
    "count_tokens",
    "judge_reply",
    "serve",
]
