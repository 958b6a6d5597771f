"""``"provider:model"`` strings to provider objects."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from workbench.errors import ValidationError
from workbench.providers._anthropic import AnthropicProvider
from workbench.providers._base import Provider
from workbench.providers._keys import api_key as read_api_key
from workbench.providers._openai import OpenAIProvider

PROVIDERS: dict[str, tuple[type[OpenAIProvider] | type[AnthropicProvider], str, str]] = {
    "openai": (OpenAIProvider, "OPENAI_API_KEY", "OPENAI_BASE_URL"),
    "anthropic": (AnthropicProvider, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
}


def split_model(model: str) -> tuple[str, str]:
    """``"openai:gpt-4o-mini"`` -> ``("openai", "gpt-4o-mini")``."""
    provider, sep, name = model.partition(":")
    if not sep or not name or provider not in PROVIDERS:
        known = ", ".join(f"{p}:MODEL" for p in PROVIDERS)
        raise ValidationError(f"model {model!r}: write {known}")
    return provider, name


def make_provider(
    model: str,
    *,
    base_url: str | None = None,
    root: Path | None = None,
    api_key: str | None = None,
    default_headers: Mapping[str, str] | None = None,
) -> Provider:
    """A provider for ``"provider:model"``.

    The base URL comes from ``base_url`` or ``$OPENAI_BASE_URL`` / ``$ANTHROPIC_BASE_URL``;
    the key from ``api_key``, else ``$OPENAI_API_KEY`` / ``$ANTHROPIC_API_KEY`` or a ``.env``
    file. A local server (a base URL) may need no key; the official endpoints do, and
    their absence is a clear error before any call. The key, the base URL's user-info and
    the secret-looking ``default_headers`` become known secrets (see :mod:`workbench.secrets`).
    """
    provider, name = split_model(model)
    cls, key_var, url_var = PROVIDERS[provider]
    url = base_url or os.environ.get(url_var) or None
    key = api_key or read_api_key(key_var, root)
    if key is None and url is None:
        raise ValidationError(f"{model}: no API key: set {key_var} in the environment or in .env (or pass base_url=)")
    made: Provider = cls(name, api_key=key, base_url=url, default_headers=default_headers)
    return made
