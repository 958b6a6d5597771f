"""``workbench ui`` as a server: a token by default, local ``Host`` only, same-origin writes and websockets only.

Each test talks real HTTP (and websocket handshakes) to a real ``workbench ui`` subprocess on 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui._server import (
    Reply,
    Served,
    cookie_header,
    form,
    kernel_id,
    request,
    serve_ui,
    wait_until,
    websocket_status,
)

pytestmark = pytest.mark.slow
XML_NAMESPACES = ("http://www.w3.org/", "http://purl.org/dc/", "http://creativecommons.org/ns#")
"""Names in inline SVG, never fetched."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One ``workbench ui`` (with a token, culling off) for the module's tests."""
    with serve_ui(tmp_path_factory.mktemp("ui") / "store", "--kernel-idle-timeout", "0") as server:
        yield server


@pytest.fixture(scope="module")
def page(served: Served) -> Reply:
    """The app's page, loaded once with the token (it starts a kernel and sets the login and ``_xsrf`` cookies)."""
    reply = request(served.port, "GET", f"/?token={served.token}")
    assert reply.status == 200, reply.body[:500]
    return reply


def test_the_printed_url_carries_a_fresh_random_token(served: Served) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}/?token={served.token}"
    assert len(served.token) >= 32
    assert all(c in "0123456789abcdef" for c in served.token)


@pytest.mark.parametrize("path", ["/", "/?token=wrong", "/voila/api/shutdown/00000000-0000-0000-0000-000000000000"])
def test_a_request_without_the_token_is_refused(served: Served, path: str) -> None:
    method = "POST" if "shutdown" in path else "GET"
    reply = request(served.port, method, path)
    assert reply.status in (302, 403)
    if reply.status == 302:
        assert reply.headers["location"].startswith("/login")
    assert not served.kernels()


def test_the_page_with_the_token_is_served(served: Served, page: Reply) -> None:
    assert "Eval Workbench" in page.body
    assert any(name.startswith("username-") for name in page.cookies)  # the login cookie: no token in later URLs
    assert "_xsrf" in page.cookies  # what Voila's unload beacon sends back to shut its kernel
    assert served.token not in page.body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "192.168.1.20:{port}", "127.0.0.1.nip.io"])
def test_a_forged_host_is_refused_even_with_the_token(served: Served, host: str) -> None:
    reply = request(served.port, "GET", f"/?token={served.token}", {"Host": host.format(port=served.port)})
    assert reply.status == 403


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}"])
def test_local_hosts_are_accepted(served: Served, host: str) -> None:
    reply = request(served.port, "GET", "/login", {"Host": host.format(port=served.port)})
    assert reply.status == 200


def test_a_cross_origin_websocket_is_refused(served: Served, page: Reply) -> None:
    path = f"/api/kernels/{kernel_id(page.body)}/channels"
    cookies = cookie_header(page.cookies)
    assert websocket_status(served.port, path, {"Origin": "http://evil.example", "Cookie": cookies}) == 403
    assert websocket_status(served.port, path, {"Origin": f"http://127.0.0.1:{served.port}"}) == 403  # no cookie
    assert websocket_status(served.port, path, {"Origin": f"http://127.0.0.1:{served.port}", "Cookie": cookies}) == 101


def test_a_cross_origin_post_is_refused_and_a_same_origin_one_shuts_the_kernel(served: Served, page: Reply) -> None:
    path = f"/voila/api/shutdown/{kernel_id(page.body)}"
    body, content_type = form({"_xsrf": page.cookies["_xsrf"]})
    headers = {"Cookie": cookie_header(page.cookies), "Content-Type": content_type}
    refused = request(served.port, "POST", path, {**headers, "Origin": "http://evil.example"}, body)
    assert refused.status in (403, 404)
    assert len(served.kernels()) == 1
    done = request(served.port, "POST", path, {**headers, "Origin": f"http://127.0.0.1:{served.port}"}, body)
    assert done.status == 204
    assert wait_until(lambda: not served.kernels(), 30)


def test_no_token_is_a_documented_switch_and_still_checks_the_host(tmp_path: Path) -> None:
    with serve_ui(tmp_path / "store", "--no-token") as server:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        assert any("--no-token" in line for line in server.output)  # a warning says what it means
        assert request(server.port, "GET", "/", {"Host": "evil.example"}).status == 403
        assert request(server.port, "GET", "/").status == 200


def test_the_page_links_nothing_from_another_host(page: Reply) -> None:
    assert "cdn.jsdelivr.net" not in page.body
    assert "fontawesome" not in page.body
    assert '"fullMathjaxUrl": "null"' in page.body
    assert "cdnjs.cloudflare.com" not in page.body  # MathJax 2, Mermaid
    urls = re.findall(r"https?://(?!127\.0\.0\.1)[^\s\"'<>)]+", page.body)
    assert [u for u in urls if not u.startswith(XML_NAMESPACES)] == []
