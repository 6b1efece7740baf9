"""Train the shipped event-type classifier and report its 5-fold cross-validated figures.

    python scripts/train_event_classifier.py ../shared/data/events/case2021_dev.jsonl

writes sitreps/data/event_classifier.npz, and with --mode fast fast mode's model without the
sentence embedding, sitreps/data/event_classifier_fast.npz. The figures printed are those of
docs/quality.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sitreps import event_classifier
from sitreps.evaluation.events import classification_figures, read_case

PACKAGE_DATA = Path(__file__).resolve().parent.parent / "sitreps" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case_file", type=Path, help="CASE 2021 task 2 JSONL (id, text, label)")
    parser.add_argument("--output", type=Path, help="default: the shipped model's file")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--mode", choices=("full", "fast"), default="full", help="fast: no embedding"
    )
    arguments = parser.parse_args()
    embedded = arguments.mode == "full"
    shipped = event_classifier.SHIPPED if embedded else event_classifier.SHIPPED_FAST
    output = arguments.output or PACKAGE_DATA / shipped

    texts, labels = read_case(arguments.case_file)
    predicted = event_classifier.cross_validate(
        texts, labels, folds=arguments.folds, embedded=embedded
    )
    figures = classification_figures(labels, predicted)
    print(json.dumps({k: figures[k] for k in ("n", "accuracy", "weighted_f1", "macro_f1")}))
    event_classifier.fit(texts, labels, embedded=embedded).save(output)
    print(f"wrote {output} ({output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
