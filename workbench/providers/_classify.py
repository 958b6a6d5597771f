"""Mapping the official clients' exceptions onto :class:`ProviderError` kinds."""

from __future__ import annotations

from typing import Any

from workbench.providers._errors import ErrorKind, ProviderError


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds), if present."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
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
