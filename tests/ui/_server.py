"""``workbench ui`` as a real subprocess for the tests: start it, read its URL, talk HTTP and websockets to it."""

from __future__ import annotations

import base64
import http.client
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO

import psutil
import pytest

START_SECONDS = 180
URL_LINE = re.compile(r"URL (http://127\.0\.0\.1:(\d+)/(\S*))")


@dataclass
class Served:
    """A running ``workbench ui``: its process, the URL it printed, its port and token ("" for none)."""

    process: subprocess.Popen[str]
    url: str
    port: int
    token: str
    output: list[str] = field(default_factory=list)
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def log(self) -> str:
        """Everything the server printed so far (its stdout and stderr, Voila's log included)."""
        while True:
            try:
                self.output.append(self.lines.get_nowait())
            except queue.Empty:
                return "".join(self.output)

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes the server started and that still run."""
        found = []
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                    found.append(child)
            except psutil.NoSuchProcess:
                continue
        return found


def _read_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@contextmanager
def serve_ui(root: Path, *args: str) -> Iterator[Served]:
    """Run ``workbench --root ROOT ui --no-browser --port 0 ARGS`` until the block ends."""
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_ROOT"}
    command = [sys.executable, "-m", "workbench", "--root", str(root), "ui", "--no-browser", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    try:
        match = None
        while match is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"workbench ui printed no URL (exit code {process.poll()}):\n" + "".join(seen))
                continue
            seen.append(line)
            match = URL_LINE.match(line)
        token = match.group(3).removeprefix("?token=")
        yield Served(process, match.group(1), int(match.group(2)), token, seen, lines)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Reply:
    """One HTTP reply: status, headers (lower-case names) and body text."""

    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str


def request(
    port: int, method: str, path: str, headers: Mapping[str, str] | None = None, body: bytes | None = None
) -> Reply:
    """One request to 127.0.0.1:PORT (no redirect followed); ``headers`` may forge ``Host``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies: dict[str, str] = {}
        for value in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            cookies.update({k: m.value for k, m in jar.items()})
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, cookies, text)
    finally:
        conn.close()


def cookie_header(cookies: Mapping[str, str]) -> str:
    """A ``Cookie`` header sending ``cookies`` back."""
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def websocket_status(port: int, path: str, headers: Mapping[str, str]) -> int:
    """The status of a websocket handshake to ``path`` (101: accepted)."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def wait_until(condition: Callable[[], bool], seconds: float, step: float = 0.5) -> bool:
    """Poll ``condition()`` until it is true or ``seconds`` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return bool(condition())
        time.sleep(step)


def kernel_id(page: str) -> str:
    """The kernel id a Voila page connects to."""
    match = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
    assert match, "no kernelId in the page"
    return match.group(1)


def form(fields: Mapping[str, str]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (as ``navigator.sendBeacon`` sends a ``FormData``) and its content type."""
    boundary = "wbtestboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


__all__ = [
    "Reply",
    "Served",
    "cookie_header",
    "form",
    "kernel_id",
    "request",
    "serve_ui",
    "wait_until",
    "websocket_status",
]
