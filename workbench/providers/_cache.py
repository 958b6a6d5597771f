"""An on-disk cache of model replies, keyed by everything that decides the reply."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from workbench.errors import NotFoundError
from workbench.providers._base import ModelReply, ModelRequest
from workbench.secrets import redact_obj
from workbench.storage import LocalStorage


class ResponseCache:
    """Replies stored as JSON files under ``folder``, one per request key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.storage = LocalStorage(folder)

    @staticmethod
    def key(provider: dict[str, Any], request: ModelRequest, *, repeat: int = 0) -> str:
        """The request's key: provider, model, messages, tools, params, and the repeat.

        Each repeat of an item is an independent sample: repeat ``r`` of a run is only ever
        answered with the reply once given to repeat ``r`` (of this or an earlier run),
        never with another repeat's. Repeat 0 keeps the key it always had.
        """
        data: dict[str, Any] = {"provider": provider, **request.cache_key_data()}
        if repeat:
            data["repeat"] = repeat
        return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()

    @staticmethod
    def _path(key: str) -> str:
        return f"{key[:2]}/{key}.json"

    def get(self, key: str) -> ModelReply | None:
        """The cached reply for ``key``, marked as a cache hit, or ``None``."""
        try:
            raw = self.storage.read_bytes(self._path(key))
        except NotFoundError:
            return None
        try:
            reply = ModelReply.from_dict(orjson.loads(raw))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return None
        reply.cache_hit = True
        return reply

    def put(self, key: str, reply: ModelReply) -> None:
        """Store a reply."""
        # a reply may repeat a key
        self.storage.write_atomic(self._path(key), orjson.dumps(redact_obj(reply.to_dict())))
