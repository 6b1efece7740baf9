"""Events with ACLED's column names: a page of them as JSON, and every one that matches the
filters as GeoJSON or ACLED's CSV."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from sitreps import acled, exports
from sitreps.api.dependencies import StoreDep
from sitreps.api.models import BAD_FILTER, EventFeatures, EventPage
from sitreps.corroboration import Status
from sitreps.model import SourceKind
from sitreps.store import EventFilter, parse_bbox

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# The stores' integers are 64-bit: an offset past them is refused, not a server error.
MAX_OFFSET = 2**63 - 1 - MAX_PAGE_SIZE

router = APIRouter(tags=["events"])


class GeoJSONResponse(JSONResponse):
    """JSON as GeoJSON's media type: as a route's `response_class`, it has the OpenAPI
    document give the route's `response_model` for that media type."""

    media_type = "application/geo+json"


class CSVResponse(Response):
    media_type = "text/csv"


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
        Status | None,
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
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
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
        status=status.value if status else None,
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


def _geojson(features: str, headers: dict[str, str] | None = None) -> Response:
    # Written by `exports.geojson`, as the CLI's export is; the routes' `EventFeatures`
    # documents it.
    return Response(features, media_type=GeoJSONResponse.media_type, headers=headers)


def _unpaged(where: EventFilter) -> EventFilter:
    return dataclasses.replace(where, limit=None, offset=0)


@router.get(
    "/events", summary="Events with ACLED's column names, oldest first", responses=BAD_FILTER
)
def get_events(store: StoreDep, where: EventQuery, coarsen_km: CoarsenKm = None) -> EventPage:
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


@router.get(
    "/events.geojson",
    summary="Located events as a GeoJSON FeatureCollection",
    response_class=GeoJSONResponse,
    response_model=EventFeatures,
    responses=BAD_FILTER,
)
def get_events_geojson(
    store: StoreDep, where: EventQuery, coarsen_km: CoarsenKm = None
) -> Response:
    return _geojson(exports.geojson(store.events(where), coarsen_km))


@router.get(
    "/export/acled.csv",
    summary="Events as ACLED's CSV (the same filters as /events, no paging)",
    response_class=CSVResponse,
    responses=BAD_FILTER,
)
def export_acled(store: StoreDep, where: EventQuery, coarsen_km: CoarsenKm = None) -> CSVResponse:
    return CSVResponse(
        exports.acled_csv(store.events(_unpaged(where)), coarsen_km),
        headers={"Content-Disposition": 'attachment; filename="sitreps-acled.csv"'},
    )


@router.get(
    "/export/events.geojson",
    summary="Located events as GeoJSON (the same filters as /events, no paging)",
    response_class=GeoJSONResponse,
    response_model=EventFeatures,
    responses=BAD_FILTER,
)
def export_geojson(store: StoreDep, where: EventQuery, coarsen_km: CoarsenKm = None) -> Response:
    return _geojson(
        exports.geojson(store.events(_unpaged(where)), coarsen_km),
        headers={"Content-Disposition": 'attachment; filename="sitreps-events.geojson"'},
    )
