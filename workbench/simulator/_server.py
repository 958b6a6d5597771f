"""The HTTP/1.1 server: stdlib ``ThreadingHTTPServer`` with keep-alive, in a background thread.

One daemon thread serves each connection, so slow replies do not hold up the
others; the listen backlog is large enough for a hundred clients connecting
at once.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from workbench.errors import NotFoundError, StateError
from workbench.simulator._dispatch import Dispatcher, Responder
from workbench.simulator._replies import ErrorReply, Reply
from workbench.simulator._request import SimRequest
from workbench.simulator._wire import WireResponse, render

log = logging.getLogger("workbench.simulator")

_Socket = socket.socket | tuple[bytes, socket.socket]


class _HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its dispatcher and can close idle keep-alive connections."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS lookup of the host, which can stall offline."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: _Socket, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Socket) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: _Socket, client_address: Any) -> None:
        log.debug("simulated server: error on a connection from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Shut down every open connection, waking the threads that wait on them."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Answers each request with the dispatcher's reply, rendered for its endpoint."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: do not wait for the ACK
    server: _HTTPServer

    def do_POST(self) -> None:
        """Answer a POST request."""
        self._serve()

    def do_GET(self) -> None:
        """Answer a GET request (a health check, or an error)."""
        self._serve()

    def log_message(self, fmt: str, *args: Any) -> None:
        """Log requests at debug level instead of writing them to stderr."""
        log.debug("simulated server: " + fmt, *args)

    def _serve(self) -> None:
        dispatcher = self.server.dispatcher
        raw = self._read_body()
        request = dispatcher.record(self.command, self.path, self.headers.items(), raw)
        reply = dispatcher.reply_for(request)
        if dispatcher.stopping.wait(max(dispatcher.latency + reply.delay, 0.0)):
            self.close_connection = True  # the server is stopping: do not answer
            return
        request_id = dispatcher.next_request_id()
        try:
            response = render(reply, request, request_id)
        except Exception as exc:  # e.g. tool arguments that JSON cannot encode
            log.exception("simulated server: could not render the reply to request %d", request.index)
            response = render(
                ErrorReply(500, message=f"Simulator could not render the reply: {exc!r}"), request, request_id
            )
        self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: WireResponse) -> None:
        if response.drop:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except OSError:  # the client went away (timed out, closed): nothing to answer
            self.close_connection = True


class SimulatedLLMServer:
    """A simulated LLM API on 127.0.0.1 that speaks the OpenAI and Anthropic wire formats.

    It serves ``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages``
    (Anthropic) over real HTTP/1.1 with keep-alive, so the official clients can
    be pointed at it. Each request gets the next scripted reply (see
    :meth:`enqueue`), or else the responder's (by default
    :class:`~workbench.simulator.SimulatedModels`: a JSON verdict for an LLM-judge
    request, else the deterministic answer of the model named, ``sim-large`` or
    ``sim-small``). It is a simulation, not a model. :func:`serve` makes and starts one.

    Example:
        >>> with SimulatedLLMServer() as server:  # doctest: +SKIP
        ...     client = openai.OpenAI(base_url=server.openai_base_url, api_key="test")

    Args:
        latency: Seconds to wait before every reply.
        responder: The default responder; ``None`` uses the simulated models and judge.
        host: The address to bind (keep it on the loopback).
        port: The port to bind; 0 picks a free one.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Responder | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._dispatcher = Dispatcher(latency, responder)
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind the port and serve in a background thread.

        After a :meth:`stop`, it starts again on the same port, so base URLs stay valid.

        Returns:
            The server itself.

        Raises:
            StateError: If it is already running (a ``RuntimeError``).
            OSError: If the port cannot be bound.
        """
        if self._httpd is not None:
            raise StateError("the simulated LLM server is already running: stop() it first")
        self._dispatcher.stopping.clear()
        httpd = _HTTPServer(self._address, self._dispatcher)
        self._address = (self._address[0], int(httpd.server_address[1]))
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="simulated-llm-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection (replies still waiting are dropped); idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._dispatcher.stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        """Start the server unless it runs already (as one from :func:`serve` does)."""
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._httpd is not None

    @property
    def host(self) -> str:
        """The address it is bound to."""
        return self._address[0]

    @property
    def port(self) -> int:
        """The port it is bound to (0 before the first :meth:`start` when asked for any port)."""
        return self._address[1]

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` for ``openai.OpenAI``: ``http://127.0.0.1:PORT/v1``."""
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """The ``base_url`` for ``anthropic.Anthropic``: ``http://127.0.0.1:PORT``."""
        return self.url

    @property
    def latency(self) -> float:
        """Seconds waited before every reply (settable)."""
        return self._dispatcher.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._dispatcher.latency = seconds

    @property
    def requests(self) -> list[SimRequest]:
        """A copy of the requests received so far, in arrival order, credentials redacted."""
        return self._dispatcher.requests

    @property
    def last_request(self) -> SimRequest:
        """The last request received.

        Raises:
            NotFoundError: If none was received (a ``LookupError``).
        """
        requests = self._dispatcher.requests
        if not requests:
            raise NotFoundError("the simulated LLM server has received no request")
        return requests[-1]

    @property
    def pending(self) -> int:
        """How many scripted replies are still queued."""
        return self._dispatcher.pending

    def enqueue(self, *replies: Reply) -> None:
        """Queue scripted replies; the next requests get them in order (first in, first out).

        Args:
            *replies: The replies.
        """
        self._dispatcher.enqueue(replies)

    def set_responder(self, responder: Responder | None) -> None:
        """Set the function that replies when no scripted reply is queued.

        Args:
            responder: Called with each :class:`SimRequest` (from a server
                thread, possibly concurrently); ``None`` restores the responder
                the server was created with.
        """
        self._dispatcher.set_responder(responder)

    def reset(self) -> None:
        """Forget received requests and queued replies, and restore the initial responder (latency is kept)."""
        self._dispatcher.reset()


def serve(*, port: int = 0, latency: float = 0.0, host: str = "127.0.0.1") -> SimulatedLLMServer:
    """Start a simulated LLM server in a background thread and return it, running.

    Stop it with :meth:`SimulatedLLMServer.stop`, or use it as a context manager
    (``with serve() as server: ...`` stops it on leaving).

    Example:
        >>> server = serve()  # doctest: +SKIP
        >>> client = openai.OpenAI(base_url=server.openai_base_url, api_key="unused")  # doctest: +SKIP
        >>> server.stop()  # doctest: +SKIP

    Args:
        port: The port to bind; 0 picks a free one (read it from ``server.port``).
        latency: Seconds to wait before every reply.
        host: The address to bind (keep it on the loopback).

    Returns:
        The started server.

    Raises:
        OSError: If the port cannot be bound.
    """
    return SimulatedLLMServer(latency=latency, host=host, port=port).start()
