"""What the API takes and answers, as pydantic models: they validate requests, shape
responses and are the OpenAPI schema. Analyses and events are `sitreps.model.Analysis` and
`sitreps.acled.Record`; the rest is here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from sitreps import acled
from sitreps.corroboration import Status
from sitreps.model import Certainty, ClaimKind, SourceKind
from sitreps.store import Outcome


class _Answer(BaseModel):
    # Answers built from the store's rows: a column the store adds fails the tests here
    # instead of silently missing from the answer.
    model_config = ConfigDict(extra="forbid")


def _iso_time(value: Any) -> Any:
    # Pydantic would read a number as a Unix time; a publication time is ISO 8601 text.
    if isinstance(value, int | float):
        raise ValueError("expected a time as ISO 8601 text, e.g. 2026-10-16T15:00:00+03:00")
    return value


def _utc(value: Any) -> Any:
    # The store writes these times in UTC, and SQLite gives them back without the zone.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _as_stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


StoredUtcTime = Annotated[AwareDatetime, BeforeValidator(_utc)]
# Text, not a date-time: a SQLite store keeps no UTC offset, and a report may be sent
# without one, so the zone of this time may be unknown.
StoredPublicationTime = Annotated[
    str | None,
    BeforeValidator(_as_stored),
    Field(description="ISO 8601; without a UTC offset where none is known"),
]


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


class Problem(BaseModel):
    detail: Any = Field(description="What was wrong with the request")


class StoredReport(BaseModel):
    id: str
    outcome: Outcome
    origin: str
    analysis: str = Field(description="Where its analysis is")


class Refused(BaseModel):
    where: str
    reason: str


class IngestResult(BaseModel):
    reports: list[StoredReport]
    refused: list[Refused]


class StoreCounts(_Answer):
    """Rows in the store's main tables."""

    reports: int
    claims: int
    sources: int
    places: int
    events: int
    incidents: int
    change_log: int


class Health(_Answer):
    status: Literal["ok"]
    version: str = Field(description="The sitreps version serving")
    counts: StoreCounts


class ReportVersion(_Answer):
    """A report as stored: one version of a document, and the version that replaced it."""

    id: str = Field(description="SHA-256 of the text")
    document_key: str = Field(description="The URL, file path or id its versions share")
    version: int
    superseded_by: str | None = Field(description="The next version's id; null for the latest")
    title: str | None
    outlet: str | None
    url: str | None
    published_at: StoredPublicationTime
    language: str
    origin: str = Field(description="Where it was ingested from")
    ingested_at: StoredUtcTime
    text: str


class EventPage(BaseModel):
    items: list[acled.Record]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last")


class EventProperties(acled.Record):
    """An event's fields as /events gives them; its point is the feature's geometry."""

    model_config = ConfigDict(extra="forbid")

    # Only the schema is drawn from this model (`exports.geojson` writes the features), and
    # a GeoJSON feature's properties leave out the point.
    latitude: SkipJsonSchema[float | None] = Field(default=None, exclude=True)
    longitude: SkipJsonSchema[float | None] = Field(default=None, exclude=True)


class Point(_Answer):
    type: Literal["Point"]
    coordinates: tuple[float, float] = Field(description="Longitude, latitude")


class EventFeature(_Answer):
    type: Literal["Feature"]
    geometry: Point
    properties: EventProperties


class EventFeatures(_Answer):
    """Located events as a GeoJSON FeatureCollection; events without a point are left out."""

    type: Literal["FeatureCollection"]
    features: list[EventFeature]


class AttributedSource(_Answer):
    """One source along a claim's attribution chain."""

    name: str
    kind: SourceKind
    descriptor: str | None


class IncidentClaim(_Answer):
    """A claim behind an incident, and the other independent voices that say the same kind
    of thing (that it happened, the damage, the casualties)."""

    report_id: str
    claim_id: str
    kind: ClaimKind
    certainty: Certainty
    group: str = Field(description="The independent voice it comes from")
    text: str
    also_said_by: list[str] = Field(description="The other voices that say the same")
    status: Status
    attribution: list[AttributedSource] = Field(
        default_factory=list,
        description="The sources it comes through, outermost first: the outlet reports that A "
        "says that B says ...; empty when the report's analysis is not stored",
    )


class IncidentVoice(_Answer):
    """One independent voice, and what it says through which reports."""

    group: str
    sources: list[str] = Field(description='Who speaks for it, e.g. "TASS via Northwind Wire"')
    reports: list[str] = Field(description="The ids of the reports it speaks in")
    fatalities: list[str] = Field(description='Numbers of dead as stated, e.g. "at least 5"')
    injured: list[str] = Field(description="Numbers of injured as stated")


class Evidence(_Answer):
    voices: list[IncidentVoice]
    claims: list[IncidentClaim]
    contradictions: list[str] = Field(description="Numbers that cannot all be true")
    denials: list[str] = Field(description="The claims that deny the event, as written")
    events: list[str] = Field(description='Its events, each as "report_id:event_id"')


class Incident(_Answer):
    """One happening as several reports tell it, with its corroboration."""

    id: str
    status: Status
    first_date: date | None
    last_date: date | None
    latitude: float | None
    longitude: float | None
    location: str | None
    event_type: str | None
    sub_event_type: str | None
    n_events: int
    n_reports: int
    n_outlets: int
    n_independent_sources: int
    updated_at: StoredUtcTime
    evidence: Evidence
    source_kinds: list[SourceKind] = Field(description="The kinds of source its claims rest on")


class ReportCited(_Answer):
    """A report an incident's evidence cites."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published_at: StoredPublicationTime
    version: int


class IncidentDetail(Incident):
    reports: list[ReportCited]


def problem(description: str) -> dict[str, Any]:
    """An error answer for `responses=`: a Problem, as JSON."""
    # As content, not as `"model": Problem`: FastAPI documents a model in the route's own
    # media type, and the exports answer their errors in JSON, not in CSV or GeoJSON.
    schema = Problem.model_json_schema()
    return {"description": description, "content": {"application/json": {"schema": schema}}}


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem("No such report or incident")}
BAD_FILTER: dict[int | str, dict[str, Any]] = {
    422: problem("A filter that cannot be applied, and why")
}
