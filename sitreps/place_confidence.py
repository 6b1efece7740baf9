"""How likely a found place mention is a place and resolved right: a logistic model over
what the places stage knows of the mention (`data/place_confidence.json`, plain numbers).

Trained by `make place-model` (scripts/train_place_confidence.py, after the ranker) on the
GeoWebNews and LGL gold sets end to end, where "right" means the mention is a gold toponym
resolved to its place or within 161 km; the script prints its document-level
cross-validated reliability first.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

FEATURES = (
    "ranker_probability",  # the place ranker's probability of its best candidate
    "fuzzy",  # matched by spelling distance
    "recognised",  # the entity recogniser calls the mention itself a place
    "locative",  # a locative word before it: "in", "near", "the city of"
    "several_words",
    "division_or_context",  # "Kharkiv oblast", "Izium, Kharkiv oblast"
    "country",
    "region",  # a first-level division or a continent
    "population",  # log10(population + 10) / 7
    "candidates",  # log(1 + number of candidates)
    "in_focus",  # the best candidate lies in a country the report is about
    "sentence_start",  # its capital letter may be the sentence's
)


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: list[float]) -> float:
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1 / (1 + math.exp(-z))


@cache
def shipped() -> Calibration:
    data = json.loads(
        resources.files("sitreps").joinpath("data", "place_confidence.json").read_text()
    )
    if tuple(data["features"]) != FEATURES:
        raise ValueError("data/place_confidence.json was trained on other features: retrain it")
    return Calibration(tuple(float(w) for w in data["weights"]), float(data["bias"]))
