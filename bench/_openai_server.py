"""A small, independent OpenAI-compatible chat-completions server for benchmarks (single process, aiohttp).

It answers ``POST /v1/chat/completions`` after a fixed latency with a fixed-shape reply, and keeps
wall-clock timestamps (``time.time()``) of the requests it saw, so a benchmark in another process on
the same machine can tell when the first request arrived and when the last reply left:

- ``GET /stats`` -> ``{"count": N, "first_arrival": t, "last_arrival": t, "last_reply": t}``
- ``POST /reset`` clears them.

It shares no code with ``workbench``: it stands for "any OpenAI-compatible server", here a slow,
single-process Python one. Run it alone with::

    python bench/_openai_server.py --port 0 --latency 0.05

It prints ``OpenAI base URL: http://127.0.0.1:PORT/v1`` once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from typing import Any

from aiohttp import web


class Stats:
    """Timestamps of the requests seen since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.first_arrival: float | None = None
        self.last_arrival: float | None = None
        self.last_reply: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "first_arrival": self.first_arrival,
            "last_arrival": self.last_arrival,
            "last_reply": self.last_reply,
        }


def make_app(latency: float) -> web.Application:
    """The server's routes: chat completions, stats and reset."""
    stats = Stats()

    async def chat(request: web.Request) -> web.Response:
        arrived = time.time()
        if stats.first_arrival is None:
            stats.first_arrival = arrived
        stats.last_arrival = arrived
        body = await request.json()
        messages = body.get("messages") or [{}]
        text = str(messages[-1].get("content", ""))
        if latency > 0:
            await asyncio.sleep(latency)
        reply = {
            "id": f"chatcmpl-{stats.count}",
            "object": "chat.completion",
            "created": int(arrived),
            "model": body.get("model", "bench"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"echo: {text[:64]}"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
        }
        stats.count += 1
        stats.last_reply = time.time()
        return web.Response(body=json.dumps(reply).encode(), content_type="application/json")

    async def get_stats(request: web.Request) -> web.Response:
        return web.json_response(stats.as_dict())

    async def reset(request: web.Request) -> web.Response:
        stats.reset()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/stats", get_stats)
    app.router.add_post("/reset", reset)
    return app


async def serve(port: int, latency: float, host: str = "127.0.0.1") -> None:
    """Serve until SIGTERM or SIGINT."""
    runner = web.AppRunner(make_app(latency), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    server = site._server
    assert server is not None
    bound = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    print(f"OpenAI base URL: http://{host}:{bound}/v1", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds before each reply (0.05)")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.latency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
