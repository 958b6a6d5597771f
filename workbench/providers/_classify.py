"""Mapping the official clients' exceptions onto :class:`ProviderError` kinds."""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime
from typing import Any

from workbench.providers._errors import ErrorKind, ProviderError

MAX_RETRY_AFTER = 120.0
"""The longest wait a server's ``Retry-After`` is honoured for (seconds); longer ones are capped."""


def _seconds(value: str, scale: float) -> float | None:
    """A number of seconds (``"2"``, ``"1.5"``), or, for ``Retry-After``, an HTTP date (RFC 9110)."""
    try:
        return float(value) * scale
    except ValueError:
        pass
    if scale != 1.0:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def retry_after(headers: Any, *, cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), if present.

    A date in the past means "now" (0); a wait beyond ``cap`` is capped; a value that is
    neither a number nor a date is ignored.
    """
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        seconds = _seconds(str(value).strip(), scale)
        if seconds is None or math.isnan(seconds):
            continue
        return min(max(seconds, 0.0), cap)
    return None


def classify(exc: BaseException, module: Any) -> ProviderError:
    """A :class:`ProviderError` for an exception raised by the ``openai`` or ``anthropic`` client.

    Both clients share the same exception names (generated from one template).
    """
    status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    kind: ErrorKind
    if isinstance(exc, module.APITimeoutError):
        kind = "timeout"
    elif isinstance(exc, module.APIConnectionError):
        kind = "connection"
    elif isinstance(exc, module.RateLimitError):
        kind = "rate_limit"
    elif isinstance(exc, module.AuthenticationError | module.PermissionDeniedError):
        kind = "auth"
    elif isinstance(exc, module.APIStatusError):
        if status in (408,):
            kind = "timeout"
        elif status in (409,) or (status is not None and status >= 500):
            kind = "server"
        else:
            kind = "bad_request"
    elif isinstance(exc, ValueError):  # a 200 whose body is not JSON
        kind = "bad_response"
    else:
        kind = "bad_response"
    return ProviderError(kind, f"{type(exc).__name__}: {message}", retry_after=retry_after(headers), status=status)
