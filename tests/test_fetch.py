"""URL fetching against a real local web server: addresses checked after DNS resolution,
every redirect checked again, the connection pinned to the checked address, and limits on
size, time and content type."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sitreps.fetch import FetchError, FetchPolicy, check_url, fetch

PAGE = b"<html><head><title>Strike</title></head><body><p>Two drones hit Odesa.</p></body></html>"
LOOPBACK_ONLY = FetchPolicy.allowing(["127.0.0.0/8"])


class Site(BaseHTTPRequestHandler):
    """Paths: /page, /redirect?to=URL, /loop, /big, /drip, /image."""

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/page":
            self._answer(200, "text/html; charset=utf-8", PAGE)
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query.removeprefix("to="))
            self.end_headers()
        elif path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path == "/big":
            self._answer(200, "text/plain", b"x" * 20_000)
        elif path == "/big-undeclared":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x" * 1_000)
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):  # a byte every 0.1 s: no read ever times out, the whole does
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/image":
            self._answer(200, "image/png", b"\x89PNG\r\n\x1a\n")
        else:
            self._answer(404, "text/plain", b"no")

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the fetches these tests refuse hang up in the middle of a body


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_page_in_an_allowed_network_is_fetched(site: str) -> None:
    fetched = fetch(f"{site}/page", policy=LOOPBACK_ONLY)
    assert fetched.body == PAGE and fetched.content_type == "text/html"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",  # a name is refused for what it resolves to
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4 hidden in IPv6
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "file:///etc/passwd",
        "ftp://example.org/report.txt",
        "http:///no-host",
    ],
)
def test_local_private_metadata_and_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url)


def test_metadata_addresses_are_refused_even_when_private_ones_are_allowed() -> None:
    check_url("http://10.0.0.1/", allow_private=True)
    with pytest.raises(FetchError, match="cloud metadata"):
        check_url("http://169.254.169.254/latest/meta-data/", allow_private=True)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/"])
def test_every_redirect_is_checked_again(site: str, target: str) -> None:
    with pytest.raises(FetchError, match="resolves to"):
        fetch(f"{site}/redirect?to={target}", policy=LOOPBACK_ONLY)


def test_a_redirect_within_the_allowed_network_is_followed(site: str) -> None:
    fetched = fetch(f"{site}/redirect?to=/page", policy=LOOPBACK_ONLY)
    assert fetched.body == PAGE and fetched.url == f"{site}/page"


def test_redirect_loops_end(site: str) -> None:
    with pytest.raises(FetchError, match="redirects"):
        fetch(f"{site}/loop", policy=LOOPBACK_ONLY)


@pytest.mark.parametrize("path", ["/big", "/big-undeclared"])
def test_bodies_over_the_size_limit_are_refused(site: str, path: str) -> None:
    small = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, max_bytes=10_000)
    with pytest.raises(FetchError, match="larger than 10,000 bytes"):
        fetch(f"{site}{path}", policy=small)


def test_the_whole_fetch_has_a_deadline(site: str) -> None:
    quick = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, timeout_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than 1 s"):
        fetch(f"{site}/drip", policy=quick)
    assert time.monotonic() - started < 2.5


def test_content_that_is_no_report_is_refused(site: str) -> None:
    with pytest.raises(FetchError, match="image/png"):
        fetch(f"{site}/image", policy=LOOPBACK_ONLY)


def test_the_connection_goes_to_the_address_that_was_checked(
    site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name first resolves to an allowed address, then to another. The
    fetch must connect to the one it checked, not ask DNS again."""
    port = int(site.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.255.255.1", "10.255.255.1"])
    asked: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "news.example":
            asked.append(host)
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    quick = FetchPolicy(allowed_networks=LOOPBACK_ONLY.allowed_networks, timeout_seconds=3.0)
    fetched = fetch(f"http://news.example:{port}/page", policy=quick)
    assert fetched.body == PAGE and asked == ["news.example"]


def test_a_bad_network_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="not a network"):
        FetchPolicy.allowing(["10.0.0.0/33"])
