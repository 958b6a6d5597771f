"""Provider errors, classified so the runner knows which to retry."""

from __future__ import annotations

from typing import Literal

from workbench.errors import WorkbenchError
from workbench.secrets import redact

ErrorKind = Literal["rate_limit", "timeout", "server", "connection", "bad_response", "bad_request", "auth"]
RETRYABLE: frozenset[str] = frozenset({"rate_limit", "timeout", "server", "connection", "bad_response"})


class ProviderError(WorkbenchError):
    """A model call that failed, with its kind.

    ``bad_request`` and ``auth`` are never retried: the same call would fail again.
    The message holds no known secret (a gateway may echo the key in its error body).
    """

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None, status: int | None = None):
        self.kind: ErrorKind = kind
        self.retry_after = retry_after
        self.status = status
        super().__init__(redact(f"{kind}: {message}"))

    @property
    def retryable(self) -> bool:
        """Whether trying again may succeed."""
        return self.kind in RETRYABLE
