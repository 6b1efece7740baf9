"""The HTTP API: reports in, events, incidents and their evidence out (OpenAPI at /docs).

Writes need an API key (`X-API-Key` or `Authorization: Bearer`), configured by
`SITREPS_API_KEYS` (comma-separated) or `api_keys` in the server config file; with no key
configured, writes are refused. Keys are compared in constant time and never logged. Reads
are open unless `SITREPS_READ_REQUIRES_KEY=1` or `read_requires_key: true`. Writes are rate
limited per client address; request bodies over `max_body_bytes` are refused before they are
read in full; cross-origin requests get no CORS headers unless `cors_origins` names their
origin. Every response carries a Content-Security-Policy and the usual hardening headers.
The API sits on the store and the ingest path; the pipeline knows nothing of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import math
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
import yaml
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, Field, HttpUrl, model_validator

from sitreps import __version__, acled, exports
from sitreps.ingest import Document, documents, ingest
from sitreps.inputs import MAX_CHARS, ReportRecord
from sitreps.model import Analysis, SourceKind
from sitreps.store import EventFilter, Outcome, Store, parse_bbox

STATIC = Path(str(resources.files("sitreps") / "static"))
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
MAX_BODY_BYTES = 4 * MAX_CHARS  # the longest text sitreps analyses, in UTF-8 at worst
PAGE_SIZE = 100
MAX_TRACKED_CLIENTS = 10_000
MAX_PAGE_SIZE = 1000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SettingsError(ValueError):
    """A server config file that cannot be read."""


@dataclass(frozen=True)
class ServerSettings:
    api_keys: frozenset[str] = frozenset()
    read_requires_key: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    writes_per_minute: float = 60.0  # per client address; 0 turns the limit off
    write_burst: int = 20
    cors_origins: tuple[str, ...] = ()  # none: browsers get no cross-origin access

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """Settings from `$SITREPS_SERVER_CONFIG` (or `server.yaml` in the user config dir),
        overridden by `SITREPS_API_KEYS`, `SITREPS_READ_REQUIRES_KEY` and
        `SITREPS_CORS_ORIGINS`."""
        default = Path(platformdirs.user_config_dir("sitreps")) / "server.yaml"
        path = Path(os.environ.get("SITREPS_SERVER_CONFIG") or default)
        config: dict[str, Any] = {}
        if path.is_file():
            try:
                config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as error:
                raise SettingsError(f"{path}: {error}") from error
            if not isinstance(config, dict):
                raise SettingsError(f"{path}: expected a mapping of settings")
        keys = config.get("api_keys") or []
        if "SITREPS_API_KEYS" in os.environ:
            keys = os.environ["SITREPS_API_KEYS"].split(",")
        reads = config.get("read_requires_key", False)
        if "SITREPS_READ_REQUIRES_KEY" in os.environ:
            reads = os.environ["SITREPS_READ_REQUIRES_KEY"].lower() in {"1", "true", "yes"}
        origins = config.get("cors_origins") or []
        if "SITREPS_CORS_ORIGINS" in os.environ:
            origins = os.environ["SITREPS_CORS_ORIGINS"].split(",")
        try:
            return cls(
                api_keys=frozenset(str(k).strip() for k in keys if str(k).strip()),
                read_requires_key=bool(reads),
                max_body_bytes=int(config.get("max_body_bytes", MAX_BODY_BYTES)),
                writes_per_minute=float(config.get("writes_per_minute", 60.0)),
                write_burst=int(config.get("write_burst", 20)),
                cors_origins=tuple(str(o).strip() for o in origins if str(o).strip()),
            )
        except (TypeError, ValueError) as error:
            raise SettingsError(f"{path}: {error}") from error


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


class _SecurityHeaders:
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


class _BodyLimit:
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


def _iso_time(value: Any) -> Any:
    # Pydantic would read a number as a Unix time; a publication time is ISO 8601 text.
    if isinstance(value, int | float):
        raise ValueError("expected a time as ISO 8601 text, e.g. 2026-10-16T15:00:00+03:00")
    return value


class ReportIn(BaseModel):
    """A report to analyse and store: its text, or without text a URL to fetch it from."""

    text: str | None = Field(default=None, description="The report text")
    url: HttpUrl | None = Field(
        default=None,
        description="Where the report is online; fetched (same guards as ingest) when no text "
        "is sent",
    )
    title: str | None = None
    outlet: str | None = None
    published_at: Annotated[datetime | None, BeforeValidator(_iso_time)] = None
    language: str | None = None  # ISO 639-1; detected from the text when not given

    @model_validator(mode="after")
    def _text_or_url(self) -> ReportIn:
        if self.text is None and self.url is None:
            raise ValueError("send the report's text, or a url to fetch it from")
        return self


class StoredReport(BaseModel):
    id: str
    outcome: Outcome
    origin: str
    analysis: str = Field(description="Where its analysis is")


class Problem(BaseModel):
    detail: Any = Field(description="What was wrong with the request")


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such report or incident", "model": Problem}
}
BAD_FILTER: dict[int | str, dict[str, Any]] = {
    422: {"description": "A filter that cannot be applied, and why", "model": Problem}
}


class Refused(BaseModel):
    where: str
    reason: str


class IngestResult(BaseModel):
    reports: list[StoredReport]
    refused: list[Refused]


class EventPage(BaseModel):
    items: list[acled.Record]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last")


def _iso_date(value: Any) -> Any:
    # Pydantic would read "0" or "1700000000" as Unix times; a date filter takes dates only.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def event_filter(
    bbox: Annotated[str | None, Query(description="west,south,east,north in degrees")] = None,
    since: Annotated[IsoDate | None, Query(description="First event date")] = None,
    until: Annotated[IsoDate | None, Query(description="Last event date")] = None,
    event_type: Annotated[str | None, Query(description='e.g. "Battles"')] = None,
    status: Annotated[
        Literal["corroborated", "single-source", "contested"] | None,
        Query(description="Corroboration of the event's incident"),
    ] = None,
    source_kind: Annotated[
        SourceKind | None, Query(description="A kind of source along the event's attribution")
    ] = None,
    search: Annotated[
        str | None,
        Query(max_length=200, description="Words in the place, the actors or the sources"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventFilter:
    try:
        box = parse_bbox(bbox) if bbox is not None else None
    except ValueError as error:
        raise HTTPException(422, f"bbox: {error}") from None
    if since and until and since > until:
        raise HTTPException(422, "since is after until")
    return EventFilter(
        bbox=box,
        since=since,
        until=until,
        event_type=event_type,
        status=status,
        source_kind=source_kind.value if source_kind else None,
        search=search,
        limit=limit,
        offset=offset,
    )


EventQuery = Annotated[EventFilter, Depends(event_filter)]
# For users who publish: every point moved to the centre of a grid cell this wide.
CoarsenKm = Annotated[
    float | None,
    Query(ge=0.001, le=1000, description="Move every point to the centre of a cell this km wide"),
]
OfferedKey = Annotated[str | None, Depends(APIKeyHeader(name="X-API-Key", auto_error=False))]
OfferedBearer = Annotated[
    HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))
]


def create_app(store: Store, settings: ServerSettings | None = None) -> FastAPI:
    """The API over one store. `sitreps serve` runs it with uvicorn."""
    settings = settings or ServerSettings.from_environment()
    app = FastAPI(
        title="sitreps",
        version=__version__,
        description="War reporting as evidence: who says what, how firmly, and who else "
        "independently says it.",
        docs_url=None,  # served below from the vendored Swagger UI, not from a CDN
        redoc_url=None,
        responses={401: {"description": "No valid API key was sent", "model": Problem}}
        if settings.read_requires_key
        else None,
    )
    # Keys are hashed first so that comparing them takes the same time whatever their length,
    # and every known key is compared, so the time says nothing of which one matched.
    known_digests = [hashlib.sha256(key.encode()).digest() for key in settings.api_keys]
    limiter = RateLimit(settings.writes_per_minute, settings.write_burst)

    def _key_matches(key: str | None, credentials: HTTPAuthorizationCredentials | None) -> bool:
        offered = key or (credentials.credentials if credentials else None)
        if offered is None:
            return False
        digest = hashlib.sha256(offered.encode("utf-8", "surrogatepass")).digest()
        matched = False
        for known in known_digests:
            matched |= hmac.compare_digest(digest, known)
        return matched

    def require_key(key: OfferedKey, credentials: OfferedBearer) -> None:
        if not settings.api_keys:
            raise HTTPException(403, "writes are disabled: no API key is configured")
        if not _key_matches(key, credentials):
            raise HTTPException(401, "a valid API key is required", {"WWW-Authenticate": "Bearer"})

    def limit_writes(request: Request) -> None:
        wait = limiter.wait(request.client.host if request.client else "unknown")
        if wait > 0:
            seconds = str(math.ceil(wait))
            raise HTTPException(
                429, f"too many writes: try again in {seconds} s", {"Retry-After": seconds}
            )

    def reader(key: OfferedKey, credentials: OfferedBearer) -> None:
        if settings.read_requires_key and not _key_matches(key, credentials):
            raise HTTPException(401, "a valid API key is required", {"WWW-Authenticate": "Bearer"})

    # Open reads declare no security in the schema: the schema says what the server does.
    read = [Depends(reader)] if settings.read_requires_key else []

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def attribute(incident: dict[str, Any]) -> None:
        """Give each claim of an incident its attribution chain, and the incident the kinds of
        source its claims rest on."""
        analyses: dict[str, Analysis | None] = {}
        kinds: set[str] = set()
        for claim in incident["evidence"]["claims"]:
            report_id = claim["report_id"]
            if report_id not in analyses:
                analyses[report_id] = store.analysis(report_id)
            analysis = analyses[report_id]
            claims = {c.id: c for c in analysis.claims} if analysis else {}
            stated = claims.get(claim["claim_id"])
            if analysis is None or stated is None:
                continue
            chain = [analysis.source(source_id) for source_id in stated.attribution]
            claim["attribution"] = [
                {"name": s.name, "kind": s.kind.value, "descriptor": s.descriptor} for s in chain
            ]
            kinds |= {s.kind.value for s in chain}
        incident["source_kinds"] = sorted(kinds)

    @app.get("/health", summary="Liveness and what the store holds")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "counts": store.counts()}

    @app.post(
        "/reports",
        summary="Analyse and store a report",
        dependencies=[Depends(limit_writes), Depends(require_key)],
        response_model=IngestResult,
        responses={
            200: {"description": "Already stored"},
            201: {"description": "Stored"},
            400: {"description": "The body could not be parsed as JSON", "model": Problem},
            401: {"description": "No valid API key was sent", "model": Problem},
            403: {"description": "Writes are disabled: no API key is configured", "model": Problem},
            413: {"description": "The request body is over the size limit", "model": Problem},
            422: {"description": "Nothing could be stored; the reasons", "model": Problem},
            429: {"description": "Too many writes; see Retry-After", "model": Problem},
        },
    )
    def post_report(report: ReportIn, response: Response) -> IngestResult:
        if report.text is None:
            found = documents([str(report.url)])
        else:
            record = ReportRecord(
                text=report.text,
                title=report.title,
                outlet=report.outlet,
                url=str(report.url) if report.url else None,
                published_at=report.published_at,
                language=report.language,
            )
            found = iter([Document(record, "POST /reports", record.url)])
        summary = ingest(store, found)
        refused = [Refused(where=f.where, reason=f.reason) for f in summary.failures]
        if not summary.stored:
            raise HTTPException(422, [r.model_dump() for r in refused] or "nothing to store")
        stored = [
            StoredReport(
                id=s.report_id,
                outcome=s.outcome,
                origin=s.origin,
                analysis=f"/reports/{s.report_id}/analysis",
            )
            for s in summary.stored
        ]
        changed = any(s.outcome is not Outcome.UNCHANGED for s in stored)
        response.status_code = 201 if changed else 200
        return IngestResult(reports=stored, refused=refused)

    @app.get(
        "/reports/{report_id}", summary="A stored report", dependencies=read, responses=NOT_FOUND
    )
    def get_report(report_id: str) -> dict[str, Any]:
        found = store.report(report_id)
        if found is None:
            raise HTTPException(404, f"no report {report_id}")
        return found

    @app.get(
        "/reports/{report_id}/analysis",
        summary="A report's analysis: claims, sources, places, events",
        dependencies=read,
        responses=NOT_FOUND,
        response_model=Analysis,
    )
    def get_analysis(report_id: str) -> Analysis:
        found = store.analysis(report_id)
        if found is None:
            raise HTTPException(404, f"no report {report_id}")
        return found

    @app.get(
        "/events",
        summary="Events with ACLED's column names, oldest first",
        dependencies=read,
        response_model=EventPage,
        responses=BAD_FILTER,
    )
    def get_events(where: EventQuery, coarsen_km: CoarsenKm = None) -> EventPage:
        rows = store.events(where)
        assert where.limit is not None
        full = len(rows) == where.limit
        return EventPage(
            items=[
                acled.Record.model_validate(record)
                for record in exports.records(rows, fatalities_as_zero=False, coarsen_km=coarsen_km)
            ],
            limit=where.limit,
            offset=where.offset,
            next_offset=where.offset + where.limit if full else None,
        )

    @app.get(
        "/events.geojson",
        summary="Located events as a GeoJSON FeatureCollection",
        dependencies=read,
        response_class=Response,
        responses={200: {"content": {"application/geo+json": {}}}, **BAD_FILTER},
    )
    def get_events_geojson(where: EventQuery, coarsen_km: CoarsenKm = None) -> Response:
        return Response(
            exports.geojson(store.events(where), coarsen_km), media_type="application/geo+json"
        )

    @app.get("/incidents", summary="Incidents with their corroboration", dependencies=read)
    def get_incidents(
        status: Annotated[
            Literal["corroborated", "single-source", "contested"] | None, Query()
        ] = None,
    ) -> list[dict[str, Any]]:
        incidents = store.incidents(status)
        for incident in incidents:
            attribute(incident)
        return incidents

    @app.get(
        "/incidents/{incident_id}",
        summary="An incident with its evidence: reports, claims, independent voices, "
        "contradictions",
        dependencies=read,
        responses=NOT_FOUND,
    )
    def get_incident(incident_id: str) -> dict[str, Any]:
        found = store.incident(incident_id)
        if found is None:
            raise HTTPException(404, f"no incident {incident_id}")
        attribute(found)
        evidence = found["evidence"]
        report_ids = sorted(
            {r for voice in evidence["voices"] for r in voice["reports"]}
            | {c["report_id"] for c in evidence["claims"]}
        )
        found["reports"] = [
            {k: report[k] for k in ("id", "title", "outlet", "url", "published_at", "version")}
            for report_id in report_ids
            if (report := store.report(report_id)) is not None
        ]
        return found

    @app.get(
        "/export/acled.csv",
        summary="Events as ACLED's CSV (the same filters as /events, no paging)",
        dependencies=read,
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}, **BAD_FILTER},
    )
    def export_acled(where: EventQuery, coarsen_km: CoarsenKm = None) -> Response:
        rows = store.events(dataclasses.replace(where, limit=None, offset=0))
        return Response(
            exports.acled_csv(rows, coarsen_km),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="sitreps-acled.csv"'},
        )

    @app.get(
        "/export/events.geojson",
        summary="Located events as GeoJSON (the same filters as /events, no paging)",
        dependencies=read,
        response_class=Response,
        responses={200: {"content": {"application/geo+json": {}}}, **BAD_FILTER},
    )
    def export_geojson(where: EventQuery, coarsen_km: CoarsenKm = None) -> Response:
        rows = store.events(dataclasses.replace(where, limit=None, offset=0))
        return Response(
            exports.geojson(rows, coarsen_km),
            media_type="application/geo+json",
            headers={"Content-Disposition": 'attachment; filename="sitreps-events.geojson"'},
        )

    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],  # writes never come from another site's pages
        )
    app.add_middleware(_SecurityHeaders)
    return app
