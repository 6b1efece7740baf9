"""Exports of the store's events: ACLED's CSV (and the same table as Parquet) and GeoJSON.

The CSV has ACLED's columns in ACLED's order, written as ACLED writes them
(sitreps/acled.py), then sitreps' own. Where no fatality count was stated the CSV and
Parquet say 0, as ACLED does and as scripts that sum the column expect, and the row's tags
say "fatalities not stated"; GeoJSON, like the store and the API's JSON, keeps null.

Users who publish can coarsen every point to the centre of a grid cell `coarsen_km` wide:
positions reported with their coordinates are a concern monitors of this war raise.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from sitreps import acled

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = acled.COLUMNS + acled.SITREPS_COLUMNS
KM_PER_DEGREE_LATITUDE = 111.32


def coarsened(lat: float, lon: float, cell_km: float) -> tuple[float, float]:
    """The centre of the grid cell, `cell_km` on a side, that the point lies in."""
    lat_step = cell_km / KM_PER_DEGREE_LATITUDE
    lat_centre = (math.floor(lat / lat_step) + 0.5) * lat_step
    lat_centre = max(-90.0, min(90.0, lat_centre))
    lon_step = lat_step / max(math.cos(math.radians(lat_centre)), 0.01)
    lon_centre = (math.floor(lon / lon_step) + 0.5) * lon_step
    return round(lat_centre, 5), round(((lon_centre + 180) % 360) - 180, 5)


def records(
    rows: list[dict[str, Any]], *, fatalities_as_zero: bool, coarsen_km: float | None = None
) -> list[dict[str, Any]]:
    """ACLED's export rows (then sitreps' columns) from rows of `acled_events`."""
    table = [acled.record(row, fatalities_as_zero=fatalities_as_zero) for row in rows]
    if coarsen_km:
        for record in table:
            if record["latitude"] is not None and record["longitude"] is not None:
                record["latitude"], record["longitude"] = coarsened(
                    record["latitude"], record["longitude"], coarsen_km
                )
                tag = f"coordinates coarsened to {coarsen_km:g} km"
                record["tags"] = f"{record['tags']}; {tag}" if record["tags"] else tag
    return table


def acled_csv(rows: list[dict[str, Any]], coarsen_km: float | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records(rows, fatalities_as_zero=True, coarsen_km=coarsen_km))
    return buffer.getvalue()


def parquet(rows: list[dict[str, Any]], path: Path, coarsen_km: float | None = None) -> None:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    table = records(rows, fatalities_as_zero=True, coarsen_km=coarsen_km)
    pd.DataFrame(table, columns=list(COLUMNS)).to_parquet(path, index=False)


def geojson(rows: list[dict[str, Any]], coarsen_km: float | None = None) -> str:
    """A FeatureCollection of the located events (those without a point are left out)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                key: value for key, value in row.items() if key not in {"latitude", "longitude"}
            },
        }
        for row in records(rows, fatalities_as_zero=False, coarsen_km=coarsen_km)
        if row["latitude"] is not None and row["longitude"] is not None
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
