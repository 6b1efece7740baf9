"""What is open whatever the settings: the dashboard, the API docs page and the health check."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from sitreps import __version__
from sitreps.api.dependencies import StoreDep
from sitreps.api.models import Health, StoreCounts

STATIC = Path(str(resources.files("sitreps") / "static"))

router = APIRouter()


@router.get("/", include_in_schema=False, response_class=FileResponse)
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html")


# Served from the vendored Swagger UI, not from a CDN.
@router.get("/docs", include_in_schema=False, response_class=FileResponse)
def api_docs() -> FileResponse:
    return FileResponse(STATIC / "docs.html")


@router.get("/health", summary="Liveness and what the store holds", tags=["service"])
def health(store: StoreDep) -> Health:
    return Health(
        status="ok", version=__version__, counts=StoreCounts.model_validate(store.counts())
    )
