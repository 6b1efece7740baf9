"""The corpus store: reports, their analyses and everything in them, in SQLite or PostgreSQL.

`Store.open(target)` takes a file path (SQLite, WAL mode) or a database URL; with no
target it uses `$SITREPS_DATABASE_URL`, else `./sitreps.db`. Opening a store brings its
schema up to date with the Alembic migrations in `sitreps/store/migrations`.

Adding is idempotent by content hash: a text already stored changes nothing; a new text
for a known document (same URL or file) becomes its next version, and the change log says
so. Each report is written in one transaction, so a crash never leaves half a report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.orm import Session

import sitreps
from sitreps.model import Analysis, Certainty, Quantity
from sitreps.store.schema import (
    AnalysisRow,
    ChangeRow,
    ClaimRow,
    EventRow,
    PlaceRow,
    ReportRow,
    SourceRow,
)

DEFAULT_PATH = Path("sitreps.db")


class Outcome(StrEnum):
    INGESTED = "ingested"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"


def database_url(target: str | Path | None = None) -> str:
    """A URL for a path, a URL, or (none given) `$SITREPS_DATABASE_URL` or ./sitreps.db."""
    if target is None:
        target = os.environ.get("SITREPS_DATABASE_URL") or DEFAULT_PATH
    text_target = str(target)
    if "://" in text_target:
        return text_target
    return f"sqlite:///{Path(text_target).expanduser().resolve()}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no commit
    cursor.close()


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sitreps.store") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class EventFilter:
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    since: date | None = None
    until: date | None = None
    event_type: str | None = None
    limit: int | None = None
    offset: int = 0


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path | None = None) -> Store:
        url = database_url(target)
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        _migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def has(self, report_id: str) -> bool:
        with Session(self.engine) as session:
            return session.get(ReportRow, report_id) is not None

    def add(self, analysis: Analysis, document_key: str | None, origin: str) -> Outcome:
        """Store a report and its analysis, unless its text is stored already."""
        report = analysis.report
        key = document_key or report.id
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            if session.get(ReportRow, report.id) is not None:
                return Outcome.UNCHANGED
            current = session.scalars(
                select(ReportRow).where(
                    ReportRow.document_key == key, ReportRow.superseded_by.is_(None)
                )
            ).first()
            version = 1 if current is None else current.version + 1
            session.add(
                ReportRow(
                    id=report.id,
                    document_key=key,
                    version=version,
                    superseded_by=None,
                    title=report.title,
                    outlet=report.outlet,
                    url=report.url,
                    published_at=report.published_at,
                    language=report.language,
                    origin=origin,
                    ingested_at=now,
                    text=report.text,
                )
            )
            session.flush()
            _add_analysis(session, analysis, now)
            if current is not None:
                current.superseded_by = report.id
                reason = f"{key}: version {version} replaces {current.id}"
                session.add(_change("report", report.id, "new version", reason, now))
                return Outcome.NEW_VERSION
            session.add(_change("report", report.id, "ingested", f"from {origin}", now))
            return Outcome.INGESTED

    def counts(self) -> dict[str, int]:
        tables = (ReportRow, ClaimRow, SourceRow, PlaceRow, EventRow, ChangeRow)
        with Session(self.engine) as session:
            return {
                model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in tables
            }

    def events(self, where: EventFilter | None = None) -> list[dict[str, Any]]:
        """Rows of `acled_events` (current report versions), oldest first."""
        where = where or EventFilter()
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if where.bbox is not None:
            clauses.append(
                "longitude BETWEEN :min_lon AND :max_lon AND latitude BETWEEN :min_lat AND :max_lat"
            )
            params |= dict(
                zip(("min_lon", "min_lat", "max_lon", "max_lat"), where.bbox, strict=True)
            )
        if where.since is not None:
            clauses.append("event_date >= :since")
            params["since"] = where.since
        if where.until is not None:
            clauses.append("event_date <= :until")
            params["until"] = where.until
        if where.event_type is not None:
            clauses.append("event_type = :event_type")
            params["event_type"] = where.event_type
        sql = "SELECT * FROM acled_events"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY event_date, event_id_cnty"
        if where.limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params |= {"limit": where.limit, "offset": where.offset}
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]

    def analyses(self) -> list[Analysis]:
        """The analyses of the current version of every report, in ingest order."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(AnalysisRow.analysis_json)
                .join(ReportRow, ReportRow.id == AnalysisRow.report_id)
                .where(ReportRow.superseded_by.is_(None))
                .order_by(ReportRow.ingested_at, ReportRow.id)
            )
            return [Analysis.model_validate_json(row) for row in rows]


def _change(entity: str, entity_id: str, action: str, reason: str, at: datetime) -> ChangeRow:
    return ChangeRow(at=at, entity=entity, entity_id=entity_id, action=action, reason=reason)


def _low(quantity: Quantity | None) -> int | None:
    return quantity.low if quantity is not None else None


def _high(quantity: Quantity | None) -> int | None:
    return quantity.high if quantity is not None else None


def _country(alpha_2: str | None) -> tuple[str | None, int | None]:
    """ACLED writes the country's name and its numeric ISO code."""
    record = pycountry.countries.get(alpha_2=alpha_2) if alpha_2 else None
    if record is None:
        return alpha_2, None
    return str(record.name), int(record.numeric)


def _add_analysis(session: Session, analysis: Analysis, now: datetime) -> None:
    report_id = analysis.report.id
    session.add(
        AnalysisRow(
            report_id=report_id,
            schema_version=analysis.schema_version,
            sitreps_version=sitreps.__version__,
            analysed_at=now,
            loaded_language_rate=analysis.loaded_language_rate,
            analysis_json=analysis.model_dump_json(),
        )
    )
    for source in analysis.sources:
        session.add(
            SourceRow(
                report_id=report_id,
                source_id=source.id,
                name=source.name,
                descriptor=source.descriptor,
                kind=source.kind.value,
                affiliation=source.affiliation,
                registry_entry=source.registry_entry,
            )
        )
    certainty_of: dict[str, Certainty] = {}
    for claim in analysis.claims:
        certainty_of[claim.id] = claim.certainty
        session.add(
            ClaimRow(
                report_id=report_id,
                claim_id=claim.id,
                sentence=claim.sentence,
                text=claim.span.text,
                start_char=claim.span.start,
                end_char=claim.span.end,
                source_id=claim.attribution[-1],
                attribution=" > ".join(claim.attribution),
                certainty=claim.certainty.value,
                kind=claim.kind.value,
            )
        )
    for place in analysis.places:
        session.add(
            PlaceRow(
                report_id=report_id,
                place_id=place.id,
                surface=place.surface,
                geonameid=place.geonameid,
                name=place.name,
                latitude=place.lat,
                longitude=place.lon,
                country=place.country,
                admin1=place.admin1,
                admin2=place.admin2,
                geo_precision=place.geo_precision,
                confidence=place.confidence,
                method=place.method,
            )
        )
    firmness = list(Certainty)  # firmest first
    for item in analysis.events:
        located = analysis.place(item.location) if item.location else None
        country, iso = _country(located.country if located else None)
        certainties = [certainty_of[c] for c in item.claims if c in certainty_of]
        firmest = min(certainties, key=firmness.index) if certainties else None
        session.add(
            EventRow(
                report_id=report_id,
                event_id=item.id,
                event_type=item.event_type,
                sub_event_type=item.sub_event_type,
                actor1=item.actor1.name if item.actor1 else None,
                inter1=item.actor1.inter if item.actor1 else None,
                actor2=item.actor2.name if item.actor2 else None,
                inter2=item.actor2.inter if item.actor2 else None,
                place_id=item.location,
                location=located.name if located else None,
                latitude=located.lat if located else None,
                longitude=located.lon if located else None,
                country=country,
                iso=iso,
                admin1=located.admin1 if located else None,
                admin2=located.admin2 if located else None,
                geo_precision=item.geo_precision,
                event_date_start=item.date_start,
                event_date_end=item.date_end,
                time_precision=item.time_precision,
                count_low=_low(item.count),
                count_high=_high(item.count),
                fatalities_low=_low(item.fatalities),
                fatalities_high=_high(item.fatalities),
                injured_low=_low(item.injured),
                injured_high=_high(item.injured),
                certainty=firmest.value if firmest else None,
                claim_ids=" ".join(item.claims),
                notes=" ".join(span.text.strip() for span in item.evidence),
                confidence=item.confidence,
            )
        )
