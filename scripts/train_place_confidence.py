"""Train the place-confidence calibration (sitreps/data/place_confidence.json).

    python scripts/train_place_confidence.py GOLD.jsonl [GOLD.jsonl ...]

Every place mention sitreps finds end to end in the gold sets (the toponym format of
`sitreps eval geo`) is one example: right when its span is a gold toponym and it is the gold
place or lies within 161 km of the gold point. The places are ranked by rankers that never
saw their document (five folds by document, as `train_place_ranker.py` validates them), so
the confidence learns how sure the ranker is on texts it was not trained on. A logistic
regression over `place_confidence.FEATURES` is cross-validated by document in the same
folds, its reliability table printed, then fitted on all and written as plain numbers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from sitreps import nlp, place_confidence, place_ranker
from sitreps.evaluation.geo import (
    ACC_KM,
    fold_rankers,
    has_point,
    is_toponym,
    ranking_examples,
)
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import reliability
from sitreps.gazetteer import distance_km
from sitreps.model import Mode
from sitreps.stages import places

FOLDS = 5
OUTPUT = Path(__file__).resolve().parents[1] / "sitreps" / "data" / "place_confidence.json"


def examples(paths: list[Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, document numbers and the ranker's probabilities."""
    rows, labels, groups, probabilities = [], [], [], []
    records = [r for path in paths for r in read_jsonl(path)]
    rankers = fold_rankers(list(ranking_examples(records)), FOLDS)
    docs = nlp.load().pipe(r["text"] for r in records)
    for number, (record, doc) in enumerate(zip(records, docs, strict=True)):
        gold = {
            (t["start"], t["end"]): t for t in record["toponyms"] if is_toponym(t) and has_point(t)
        }
        # A document with no gold place trained no ranker: any ranker has not seen it.
        ranker = rankers.get(number, place_ranker.shipped())
        for place, features in places.find(doc, Mode.FULL, ranker=ranker):
            if not features or place.lat is None or place.lon is None:
                continue
            toponym = gold.get((place.span.start, place.span.end))
            right = toponym is not None and (
                place.geonameid == toponym.get("geonameid")
                or distance_km(toponym["lat"], toponym["lon"], place.lat, place.lon) <= ACC_KM
            )
            rows.append(features)
            labels.append(right)
            groups.append(number)
            probabilities.append(place.confidence)
    return np.array(rows), np.array(labels), np.array(groups), np.array(probabilities)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="+", help="toponym JSONL gold sets")
    arguments = parser.parse_args()
    x, y, groups, probabilities = examples(arguments.gold)
    print(f"{len(y)} place mentions found in {len(set(groups))} documents, {y.mean():.3f} right")
    held_out = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        model = LogisticRegression(max_iter=1000).fit(x[train], y[train])
        held_out[test] = model.predict_proba(x[test])[:, 1]
    print("reliability of the ranker's probability, uncalibrated:")
    print(json.dumps(reliability(zip(probabilities, y, strict=True)), indent=1))
    print("reliability of the calibrated confidence, 5-fold cross-validated by document:")
    print(json.dumps(reliability(zip(held_out, y, strict=True)), indent=1))
    brier = float(np.mean((held_out - y) ** 2))
    before = float(np.mean((probabilities - y) ** 2))
    print(f"Brier score: {brier:.4f} calibrated, {before:.4f} before")
    model = LogisticRegression(max_iter=1000).fit(x, y)
    OUTPUT.write_text(
        json.dumps(
            {
                "features": list(place_confidence.FEATURES),
                "weights": [round(float(w), 6) for w in model.coef_[0]],
                "bias": round(float(model.intercept_[0]), 6),
                "trained_on": [p.name for p in arguments.gold],
                "examples": len(y),
                "cross_validated_brier": round(brier, 4),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
