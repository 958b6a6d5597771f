"""API keys: from the environment, else from a ``.env`` file; never written anywhere.

Every secret a provider is handed (its key, the values of secret-looking headers, the
user-info of its base URL) is registered with :mod:`workbench.secrets` when the
provider or target is made, so nothing the process writes or shows can hold it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from workbench.secrets import register_env_dir, register_headers, register_secret, register_url, strip_userinfo


def api_key(variable: str, root: Path | None = None) -> str | None:
    """The value of ``variable`` from the environment, ``./.env`` or ``<root>/.env`` (registered as a secret)."""
    register_env_dir(root)  # the other secrets of <root>/.env are hidden too
    value = os.environ.get(variable)
    if value:
        register_secret(value)
        return value
    for folder in (Path.cwd(), root):
        if folder is None:
            continue
        env_file = folder / ".env"
        if env_file.is_file():
            found = dotenv_values(env_file).get(variable)
            if found:
                register_secret(found)
                return found
    return None


def register_call_secrets(
    *, api_key: str | None = None, base_url: str | None = None, headers: Mapping[str, Any] | None = None
) -> None:
    """Register what a model call will carry: a key, a URL's user-info, secret-looking header values."""
    register_secret(api_key)
    register_url(base_url)
    register_headers(headers)


def public_spec(provider: str, model: str, base_url: str | None, headers: Mapping[str, Any]) -> dict[str, Any]:
    """What a provider says about itself (manifests, cache keys): no key, no user-info, header names only."""
    spec: dict[str, Any] = {"provider": provider, "model": model, "base_url": strip_userinfo(base_url or "") or None}
    if headers:
        spec["headers"] = sorted(headers)
    return spec
