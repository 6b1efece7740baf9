"""The store's behaviour on both backends: a SQLite file, and a real PostgreSQL server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from sitreps.ingest import Prepared, analysed, documents, ingest
from sitreps.inputs import ReportRecord
from sitreps.store import EventFilter, Outcome, Store
from sitreps.store.schema import Base, ReportRow

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.open(tmp_path / "store.db")
    else:
        opened = Store.open(request.getfixturevalue("postgres_url"))
        empty(opened)  # each test starts from an empty store
    yield opened
    opened.close()


def test_migrations_match_the_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_ingest_is_idempotent_and_queryable(store: Store) -> None:
    first = ingest(store, documents([str(CORPUS)]))
    assert first.counts[Outcome.INGESTED.value] == 4 and len(first.failures) == 4
    counts = store.counts()
    second = ingest(store, documents([str(CORPUS)]))
    assert second.counts[Outcome.UNCHANGED.value] == 4
    assert store.counts() == counts
    kharkiv = store.events(EventFilter(bbox=(36.0, 49.8, 36.5, 50.1)))
    assert [row["location"] for row in kharkiv] == ["Kharkiv"]
    assert kharkiv[0]["incident_id"] and kharkiv[0]["corroboration"] == "single-source"
    assert store.incidents() and len(store.analyses()) == 4


def test_a_new_version_replaces_the_old_in_views(store: Store, tmp_path: Path) -> None:
    report = tmp_path / "kherson.txt"
    report.write_text("Russian forces shelled Kherson on Monday, the governor said.")
    assert ingest(store, documents([str(report)])).counts[Outcome.INGESTED.value] == 1
    report.write_text("Russian forces shelled Kherson on Monday, killing two, the governor said.")
    assert ingest(store, documents([str(report)])).counts[Outcome.NEW_VERSION.value] == 1
    assert [row["fatalities"] for row in store.events()] == [2]
    assert len(store.incidents()) == 1


def _incidents_as_events(store: Store) -> set[frozenset[str]]:
    """Each incident as the set of its events ("report:event"), whatever its id."""
    return {frozenset(incident["evidence"]["events"]) for incident in store.incidents()}


def empty(store: Store) -> None:
    with store.engine.begin() as connection:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))


def incidents_of_one_writer(store: Store, prepared: list[Prepared]) -> set[frozenset[str]]:
    """Empties the store and stores the reports again, one writer, in the order they were
    stored: the incidents that order makes."""
    with store.engine.connect() as connection:
        stored = connection.execute(select(ReportRow.id).order_by(ReportRow.ingested_at))
        order = {report_id: number for number, report_id in enumerate(stored.scalars())}
    assert len(order) == len(prepared)
    empty(store)
    for item in sorted(prepared, key=lambda p: order[p.analysis.report.id]):
        store.add(item.analysis, None, "test", item.vectors)
    return _incidents_as_events(store)


def test_two_writers_at_once_give_the_incidents_of_one(postgres_url: str) -> None:
    """Two writers storing into one PostgreSQL store at the same time, reports of one
    incident arriving through either: the incidents are those one writer makes of the
    reports in the order they were stored (incremental clustering depends on order), never
    a race's (two incidents for one event, where neither writer saw the other's report)."""
    records = [
        ReportRecord.model_validate_json(line)
        for line in (EXAMPLES / "reports.jsonl").read_text().splitlines()
    ]
    prepared = [p for p in map(analysed, records) if isinstance(p, Prepared)]
    assert len(prepared) == len(records)
    store = Store.open(postgres_url)

    def write(share: list[Prepared], start: threading.Barrier) -> None:
        start.wait()
        for item in share:
            store.add(item.analysis, None, "test", item.vectors)

    try:
        empty(store)
        start = threading.Barrier(2)
        writers = [
            threading.Thread(target=write, args=(prepared[number::2], start)) for number in (0, 1)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=600)
        together = _incidents_as_events(store)
        alone = incidents_of_one_writer(store, prepared)
    finally:
        store.close()
    assert together == alone
    assert any(len(events) > 2 for events in alone)  # incidents told by several reports
