"""The corpus store: reports, their analyses and everything in them, in SQLite or PostgreSQL.

`Store.open(target)` takes a file path (SQLite, WAL mode) or a database URL; with no
target it uses `$SITREPS_DATABASE_URL`, else `./sitreps.db`. Opening a store brings its
schema up to date with the Alembic migrations in `sitreps/store/migrations`.

Adding is idempotent by content hash: a text already stored changes nothing; a new text
for a known document (same URL or file) becomes its next version, and the change log says
so. Each report is written in one transaction, so a crash never leaves half a report.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pycountry
from alembic import command
from alembic.config import Config
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Engine,
    Row,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import Session, defer

import sitreps
from sitreps import acled, registry
from sitreps.corroboration import Account, Tally, Voice, account, corroborate
from sitreps.embeddings import Vectors
from sitreps.gazetteer import EARTH_RADIUS_KM, country_name
from sitreps.incidents import (
    RADIUS_KM,
    Clusterer,
    Incident,
    Mention,
    Summary,
    embed,
    mentions_of,
)
from sitreps.model import (
    Analysis,
    Certainty,
    Claim,
    Event,
    Quantity,
    Source,
    SourceKind,
    Weapon,
)
from sitreps.store.schema import (
    AnalysisRow,
    ChangeRow,
    ClaimRow,
    EventAccountRow,
    EventMentionRow,
    EventNumberRow,
    EventRow,
    IncidentEventRow,
    IncidentRow,
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
    # With WAL, NORMAL loses no commit when the process dies; a power cut may lose the last
    # commits, but never corrupts the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's default page cache is 2 MB; matching a new report reads the recent events'
    # pages again and again, and a large store would otherwise read them from the OS one
    # call per page. Mapped, the file's pages are read from the OS cache without a call.
    cursor.execute("PRAGMA cache_size=-65536")  # KiB: 64 MB per connection
    cursor.execute("PRAGMA mmap_size=1073741824")  # up to 1 GiB of the file
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
    status: str | None = None  # corroborated, single-source, contested
    source_kind: str | None = None  # a kind of source along the event's attribution chains
    search: str | None = None  # words in the place, the actors or the sources
    limit: int | None = None
    offset: int = 0


SEARCHED_COLUMNS = ("location", "admin1", "admin2", "country", "actor1", "actor2", "source")


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """ "west,south,east,north" in degrees; ValueError says what is wrong."""
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise ValueError("expected four numbers: west,south,east,north") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("expected longitudes in [-180, 180] and south <= north in [-90, 90]")
    return west, south, east, north


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path | None = None, migrate: bool = True) -> Store:
        """Open (and create) a store, migrating its schema unless told not to (a check
        looks at a store as it is)."""
        url = database_url(target)
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            _migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def has(self, report_id: str) -> bool:
        with Session(self.engine) as session:
            return session.get(ReportRow, report_id) is not None

    def add(
        self,
        analysis: Analysis,
        document_key: str | None,
        origin: str,
        vectors: Sequence[Vectors] | None = None,
    ) -> Outcome:
        """Store a report and its analysis, unless its text is stored already. `vectors`, the
        embeddings of its events for incident matching (`incidents.event_vectors`), are
        computed here unless given: a cluster's workers compute them beside the analysis."""
        report = analysis.report
        key = document_key or report.id
        with Session(self.engine) as session, session.begin():
            _one_writer_at_a_time(session)
            now = datetime.now(UTC)  # after the wait: writers' reports are stored in this order
            if session.get(ReportRow, report.id) is not None:
                return Outcome.UNCHANGED
            current = session.scalars(
                select(ReportRow).where(
                    ReportRow.document_key == key, ReportRow.superseded_by.is_(None)
                )
            ).first()
            version = 1 if current is None else current.version + 1
            session.add(report_row(analysis, key, version, origin, now))
            session.flush()
            accounts = add_analysis(session, analysis, now)
            if current is not None:
                current.superseded_by = report.id
                for incident_id in sorted(_withdraw(session, current.id)):
                    left = session.get(IncidentRow, incident_id)
                    assert left is not None
                    _rebuild_incident(session, left, now)
            _place_in_incidents(session, analysis, accounts, vectors, now)
            if current is not None:
                reason = f"{key}: version {version} replaces {current.id}"
                session.add(_change("report", report.id, "new version", reason, now))
                return Outcome.NEW_VERSION
            session.add(_change("report", report.id, "ingested", f"from {origin}", now))
            return Outcome.INGESTED

    def incidents(self, status: str | None = None) -> list[dict[str, Any]]:
        """Incidents, oldest first and undated last, each with its corroboration evidence."""
        query = select(IncidentRow).order_by(
            IncidentRow.first_date.is_(None), IncidentRow.first_date, IncidentRow.id
        )
        if status is not None:
            query = query.where(IncidentRow.status == status)
        with Session(self.engine) as session:
            return _incident_dicts(session, session.scalars(query).all())

    def incident(self, incident_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(IncidentRow, incident_id)
            return _incident_dicts(session, [row])[0] if row is not None else None

    def report(self, report_id: str) -> dict[str, Any] | None:
        """A report as stored (any version), with the id of the version that replaced it."""
        with Session(self.engine) as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                return None
            return {c.name: getattr(row, c.name) for c in ReportRow.__table__.columns}

    def analysis(self, report_id: str) -> Analysis | None:
        with Session(self.engine) as session:
            row = session.get(AnalysisRow, report_id)
            return Analysis.model_validate_json(row.analysis_json) if row is not None else None

    def counts(self) -> dict[str, int]:
        tables = (ReportRow, ClaimRow, SourceRow, PlaceRow, EventRow, IncidentRow, ChangeRow)
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
        if where.status is not None:
            clauses.append("corroboration = :status")
            params["status"] = where.status
        if where.source_kind is not None:
            clauses.append("' ' || source_kinds || ' ' LIKE :source_kind")
            params["source_kind"] = f"% {where.source_kind} %"
        if where.search:
            # Every word somewhere in the place, its divisions, the actors or the sources.
            haystack = " || ' ' || ".join(f"lower(COALESCE({c}, ''))" for c in SEARCHED_COLUMNS)
            for number, word in enumerate(where.search.lower().split()):
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                clauses.append(f"{haystack} LIKE :word{number} ESCAPE '\\'")
                params[f"word{number}"] = f"%{escaped}%"
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


# Writers to one PostgreSQL store take turns storing (analysis runs in parallel): each
# report is matched against the incidents as every report stored before it left them, so
# several ingest processes give the incidents one writer storing the reports in the same
# order (`ingested_at`) would, never a race's. SQLite has one writer.
WRITER_LOCK = int.from_bytes(b"sitreps", "big")


def _one_writer_at_a_time(session: Session) -> None:
    """Wait for other writers' transactions to end; held until this one ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})


def _change(entity: str, entity_id: str, action: str, reason: str, at: datetime) -> ChangeRow:
    return ChangeRow(at=at, entity=entity, entity_id=entity_id, action=action, reason=reason)


def _low(quantity: Quantity | None) -> int | None:
    return quantity.low if quantity is not None else None


def _high(quantity: Quantity | None) -> int | None:
    return quantity.high if quantity is not None else None


def _country(alpha_2: str | None) -> tuple[str | None, int | None, str | None]:
    """ACLED writes the country's short name ("Russia") and its numeric ISO code; its
    event ids begin with the alpha-3 code."""
    record = pycountry.countries.get(alpha_2=alpha_2) if alpha_2 else None
    if record is None:
        return country_name(alpha_2) or alpha_2, None, None
    return country_name(alpha_2) or alpha_2, int(record.numeric), record.alpha_3


def report_row(analysis: Analysis, key: str, version: int, origin: str, now: datetime) -> ReportRow:
    report = analysis.report
    return ReportRow(
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


def add_analysis(session: Session, analysis: Analysis, now: datetime) -> dict[str, Account]:
    """Write an analysis and the rows made from it; the account of each event, by id."""
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
                part=claim.span.part.value,
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
                admin3=place.admin3,
                geo_precision=place.geo_precision,
                confidence=place.confidence,
                method=place.method,
            )
        )
    firmness = list(Certainty)  # firmest first
    claims = {claim.id: claim for claim in analysis.claims}
    outlet_kind = _outlet_kind(analysis)
    accounts: dict[str, Account] = {}
    for item in analysis.events:
        located = analysis.place(item.location) if item.location else None
        country, iso, iso3 = _country(located.country if located else None)
        event_claims = [claims[c] for c in item.claims if c in claims]
        sources = _original_sources(analysis, event_claims)
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
                iso3=iso3,
                admin1=located.admin1 if located else None,
                admin2=located.admin2 if located else None,
                admin3=located.admin3 if located else None,
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
                associated_actors="; ".join(a.name for a in item.associated_actors) or None,
                weapons="; ".join(_weapon(w) for w in item.weapons) or None,
                coded_by=item.coded_by.value,
                source="; ".join(dict.fromkeys(filter(None, map(_source_name, sources)))) or None,
                source_scale=acled.source_scale(
                    outlet_kind if s.kind is SourceKind.REPORTING_OUTLET else s.kind.value
                    for s in sources
                ),
                source_kinds=" ".join(sorted(_chain_kinds(analysis, event_claims))) or None,
            )
        )
        session.add(EventNumberRow(report_id=report_id, event_id=item.id))
        told = accounts[item.id] = account(analysis, item)
        session.add(
            EventAccountRow(
                report_id=report_id, event_id=item.id, account_json=told.model_dump_json()
            )
        )
    return accounts


def _original_sources(analysis: Analysis, claims: list[Claim]) -> list[Source]:
    """The outlet, then whoever each claim behind an event comes from at the end of its
    attribution chain (the ministry an outlet quotes), unnamed sources left out: ACLED's
    `source` names who can be traced."""
    outlet = [s for s in analysis.sources if s.kind is SourceKind.REPORTING_OUTLET]
    voices = [analysis.source(claim.attribution[-1]) for claim in claims if claim.attribution]
    named = [s for s in voices if s.kind not in {SourceKind.REPORTING_OUTLET, SourceKind.UNNAMED}]
    return (outlet[:1] if analysis.report.outlet else []) + named


def _chain_kinds(analysis: Analysis, claims: list[Claim]) -> set[str]:
    """The kinds of every source along the attribution chains of an event's claims."""
    return {analysis.source(s).kind.value for claim in claims for s in claim.attribution}


def _source_name(source: Source) -> str | None:
    """How ACLED's `source` names a source: by its registry entry, else by a proper name
    ("Sergei Lebedev", "State Emergency Service"); "governor" or "residents" name nobody
    a reader could look up, though their kind still counts towards the scale."""
    if source.kind is SourceKind.REPORTING_OUTLET:
        return source.name
    if source.registry_entry:
        return source.registry_entry
    words = source.name.split()
    return source.name if len(words) > 1 and all(w[:1].isupper() for w in words) else None


def _outlet_kind(analysis: Analysis) -> str:
    """The outlet's kind of source: its registry entry's, when it has one."""
    outlet = next((s for s in analysis.sources if s.kind is SourceKind.REPORTING_OUTLET), None)
    if outlet is None:
        return SourceKind.REPORTING_OUTLET.value
    entry = registry.default().find(outlet.registry_entry or outlet.name)
    return entry.kind.value if entry is not None else outlet.kind.value


def _weapon(weapon: Weapon) -> str:
    """ "drone (24-99)", "missile (3)", "drone" where no number is stated."""
    count = weapon.count
    if count is None:
        return weapon.kind
    if count.high == count.low:
        return f"{weapon.kind} ({count.low})"
    return f"{weapon.kind} ({count.low}-{count.high if count.high is not None else ''})"


# A new event is matched against the stored events whose date windows overlap its own and
# whose points lie near enough: the index on (window_start, window_end) finds the windows up
# to this long from a bounded start, the index on window_days the few longer ones.
SHORT_WINDOW_DAYS = 100
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def mention_row(mention: Mention, event_id: str) -> EventMentionRow:
    assert mention.vector is not None
    return EventMentionRow(
        report_id=mention.report_id,
        event_id=event_id,
        text=mention.text,
        names=json.dumps(sorted(mention.names)),
        event_type=mention.event_type,
        sub_event_type=mention.sub_event_type,
        window_start=mention.window[0] if mention.window else None,
        window_end=mention.window[1] if mention.window else None,
        window_days=(mention.window[1] - mention.window[0]).days if mention.window else None,
        latitude=mention.point[0] if mention.point else None,
        longitude=mention.point[1] if mention.point else None,
        radius_km=mention.radius_km,
        vector=mention.vector.astype(np.float32).tobytes(),
        language=mention.language,
    )


def _mention(row: Row[Any]) -> Mention:
    """A stored mention, from a row of event_mentions' columns."""
    located = row.latitude is not None and row.longitude is not None
    return Mention(
        key=f"{row.report_id}:{row.event_id}",
        report_id=row.report_id,
        text=row.text,
        names=frozenset(json.loads(row.names)),
        event_type=row.event_type,
        sub_event_type=row.sub_event_type,
        window=(row.window_start, row.window_end) if row.window_start and row.window_end else None,
        point=(row.latitude, row.longitude) if located else None,
        radius_km=row.radius_km,
        vector=np.frombuffer(row.vector, dtype=np.float32),
        language=row.language,
    )


def _candidates(session: Session, mention: Mention, now: datetime) -> list[Incident]:
    """The incidents a mention could join, each with its summary: those with an event whose
    window overlaps the mention's and whose point (if it has one) is within the largest
    radius, and no event of the mention's report. A mention with no date at all is matched
    against nothing."""
    if mention.window is None:
        return []
    first, last = mention.window
    same_event = and_(
        IncidentEventRow.report_id == EventMentionRow.report_id,
        IncidentEventRow.event_id == EventMentionRow.event_id,
    )
    overlapping = and_(
        EventMentionRow.window_start <= last, EventMentionRow.window_end >= first, _near(mention)
    )
    short = and_(
        EventMentionRow.window_start >= first - timedelta(days=SHORT_WINDOW_DAYS),
        EventMentionRow.window_days <= SHORT_WINDOW_DAYS,
    )
    long = EventMentionRow.window_days > SHORT_WINDOW_DAYS
    reached = union(
        *(
            select(IncidentEventRow.incident_id)
            .join(EventMentionRow, same_event)
            .where(overlapping, lengths)
            for lengths in (short, long)
        )
    ).subquery()
    holding_the_report = select(IncidentEventRow.incident_id).where(
        IncidentEventRow.report_id == mention.report_id
    )
    rows = session.scalars(
        select(IncidentRow)
        .options(defer(IncidentRow.tally_json))
        .where(
            IncidentRow.id.in_(select(reached.c.incident_id)),
            IncidentRow.id.not_in(holding_the_report),
        )
        .order_by(IncidentRow.id)
    )
    return [Incident(id=row.id, summary=_summary(session, row, now)) for row in rows]


def _near(mention: Mention) -> ColumnElement[bool]:
    """Mentions without a point, or with one in a box around the mention's point as wide as
    the largest radius (the incident's summary then measures the distance)."""
    if mention.point is None:
        return true()
    latitude, longitude = mention.point
    degrees = max(RADIUS_KM.values()) / KM_PER_DEGREE
    box = [EventMentionRow.latitude.between(latitude - degrees, latitude + degrees)]
    if abs(latitude) + degrees < 80:  # nearer the poles a degree of longitude shrinks to nothing
        wide = degrees / math.cos(math.radians(abs(latitude) + degrees))
        if longitude - wide >= -180 and longitude + wide <= 180:  # not across the antimeridian
            box.append(EventMentionRow.longitude.between(longitude - wide, longitude + wide))
    return or_(EventMentionRow.latitude.is_(None), and_(*box))


def _place_in_incidents(
    session: Session,
    analysis: Analysis,
    accounts: dict[str, Account],
    vectors: Sequence[Vectors] | None,
    now: datetime,
) -> None:
    """Join each event of a new report to an incident, or open one, and update that
    incident from its summary and tally: the cost does not grow with its size."""
    mentions = mentions_of(analysis)
    if vectors is None:
        embed(mentions)
    else:
        for mention, vector in zip(mentions, vectors, strict=True):
            mention.vector = vector
    for stated, mention in zip(analysis.events, mentions, strict=True):
        clusterer = Clusterer(_candidates(session, mention, now))
        new_id = "i" + hashlib.sha1(mention.key.encode()).hexdigest()[:12]
        incident = clusterer.add(mention, new_id)
        join_incident(session, incident, analysis, stated, accounts[stated.id], mention, now)


def join_incident(
    session: Session,
    incident: Incident,
    analysis: Analysis,
    stated: Event,
    told: Account,
    mention: Mention,
    now: datetime,
) -> None:
    """Store an event as a member of an incident (a new one: its row is opened) whose
    summary it has joined, and update the incident's row."""
    row = session.get(IncidentRow, incident.id)
    if row is None:
        row = IncidentRow(
            id=incident.id,
            status="",  # "opened" is logged when its status is first set
            n_events=0,
            n_reports=0,
            n_outlets=0,
            n_independent_sources=0,
            updated_at=now,
        )
        session.add(row)
        session.flush()  # before the link to it: the two tables share no relationship()
    kept = _kept(session, row, now) if row.n_events else Kept()
    session.add(mention_row(mention, stated.id))
    session.add(
        IncidentEventRow(report_id=analysis.report.id, event_id=stated.id, incident_id=row.id)
    )
    session.flush()
    row.summary_json, row.summary_vectors = incident.summary.dump()
    kept.tally.add(told)
    _describe(row, kept, [_event_summary(analysis, stated)], now, session)


def _withdraw(session: Session, report_id: str) -> set[str]:
    """Take a superseded report's events out of their incidents; the incidents touched."""
    touched = set(
        session.scalars(
            select(IncidentEventRow.incident_id).where(IncidentEventRow.report_id == report_id)
        )
    )
    session.execute(delete(IncidentEventRow).where(IncidentEventRow.report_id == report_id))
    session.execute(delete(EventMentionRow).where(EventMentionRow.report_id == report_id))
    return touched


class Kept(BaseModel):
    """What the store keeps of an incident's events beside it, growing with its voices and
    places, not its reports: the tally of their accounts and the places they name."""

    tally: Tally = Tally()
    places: dict[str, tuple[int, float, float]] = {}  # name: events there, latitude, longitude


def _summary(session: Session, row: IncidentRow, now: datetime) -> Summary:
    if row.summary_json is None or row.summary_vectors is None:
        _rebuild_incident(session, row, now)  # stored before migration 0009
    assert row.summary_json is not None and row.summary_vectors is not None
    return Summary.load(row.summary_json, row.summary_vectors)


def _kept(session: Session, row: IncidentRow, now: datetime) -> Kept:
    if row.tally_json is None:
        _rebuild_incident(session, row, now)  # stored before migration 0009
    assert row.tally_json is not None
    return Kept.model_validate_json(row.tally_json)


def _event_summary(analysis: Analysis, stated: Event) -> EventSummary:
    place = analysis.place(stated.location) if stated.location else None
    located = place is not None and place.lat is not None and place.lon is not None
    return EventSummary(
        event_type=stated.event_type,
        sub_event_type=stated.sub_event_type,
        event_date_start=stated.date_start,
        event_date_end=stated.date_end,
        latitude=place.lat if located and place else None,
        longitude=place.lon if located and place else None,
        location=place.name if located and place else None,
    )


@dataclass(frozen=True)
class EventSummary:
    """What an incident's row shows of its events: kind, dates, a place."""

    event_type: str | None
    sub_event_type: str | None
    event_date_start: date | None
    event_date_end: date | None
    latitude: float | None
    longitude: float | None
    location: str | None


def _describe(
    row: IncidentRow,
    kept: Kept,
    joining: list[EventSummary],
    now: datetime,
    session: Session,
) -> None:
    """Update an incident's row with the events that joined it (their accounts are in
    `kept`'s tally already): the kind of its first event, its dates, the place its events
    name most often (the first of those named as often), its corroboration."""
    if not row.n_events and joining:
        row.event_type, row.sub_event_type = joining[0].event_type, joining[0].sub_event_type
    dates = [row.first_date, row.last_date]
    dates += [d for e in joining for d in (e.event_date_start, e.event_date_end)]
    row.first_date = min(filter(None, dates), default=None)
    row.last_date = max(filter(None, dates), default=None)
    for stated in joining:
        if stated.location and stated.latitude is not None and stated.longitude is not None:
            told, _, _ = kept.places.get(stated.location, (0, 0.0, 0.0))
            kept.places[stated.location] = (told + 1, stated.latitude, stated.longitude)
    if kept.places:
        most = max(told for told, _, _ in kept.places.values())
        row.location = next(name for name, (told, _, _) in kept.places.items() if told == most)
        _, row.latitude, row.longitude = kept.places[row.location]
    judged = kept.tally.judged()
    status = judged.status.value
    if not row.status:
        session.add(_change("incident", row.id, "opened", status, now))
    elif row.status != status:
        session.add(_change("incident", row.id, "status", f"{row.status} -> {status}", now))
    row.status = status
    row.n_events += len(joining)
    row.n_reports = kept.tally.reports  # an incident holds one event of a report at most
    row.n_outlets = len(kept.tally.outlets)
    row.n_independent_sources = judged.n_voices
    row.tally_json = kept.model_dump_json()
    row.updated_at = now


def _rebuild_incident(session: Session, row: IncidentRow, now: datetime) -> None:
    """Remake an incident from the events it has (after one left it, or where it was stored
    before migration 0009); close it where none is left."""
    keys = [  # in the order they joined: the order their reports were stored
        (link.report_id, link.event_id)
        for link in session.execute(
            select(IncidentEventRow.report_id, IncidentEventRow.event_id)
            .join(ReportRow, ReportRow.id == IncidentEventRow.report_id)
            .where(IncidentEventRow.incident_id == row.id)
            .order_by(ReportRow.ingested_at, IncidentEventRow.report_id, IncidentEventRow.event_id)
        )
    ]
    if not keys:
        session.delete(row)
        session.add(_change("incident", row.id, "closed", "no events left", now))
        return
    summary = Summary()
    for stored in session.execute(
        select(*EventMentionRow.__table__.columns)
        .join(
            IncidentEventRow,
            and_(
                IncidentEventRow.report_id == EventMentionRow.report_id,
                IncidentEventRow.event_id == EventMentionRow.event_id,
            ),
        )
        .where(IncidentEventRow.incident_id == row.id)
        .order_by(EventMentionRow.report_id, EventMentionRow.event_id)
    ):
        summary.add(_mention(stored))
    row.summary_json, row.summary_vectors = summary.dump()
    kept = Kept()
    accounts = _accounts(session, keys)
    for key in keys:
        kept.tally.add(accounts[key])
    events = {
        (stored.report_id, stored.event_id): EventSummary(*stored[2:])
        for stored in session.execute(
            select(
                EventRow.report_id,
                EventRow.event_id,
                EventRow.event_type,
                EventRow.sub_event_type,
                EventRow.event_date_start,
                EventRow.event_date_end,
                EventRow.latitude,
                EventRow.longitude,
                EventRow.location,
            ).where(EventRow.report_id.in_({report_id for report_id, _ in keys}))
        )
    }
    row.n_events, row.first_date, row.last_date = 0, None, None
    row.latitude = row.longitude = row.location = None
    _describe(row, kept, [events[key] for key in keys], now, session)


def _accounts(
    session: Session, keys: list[tuple[str, str]], keep: bool = True
) -> dict[tuple[str, str], Account]:
    """The stored accounts of these events; those of events stored before accounts were
    (migration 0007) are made from their analysis, and stored where `keep` (a reader
    stores nothing)."""
    reports = sorted({report_id for report_id, _ in keys})
    found = {}
    for chunk in range(0, len(reports), IN_CHUNK):
        for row in session.scalars(
            select(EventAccountRow).where(
                EventAccountRow.report_id.in_(reports[chunk : chunk + IN_CHUNK])
            )
        ):
            found[(row.report_id, row.event_id)] = Account.model_validate_json(row.account_json)
    missing = {report_id for report_id, event_id in keys if (report_id, event_id) not in found}
    for json_text in session.scalars(
        select(AnalysisRow.analysis_json).where(AnalysisRow.report_id.in_(missing))
    ):
        analysis = Analysis.model_validate_json(json_text)
        for item in analysis.events:
            told = found[(analysis.report.id, item.id)] = account(analysis, item)
            if keep:
                session.add(
                    EventAccountRow(
                        report_id=analysis.report.id,
                        event_id=item.id,
                        account_json=told.model_dump_json(),
                    )
                )
    return found


def _voice(voice: Voice) -> dict[str, Any]:
    return asdict(voice) | {"sources": sorted(voice.sources), "reports": sorted(voice.reports)}


IN_CHUNK = 500  # ids in one IN (...) list
KEPT_COLUMNS = {"summary_json", "summary_vectors", "tally_json"}  # the store's own


def _incident_dicts(session: Session, rows: Sequence[IncidentRow]) -> list[dict[str, Any]]:
    """Incidents as dicts, each with its evidence: the corroboration of its events'
    accounts, claim by claim."""
    told: dict[str, list[tuple[str, str]]] = {row.id: [] for row in rows}
    ids = list(told)
    for chunk in range(0, len(ids), IN_CHUNK):
        for link in session.execute(
            select(
                IncidentEventRow.incident_id, IncidentEventRow.report_id, IncidentEventRow.event_id
            )
            .join(ReportRow, ReportRow.id == IncidentEventRow.report_id)
            .where(IncidentEventRow.incident_id.in_(ids[chunk : chunk + IN_CHUNK]))
            .order_by(ReportRow.ingested_at, IncidentEventRow.report_id, IncidentEventRow.event_id)
        ):
            told[link.incident_id].append((link.report_id, link.event_id))
    keys = [key for members in told.values() for key in members]
    accounts = _accounts(session, keys, keep=False)
    found = []
    for row in rows:
        result = corroborate([accounts[key] for key in told[row.id]])
        incident = {
            c.name: getattr(row, c.name)
            for c in IncidentRow.__table__.columns
            if c.name not in KEPT_COLUMNS
        }
        incident["evidence"] = {
            "voices": [_voice(v) for v in result.voices],
            "claims": [vars(c) for c in result.claims],
            "contradictions": result.contradictions,
            "denials": result.denials,
            "events": sorted(f"{report_id}:{event_id}" for report_id, event_id in told[row.id]),
        }
        found.append(incident)
    return found
