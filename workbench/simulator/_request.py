"""A request received by the simulated server, with its secrets redacted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.simulator._conversation import Conversation, Provider, parse_conversation

REDACTED = "[REDACTED]"
"""What a secret header's value (or a secret found elsewhere) is replaced with."""

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "anthropic-api-key", "openai-api-key", "cookie"}
)
"""Header names (lower case) whose values are never recorded."""

PATHS: Mapping[str, Provider] = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}
"""The endpoints the server answers, and the wire format of each."""


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as the server received it, secrets redacted.

    Attributes:
        index: Its position among the requests the server received (from 0).
        method: The HTTP method.
        path: The URL path, without the query string.
        query: The query string ("" if none).
        headers: The headers, names lower-cased; API keys and other credentials
            are replaced by :data:`REDACTED`.
        body: The decoded JSON body ({} when there is none or it is not an object).
        body_error: Why the body could not be decoded, or ``None``.
        received_at: When it arrived (``time.time()``).
    """

    index: int
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: Mapping[str, Any] = field(default_factory=dict)
    body_error: str | None = None
    received_at: float = 0.0

    @property
    def provider(self) -> Provider | None:
        """The wire format of the endpoint called, or ``None`` for an unknown path."""
        return PATHS.get(self.path)

    @property
    def model(self) -> str:
        """The ``model`` the request asked for ("" if none)."""
        return str(self.body.get("model", ""))

    @property
    def conversation(self) -> Conversation:
        """The body read into provider-neutral terms (empty for an unknown path)."""
        return parse_conversation(self.provider or "openai", self.body if self.provider else {})


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Lower-case header names and replace credential values by :data:`REDACTED`.

    Args:
        headers: The raw header pairs.

    Returns:
        The redacted headers, and the secret values found (to scrub them from
        anywhere else they might appear, such as the URL).
    """
    clean: dict[str, str] = {}
    secrets: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key in SECRET_HEADERS:
            secrets.extend(part for part in value.split() if len(part) >= 8)
            secrets.append(value)
            scheme = value.split(" ", 1)[0] if " " in value else ""
            clean[key] = f"{scheme} {REDACTED}" if scheme else REDACTED
        else:
            clean[key] = value
    for key, value in clean.items():
        clean[key] = scrub(value, secrets)
    return clean, secrets


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret in ``text`` by :data:`REDACTED`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def scrub_json(value: Any, secrets: list[str]) -> Any:
    """A copy of a decoded JSON value with every secret in its strings (keys too) redacted."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, list):
        return [scrub_json(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub(str(key), secrets): scrub_json(item, secrets) for key, item in value.items()}
    return value
