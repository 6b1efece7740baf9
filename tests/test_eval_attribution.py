"""`sitreps eval attribution` on a small gold file in the PolNeAR format."""

from __future__ import annotations

import pytest

from tests.test_eval_geo import FIXTURES, SHARED, run_eval


def test_scores_each_role_exact_and_by_overlap() -> None:
    figures = run_eval("attribution", str(FIXTURES / "attribution.jsonl"))
    assert figures["n_docs"] == 2
    for role in ("source", "cue", "content"):
        for match in ("exact", "overlap"):
            assert figures[role][match] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_statements_and_attitudes_are_scored_apart() -> None:
    figures = run_eval("attribution", str(FIXTURES / "attribution.jsonl"))
    # "Residents hope the power returns soon" is the one attitude; three statements remain.
    for role in ("source", "cue", "content"):
        assert figures["attitudes_exact"][role]["recall"] == 1.0
        assert figures["statements_exact"][role]["recall"] == 1.0


@pytest.mark.gold
@pytest.mark.skipif(
    not (SHARED / "attribution" / "polnear_dev.jsonl").exists(),
    reason="../shared/data is absent (a user's clone): the shared gold sets are not shipped",
)
def test_runs_on_the_shared_polnear_dev_set() -> None:
    figures = run_eval("attribution", str(SHARED / "attribution" / "polnear_dev.jsonl"))
    assert figures["n_docs"] == 84
    assert figures["source"]["exact"]["f1"] > 0.7  # 0.75 when measured (docs/quality.md)


def test_fast_mode_is_scored_the_same_way() -> None:
    figures = run_eval("attribution", str(FIXTURES / "attribution.jsonl"), "--mode", "fast")
    assert figures["n_docs"] == 2
    assert figures["source"]["exact"]["precision"] == 1.0  # what the rules find is right
    assert figures["source"]["exact"]["recall"] >= 0.5


def test_a_headline_in_the_text_and_a_nested_attribution_are_compared_as_annotated() -> None:
    # The first text opens with its title, as PolNeAR's do: the headline's attribution is
    # found once, in the text. In the second, TASS's content holds what the ministry said,
    # not just "that the ministry said"; the ministry's own attribution is compared too.
    figures = run_eval("attribution", str(FIXTURES / "attribution_headline_nested.jsonl"))
    for role in ("source", "cue", "content"):
        assert figures[role]["exact"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
