"""What the OpenAI and Anthropic providers share: the SDK, its clients per loop, the spec, the secrets."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from workbench.providers._clients import Closable, LoopClients
from workbench.providers._keys import public_spec, register_call_secrets

C = TypeVar("C", bound=Closable)


class SDKProvider(Generic[C]):
    """A model behind an official SDK; subclasses set the names below and implement the calls.

    Attributes:
        provider: the provider's name in a spec (``openai``, ``anthropic``).
        sdk: the SDK's module, imported when a provider is made.
        client_class: the SDK's async client class name.
    """

    provider = ""
    sdk = ""
    client_class = ""

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None,
        base_url: str | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self._headers = dict(default_headers or {})
        register_call_secrets(api_key=api_key, base_url=base_url, headers=self._headers)
        # Imported here, on the caller's thread before a run starts, not lazily on the run's
        # loop: the import takes a second, which would block every call in flight.
        self._sdk: Any = importlib.import_module(self.sdk)
        self._clients: LoopClients[C] = LoopClients(self._new_client)

    def spec(self) -> dict[str, Any]:
        """Provider, model, base URL without user-info, header names (never the key or a header's value)."""
        return public_spec(self.provider, self.model, self.base_url, self._headers)

    def _new_client(self) -> C:
        client: C = getattr(self._sdk, self.client_class)(
            api_key=self._api_key or "not-needed",
            base_url=self.base_url,
            default_headers=self._headers or None,
            max_retries=0,
        )
        return client

    async def aclose(self) -> None:
        """One user is done: close the running loop's client and its connections when it was the last."""
        await self._clients.aclose()
