"""Event typing against CASE 2021 task 2 snippets and PLOVER gold-standard records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from sitreps import event_classifier, lexicons
from sitreps.evaluation.gold import read_jsonl

NOT_AN_EVENT = "none"
CONFUSIONS_SHOWN = 10


def read_case(path: Path) -> tuple[list[str], list[str]]:
    """Texts and gold labels of a CASE 2021 task 2 JSONL file (fields `text`, `label`)."""
    texts, labels = [], []
    for number, record in enumerate(read_jsonl(path), start=1):
        if not isinstance(record.get("text"), str) or not isinstance(record.get("label"), str):
            raise ValueError(f"{path}: record {number} lacks a text or a label")
        texts.append(record["text"])
        labels.append(record["label"])
    if not texts:
        raise ValueError(f"{path}: no records")
    return texts, labels


def classification_figures(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    """Accuracy, weighted and macro F1 over the gold labels, and the most confused pairs."""
    confused = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        "weighted_f1": round(
            float(f1_score(gold, predicted, average="weighted", zero_division=0)), 4
        ),
        "macro_f1": round(
            float(
                f1_score(
                    gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0
                )
            ),
            4,
        ),
        "most_confused": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in confused.most_common(CONFUSIONS_SHOWN)
        ],
    }


def _acled(label: str) -> str:
    entry = event_classifier.codebook().get(label)
    return (entry["event_type"] if entry else None) or NOT_AN_EVENT


def evaluate_events(path: Path, folds: int | None = None, embedded: bool = True) -> dict[str, Any]:
    """Score the shipped classifier on a CASE file, or cross-validate a fresh one on it;
    `embedded=False`: fast mode's classifier, without the sentence embedding."""
    texts, gold = read_case(path)
    if folds:
        predicted = event_classifier.cross_validate(texts, gold, folds=folds, embedded=embedded)
        held_out = True
    else:
        model = event_classifier.shipped(embedded)
        predicted = [p.type.label for p in model.predict(texts)]
        seen = sum(event_classifier.digest(t) in model.training_digests for t in texts)
        held_out = seen == 0
    figures = classification_figures(gold, predicted)
    coarse = classification_figures([_acled(g) for g in gold], [_acled(p) for p in predicted])
    figures["acled_event_type_accuracy"] = coarse["accuracy"]
    figures["acled_event_type_weighted_f1"] = coarse["weighted_f1"]
    figures["evaluation"] = (
        f"{folds}-fold cross-validation"
        if folds
        else "held out"
        if held_out
        else f"training fit: the shipped model was trained on {seen} of these {len(texts)} "
        "texts; run with --folds 5 for a held-out figure"
    )
    return {
        k: figures[k]
        for k in (
            "evaluation",
            "n",
            "accuracy",
            "weighted_f1",
            "macro_f1",
            "acled_event_type_accuracy",
            "acled_event_type_weighted_f1",
            "most_confused",
        )
    }


def plover_type(record: dict[str, Any]) -> str | None:
    """The ACLED event type a PLOVER record maps to, `none`, or None where none is clear."""
    modes = lexicons.load("plover_acled").get(record.get("event"))
    if not modes:
        return None
    mode = record.get("mode") or "default"
    mapped = modes[mode] if mode in modes else modes.get("default")
    return str(mapped) if mapped else None


def evaluate_events_plover(path: Path) -> dict[str, Any]:
    """ACLED event type of each PLOVER record whose type maps to one, from its sentence."""
    records = [r for r in read_jsonl(path) if isinstance(r.get("text"), str)]
    scored = [(r, t) for r in records if (t := plover_type(r)) is not None]
    if not scored:
        raise ValueError(f"{path}: no PLOVER record whose event type maps to ACLED")
    model = event_classifier.shipped()
    predictions = model.predict([r["text"] for r, _ in scored])
    gold = [t for _, t in scored]
    predicted = [p.type.event_type or NOT_AN_EVENT for p in predictions]
    figures = classification_figures(gold, predicted)
    by_event: dict[str, list[bool]] = {}
    for (record, expected), guess in zip(scored, predicted, strict=True):
        by_event.setdefault(record["event"], []).append(expected == guess)
    figures["skipped"] = len(records) - len(scored)
    figures["by_plover_event"] = {
        event: {"n": len(hits), "accuracy": round(sum(hits) / len(hits), 4)}
        for event, hits in sorted(by_event.items())
    }
    return figures
