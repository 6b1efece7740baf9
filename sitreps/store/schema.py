"""The store's tables: plain tables with readable names, pleasant in Datasette or pandas.

Every table is keyed by the report it came from; ids inside a report ("c3", "e1") are the
analysis's own. The Alembic migrations in `sitreps/store/migrations` create these tables;
`tests/test_store.py` checks that the two agree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ReportRow(Base):
    """A report as ingested. An edited document is a new row (a new version) whose
    predecessor points at it through `superseded_by`."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the text
    document_key: Mapped[str] = mapped_column(Text, index=True)  # URL, file path or the id
    version: Mapped[int] = mapped_column(Integer)
    superseded_by: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(Text)  # where it was ingested from
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)


class AnalysisRow(Base):
    __tablename__ = "analyses"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    schema_version: Mapped[str] = mapped_column(String(16))
    sitreps_version: Mapped[str] = mapped_column(String(32))
    analysed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_language_rate: Mapped[float] = mapped_column(Float)
    analysis_json: Mapped[str] = mapped_column(Text)  # the whole Analysis, as `analyze` gives it


class SourceRow(Base):
    __tablename__ = "sources"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    descriptor: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    affiliation: Mapped[str | None] = mapped_column(Text)
    registry_entry: Mapped[str | None] = mapped_column(Text)


class ClaimRow(Base):
    __tablename__ = "claims"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    sentence: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start_char: Mapped[int] = mapped_column(Integer)  # in the part below
    end_char: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(8), server_default="text")  # "text" or "title"
    source_id: Mapped[str] = mapped_column(String(16))  # the innermost source
    attribution: Mapped[str] = mapped_column(Text)  # source ids, outermost first: "s1 > s2"
    certainty: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))


class PlaceRow(Base):
    __tablename__ = "places"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    place_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    surface: Mapped[str] = mapped_column(Text)
    geonameid: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(Text)
    admin2: Mapped[str | None] = mapped_column(Text)
    admin3: Mapped[str | None] = mapped_column(Text)
    geo_precision: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))


class EventRow(Base):
    """One ACLED-style event as a report states it; `acled_events` is the ACLED view."""

    __tablename__ = "events"
    __table_args__ = (
        Index("events_by_date_point", "event_date_start", "latitude", "longitude"),
        Index("events_by_point", "latitude", "longitude"),
        Index("events_by_type", "event_type"),
    )

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_type: Mapped[str] = mapped_column(Text)
    sub_event_type: Mapped[str] = mapped_column(Text)
    actor1: Mapped[str | None] = mapped_column(Text)
    inter1: Mapped[int | None] = mapped_column(Integer)
    actor2: Mapped[str | None] = mapped_column(Text)
    inter2: Mapped[int | None] = mapped_column(Integer)
    place_id: Mapped[str | None] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(Text)  # country name, as ACLED writes it
    iso: Mapped[int | None] = mapped_column(Integer)  # ISO 3166-1 numeric, as ACLED's `iso`
    iso3: Mapped[str | None] = mapped_column(String(3))  # ISO 3166-1 alpha-3: event_id_cnty
    admin1: Mapped[str | None] = mapped_column(Text)
    admin2: Mapped[str | None] = mapped_column(Text)
    admin3: Mapped[str | None] = mapped_column(Text)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    event_date_start: Mapped[date | None] = mapped_column(Date)
    event_date_end: Mapped[date | None] = mapped_column(Date)
    time_precision: Mapped[int | None] = mapped_column(Integer)
    count_low: Mapped[int | None] = mapped_column(Integer)
    count_high: Mapped[int | None] = mapped_column(Integer)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)  # null: not stated
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    injured_low: Mapped[int | None] = mapped_column(Integer)
    injured_high: Mapped[int | None] = mapped_column(Integer)
    certainty: Mapped[str | None] = mapped_column(String(16))  # of its firmest claim
    claim_ids: Mapped[str] = mapped_column(Text)  # "c1 c4"
    notes: Mapped[str] = mapped_column(Text)  # the sentences it came from
    confidence: Mapped[float] = mapped_column(Float)
    associated_actors: Mapped[str | None] = mapped_column(Text)  # "Foreign forces; ..."
    weapons: Mapped[str | None] = mapped_column(Text)  # "drone (24-99); missile (3)"
    coded_by: Mapped[str | None] = mapped_column(String(16))  # trigger, classifier, context
    source: Mapped[str | None] = mapped_column(Text)  # "outlet; original source; ..."
    source_scale: Mapped[str | None] = mapped_column(Text)  # ACLED's, e.g. "Subnational-National"
    source_kinds: Mapped[str | None] = mapped_column(Text)  # along its claims' chains, " "-joined


class EventAccountRow(Base):
    """What a report says of one of its events that corroboration needs (who tells it
    through which chain, its numbers, the claims that deny it): `corroboration.Account`
    as JSON, so an incident is corroborated without re-reading whole analyses."""

    __tablename__ = "event_accounts"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_json: Mapped[str] = mapped_column(Text)


class EventNumberRow(Base):
    """The number ACLED's `event_id_cnty` carries ("UKR" + number): given to an event once,
    when its report is stored, and never given again."""

    __tablename__ = "event_numbers"
    __table_args__ = (UniqueConstraint("report_id", "event_id"),)

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"))
    event_id: Mapped[str] = mapped_column(String(16))


class ChangeRow(Base):
    """Append-only: what changed in the store, when, and why."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class IncidentRow(Base):
    """One happening, as several reports tell it, with its corroboration."""

    __tablename__ = "incidents"
    __table_args__ = (Index("incidents_by_date", "first_date"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # corroborated, single-source, contested
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str | None] = mapped_column(Text)
    sub_event_type: Mapped[str | None] = mapped_column(Text)
    n_events: Mapped[int] = mapped_column(Integer)
    n_reports: Mapped[int] = mapped_column(Integer)
    n_outlets: Mapped[int] = mapped_column(Integer)
    n_independent_sources: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What a new event is matched and corroborated against, kept up to date as events
    # join (incidents.Summary, corroboration.Tally and the places named), remade from the
    # members when one leaves. The evidence, claim by claim, is read from their accounts.
    summary_json: Mapped[str | None] = mapped_column(Text)
    summary_vectors: Mapped[bytes | None] = mapped_column(LargeBinary)  # float64 sums
    tally_json: Mapped[str | None] = mapped_column(Text)


class IncidentEventRow(Base):
    __tablename__ = "incident_events"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)


class EventMentionRow(Base):
    """What incident matching compares, kept so that a new report is matched against the
    store without re-analysing or re-embedding anything."""

    __tablename__ = "event_mentions"
    __table_args__ = (
        Index("event_mentions_by_window", "window_start", "window_end"),
        Index("event_mentions_by_window_days", "window_days"),
    )

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    names: Mapped[str] = mapped_column(Text)  # JSON list
    event_type: Mapped[str | None] = mapped_column(Text)
    sub_event_type: Mapped[str | None] = mapped_column(Text)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    window_days: Mapped[int | None] = mapped_column(Integer)  # window_end - window_start
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, unit length
    language: Mapped[str] = mapped_column(String(8), server_default="en")
