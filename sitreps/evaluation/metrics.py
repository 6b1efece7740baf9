"""Small shared metrics: distances, precision/recall/F1 and reliability of confidences."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Confidence bins of the reliability tables: a calibrated 0.9 is right nine times in ten.
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, true_positives: int, predicted: int, gold: int) -> PRF:
        precision = true_positives / predicted if predicted else 0.0
        recall = true_positives / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(round(precision, 4), round(recall, 4), round(f1, 4))


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def reliability(scored: Iterable[tuple[float, bool]]) -> dict[str, dict[str, Any]]:
    """Per confidence bin: how many, the mean confidence, and the share that was right."""
    bins: dict[str, list[tuple[float, bool]]] = {}
    for confidence, right in scored:
        index = min(
            (i for i in range(len(BINS) - 1) if confidence < BINS[i + 1]), default=len(BINS) - 2
        )
        bins.setdefault(f"{BINS[index]:.1f}-{BINS[index + 1]:.1f}", []).append((confidence, right))
    return {
        label: {
            "n": len(rows),
            "mean_confidence": round(math.fsum(c for c, _ in rows) / len(rows), 3),
            "right": round(sum(r for _, r in rows) / len(rows), 3),
        }
        for label, rows in sorted(bins.items())
    }


def kept_above(scored: Iterable[tuple[float, bool]], threshold: float) -> dict[str, float | None]:
    """What a confidence cut-off keeps: the share of answers kept and the share of them right."""
    rows = list(scored)
    kept = [right for confidence, right in rows if confidence >= threshold]
    return {
        "kept": round(len(kept) / len(rows), 4) if rows else None,
        "right": round(sum(kept) / len(kept), 4) if kept else None,
    }
