"""``python -m workbench.simulator``: serve the simulated LLM API until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from workbench.simulator._models import MODELS
from workbench.simulator._server import SimulatedLLMServer

EPILOG = (
    "models (the request's model name):\n"
    + "\n".join(f"  {name:<10} {what}" for name, what in MODELS.items())
    + "\n  any other name answers as sim-large.\n"
    "LLM-judge requests (the workbench's judges, or a response_format JSON schema) get a JSON verdict\n"
    "for any model name: pass when the answer holds the reference's words, faithful when the context\n"
    "holds the answer's words, relevant when the answer uses the question's words.\n"
    "example: OPENAI_BASE_URL=<OpenAI base URL> and model 'openai:sim-large' in the workbench."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Start a :class:`SimulatedLLMServer`, print its base URLs and serve until Ctrl+C or SIGTERM.

    Args:
        argv: The command-line arguments (``None``: ``sys.argv``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m workbench.simulator",
        description="Serve a simulated LLM (not a real model) speaking the OpenAI and Anthropic APIs, offline.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before every reply")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    parser.add_argument("--model-list", action="store_true", help="print the simulated model names and exit")
    args = parser.parse_args(argv)
    if args.model_list:
        for name, what in MODELS.items():
            print(f"{name}\t{what}")
        return 0
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
        print(
            f"  Models: {', '.join(MODELS)} (any other name answers as sim-large); judges get JSON verdicts", flush=True
        )
        print("Press Ctrl+C to stop.", flush=True)
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
