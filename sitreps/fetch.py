"""Fetching a report from the web, with the guards untrusted URLs need.

Only http and https. The host is resolved once per hop and every address it resolves to is
checked: anything that is not a public address (private, loopback, link-local, shared,
multicast, reserved, unspecified, and IPv4 hidden in IPv6) is refused unless private
addresses are allowed or the address lies in a network the caller allows. Cloud metadata
endpoints are refused even then, unless their network is named explicitly. The connection
then goes to the address that was checked, so a second DNS answer cannot point it elsewhere
(DNS rebinding). Redirects are followed by hand so that every hop is checked again. The
whole fetch has one deadline, bodies a size limit, and only text, HTML and feed content
types are accepted.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

MAX_BYTES = 5_000_000
TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
ACCEPTED_TYPES = (
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/rss+xml",
    "application/atom+xml", "application/xml", "text/xml", "application/feed+json",
)  # fmt: skip
USER_AGENT = "sitreps (+https://pypi.org/project/sitreps/)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services hand out cloud credentials: AWS, GCP, Azure, OpenStack (the
# link-local one), AWS over IPv6, AWS ECS task metadata, Alibaba Cloud.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)


class FetchError(ValueError):
    """A URL that was refused or could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


@dataclass(frozen=True)
class FetchPolicy:
    """Which addresses may be fetched from, and how much may be read."""

    allow_private: bool = False
    allowed_networks: tuple[Network, ...] = ()
    max_bytes: int = MAX_BYTES
    timeout_seconds: float = TIMEOUT_SECONDS

    @classmethod
    def allowing(cls, networks: Iterable[str], allow_private: bool = False) -> FetchPolicy:
        """A policy allowing the given networks ("10.1.0.0/16", "192.168.1.20")."""
        try:
            parsed = tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks)
        except ValueError as error:
            raise FetchError(f"not a network: {error}") from None
        return cls(allow_private=allow_private, allowed_networks=parsed)

    def refusal(self, address: Address) -> str | None:
        """Why a connection to this address is refused, or None when it is allowed."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed_networks):
            return None
        if address in METADATA_ADDRESSES:
            return "a cloud metadata address; refused even with --allow-private"
        if address.is_global and not address.is_multicast:
            return None
        if self.allow_private:
            return None
        return (
            "a private or local address; refused (use --allow-private, or --allow-network "
            "for one network, to fetch from your own network)"
        )


def resolve(url: str, policy: FetchPolicy) -> Address:
    """The address to connect to for this URL, after checking every address its host has."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{url}: only http and https URLs are fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        resolved = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise FetchError(f"{url}: cannot resolve {parts.hostname}: {error}") from None
    # An IPv6 link-local answer may carry its interface ("fe80::1%eth0").
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in resolved]
    for address in addresses:
        if (why := policy.refusal(address)) is not None:
            raise FetchError(f"{url}: {parts.hostname} resolves to {address}, {why}")
    return addresses[0]


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise FetchError when the URL may not be fetched under the default policy."""
    resolve(url, FetchPolicy(allow_private=allow_private))


def _pinned(url: str, address: Address) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL with its host replaced by the checked address, the Host header, and for
    https the name the certificate must carry."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    assert parts.hostname is not None  # resolve() refused a URL without one
    host_header = parts.netloc.rsplit("@", 1)[-1]  # never send credentials from the URL
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return pinned, {"Host": host_header, "User-Agent": USER_AGENT}, extensions


def fetch(url: str, allow_private: bool = False, policy: FetchPolicy | None = None) -> Fetched:
    policy = policy or FetchPolicy(allow_private=allow_private)
    deadline = time.monotonic() + policy.timeout_seconds

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"{url}: took longer than {policy.timeout_seconds:g} s")
        return left

    # trust_env=False: a proxy from the environment would connect somewhere unchecked.
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            pinned, headers, extensions = _pinned(url, resolve(url, policy))
            try:
                request = client.build_request(
                    "GET", pinned, headers=headers, extensions=extensions, timeout=remaining()
                )
                response = client.send(request, stream=True)
                try:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    return _read(url, response, policy, remaining)
                finally:
                    response.close()
            except httpx.HTTPError as error:
                raise FetchError(f"{url}: {type(error).__name__}: {error}") from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _read(
    url: str, response: httpx.Response, policy: FetchPolicy, remaining: Callable[[], float]
) -> Fetched:
    if response.status_code >= 400:
        raise FetchError(f"{url}: HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        raise FetchError(f"{url}: content type {content_type!r} is not a report")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"{url}: larger than {policy.max_bytes:,} bytes")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > policy.max_bytes:
            raise FetchError(f"{url}: larger than {policy.max_bytes:,} bytes")
        remaining()
    return Fetched(url, content_type, bytes(body))
