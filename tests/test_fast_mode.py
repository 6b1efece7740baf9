"""Fast mode: the rule annotation (sitreps/surface.py) and the pipeline run on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sitreps
from sitreps import surface
from sitreps.cli import app
from sitreps.model import Analysis, Mode
from sitreps.store import Store
from tests.conftest import CORPUS, SEED


@pytest.fixture(scope="module")
def fast_seed(seed_text: str) -> Analysis:
    return sitreps.analyze(seed_text, mode=Mode.FAST)


def _token(doc, text: str):  # type: ignore[no-untyped-def]
    return next(t for t in doc if t.text == text)


def test_a_trailing_reporting_verb_governs_the_clause_before_it() -> None:
    doc = surface.annotate("Two drone factories were destroyed, the ministry said on Monday.")
    said = _token(doc, "said")
    assert said.dep_ == "ROOT"
    assert _token(doc, "ministry").head == said and _token(doc, "ministry").dep_ == "nsubj"
    destroyed = _token(doc, "destroyed")
    assert destroyed.head == said and destroyed.dep_ == "ccomp"
    assert _token(doc, "factories").dep_ == "nsubjpass"
    assert destroyed.lemma_ == "destroy" and _token(doc, "factories").lemma_ == "factory"
    assert [(e.text, e.label_) for e in doc.ents] == [("Monday", "DATE")]


def test_a_subject_is_found_past_the_phrases_on_it() -> None:
    doc = surface.annotate(
        "Preliminary data indicates that a drone-control node in Balakhya was hit."
    )
    hit = _token(doc, "hit")
    assert hit.head == _token(doc, "indicates") and hit.dep_ == "ccomp"
    assert _token(doc, "node").head == hit and _token(doc, "node").dep_ == "nsubjpass"
    assert _token(doc, "Balakhya").head.text == "in"


def test_according_to_and_titled_names() -> None:
    doc = surface.annotate(
        "Eight strikes hit Kharkiv, according to the regional governor Oleh Synehubov."
    )
    to = _token(doc, "to")
    assert to.head.text == "according"
    assert [c.text for c in to.children if c.dep_ == "pobj"] == ["Synehubov"]
    assert ("Oleh Synehubov", "PERSON") in [(e.text, e.label_) for e in doc.ents]
    assert _token(doc, "strikes").pos_ == "NOUN" and _token(doc, "hit").pos_ == "VERB"


def test_every_sentence_is_one_tree() -> None:
    text = SEED.read_text(encoding="utf-8")
    doc = surface.annotate(text)
    assert doc.text == text
    for sentence in doc.sents:
        assert sum(t.dep_ == "ROOT" for t in sentence) == 1
        for token in sentence:
            assert sentence.start <= token.head.i < sentence.end


def test_fast_mode_finds_the_seed_reports_sources_places_and_events(
    fast_seed: Analysis,
) -> None:
    assert fast_seed.mode is Mode.FAST
    lebedev = next(s for s in fast_seed.sources if s.name == "Sergei Lebedev")
    assert lebedev.kind.value == "partisan_group"  # from his descriptor, as in full mode
    claim = next(c for c in fast_seed.claims if "launched a series" in c.span.text)
    assert claim.attribution[-1] == lebedev.id
    places = {p.surface: p for p in fast_seed.places}
    assert places["Kharkiv"].geonameid == 706483
    assert places["Balakhya"].name == "Balakliya"  # the misspelling, from context
    located = {fast_seed.place(e.location).name for e in fast_seed.events if e.location}
    assert {"Kharkiv", "Balakliya"} <= located
    counts = [e.count.low for e in fast_seed.events if e.count is not None]
    assert 8 in counts


def test_fast_mode_offsets_point_into_the_text(fast_seed: Analysis) -> None:
    text = fast_seed.report.text
    spans = [c.span for c in fast_seed.claims] + [p.span for p in fast_seed.places]
    spans += [e for event in fast_seed.events for e in event.evidence]
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_a_long_text_is_annotated_in_pieces_with_its_offsets(seed_text: str) -> None:
    text = "\n".join([seed_text] * 12)  # over the 20,000-character piece
    analysis = sitreps.analyze(text, mode=Mode.FAST)
    assert analysis.sentences[-1].end <= len(text)
    for claim in analysis.claims:
        assert text[claim.span.start : claim.span.end] == claim.span.text


def test_fast_mode_runs_no_sentence_embedding() -> None:
    code = (
        "import sys, sitreps\n"
        f"sitreps.analyze(open({str(SEED)!r}).read(), mode=sitreps.Mode.FAST)\n"
        "print('sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_analyze_and_ingest_take_the_mode(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["analyze", str(SEED), "--mode", "fast", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mode"] == "fast"
    db = tmp_path / "fast.db"
    result = runner.invoke(app, ["ingest", str(CORPUS), "--db", str(db), "--mode", "fast"])
    assert result.exit_code == 0, result.output
    analyses = list(Store.open(str(db)).analyses())
    assert analyses and all(a.mode is Mode.FAST for a in analyses)


def test_an_apposition_may_close_the_sentence() -> None:
    doc = surface.annotate("Reportedly an explosion of an ammo depot, close to a residential area")
    assert sum(t.dep_ == "ROOT" for t in doc) == 1
