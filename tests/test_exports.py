"""ACLED's export form: what a user's pandas script expects of ACLED's own file, read off
a fixture with ACLED's header (tests/fixtures/acled_export_header.csv)."""

from __future__ import annotations

import io
import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import sitreps
from sitreps import acled, exports
from sitreps.store import EventFilter, Store

ACLED_HEADER = Path(__file__).parent / "fixtures" / "acled_export_header.csv"
PUBLISHED = datetime(2026, 11, 24, 9, tzinfo=UTC)
REPORTS = (
    ("Russian forces shelled Kherson on Monday, killing two civilians, the regional "
     "governor said.", "Kyiv Desk"),
    ("A Russian drone strike hit the port of Odesa overnight, injuring three workers, "
     "Mayor Hennadiy Trukhanov said.", "Odesa Evening Courier"),
    ("Ukrainian forces struck a Russian ammunition depot near Horlivka on Sunday, the "
     "General Staff said.", "Northwind Wire"),
)  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    opened = Store.open(tmp_path_factory.mktemp("acled") / "acled.db")
    for text, outlet in REPORTS:
        opened.add(sitreps.analyze(text, outlet=outlet, published_at=PUBLISHED), None, outlet)
    return opened


def test_the_csv_loads_with_the_columns_and_types_of_acleds_own(store: Store) -> None:
    theirs = pd.read_csv(ACLED_HEADER)
    ours = pd.read_csv(io.StringIO(exports.acled_csv(store.events())))
    assert list(ours.columns[: len(theirs.columns)]) == list(theirs.columns)
    assert len(ours) == 3
    compared = [c for c in theirs.columns if theirs[c].notna().all() and ours[c].notna().all()]
    assert {"year", "time_precision", "iso", "latitude", "geo_precision", "timestamp"} <= set(
        compared
    )
    for column in compared:
        assert ours[column].dtype == theirs[column].dtype, column
    # Summing fatalities works as on ACLED's file: nothing stated counts 0, and says so.
    assert ours["fatalities"].dtype == "int64" and ours["fatalities"].sum() == 2
    unstated = ours[ours["location"] == "Odesa"].iloc[0]
    assert unstated["fatalities"] == 0 and acled.FATALITIES_NOT_STATED in unstated["tags"]
    assert "injured=3" in unstated["tags"]


def test_rows_are_written_in_acleds_words(store: Store) -> None:
    records = exports.records(store.events(), fatalities_as_zero=True)
    rows = {row["location"]: row for row in records}
    kherson = rows["Kherson"]
    assert re.fullmatch(r"UKR\d+", kherson["event_id_cnty"])
    assert (kherson["year"], kherson["region"], kherson["iso"]) == (2026, "Europe", 804)
    assert (kherson["inter1"], kherson["inter2"]) == ("State forces", "Civilians")
    assert kherson["interaction"] == "State forces-Civilians"
    assert (kherson["admin1"], kherson["admin2"], kherson["admin3"]) == (
        "Khersonska oblast", "Khersonskyi raion", "Khersonska hromada"
    )  # fmt: skip
    assert kherson["source"].startswith("Kyiv Desk")
    assert rows["Odesa"]["source"] == "Odesa Evening Courier; Hennadiy Trukhanov"
    assert rows["Horlivka"]["source"] == (
        "Northwind Wire; General Staff of the Armed Forces of Ukraine"
    )
    assert rows["Horlivka"]["source_scale"] == "National"


def test_json_keeps_an_unstated_count_null(store: Store) -> None:
    odesa = next(r for r in exports.records(store.events(), fatalities_as_zero=False)
                 if r["location"] == "Odesa")  # fmt: skip
    assert odesa["fatalities"] is None
    collection = json.loads(exports.geojson(store.events()))
    assert {f["properties"]["fatalities"] for f in collection["features"]} == {None, 2}


def test_event_ids_stay_when_the_store_grows(store: Store, tmp_path: Path) -> None:
    before = {row["notes"]: row["event_id_cnty"] for row in store.events()}
    store.add(sitreps.analyze("Russian forces shelled Nikopol on Tuesday, the mayor said.",
                              published_at=PUBLISHED), None, "later")  # fmt: skip
    after = {row["notes"]: row["event_id_cnty"] for row in store.events()}
    assert len(after) == len(before) + 1
    assert {note: after[note] for note in before} == before
    assert len(set(after.values())) == len(after)


def test_coarsened_points_keep_nothing_finer_than_the_cell(store: Store) -> None:
    exact = {r["location"]: r for r in exports.records(store.events(), fatalities_as_zero=True)}
    coarse = exports.records(store.events(), fatalities_as_zero=True, coarsen_km=25)
    for row in coarse:
        if row["latitude"] is None:
            continue
        original = exact[row["location"]]
        assert (row["latitude"], row["longitude"]) != (original["latitude"], original["longitude"])
        lat_km = abs(row["latitude"] - original["latitude"]) * exports.KM_PER_DEGREE_LATITUDE
        lon_km = abs(row["longitude"] - original["longitude"]) * exports.KM_PER_DEGREE_LATITUDE
        assert lat_km <= 12.5 + 1e-6
        assert lon_km * math.cos(math.radians(row["latitude"])) <= 12.6
        assert "coordinates coarsened to 25 km" in row["tags"]
    # Every point of one cell lands on the same centre.
    assert exports.coarsened(46.60, 32.61, 25) == exports.coarsened(46.65, 32.65, 25)


@pytest.mark.parametrize(
    ("inter1", "inter2", "named"),
    [(1, 7, "State forces-Civilians"), (7, 1, "State forces-Civilians"),
     (2, None, "Rebel groups only"), (None, None, None)],
)  # fmt: skip
def test_interaction_names_the_lower_code_first(
    inter1: int | None, inter2: int | None, named: str | None
) -> None:
    assert acled.interaction(inter1, inter2) == named


def test_source_scale_joins_the_most_local_and_the_widest() -> None:
    assert acled.source_scale(["local_authority", "wire_agency", "official_military"]) == (
        "Subnational-International"
    )
    assert acled.source_scale(["social_media_channel"]) == "New media"
    assert acled.source_scale(["unnamed", "unknown"]) is None


def test_events_are_found_by_their_words_and_by_a_kind_of_source(store: Store) -> None:
    def places(where: EventFilter) -> set[str]:
        return {row["location"] for row in store.events(where)}

    assert places(EventFilter(search="KHERSON")) == {"Kherson"}
    assert places(EventFilter(search="general staff")) == {"Horlivka"}  # a source's name
    assert places(EventFilter(search="russia military")) >= {"Kherson"}  # an actor's words
    assert places(EventFilter(search="%")) == set()  # wildcards are plain characters
    assert places(EventFilter(source_kind="official_military")) == {"Horlivka"}


def test_a_date_known_only_to_the_year_is_no_first_of_january(store: Store) -> None:
    row = dict(store.events()[0])
    row |= {"event_date": "1986-01-01", "event_date_end": "1986-12-31", "time_precision": 3}
    written = acled.record(row, fatalities_as_zero=True)
    assert (written["event_date"], written["year"]) == (None, 1986)
    assert "date between 1986-01-01 and 1986-12-31" in written["tags"]
    row |= {"event_date": "2026-03-01", "event_date_end": "2026-03-31"}  # a month is ACLED's 3
    assert acled.record(row, fatalities_as_zero=True)["event_date"] == "2026-03-01"
