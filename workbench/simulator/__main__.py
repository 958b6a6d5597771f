"""``python -m workbench.simulator``: serve the simulated LLM API until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from workbench.simulator._server import SimulatedLLMServer


def main(argv: Sequence[str] | None = None) -> int:
    """Start a :class:`SimulatedLLMServer`, print its base URLs and serve until Ctrl+C or SIGTERM.

    Args:
        argv: The command-line arguments (``None``: ``sys.argv``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m workbench.simulator",
        description="Serve a simulated LLM (not a real model) speaking the OpenAI and Anthropic APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before every reply")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    with SimulatedLLMServer(latency=args.latency, host=args.host, port=args.port) as server:
        print(f"Simulated LLM server (a simulation, not a model) on {server.url}", flush=True)
        print(f"  OpenAI base URL:    {server.openai_base_url}", flush=True)
        print(f"  Anthropic base URL: {server.anthropic_base_url}", flush=True)
        print("Press Ctrl+C to stop.", flush=True)
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
