"""Fetching a report from the web, with the guards untrusted URLs need.

Only http and https. The host is resolved first and refused when any address it resolves
to is private, loopback, link-local (cloud metadata lives at 169.254.169.254), multicast,
reserved or unspecified, unless the caller allows private addresses. Redirects are
followed by hand so that every hop is checked again. Bodies are limited in size and time,
and only text, HTML and feed content types are accepted.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

MAX_BYTES = 5_000_000
TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
ACCEPTED_TYPES = (
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/rss+xml",
    "application/atom+xml", "application/xml", "text/xml", "application/feed+json",
)  # fmt: skip
USER_AGENT = "sitreps (+https://pypi.org/project/sitreps/)"


class FetchError(ValueError):
    """A URL that was refused or could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def check_url(url: str, allow_private: bool = False) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{url}: only http and https URLs are fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolved = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FetchError(f"{url}: cannot resolve {parts.hostname}: {error}") from None
    if allow_private:
        return
    for *_, sockaddr in resolved:
        address = ipaddress.ip_address(sockaddr[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            raise FetchError(
                f"{url}: {parts.hostname} resolves to {address}, a private or local address; "
                "refused (use --allow-private to fetch from your own network)"
            )


def fetch(url: str, allow_private: bool = False) -> Fetched:
    with httpx.Client(follow_redirects=False, timeout=TIMEOUT_SECONDS) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private)
            try:
                with client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{url}: HTTP {response.status_code}")
                    content_type = response.headers.get("content-type", "").split(";")[0]
                    if content_type.strip().lower() not in ACCEPTED_TYPES:
                        raise FetchError(f"{url}: content type {content_type!r} is not a report")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            raise FetchError(f"{url}: larger than {MAX_BYTES:,} bytes")
                    return Fetched(url, content_type.strip().lower(), bytes(body))
            except httpx.HTTPError as error:
                raise FetchError(f"{url}: {type(error).__name__}: {error}") from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
