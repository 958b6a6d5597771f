"""A hostile gateway on 127.0.0.1 that echoes the request's credentials in its error bodies, and a store grep.

The gateway answers every chat request (OpenAI ``/chat/completions``, Anthropic
``/v1/messages``) with an error whose message holds every request header, the
``Authorization`` and ``x-api-key`` values above all. The statuses it answers with are
a script: ``[503, 400, 401]`` means the first request gets a 503 (retried at once, since
``Retry-After: 0``), the next a 400 (the item's error) and every later one a 401 (an
authentication error, which stops the run). A 200 is a reply whose text is that message
(a model repeating the key).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


class EchoGateway:
    """The gateway; use as a context manager. ``seen`` holds every request's headers."""

    def __init__(self, statuses: Sequence[int] = (503, 400, 401)) -> None:
        self.statuses = list(statuses)
        self.seen: list[dict[str, str]] = []
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                headers = dict(self.headers.items())
                with gateway._lock:
                    gateway.seen.append(headers)
                    n = len(gateway.seen) - 1
                status = gateway.statuses[min(n, len(gateway.statuses) - 1)]
                echoed = "; ".join(f"{k}={v}" for k, v in headers.items())
                message = f"rejected: authorization={headers.get('Authorization')} x-api-key={headers.get('x-api-key')}"
                message += f" headers: {echoed} path={self.path}"
                body = _body(status, "/messages" in self.path, message)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, provider: str, userinfo: str | None = None) -> str:
        """The base URL for ``provider`` (with ``user:password@`` when given)."""
        host = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return f"http://{host}/v1" if provider == "openai" else f"http://{host}"

    def __enter__(self) -> EchoGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _body(status: int, anthropic: bool, message: str) -> dict[str, Any]:
    """An error body (or, for a 200, a reply whose text is the message) in the wire format."""
    if status == 200 and anthropic:
        return {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": [{"type": "text", "text": message}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 5},
        }
    if status == 200:
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": message}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
        }
    if anthropic:
        return {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


def forms(key: str, user: str = "user") -> list[str]:
    """The key as it may travel: itself, and inside HTTP basic auth of ``user:key``."""
    return [key, base64.b64encode(f"{user}:{key}".encode()).decode()]


def _parquet_text(path: Path) -> str:
    table = pq.read_table(path)
    return json.dumps(table.to_pylist(), default=str)


def leaks(folder: Path, secrets: Iterable[str]) -> list[str]:
    """Every file under ``folder`` (raw bytes, and Parquet decoded) that holds one of ``secrets``."""
    found = []
    wanted = list(secrets)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        texts = [raw.decode("utf-8", "replace")]
        if path.suffix == ".parquet":
            texts.append(_parquet_text(path))
        for secret in wanted:
            if secret.encode() in raw or any(secret in t for t in texts):
                found.append(f"{path.relative_to(folder)} holds {secret[:12]}...")
    return found


def hits(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """The texts (logs, printed output) that hold one of ``secrets``."""
    wanted = list(secrets)
    return [t for t in texts if any(s in t for s in wanted)]


def iter_files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``."""
    return (p for p in folder.rglob("*") if p.is_file())
