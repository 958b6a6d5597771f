"""The server's state and decisions: recorded requests, scripted replies, the responder."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TypeAlias
from urllib.parse import urlsplit

from workbench.simulator._models import SimulatedModels
from workbench.simulator._replies import ErrorReply, RawReply, Reply, is_reply
from workbench.simulator._request import PATHS, SimRequest, redact_headers, scrub, scrub_json

log = logging.getLogger("workbench.simulator")

Responder: TypeAlias = Callable[[SimRequest], Reply]
"""A function that chooses the reply to a request (when no scripted reply is queued)."""

HEALTH_PATHS = frozenset({"/", "/health"})


class Dispatcher:
    """Thread-safe state shared by the HTTP handler threads.

    Args:
        latency: Seconds to wait before every reply.
        responder: The default responder; ``None`` uses :class:`SimulatedModels` (the named models and the judge).
    """

    def __init__(self, latency: float, responder: Responder | None) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._requests: list[SimRequest] = []
        self._initial: Responder = responder or SimulatedModels()
        self._responder = self._initial
        self._ids = itertools.count(1)
        self.latency = latency
        self.stopping = threading.Event()

    @property
    def requests(self) -> list[SimRequest]:
        """A copy of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        """How many scripted replies are still queued."""
        with self._lock:
            return len(self._queue)

    def enqueue(self, replies: Iterable[Reply]) -> None:
        """Queue scripted replies, given to the next requests in order."""
        with self._lock:
            self._queue.extend(replies)

    def set_responder(self, responder: Responder | None) -> None:
        """Set the responder used when no scripted reply is queued (``None``: the initial one)."""
        with self._lock:
            self._responder = responder or self._initial

    def reset(self) -> None:
        """Forget requests and queued replies, and restore the initial responder."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._responder = self._initial

    def next_request_id(self) -> str:
        """A new response id for the ``x-request-id``/``request-id`` header."""
        with self._lock:
            return f"req_sim_{next(self._ids):06d}"

    def record(self, method: str, target: str, headers: Iterable[tuple[str, str]], raw: bytes) -> SimRequest:
        """Decode, redact and store a request.

        Args:
            method: The HTTP method.
            target: The request target (path and query).
            headers: The raw header pairs.
            raw: The raw body.

        Returns:
            The stored request.
        """
        clean, secrets = redact_headers(headers)
        url = urlsplit(target)
        body: object = {}
        error = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                error = f"invalid JSON: {exc}"
            if error is None and not isinstance(body, dict):
                error, body = "the JSON body is not an object", {}
        with self._lock:
            request = SimRequest(
                index=len(self._requests),
                method=method,
                path=scrub(url.path, secrets),
                query=scrub(url.query, secrets),
                headers=clean,
                body=scrub_json(body, secrets) if isinstance(body, dict) else {},
                body_error=error,
                received_at=time.time(),
            )
            self._requests.append(request)
        return request

    def reply_for(self, request: SimRequest) -> Reply:
        """The reply to a request: a validation error, else the next scripted reply, else the responder's.

        A responder that raises gives a 500 error whose message names the exception.
        """
        invalid = validate(request)
        if invalid is not None:
            return invalid
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            responder = self._responder
        try:
            reply = responder(request)
        except Exception as exc:
            log.exception("simulated responder failed on request %d", request.index)
            return ErrorReply(500, message=f"Simulated responder failed: {exc!r}")
        if not is_reply(reply):
            return ErrorReply(500, message=f"Simulated responder returned {type(reply).__name__}, not a Reply")
        return reply


def validate(request: SimRequest) -> Reply | None:
    """The error a real API would give to a request this malformed, or ``None`` if it is fine."""
    if request.method == "GET" and request.path in HEALTH_PATHS:
        return RawReply('{"status": "ok", "simulated": true}')
    if request.path not in PATHS:
        endpoints = ", ".join(f"POST {path}" for path in PATHS)
        return ErrorReply(
            404, message=f"Unknown endpoint {request.method} {request.path}; the simulator serves {endpoints}."
        )
    if request.method != "POST":
        return ErrorReply(405, message=f"{request.method} is not allowed on {request.path}; use POST.")
    if request.body_error:
        return ErrorReply(400, message=f"Could not read the request body: {request.body_error}.")
    problems = []
    if not isinstance(request.body.get("model"), str):
        problems.append("model: a string is required")
    messages = request.body.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append("messages: a non-empty list is required")
    if request.provider == "anthropic" and not isinstance(request.body.get("max_tokens"), int):
        problems.append("max_tokens: an integer is required")
    if problems:
        return ErrorReply(400, message="; ".join(problems))
    return None
