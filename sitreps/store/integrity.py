"""`sitreps check`: is the store whole? Each check says what is wrong, and where.

What a store promises: the database file itself is sound; its schema is the one this
sitreps migrates to; every report is stored under the hash of its text, with one analysis
whose rows (claims, sources, places, events) match it; each document has one current
version and a chain of older ones; every event of a current report belongs to exactly one
incident, and every incident counts the events it holds; every event has the number its
ACLED id carries; every report is in the change log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from sitreps.model import Analysis
from sitreps.store import Store

MAX_LISTED = 20  # of one kind of problem; the count says how many there are in all


@dataclass(frozen=True)
class Problem:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


def _rows(connection: Connection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(text(sql))]


def _file(connection: Connection) -> Iterator[Problem]:
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL keeps its own files whole; there is no user-facing check
    result = [r[0] for r in _rows(connection, "PRAGMA integrity_check")]
    if result != ["ok"]:
        yield Problem("database file", "; ".join(result[:MAX_LISTED]))
    for table, rowid, parent, _ in _rows(connection, "PRAGMA foreign_key_check"):
        yield Problem("foreign keys", f"{table} row {rowid} points to a missing {parent} row")


def _schema(connection: Connection) -> Iterator[Problem]:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sitreps.store") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        yield Problem(
            "schema",
            f"at revision {current}, this sitreps expects {head}; any sitreps command that "
            "opens the store migrates it",
        )


def _reports(connection: Connection) -> Iterator[Problem]:
    for report_id, stored_text in connection.execute(text("SELECT id, text FROM reports")):
        if hashlib.sha256(stored_text.encode("utf-8")).hexdigest() != report_id:
            yield Problem("reports", f"{report_id}: the text does not hash to the report's id")
    for (report_id,) in _rows(
        connection,
        "SELECT r.id FROM reports r LEFT JOIN analyses a ON a.report_id = r.id "
        "WHERE a.report_id IS NULL",
    ):
        yield Problem("analyses", f"{report_id}: report without an analysis")


def _versions(connection: Connection) -> Iterator[Problem]:
    for key, current in _rows(
        connection,
        "SELECT document_key, sum(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END) "
        "FROM reports GROUP BY document_key "
        "HAVING sum(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END) <> 1",
    ):
        yield Problem("versions", f"{key}: {current} current versions, expected 1")
    for report_id, newer, version, newer_version in _rows(
        connection,
        "SELECT r.id, r.superseded_by, r.version, n.version FROM reports r "
        "LEFT JOIN reports n ON n.id = r.superseded_by "
        "WHERE r.superseded_by IS NOT NULL "
        "AND (n.id IS NULL OR n.version <> r.version + 1 OR n.document_key <> r.document_key)",
    ):
        yield Problem(
            "versions",
            f"{report_id} (version {version}) is superseded by {newer}, "
            f"which is {'missing' if newer_version is None else f'version {newer_version}'}",
        )


def _analysis_rows(connection: Connection) -> Iterator[Problem]:
    tables = ("claims", "sources", "places", "events")
    stored = {
        table: dict(
            _rows(connection, f"SELECT report_id, count(*) FROM {table} GROUP BY report_id")
        )
        for table in tables
    }
    rows = connection.execute(text("SELECT report_id, analysis_json FROM analyses"))
    for report_id, analysis_json in rows:
        try:
            analysis = Analysis.model_validate_json(analysis_json)
        except ValueError as error:
            yield Problem("analyses", f"{report_id}: unreadable analysis: {error}"[:300])
            continue
        if analysis.report.id != report_id:
            yield Problem("analyses", f"{report_id}: holds the analysis of {analysis.report.id}")
        expected = {
            "claims": len(analysis.claims),
            "sources": len(analysis.sources),
            "places": len(analysis.places),
            "events": len(analysis.events),
        }
        for table, count in expected.items():
            if stored[table].get(report_id, 0) != count:
                yield Problem(
                    table,
                    f"{report_id}: {stored[table].get(report_id, 0)} rows, its analysis has "
                    f"{count}",
                )


def _incidents(connection: Connection) -> Iterator[Problem]:
    for report_id, event_id in _rows(
        connection,
        "SELECT e.report_id, e.event_id FROM events e "
        "JOIN reports r ON r.id = e.report_id AND r.superseded_by IS NULL "
        "LEFT JOIN incident_events l ON l.report_id = e.report_id AND l.event_id = e.event_id "
        "WHERE l.incident_id IS NULL",
    ):
        yield Problem("incidents", f"event {report_id}:{event_id} is in no incident")
    for report_id, event_id, incident_id in _rows(
        connection,
        "SELECT l.report_id, l.event_id, l.incident_id FROM incident_events l "
        "JOIN reports r ON r.id = l.report_id "
        "LEFT JOIN events e ON e.report_id = l.report_id AND e.event_id = l.event_id "
        "WHERE e.event_id IS NULL OR r.superseded_by IS NOT NULL",
    ):
        yield Problem(
            "incidents",
            f"{incident_id} holds {report_id}:{event_id}, which is missing or superseded",
        )
    for incident_id, counted, held in _rows(
        connection,
        "SELECT i.id, i.n_events, count(l.event_id) FROM incidents i "
        "LEFT JOIN incident_events l ON l.incident_id = i.id "
        "GROUP BY i.id, i.n_events HAVING count(l.event_id) <> i.n_events "
        "OR count(l.event_id) = 0",
    ):
        yield Problem("incidents", f"{incident_id} counts {counted} events and holds {held}")
    for report_id, event_id in _rows(
        connection,
        "SELECT l.report_id, l.event_id FROM incident_events l "
        "LEFT JOIN event_mentions m ON m.report_id = l.report_id AND m.event_id = l.event_id "
        "WHERE m.event_id IS NULL",
    ):
        yield Problem("incidents", f"event {report_id}:{event_id} has no stored mention to match")


def _event_numbers(connection: Connection) -> Iterator[Problem]:
    """Every event has the number its ACLED id carries (the table's key gives none twice)."""
    for report_id, event_id in _rows(
        connection,
        "SELECT e.report_id, e.event_id FROM events e LEFT JOIN event_numbers n "
        "ON n.report_id = e.report_id AND n.event_id = e.event_id WHERE n.number IS NULL",
    ):
        yield Problem("events", f"event {report_id}:{event_id} has no number (event_id_cnty)")


def _change_log(connection: Connection) -> Iterator[Problem]:
    for (report_id,) in _rows(
        connection,
        "SELECT r.id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM change_log c "
        "WHERE c.entity = 'report' AND c.entity_id = r.id)",
    ):
        yield Problem("change log", f"{report_id} was stored without a change log entry")


CHECKS = (
    _file, _schema, _reports, _versions, _analysis_rows, _incidents, _event_numbers, _change_log,
)  # fmt: skip


def check(store: Store) -> list[Problem]:
    """Everything wrong with the store; an empty list when it is whole."""
    problems: list[Problem] = []
    with store.engine.connect() as connection:
        for run in CHECKS:
            found: list[Problem] = []
            try:
                found.extend(run(connection))
            except SQLAlchemyError as error:
                connection.rollback()  # PostgreSQL refuses further queries in a failed one
                found.append(Problem(run.__name__.strip("_"), f"cannot be checked: {error}"))
            problems += found[:MAX_LISTED]
            if len(found) > MAX_LISTED:
                more = len(found) - MAX_LISTED
                problems.append(Problem(found[0].check, f"and {more} more like these"))
    return problems
