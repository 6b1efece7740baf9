"""Load a GeoNames dump (allCountries.txt, a country file such as UA.txt, or its .zip) into
the gazetteer, for users who have one: it adds every feature GeoNames knows (rivers,
districts, villages under 500 people) with GeoNames' own ids and points.

The format is GeoNames' documented "geoname" table: 19 tab-separated columns, UTF-8.
A first-level division (A.ADM1) replaces the one `sitreps.divisions` built for the same
code, and names it. Everything happens in one transaction: an interrupted import leaves
the gazetteer as it was.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sitreps import progress
from sitreps.gazetteer import (
    GazetteerEntry,
    default_path,
    index_fuzzy_names,
    normalize_name,
    open_gazetteer,
)

_COLUMNS = 19
_BATCH = 10_000
_REGION_FEATURES = ("A.PCL", "A.ADM1", "A.ADM2", "A.ADMD", "L.CONT", "L.RGN")


@dataclass
class ImportSummary:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)  # "line N: why"


def precision(feature: str) -> int:
    """ACLED geo_precision of a mention of a feature of this GeoNames class.code."""
    if feature.startswith(_REGION_FEATURES):
        return 3
    return 1 if feature[:1] in {"P", "S"} else 2


@contextmanager
def _lines(path: Path) -> Iterator[IO[str]]:
    """The dump's text, from the .txt itself or from the one .txt inside a GeoNames .zip."""
    if path.suffix.lower() != ".zip":
        with path.open(encoding="utf-8", errors="replace") as text:
            yield text
        return
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n]
        if len(members) != 1:
            raise ValueError(f"{path}: expected one GeoNames .txt inside, found {members}")
        with archive.open(members[0]) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", errors="replace")


def _parse(line: str) -> tuple[GazetteerEntry, set[str]]:
    columns = line.rstrip("\r\n").split("\t")
    if len(columns) != _COLUMNS:
        raise ValueError(f"{len(columns)} columns, expected {_COLUMNS}")
    feature = f"{columns[6]}.{columns[7]}"
    entry = GazetteerEntry(
        geonameid=int(columns[0]),
        name=columns[1],
        lat=float(columns[4]),
        lon=float(columns[5]),
        country=columns[8] or None,
        admin1_code=columns[10] or None,
        feature=feature,
        population=int(columns[14] or 0),
        precision=precision(feature),
    )
    if not (-90 <= entry.lat <= 90 and -180 <= entry.lon <= 180):
        raise ValueError(f"coordinates out of range: {entry.lat}, {entry.lon}")
    names = {columns[1], columns[2], *columns[3].split(",")} - {""}
    return entry, names


def _write(connection: sqlite3.Connection, batch: list[tuple[GazetteerEntry, set[str]]]) -> None:
    connection.executemany(
        "INSERT OR REPLACE INTO place VALUES (?,?,?,?,?,?,?,?,?,NULL,NULL)",
        [
            (e.geonameid, e.name, e.lat, e.lon, e.country, e.admin1_code, e.feature,
             e.population, e.precision)
            for e, _ in batch
        ],
    )  # fmt: skip
    connection.executemany(
        "INSERT OR IGNORE INTO place_name VALUES (?, ?)",
        [
            (norm, entry.geonameid)
            for entry, names in batch
            for norm in {normalize_name(name) for name in names} - {""}
        ],
    )
    divisions = [e for e, _ in batch if e.feature == "A.ADM1" and e.country and e.admin1_code]
    for division in divisions:
        built = "SELECT geonameid FROM place WHERE geonameid < 0 AND feature = 'A.ADM1' "
        built += "AND country = ? AND admin1_code = ?"
        key = (division.country, division.admin1_code)
        connection.execute(f"DELETE FROM place_name WHERE geonameid IN ({built})", key)
        connection.execute(f"DELETE FROM place WHERE geonameid IN ({built})", key)
        connection.execute("INSERT OR REPLACE INTO admin1 VALUES (?, ?, ?)", (*key, division.name))


def import_geonames(dump: Path, gazetteer_path: Path | None = None) -> ImportSummary:
    """Add every well-formed row of `dump` to the gazetteer; report the rows skipped."""
    target = open_gazetteer(gazetteer_path or default_path()).path
    summary = ImportSummary()
    connection = sqlite3.connect(target)
    try:
        with connection, _lines(dump) as lines, progress.task("importing places") as task:
            batch: list[tuple[GazetteerEntry, set[str]]] = []
            for number, line in enumerate(lines, start=1):
                if not line.strip() or line.startswith("#"):
                    continue
                try:
                    batch.append(_parse(line))
                except ValueError as error:
                    summary.skipped.append(f"line {number}: {error}")
                    continue
                if len(batch) >= _BATCH:
                    _write(connection, batch)
                    summary.imported += len(batch)
                    task.advance(len(batch))
                    batch = []
            _write(connection, batch)
            summary.imported += len(batch)
            index_fuzzy_names(connection)
    finally:
        connection.close()
    return summary
