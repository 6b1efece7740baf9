"""ACLED's export format: its columns in its order, and the values written in its words.

A stored event (a row of the store's `acled_events` view) becomes a row of ACLED's current
public export: `event_id_cnty` as ISO3 and a number the store gives each event once,
`year`, `region`, `inter1`/`inter2` and `interaction` as ACLED's actor-type names
("State forces-Civilians"), `source` as the outlet and the original sources, `source_scale`
from the kinds of those sources, and `tags` saying what a reader must know: a fatality
count that was not stated, how firmly the event is claimed, its corroboration. The
vocabulary is editable data (sitreps/data/acled.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, Field

from sitreps import lexicons


class Record(BaseModel):
    """One event as a row of ACLED's export, then sitreps' own columns (the API's event and
    the exports' header: the one list of the columns, in their order). sitreps' columns are
    the report and its URL, the incident it belongs to, that incident's corroboration and
    number of independent sources, the certainty of the firmest claim behind the event, the
    numbers ACLED has no column for, the further actors and the weapons named with it, what
    coded its type, and the kinds of source its claims' attribution chains pass through."""

    event_id_cnty: str | None = Field(
        description='ISO 3166-1 alpha-3 and the event\'s number, "UKR12" ("XXX12": no country)'
    )
    event_date: str | None = Field(description="YYYY-MM-DD; null when unknown")
    year: int | None
    time_precision: int | None = Field(description="1 the day, 2 the week, 3 the month")
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str | None
    assoc_actor_1: str | None
    inter1: str | None = Field(description='ACLED actor type, e.g. "State forces"')
    actor2: str | None
    assoc_actor_2: str | None
    inter2: str | None
    interaction: str | None = Field(description='e.g. "State forces-Civilians"')
    civilian_targeting: str | None
    iso: int | None = Field(description="ISO 3166-1 numeric")
    region: str | None
    country: str | None
    admin1: str | None
    admin2: str | None
    admin3: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None = Field(description="1 the place, 2 near it, 3 a region")
    source: str | None = Field(description="The outlet, then the original sources")
    source_scale: str | None
    notes: str = Field(description="The sentences the event came from")
    fatalities: int | None = Field(description="Null in JSON when not stated; 0 in CSV")
    tags: str
    timestamp: int | None = Field(description="When the report was stored, Unix seconds")
    incident_id: str | None
    corroboration: str | None
    n_independent_sources: int | None
    certainty: str | None
    report_id: str
    source_url: str | None
    injured: int | None
    associated_actors: str | None
    weapons: str | None
    coded_by: str | None
    source_kinds: str | None = Field(description="Kinds of source along its claims' chains")


_FIELDS = tuple(Record.model_fields)
COLUMNS = _FIELDS[: _FIELDS.index("timestamp") + 1]  # ACLED's own, ending with its timestamp
SITREPS_COLUMNS = _FIELDS[len(COLUMNS) :]
FATALITIES_NOT_STATED = "fatalities not stated"
MONTH_DAYS = 31


@cache
def _regions() -> dict[str, str]:
    table: dict[str, list[str]] = lexicons.load("acled")["regions"]
    return {code: region for region, codes in table.items() for code in codes}


def region(alpha_3: str | None) -> str | None:
    return _regions().get(alpha_3 or "")


def actor_type(inter: int | None) -> str | None:
    types: dict[int, str] = lexicons.load("acled")["actor_types"]
    return types.get(inter) if inter is not None else None


def interaction(inter1: int | None, inter2: int | None) -> str | None:
    """ACLED names the pair with the lower code first, and a lone actor "... only"."""
    if inter1 is None:
        return None
    if inter2 is None:
        return f"{actor_type(inter1)} only"
    low, high = sorted((inter1, inter2))
    return f"{actor_type(low)}-{actor_type(high)}"


def source_scale(kinds: Iterable[str]) -> str | None:
    """ACLED's scale of the sources behind an event: one scale, or the most local and the
    widest joined ("Subnational-National")."""
    data = lexicons.load("acled")
    order: list[str] = data["scale_order"]
    scales = sorted({data["source_scales"][k] for k in kinds if k in data["source_scales"]},
                    key=order.index)  # fmt: skip
    if not scales:
        return None
    return scales[0] if len(scales) == 1 else f"{scales[0]}-{scales[-1]}"


def tags(row: dict[str, Any]) -> str:
    found = []
    if row["fatalities"] is None:
        found.append(FATALITIES_NOT_STATED)
    if row["injured"] is not None:
        found.append(f"injured={row['injured']}")
    if row["certainty"]:
        found.append(f"certainty={row['certainty']}")
    if row["corroboration"]:
        found.append(f"corroboration={row['corroboration']}")
    start, end = _day(row["event_date"]), _day(row["event_date_end"])
    if start is None:
        found.append("date unknown")
    elif end is not None and (end - start).days > MONTH_DAYS:
        found.append(f"date between {start.isoformat()} and {end.isoformat()}")
    if row["latitude"] is None:
        found.append("location unknown")
    return "; ".join(found)


def _unix(value: Any) -> int | None:
    """SQLite hands timestamps back as text; ACLED's timestamp is Unix seconds."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return int(value.timestamp()) if isinstance(value, datetime) else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def record(row: dict[str, Any], *, fatalities_as_zero: bool) -> dict[str, Any]:
    """ACLED's columns, then sitreps' own, from a row of `acled_events`. ACLED writes 0
    fatalities where none were stated, and users' scripts sum the column; with
    `fatalities_as_zero` so does this (the tag keeps the difference), JSON keeps null."""
    day, last = _day(row["event_date"]), _day(row["event_date_end"])
    # ACLED's coarsest date is a month: a report that gives only the year keeps its year
    # and no date (not 1 January), and its tags say so.
    coarser_than_a_month = day is not None and last is not None and (last - day).days > MONTH_DAYS
    acled = {
        "event_id_cnty": row["event_id_cnty"],
        "event_date": day.isoformat() if day and not coarser_than_a_month else None,
        "year": day.year if day and (last is None or last.year == day.year) else None,
        "time_precision": row["time_precision"],
        "disorder_type": row["disorder_type"],
        "event_type": row["event_type"],
        "sub_event_type": row["sub_event_type"],
        "actor1": row["actor1"],
        "assoc_actor_1": None,  # a report seldom says which side a further actor stands with
        "inter1": actor_type(row["inter1"]),
        "actor2": row["actor2"],
        "assoc_actor_2": None,
        "inter2": actor_type(row["inter2"]),
        "interaction": interaction(row["inter1"], row["inter2"]),
        "civilian_targeting": row["civilian_targeting"],
        "iso": row["iso"],
        "region": region(row["iso3"]),
        "country": row["country"],
        "admin1": row["admin1"],
        "admin2": row["admin2"],
        "admin3": row["admin3"],
        "location": row["location"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "geo_precision": row["geo_precision"],
        "source": row["source"],
        "source_scale": row["source_scale"],
        "notes": row["notes"],
        "fatalities": 0 if row["fatalities"] is None and fatalities_as_zero else row["fatalities"],
        "tags": tags(row),
        "timestamp": _unix(row["timestamp"]),
    }
    return acled | {column: row[column] for column in SITREPS_COLUMNS}
