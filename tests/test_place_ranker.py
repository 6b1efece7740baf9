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
