"""The learned place ranker: trained on given mentions, saved without pickle, refusing a
model of other features."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sitreps import place_ranker
from sitreps.gazetteer import open_gazetteer

SPRINGFIELD_IL, SPRINGFIELD_MO = 4250542, 4409896


def mention(name: str, context: str | None = None) -> place_ranker.Mention:
    gazetteer = open_gazetteer()
    entries = gazetteer.lookup([name])[name]
    after = gazetteer.lookup([context])[context] if context else []
    return place_ranker.Mention(norm=name, entries=entries, context=after)


def test_the_shipped_ranker_reads_the_place_named_after_a_comma() -> None:
    ranker = place_ranker.shipped()
    mentions = [mention("springfield", "illinois"), mention("illinois")]
    matrix = place_ranker.features(mentions, Counter())[0]
    probabilities = ranker.probabilities(matrix)
    best = place_ranker.candidates(mentions[0].entries)[int(np.argmax(probabilities))]
    assert best.geonameid == SPRINGFIELD_IL
    assert probabilities.sum() == pytest.approx(1.0)


def test_a_fitted_ranker_learns_the_right_candidates_and_saves_as_plain_arrays(
    tmp_path: Path,
) -> None:
    matrices = place_ranker.features([mention("springfield", "missouri")], Counter())
    right = np.array(
        [
            e.geonameid == SPRINGFIELD_MO
            for e in place_ranker.candidates(mention("springfield").entries)
        ]
    )
    ranker = place_ranker.fit(matrices * 4, [right] * 4, digests=["a text"])
    assert int(np.argmax(ranker.scores(matrices[0]))) == int(np.argmax(right))
    ranker.save(tmp_path / "ranker.npz")
    loaded = place_ranker.load(tmp_path / "ranker.npz")  # np.load with allow_pickle=False
    assert np.allclose(loaded.scores(matrices[0]), ranker.scores(matrices[0]))
    assert loaded.training_digests == frozenset({"a text"})


def test_a_model_of_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    np.savez(path, features=np.array(["population"]))
    with pytest.raises(ValueError, match="retrain"):
        place_ranker.load(path)


def test_mentions_ranked_among_some_of_a_report_are_ranked_as_if_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The places stage ranks every mention, then again among those that are places: the
    # second ranking must see only the places kept, whatever the report compared first.
    named = [
        mention("springfield", "illinois"),
        mention("paris"),
        mention("illinois"),
        mention("london"),
        mention("springfield"),
    ]
    for number, one in enumerate(named):
        one.sentence = number // 2 * 10  # two by two in three sentences
    report = place_ranker.Report(named, Counter({"US": 2, "FR": 1}))
    kept = [0, 2, 4]
    alone = place_ranker.Report([named[i] for i in kept], Counter({"US": 2, "FR": 1}))
    for among_all, by_themselves in zip(report.features(kept), alone.features(), strict=True):
        assert np.allclose(among_all, by_themselves)
    # Compared a few candidates at a time (as a long report is, to bound its memory), the
    # features are the same.
    everything = report.features()
    monkeypatch.setattr(place_ranker, "ROWS_AT_ONCE", 7)
    for in_one_step, in_blocks in zip(everything, report.features(), strict=True):
        assert np.allclose(in_one_step, in_blocks)
    assert any(matrix[:, place_ranker.SENTENCE_AGREEMENT].any() for matrix in everything)
