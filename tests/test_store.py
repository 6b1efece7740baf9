"""The store and `sitreps ingest / events / export` (run in this process), on a real SQLite
file."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sitreps.acled import COLUMNS as ACLED_COLUMNS
from sitreps.store import Store
from sitreps.store.schema import Base
from tests.conftest import Ran, run_cli

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        tables = ("reports", "analyses", "sources", "claims", "places", "events", "change_log")
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_the_migrations_build_exactly_the_tables_the_code_uses(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "schema.db")
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_the_event_details_migration_keeps_stored_events(tmp_path: Path, seed) -> None:
    db = tmp_path / "migrated.db"
    Store.open(db).add(seed, None, "kharkiv-strikes.txt")
    config = Config()
    config.set_main_option("script_location", str(resources.files("sitreps.store") / "migrations"))
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with sqlite3.connect(db) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(events)")]
        assert "associated_actors" not in columns
        assert connection.execute("SELECT count(*) FROM acled_events").fetchone()[0] == 3
    Store.open(db)  # upgrades to head again
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT coded_by, event_id_cnty FROM acled_events").fetchall()
    assert [coded_by for coded_by, _ in rows] == [None] * 3  # stored before 0003: unknown
    # Revision 0006 numbers the events it finds, once each, with their country's code.
    assert sorted(event_id for _, event_id in rows) == ["UKR1", "UKR2", "UKR3"]
    engine.dispose()


@pytest.fixture(scope="module")
def ingested(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Ran]:
    db = tmp_path_factory.mktemp("store") / "corpus.db"
    return db, run_cli("ingest", str(CORPUS), "--db", str(db))


def test_a_folder_is_ingested_and_bad_documents_are_reported_not_fatal(ingested) -> None:
    db, result = ingested
    assert result.returncode == 3, result.stderr  # some documents were refused
    assert "4 ingested" in result.stderr
    for reason in (
        "archive.txt: input looks binary",
        "empty.md: input is empty",
        "batch.jsonl:2: text: Field required",
        "northwind/empty: feed entry has no text",
    ):
        assert reason in result.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        texts = " ".join(row[0] for row in connection.execute("SELECT text FROM reports"))
        page = connection.execute(
            "SELECT title, outlet FROM reports WHERE origin LIKE '%odesa-port.html'"
        ).fetchone()
    assert "fetch(" not in texts and "onerror" not in texts and "Copyright" not in texts
    assert page == ("Drone strike damages Odesa port warehouses", "Odesa Evening Courier")


def test_ingesting_again_changes_nothing(ingested) -> None:
    db, _ = ingested
    before = table_counts(db)
    again = run_cli("ingest", str(CORPUS), "--db", str(db))
    assert "0 ingested, 0 new version, 4 unchanged" in again.stderr
    assert table_counts(db) == before


def test_an_edited_document_becomes_a_new_version(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("Russian forces shelled Kherson on Monday, the governor said.\n")
    db = tmp_path / "versions.db"
    run_cli("ingest", str(report), "--db", str(db))
    report.write_text("Russian forces shelled Kherson on Monday, killing two, the governor said.\n")
    result = run_cli("ingest", str(report), "--db", str(db))
    assert "0 ingested, 1 new version" in result.stderr
    with sqlite3.connect(db) as connection:
        versions = connection.execute(
            "SELECT version, superseded_by IS NULL FROM reports ORDER BY version"
        ).fetchall()
        actions = [
            row[0]
            for row in connection.execute("SELECT action FROM change_log WHERE entity = 'report'")
        ]
        incident_actions = {
            row[0]
            for row in connection.execute("SELECT action FROM change_log WHERE entity = 'incident'")
        }
        current = connection.execute("SELECT fatalities FROM acled_events").fetchall()
    assert versions == [(1, 0), (2, 1)]
    assert actions == ["ingested", "new version"]
    # The old version's event left its incident, which closed; the new one opened its own.
    assert incident_actions == {"opened", "closed"}
    assert current == [(2,)]  # only the current version's events are in the ACLED view


def test_events_are_queried_with_acled_names_and_filters(ingested) -> None:
    db, _ = ingested
    everything = [json.loads(line) for line in run_cli(
        "events", "--db", str(db), "--json").stdout.splitlines()]  # fmt: skip
    assert everything and set(ACLED_COLUMNS) <= set(everything[0])
    kharkiv = run_cli("events", "--db", str(db), "--json", "--bbox", "36.0,49.8,36.5,50.1")
    locations = {json.loads(line)["location"] for line in kharkiv.stdout.splitlines()}
    assert locations == {"Kharkiv"}
    dated = run_cli("events", "--db", str(db), "--json", "--since", "2026-11-23")
    dates = [json.loads(line)["event_date"] for line in dated.stdout.splitlines()]
    assert dates and all(d >= "2026-11-23" for d in dates)
    assert run_cli("events", "--db", str(db), "--bbox", "1,2,3").returncode == 2


def test_exports(ingested, tmp_path: Path) -> None:
    db, _ = ingested
    rows = list(csv.reader(io.StringIO(run_cli("export", "--db", str(db)).stdout)))
    assert tuple(rows[0][: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    by_name = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    kharkiv = next(row for row in by_name if row["location"] == "Kharkiv")
    assert (kharkiv["country"], kharkiv["iso"], kharkiv["fatalities"]) == ("Ukraine", "804", "3")
    # Published on the 24th, "overnight": the night that began on the 23rd.
    assert kharkiv["event_date"] == "2026-11-23" and kharkiv["timestamp"].isdigit()
    assert kharkiv["coded_by"] == "trigger" and kharkiv["assoc_actor_1"] == ""
    output = tmp_path / "events.geojson"
    run_cli("export", "--format", "geojson", "--db", str(db), "--output", str(output))
    collection = json.loads(output.read_text())
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])
    table = tmp_path / "events.parquet"
    run_cli("export", "--format", "parquet", "--db", str(db), "--output", str(table))
    frame = pd.read_parquet(table)
    assert tuple(frame.columns[: len(ACLED_COLUMNS)]) == ACLED_COLUMNS and len(frame) == len(
        by_name
    )
    lines = run_cli("export", "--format", "jsonl", "--db", str(db)).stdout.splitlines()
    assert len(lines) == 4 and json.loads(lines[0])["report"]["text"]


@pytest.fixture()
def local_site(tmp_path: Path) -> Iterator[str]:
    shutil.copy(CORPUS / "odesa-port.html", tmp_path / "page.html")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_urls_on_local_addresses_are_refused_unless_allowed(
    local_site: str, tmp_path: Path
) -> None:
    db = tmp_path / "web.db"
    refused = run_cli("ingest", f"{local_site}/page.html", "--db", str(db))
    assert refused.returncode == 3 and "private or local address" in refused.stderr
    allowed = run_cli("ingest", f"{local_site}/page.html", "--db", str(db), "--allow-private")
    assert allowed.returncode == 0, allowed.stderr
    assert "1 ingested" in allowed.stderr


def test_check_finds_a_damaged_store(tmp_path: Path, seed) -> None:
    db = tmp_path / "damaged.db"
    store = Store.open(db)
    store.add(seed, "kharkiv.txt", "kharkiv-strikes.txt")
    store.close()
    whole = run_cli("check", "--db", str(db))
    assert whole.returncode == 0 and "store is whole: 1 reports" in whole.stdout
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE reports SET text = text || ' (edited in place)'")
        connection.execute("DELETE FROM claims WHERE claim_id = 'c1'")
        connection.execute("DELETE FROM incident_events WHERE event_id = 'e1'")
        connection.execute("DELETE FROM change_log WHERE entity = 'report'")
        connection.execute("DELETE FROM event_numbers WHERE event_id = 'e2'")
    damaged = run_cli("check", "--db", str(db))
    assert damaged.returncode == 4, damaged.stderr
    problems = damaged.stdout
    assert "does not hash to the report's id" in problems
    assert "claims:" in problems and "its analysis has" in problems
    assert ":e1 is in no incident" in problems
    assert "without a change log entry" in problems
    assert ":e2 has no number (event_id_cnty)" in problems
    not_a_store = tmp_path / "garbage.db"
    not_a_store.write_bytes(b"this is not a database" * 100)
    unreadable = run_cli("check", "--db", str(not_a_store))
    assert unreadable.returncode == 4 and "cannot read the store" in unreadable.stderr


def test_incidents_of_events_stored_before_accounts_are_corroborated_alike(
    tmp_path: Path,
) -> None:
    """A store written before migrations 0007 and 0009 has no `event_accounts` and keeps no
    summary or tally for its incidents: an incident such an event is in is remade from its
    members and corroborated from their analyses, once, and the accounts are kept."""
    from sqlalchemy import delete, select, update

    from sitreps.ingest import documents, ingest
    from sitreps.store.schema import EventAccountRow, IncidentRow

    lines = (EXAMPLES / "reports.jsonl").read_text().splitlines()
    kharkiv = [line for line in lines if "Kharkiv" in line][:4]
    earlier, later = tmp_path / "earlier.jsonl", tmp_path / "later.jsonl"
    earlier.write_text("\n".join(kharkiv[:3]) + "\n")
    later.write_text(kharkiv[3] + "\n")
    stores = {}
    for name in ("upgraded", "current"):
        store = stores[name] = Store.open(tmp_path / f"{name}.db")
        ingest(store, documents([str(earlier)]))
        if name == "upgraded":
            with store.engine.begin() as connection:
                connection.execute(delete(EventAccountRow))
                connection.execute(
                    update(IncidentRow).values(
                        summary_json=None, summary_vectors=None, tally_json=None
                    )
                )
        ingest(store, documents([str(later)]))
    upgraded, current = stores["upgraded"], stores["current"]
    assert upgraded.incidents() and [
        {k: v for k, v in incident.items() if k != "updated_at"}
        for incident in upgraded.incidents()
    ] == [
        {k: v for k, v in incident.items() if k != "updated_at"} for incident in current.incidents()
    ]
    joined = {
        event
        for incident in upgraded.incidents()
        if len(incident["evidence"]["events"]) > 1
        for event in incident["evidence"]["events"]
    }
    with upgraded.engine.connect() as connection:
        rows = connection.execute(select(EventAccountRow.report_id, EventAccountRow.event_id))
        kept = {f"{report_id}:{event_id}" for report_id, event_id in rows}
    assert joined and joined <= kept  # the earlier reports' accounts were made and kept
    for store in stores.values():
        store.close()
