from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sitreps
from sitreps.cli import app
from sitreps.model import Analysis
from tests import postgres

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "reports" / "kharkiv-strikes.txt"
CORPUS = ROOT / "examples" / "reports" / "reports.jsonl"
EXAMPLE_SOURCES = ROOT / "examples" / "sources.yaml"


@dataclass(frozen=True)
class Ran:
    """What a `sitreps` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(
    *args: str, stdin: str | bytes | None = None, env: Mapping[str, str] | None = None
) -> Ran:
    """`sitreps ARGS` run in this process by the CLI's own entry point (typer's CliRunner):
    the models load once for the whole suite. An exception the CLI does not turn into an
    exit status fails the test that ran it."""
    result = CliRunner().invoke(app, list(args), input=stdin, env=env, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example reports ingested once for the whole suite with their source registry, as
    `make demo` ingests them: read it in place, copy it to change it."""
    db = tmp_path_factory.mktemp("examples") / "examples.db"
    folder = str(SEED.parent)
    result = run_cli(
        "ingest", folder, "--db", str(db), env={"SITREPS_SOURCES": str(EXAMPLE_SOURCES)}
    )
    assert result.returncode == 0, result.stderr
    return db


def copy_store(store: Path, to: Path) -> None:
    """A SQLite store copied with its write-ahead log, where one is left."""
    for suffix in ("", "-wal"):
        if Path(f"{store}{suffix}").exists():
            shutil.copy(f"{store}{suffix}", f"{to}{suffix}")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the module, started from Debian's binaries."""
    if postgres.binaries() is None:
        pytest.skip("PostgreSQL is not installed: `make test` installs Debian's package")
    directory = Path(tempfile.mkdtemp(prefix="sitreps-pg-"))
    try:
        with postgres.server(directory) as url:
            yield url
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed(seed_text: str) -> Analysis:
    return sitreps.analyze(seed_text)


def claims_of(analysis: Analysis, fragment: str) -> list:
    """The claims whose content contains `fragment`."""
    found = [c for c in analysis.claims if fragment in c.span.text]
    assert found, f"no claim contains {fragment!r}"
    return found


def source_names(analysis: Analysis, claim) -> list[str]:
    return [analysis.source(s).name for s in claim.attribution]
