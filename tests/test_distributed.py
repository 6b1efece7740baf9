"""Ingest on Ray Data: the analysis runs on a local Ray (two CPUs, two actors). A SQLite
store stays in the test process, and what is stored must be what a local ingest stores;
a PostgreSQL store is written by the actors, in parallel."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitreps.cli import app
from sitreps.distributed import RayAnalyser
from sitreps.ingest import Committed, Document, Prepared, analysed, documents, ingest
from sitreps.inputs import ReportRecord
from sitreps.model import Mode
from sitreps.store import Outcome, Store
from tests.test_store_backends import _incidents_as_events, empty, incidents_of_one_writer

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "reports"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray of two CPUs for the module (the first analyser starts it); each test's
    analysers start their own actors on it, each loading the models."""
    first = RayAnalyser(workers=2)
    yield
    first.close()


def _stored(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    with sqlite3.connect(path) as connection:
        analyses = dict(connection.execute("SELECT report_id, analysis_json FROM analyses"))
        links = sorted(connection.execute("SELECT * FROM incident_events"))
    return analyses, links


def test_ray_ingest_stores_what_local_ingest_stores(local_ray: None, tmp_path: Path) -> None:
    # example reports of three incidents (Odesa, Kharkiv, Nikopol) in English, Ukrainian and
    # Russian
    lines = (CORPUS / "reports.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    batch = tmp_path / "reports.jsonl"
    batch.write_text("".join([*lines[1:3], *lines[6:8], *lines[10:12], lines[26], lines[29]]))
    on_ray, local = tmp_path / "ray.db", tmp_path / "local.db"
    # two windows, each analysed by two actors: the order of storing must hold across both
    result = CliRunner().invoke(
        app, ["ingest", str(batch), "--db", str(on_ray), "--engine", "ray", "--window", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "8 ingested" in result.output
    store = Store.open(local)
    summary = ingest(store, documents([str(batch)]))
    store.close()
    assert summary.counts["ingested"] == 8
    ray_analyses, ray_links = _stored(on_ray)
    local_analyses, local_links = _stored(local)
    assert ray_analyses == local_analyses
    assert ray_links == local_links  # same order of storing, so the same incidents

    again = CliRunner().invoke(app, ["ingest", str(batch), "--db", str(on_ray), "--engine", "ray"])
    assert again.exit_code == 0, again.output
    assert "0 ingested" in again.output and "8 unchanged" in again.output


def _document(text: str) -> Document:
    return Document(ReportRecord(text=text), "test", None)


def test_ray_workers_store_into_postgresql_themselves(local_ray: None, postgres_url: str) -> None:
    """Given a PostgreSQL store the actors store what they analyse, in parallel; the
    incidents are those of one writer storing the reports in the order they were stored."""
    batch = [d for d in documents([str(CORPUS / "reports.jsonl")]) if isinstance(d, Document)]
    store = Store.open(postgres_url)
    try:
        empty(store)
        results = list(RayAnalyser(workers=2, store=postgres_url)(batch))
        committed = [r for r in results if isinstance(r, Committed)]
        assert len(committed) == len(results) == len(batch)  # stored by the actors
        assert {r.outcome for r in committed} == {Outcome.INGESTED}
        together = _incidents_as_events(store)
        assert any(len(events) > 2 for events in together)  # incidents told by several
        prepared = [analysed(item.record) for item in batch]
        alone = incidents_of_one_writer(store, [p for p in prepared if isinstance(p, Prepared)])
    finally:
        store.close()
    assert together == alone


def test_a_report_ray_cannot_analyse_is_a_failure_and_the_rest_go_on(local_ray: None) -> None:
    texts = ["   ", "Shelling hit Kharkiv on Monday."]
    blank, shelling = RayAnalyser(workers=1)([_document(text) for text in texts])
    assert isinstance(blank, str) and "empty" in blank
    assert isinstance(shelling, Prepared)
    assert [e.event_type for e in shelling.analysis.events] == ["Explosions/Remote violence"]
    assert len(shelling.vectors) == 1 and shelling.vectors[0].shape == (384,)


def test_ray_runs_the_mode_it_is_given(local_ray: None) -> None:
    document = _document("Two drone factories were destroyed, the ministry said.")
    fast = RayAnalyser(workers=1, mode=Mode.FAST)  # the same local Ray, other actors
    (on_ray,) = fast([document])
    assert isinstance(on_ray, Prepared) and on_ray.analysis.mode is Mode.FAST
    local = analysed(document.record, Mode.FAST)
    assert isinstance(local, Prepared)
    assert on_ray.analysis == local.analysis
