"""`sitreps eval geo` and `sitreps eval incident-geo` on small gold files in their formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def run_eval(*args: str) -> dict:
    result = run_cli("eval", *args, "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_resolution_mode_scores_gold_spans() -> None:
    figures = run_eval("geo", str(FIXTURES / "toponyms.jsonl"), "--task", "resolve")
    # Six toponyms with a point (the demonym is not a toponym); Atlantis is in no gazetteer.
    assert figures["n"] == 6
    assert figures["acc_161km"] == pytest.approx(5 / 6, abs=1e-3)
    assert figures["exact_match"] == pytest.approx(5 / 6, abs=1e-3)
    assert figures["median_km"] < 1
    assert figures["by_gazetteer_coverage"]["not in gazetteer"]["n"] == 1
    assert figures["by_gazetteer_coverage"]["in gazetteer"]["acc_161km"] == 1.0
    assert set(figures["by_type"]) == {"Literal", "P"}


def test_resolution_in_folds_trains_the_ranker_on_other_documents_only() -> None:
    figures = run_eval("geo", str(FIXTURES / "toponyms.jsonl"), "--task", "resolve", "--folds", "2")
    assert figures["validation"] == "2-fold cross-validation by document"
    assert figures["n"] == 6
    # The confidence's reliability and what a 0.7 cut-off keeps, for every answer given.
    answered = sum(row["n"] for row in figures["confidence_reliability"].values())
    assert answered == figures["n"] - figures["unresolved"]
    assert 0 < figures["kept_at_confidence_0.7"] <= 1


def test_the_shipped_ranker_says_when_it_was_trained_on_the_texts() -> None:
    figures = run_eval("geo", str(FIXTURES / "toponyms.jsonl"), "--task", "resolve")
    assert figures["validation"].startswith("held out")


def test_end_to_end_mode_adds_toponym_precision_and_recall() -> None:
    figures = run_eval("geo", str(FIXTURES / "toponyms.jsonl"), "--task", "end-to-end")
    assert {"precision", "recall", "f1", "acc_161km", "exact_match", "median_km", "n"} <= set(
        figures
    )
    # Every mention is found ("Atlantis" too: towns bear that name), none invented.
    assert figures["recall"] == 1.0 and figures["precision"] == 1.0
    assert figures["acc_161km"] == pytest.approx(5 / 6, abs=1e-3)


def test_incident_locations() -> None:
    figures = run_eval("incident-geo", str(FIXTURES / "incidents.jsonl"))
    assert figures["n_records"] == 3  # the record without a point is left out
    assert figures["n"] == 2  # the description naming no place yields no location
    assert figures["median_km"] < 5
    assert figures["within_10km"] == 1.0 and figures["oblast_accuracy"] == 1.0


def test_a_missing_gold_file_is_a_usage_error() -> None:
    result = run_cli("eval", "geo", "missing.jsonl")
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.gold
@pytest.mark.skipif(
    not (SHARED / "geo" / "geowebnews.jsonl").exists(),
    reason="../shared/data is absent (a user's clone): the shared gold sets are not shipped",
)
def test_runs_on_the_shared_gold_format() -> None:
    figures = run_eval("geo", str(SHARED / "geo" / "geowebnews.jsonl"))
    assert figures["n_docs"] == 200 and figures["n"] > 2000


def test_fast_mode_finds_and_places_the_mentions_too() -> None:
    toponyms = str(FIXTURES / "toponyms.jsonl")
    found = run_eval("geo", toponyms, "--task", "end-to-end", "--mode", "fast")
    assert found["precision"] == 1.0 and found["recall"] >= 0.8
    placed = run_eval("incident-geo", str(FIXTURES / "incidents.jsonl"), "--mode", "fast")
    assert placed["n"] == 2 and placed["within_10km"] == 1.0
