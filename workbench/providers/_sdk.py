"""What the OpenAI and Anthropic providers share: the SDK, its clients per loop, the spec, the secrets."""

from __future__ import annotations

import importlib
import os
import ssl
import sys
import threading
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from workbench.providers._clients import Closable, LoopClients
from workbench.providers._keys import public_spec, register_call_secrets

C = TypeVar("C", bound=Closable)

_tls: dict[tuple[str, str | None, str | None], ssl.SSLContext] = {}
_tls_lock = threading.Lock()


def _http_library(sdk: Any) -> tuple[Any, Any] | None:
    """The SDK's default async HTTP client class and the HTTP library it is built on (httpx or its fork)."""
    client_class = getattr(sdk, "DefaultAsyncHttpxClient", None)
    if client_class is None:
        return None
    for klass in client_class.__mro__:
        library = sys.modules.get(klass.__module__.split(".")[0])
        if klass.__module__.startswith("httpx") and hasattr(library, "create_ssl_context"):
            return client_class, library
    return None


def shared_tls_context(sdk: Any) -> ssl.SSLContext | None:
    """The TLS context the SDK's HTTP library would build (``create_ssl_context()``), built once per process.

    Each SDK client otherwise builds its own, loading the system's certificates: about 30 ms
    before a run's first request. It is rebuilt when ``SSL_CERT_FILE``/``SSL_CERT_DIR`` change;
    one context serves many connections, clients and threads. ``None``: the SDK has no such library.
    """
    found = _http_library(sdk)
    if found is None:
        return None
    library = found[1]
    key = (library.__name__, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _tls_lock:
        context = _tls.get(key)
        if context is None:
            context = _tls[key] = library.create_ssl_context()
    return context


def shared_http_client(sdk: Any) -> Any | None:
    """A new default async HTTP client of the SDK on :func:`shared_tls_context` (``None``: let the SDK make its own)."""
    found, context = _http_library(sdk), shared_tls_context(sdk)
    return None if found is None or context is None else found[0](verify=context)


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
        shared_tls_context(self._sdk)  # here too: built on the caller's thread, not on the run's loop
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
            http_client=shared_http_client(self._sdk),
        )
        return client

    async def aclose(self) -> None:
        """One user is done: close the running loop's client and its connections when it was the last."""
        await self._clients.aclose()
