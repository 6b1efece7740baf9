"""The HTTP API: reports in, events, incidents and their evidence out (OpenAPI at /docs).

Writes need an API key (`X-API-Key` or `Authorization: Bearer`), configured by
`SITREPS_API_KEYS` (comma-separated) or `api_keys` in the server config file; with no key
configured, writes are refused. Keys are compared in constant time and never logged. Reads
are open unless `SITREPS_READ_REQUIRES_KEY=1` or `read_requires_key: true`. Writes are rate
limited per client address; request bodies over `max_body_bytes` are refused before they are
read in full; cross-origin requests get no CORS headers unless `cors_origins` names their
origin. Every response carries a Content-Security-Policy and the usual hardening headers.
The API sits on the store and the ingest path; the pipeline knows nothing of it.

The endpoints are routers, one module each (`reports`, `events`, `incidents`, `public`),
answering with the pydantic models in `models`; they reach the store and the settings
through the dependencies in `dependencies`, which `create_app` backs with one app's state.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from sitreps import __version__
from sitreps.api import events, incidents, public, reports
from sitreps.api.dependencies import require_read_key
from sitreps.api.guards import BodyLimit, KeyCheck, RateLimit, SecurityHeaders
from sitreps.api.models import problem
from sitreps.api.settings import ServerSettings, SettingsError
from sitreps.store import Store

__all__ = ["ServerSettings", "SettingsError", "create_app"]


def create_app(store: Store, settings: ServerSettings | None = None) -> FastAPI:
    """The API over one store. `sitreps serve` runs it with uvicorn."""
    settings = settings or ServerSettings.from_environment()
    app = FastAPI(
        title="sitreps",
        version=__version__,
        description="War reporting as evidence: who says what, how firmly, and who else "
        "independently says it.",
        docs_url=None,  # `public` serves the vendored Swagger UI
        redoc_url=None,
        responses={401: problem("No valid API key was sent")}
        if settings.read_requires_key
        else None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.key_check = KeyCheck(settings.api_keys)
    app.state.write_limit = RateLimit(settings.writes_per_minute, settings.write_burst)

    # Open reads declare no security in the schema: the schema says what the server does.
    read_guard = [Depends(require_read_key)] if settings.read_requires_key else []
    app.include_router(public.router)
    app.include_router(reports.writes)
    for router in (reports.reads, events.router, incidents.router):
        app.include_router(router, dependencies=read_guard)
    app.mount("/static", StaticFiles(directory=public.STATIC), name="static")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],  # writes never come from another site's pages
        )
    app.add_middleware(SecurityHeaders)
    return app
