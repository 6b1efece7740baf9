# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint typecheck clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

install: $(INSTALLED)

# The main job on the bundled examples: the seed report as Markdown on the terminal, then
# the whole illustrative corpus as JSONL and as an HTML page.
demo: install
	$(BIN)/sitreps analyze examples/reports/kharkiv-strikes.txt --format markdown
	SITREPS_SOURCES=examples/sources.yaml $(BIN)/sitreps analyze examples/reports/reports.jsonl --format json --output demo-output/analyses.jsonl
	SITREPS_SOURCES=examples/sources.yaml $(BIN)/sitreps analyze examples/reports/reports.jsonl --format html --output demo-output/reports.html
	@echo "Wrote demo-output/analyses.jsonl and demo-output/reports.html"

lint: install
	$(BIN)/ruff check sitreps tests
	$(BIN)/ruff format --check sitreps tests

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
