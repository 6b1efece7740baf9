"""What stands between a client and the store: the API key check, the per-client write limit,
the request-body limit and the hardening headers on every response."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse

# The dashboard runs only its own scripts; report text is data, never markup. The one
# origin beyond this server is the optional online tile layer.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes from its scripts; its scripts are still only our own.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
MAX_TRACKED_CLIENTS = 10_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class KeyCheck:
    """Whether an offered key is one of the configured API keys."""

    def __init__(self, keys: Iterable[str]) -> None:
        # Keys are hashed first so that comparing them takes the same time whatever their
        # length, and every known key is compared, so the time says nothing of which matched.
        self._digests = [hashlib.sha256(key.encode()).digest() for key in keys]

    def matches(self, offered: str | None) -> bool:
        if offered is None:
            return False
        digest = hashlib.sha256(offered.encode("utf-8", "surrogatepass")).digest()
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(digest, known)
        return matched


class RateLimit:
    """A token bucket per client: `per_minute` requests a minute, in bursts up to `burst`."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, max(burst, 1)
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds until this client may write again; 0 when it may now (and is counted)."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > MAX_TRACKED_CLIENTS:  # forget clients whose bucket is full
                self._buckets = {
                    c: (t, w)
                    for c, (t, w) in self._buckets.items()
                    if t + (now - w) * self.rate < self.burst
                }
            tokens, then = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


class SecurityHeaders:
    """The hardening headers, and a Content-Security-Policy, on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] == "/docs"
        policy = DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
        added = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        added.append((b"content-security-policy", policy.encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in added if name not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse a request body over the limit with 413, whether or not it declares its length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit and not refused:
                refused = True
                await _too_large(self.limit)(scope, receive, send)
            # Past the limit the app is told the client left, and what it answers is dropped.
            return {"type": "http.disconnect"} if refused else message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, unless_refused)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"request body over {limit:,} bytes"}, status_code=413)
