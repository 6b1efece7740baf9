"""Train the place ranker (sitreps/data/place_ranker.npz).

    python scripts/train_place_ranker.py GOLD.jsonl [GOLD.jsonl ...]

Every gold toponym with a point in the gold sets (the toponym format of `sitreps eval geo`)
is given to the places stage as a mention; its candidates and their features are one
example, the right candidates those with the gold GeoNames id (else within 161 km of the
gold point). The ranker is cross-validated by document over all the sets together (five
folds, never scored on a document it was trained on), its figures printed per set beside
the most populous candidate's, then fitted on all and written as plain arrays.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from sitreps import place_ranker
from sitreps.evaluation.geo import (
    RankingExample,
    fold_rankers,
    ranking_examples,
    resolved_right,
    trainable,
)
from sitreps.evaluation.gold import read_jsonl
from sitreps.gazetteer import GazetteerEntry

OUTPUT = Path(__file__).resolve().parents[1] / "sitreps" / "data" / place_ranker.SHIPPED
FOLDS = 5


def cross_validated_choices(
    examples: Sequence[RankingExample], folds: int
) -> list[GazetteerEntry | None]:
    """Each example's chosen candidate by a ranker trained on the other folds' documents."""
    rankers = fold_rankers(examples, folds)
    return [
        e.candidates[int(np.argmax(rankers[e.document].scores(e.matrix)))]
        if e.matrix is not None
        else None
        for e in examples
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="+", help="toponym JSONL gold sets")
    arguments = parser.parse_args()
    examples: list[RankingExample] = []
    sets: list[tuple[str, range]] = []
    texts: list[str] = []
    for path in arguments.gold:
        records = list(read_jsonl(path))
        first = len(examples)
        # Document numbers run on across the sets, so that folds split documents, not sets.
        examples += [
            replace(e, document=e.document + len(texts)) for e in ranking_examples(records)
        ]
        texts += [r["text"] for r in records]
        sets.append((path.name, range(first, len(examples))))
    chosen = cross_validated_choices(examples, FOLDS)
    print(f"place ranker, {FOLDS}-fold cross-validation by document (acc@161 km, gold mentions)")
    print(f"{'gold set':<24}{'mentions':>10}{'ranker':>10}{'most populous':>16}")
    for name, indices in sets:
        ranked = sum(resolved_right(examples[i].gold, chosen[i]) for i in indices) / len(indices)
        populous = sum(
            resolved_right(
                examples[i].gold,
                max(examples[i].candidates, key=lambda e: e.population, default=None),
            )
            for i in indices
        ) / len(indices)
        print(f"{name:<24}{len(indices):>10}{ranked:>10.4f}{populous:>16.4f}")
    ranker = place_ranker.fit(*trainable(examples), [place_ranker.digest(t) for t in texts])
    ranker.save(OUTPUT)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
