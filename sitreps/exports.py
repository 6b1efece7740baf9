"""Exports of the store's events: ACLED-style CSV (and the same table as Parquet) and
GeoJSON.

The CSV has ACLED's columns in ACLED's order, then sitreps' own (the report and its URL,
the incident it belongs to, that incident's corroboration and number of independent
sources, the certainty of the firmest claim behind the event, the further actors and the
weapons named with it, and what coded its type). `fatalities` stays empty where no number
was stated: ACLED writes 0 there; sitreps does not guess. ACLED's assoc_actor columns stay
empty too: a report seldom says which side a further actor stands with.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction",
    "civilian_targeting", "iso", "country", "admin1", "admin2", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
    "timestamp",
)  # fmt: skip
SITREPS_COLUMNS = (
    "incident_id", "corroboration", "n_independent_sources", "certainty", "report_id",
    "source_url", "associated_actors", "weapons", "coded_by",
)  # fmt: skip


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())  # ACLED's timestamp is Unix time
    if isinstance(value, date):
        return value.isoformat()
    return value


def _timestamp(value: Any) -> Any:
    """SQLite hands timestamps back as text; ACLED wants Unix seconds."""
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value).timestamp())
        except ValueError:
            return value
    return _cell(value)


def acled_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS + SITREPS_COLUMNS)
    for record in _table(rows):
        writer.writerow(list(record.values()))
    return buffer.getvalue()


def _table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = ACLED_COLUMNS + SITREPS_COLUMNS
    return [
        {c: _timestamp(row[c]) if c == "timestamp" else _cell(row[c]) for c in columns}
        for row in rows
    ]


def parquet(rows: list[dict[str, Any]], path: Path) -> None:
    import pandas as pd

    columns = list(ACLED_COLUMNS + SITREPS_COLUMNS)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(_table(rows), columns=columns).to_parquet(path, index=False)


def geojson(rows: list[dict[str, Any]]) -> str:
    """A FeatureCollection of the located events (those without a point are left out)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                key: _timestamp(value) if key == "timestamp" else _cell(value)
                for key, value in row.items()
                if key not in {"latitude", "longitude"}
            },
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
