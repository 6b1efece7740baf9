"""The learned place ranker: which of a mention's gazetteer candidates the text means.

Each (mention, candidate) pair is described by `FEATURES`: what the candidate is (its kind
of place, population, and how it ranks among the mention's candidates by population), how
its name was matched, what the words around the mention say ("Izium, Kharkiv oblast",
"Ontario County", "the city of"), the countries the report names, and how well it agrees
with the other places of the report (candidates of other mentions nearby, in the same
first-level division or country). A small neural network (one hidden layer) scores each
pair; a softmax over a mention's candidates gives the probability that each is meant.

Trained by `make place-ranker` (scripts/train_place_ranker.py) on the GeoWebNews and LGL
gold sets with the gold mentions given; the script prints document-level cross-validated
figures first. The model is saved as plain arrays (`data/place_ranker.npz`), never a
pickle, with digests of its training texts, so an evaluation can tell a training-fit figure
from a held-out one.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sitreps.gazetteer import EARTH_RADIUS_KM, GazetteerEntry

SHIPPED = "place_ranker.npz"
MAX_CANDIDATES = 40  # the most populous; a mention's rarer namesakes are almost never meant
NEAR_KM = 50.0
DIVISION_WORDS = {
    "oblast", "region", "province", "governorate", "district", "raion", "county", "hromada",
    "community", "state", "parish", "prefecture", "department",
}  # fmt: skip
TOWN_WORDS = {"city", "town", "village", "settlement", "township", "suburb", "port"}

FEATURES = (
    "log_population",  # log10(population + 10) / 7
    "population_below_top",  # how far below the mention's most populous candidate, same scale
    "most_populous",
    "country",
    "first_level",  # A.ADM1
    "second_level",  # A.ADM2
    "lower_level",  # raions' hromadas, city districts and other divisions
    "capital",
    "continent",
    "town",
    "candidates",  # log(1 + number of candidates)
    "fuzzy",  # 1 - similarity / 100 of a spelling match
    "several_words",
    "focus_share",  # share of the report's country mentions and demonyms that name its country
    "focus_top",  # its country is the one the report names most
    "near_any",  # share of the other mentions with a town within NEAR_KM
    "near_weighted",  # ... and the share of their candidates' population there
    "same_division_any",  # share with a candidate in its first-level division
    "same_division_weighted",
    "same_country_any",
    "same_country_weighted",
    # The same six measures over the other mentions of its own sentence only: "just
    # outside Kyiv in the Podilskyi district" is about Kyiv's district, whatever else the
    # report names.
    "sentence_near_any",
    "sentence_near_weighted",
    "sentence_same_division_any",
    "sentence_same_division_weighted",
    "sentence_same_country_any",
    "sentence_same_country_weighted",
    "context_division",  # "Izium, Kharkiv oblast": a division it lies in is named after it
    "context_country",  # "Paris, Texas" / "Paris, France": its country is named after it
    "context_town",  # a place of its division is named after it
    "division_word_division",  # "Ontario County", "Kharkiv oblast": a division or city district
    "division_word_town",  # ... and it is a town
    "town_word_town",  # "the city of X", "X city" and it is a town
    "town_word_division",
    "holds_a_namesake",  # a division, among whose towns is a candidate of the same mention
)

Matrix = npt.NDArray[np.float64]


@dataclass
class Mention:
    """What the ranker knows of one mention: its normalised name and candidates, and the
    words around it."""

    norm: str
    entries: list[GazetteerEntry]
    similarity: float = 100.0
    context: list[GazetteerEntry] = field(default_factory=list)  # the place after a comma
    before: tuple[str, ...] = ()  # lower-cased words just before it
    after: str = ""  # lower-cased word just after it
    sentence: int = -1  # the sentence it is in (its first token's index); -1: unknown


def candidates(entries: Sequence[GazetteerEntry]) -> list[GazetteerEntry]:
    """The candidates ranked: countries and divisions always, towns the most populous."""
    ordered = sorted(entries, key=lambda e: (-e.population, e.geonameid))
    regions = [e for e in ordered if e.is_region]
    return regions + [e for e in ordered if not e.is_region][: MAX_CANDIDATES - len(regions)]


def _points(entries: Sequence[GazetteerEntry]) -> Matrix:
    points: Matrix = np.radians(np.array([[e.lat, e.lon] for e in entries], dtype=np.float64))
    return points


def _distances(a: Matrix, b: Matrix) -> Matrix:
    """Great-circle distances (km) between every point of `a` and every point of `b`."""
    dlat = a[:, None, 0] - b[None, :, 0]
    dlon = a[:, None, 1] - b[None, :, 1]
    cosines = np.cos(a[:, None, 0]) * np.cos(b[None, :, 0])
    h = np.sin(dlat / 2) ** 2 + cosines * np.sin(dlon / 2) ** 2
    distances: Matrix = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return distances


def _is_division(entry: GazetteerEntry) -> bool:
    return entry.feature.startswith("A.ADM")


def _log_population(entry: GazetteerEntry) -> float:
    return math.log10(entry.population + 10) / 7


@dataclass
class _Candidates:
    """Candidates as arrays, for comparing them with other mentions'."""

    entries: list[GazetteerEntry]
    points: Matrix
    regions: npt.NDArray[np.bool_]
    prior: Matrix  # each candidate's share of its mention's candidates' population
    divisions: npt.NDArray[np.int64]  # a number per (country, first-level division); -1: none
    countries: npt.NDArray[np.int64]  # a number per country; -1: none

    @classmethod
    def of(cls, entries: list[GazetteerEntry], numbers: dict[object, int]) -> _Candidates:
        population = np.array([e.population + 1.0 for e in entries])

        def number(key: object, known: bool) -> int:
            return numbers.setdefault(key, len(numbers)) if known else -1

        return cls(
            entries=entries,
            points=_points(entries),
            regions=np.array([e.is_region for e in entries]),
            prior=population / population.sum(),
            divisions=np.array(
                [number((e.country, e.admin1_code), bool(e.admin1_code)) for e in entries]
            ),
            countries=np.array([number(e.country, bool(e.country)) for e in entries]),
        )

    @classmethod
    def joined(cls, parts: Sequence[_Candidates]) -> _Candidates:
        return cls(
            entries=[entry for part in parts for entry in part.entries],
            points=np.concatenate([part.points for part in parts]),
            regions=np.concatenate([part.regions for part in parts]),
            prior=np.concatenate([part.prior for part in parts]),
            divisions=np.concatenate([part.divisions for part in parts]),
            countries=np.concatenate([part.countries for part in parts]),
        )


AGREEMENT_MEASURES = 6  # near, same division, same country: each as "any" and "weighted"
ROWS_AT_ONCE = 256  # candidates compared with all others in one step: memory, not speed
REPORT_AGREEMENT = slice(FEATURES.index("near_any"), FEATURES.index("same_country_weighted") + 1)
SENTENCE_AGREEMENT = slice(
    FEATURES.index("sentence_near_any"), FEATURES.index("sentence_same_country_weighted") + 1
)


def _agreements(
    parts: Sequence[_Candidates], selections: Sequence[npt.NDArray[np.bool_]]
) -> list[Matrix]:
    """How well each candidate agrees with other mentions of the report: the share of them
    with a town within NEAR_KM, and the share of their candidates' population (a prior of
    which one is meant) nearby, in its first-level division and in its country. A mention's
    candidates are compared with the mentions its row of a selection (mentions × mentions)
    marks; one matrix per selection, a row per candidate of `parts` in order, a column per
    measure."""
    everyone = _Candidates.joined(parts)
    sizes = np.array([len(part.entries) for part in parts])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owners = np.repeat(np.arange(len(parts)), sizes)
    towns = ~everyone.regions
    found = [np.zeros((len(everyone.entries), AGREEMENT_MEASURES)) for _ in selections]
    for first in range(0, len(everyone.entries), ROWS_AT_ONCE):
        rows = slice(first, first + ROWS_AT_ONCE)
        # a country's or division's point is no place to be near
        near = (_distances(everyone.points[rows], everyone.points) < NEAR_KM) & towns[None, :]
        near &= towns[rows, None]
        divisions, countries = everyone.divisions[rows, None], everyone.countries[rows, None]
        same_division = (divisions == everyone.divisions[None, :]) & (divisions >= 0)
        same_country = (countries == everyone.countries[None, :]) & (countries >= 0)
        by_mention = []  # per measure: candidates × mentions
        for agrees in (near, same_division, same_country):
            by_mention.append(np.maximum.reduceat(agrees, starts, axis=1).astype(np.float64))
            by_mention.append(np.add.reduceat(agrees * everyone.prior[None, :], starts, axis=1))
        for selection, matrix in zip(selections, found, strict=True):
            chosen = selection[owners[rows]].astype(np.float64)
            counts = np.maximum(chosen.sum(axis=1), 1.0)
            for column, measure in enumerate(by_mention):
                matrix[rows, column] = (measure * chosen).sum(axis=1) / counts
    return found


class Report:
    """A report's mentions, their candidates and what is known of each candidate alone,
    worked out once: `features` then describes any of the mentions among one another (the
    places stage ranks every mention, then again without those that are no places)."""

    def __init__(self, mentions: Sequence[Mention], focus: Counter[str]) -> None:
        numbers: dict[object, int] = {}
        self.mentions = list(mentions)
        self.candidates = [_Candidates.of(candidates(m.entries), numbers) for m in mentions]
        self._alone = [
            _features_alone(mention, found.entries, focus)
            for mention, found in zip(self.mentions, self.candidates, strict=True)
        ]

    def features(self, chosen: Sequence[int] | None = None) -> list[Matrix]:
        """One matrix per chosen mention (all by default), describing it among the chosen
        ones: a row per candidate (as `candidates` orders them), a column per feature of
        `FEATURES`."""
        chosen = list(range(len(self.mentions)) if chosen is None else chosen)
        if not chosen:
            return []
        norms = np.array([self.mentions[i].norm for i in chosen])
        sentences = np.array([self.mentions[i].sentence for i in chosen])
        # Other mentions of other names: a name said twice is no agreement with itself.
        others = norms[:, None] != norms[None, :]
        in_sentence = (
            others & (sentences[:, None] == sentences[None, :]) & (sentences >= 0)[:, None]
        )
        parts = [self.candidates[i] for i in chosen]
        in_report, in_its_sentence = _agreements(parts, [others, in_sentence])
        matrices = []
        first = 0
        for i, part in zip(chosen, parts, strict=True):
            rows = slice(first, first + len(part.entries))
            matrix = self._alone[i].copy()
            matrix[:, REPORT_AGREEMENT] = in_report[rows]
            matrix[:, SENTENCE_AGREEMENT] = in_its_sentence[rows]
            matrices.append(matrix)
            first = rows.stop
        return matrices


def _features_alone(mention: Mention, entries: list[GazetteerEntry], focus: Counter[str]) -> Matrix:
    """A mention's features that do not depend on the other mentions (theirs are zero)."""
    total_focus = sum(focus.values())
    top_country = focus.most_common(1)[0][0] if focus else None
    top = max(entries, key=lambda e: e.population)
    towns_here = {(e.country, e.admin1_code) for e in entries if e.feature.startswith("P.")}
    # Kind words around the mention or inside it: "the city of X", "X oblast".
    words = {*mention.before, mention.after, mention.norm.rsplit(" ", 1)[-1]}
    division_word, town_word = bool(words & DIVISION_WORDS), bool(words & TOWN_WORDS)
    agreement = [0.0] * (2 * AGREEMENT_MEASURES)
    rows = []
    for entry in entries:
        context = [c for c in mention.context if c.country == entry.country]
        in_context_division = any(
            c.feature == "A.ADM1" and c.admin1_code == entry.admin1_code for c in context
        )
        near_context_town = any(
            c.admin1_code == entry.admin1_code and not c.is_region for c in context
        )
        # A city's district ("Kyiv's Podilskyi district") answers a division word.
        is_part = _is_division(entry) or entry.feature == "P.PPLX"
        is_town = entry.feature.startswith("P.")
        rows.append(
            [
                _log_population(entry),
                _log_population(top) - _log_population(entry),
                float(entry.population == top.population),
                float(entry.is_country),
                float(entry.feature == "A.ADM1"),
                float(entry.feature == "A.ADM2"),
                float(entry.feature in {"A.ADM3", "A.ADMD", "P.PPLX"}),
                float(entry.feature == "P.PPLC"),
                float(entry.feature == "L.CONT"),
                float(is_town),
                math.log1p(len(entries)),
                1 - mention.similarity / 100,
                float(" " in mention.norm),
                focus[entry.country or ""] / total_focus if total_focus else 0.0,
                float(entry.country is not None and entry.country == top_country),
                *agreement,
                float(in_context_division),
                float(any(c.is_country for c in context)),
                float(near_context_town),
                float(division_word and is_part),
                float(division_word and is_town and not is_part),
                float(town_word and is_town and not is_part),
                float(town_word and is_part),
                float(_is_division(entry) and (entry.country, entry.admin1_code) in towns_here),
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(entries), len(FEATURES))


def features(mentions: Sequence[Mention], focus: Counter[str]) -> list[Matrix]:
    """One matrix per mention: a row per candidate (as `candidates` orders them), a column
    per feature of `FEATURES`."""
    return Report(mentions, focus).features()


@dataclass(frozen=True)
class Ranker:
    """A one-hidden-layer network over standardised features: a score per candidate."""

    mean: Matrix
    scale: Matrix
    hidden_weights: Matrix
    hidden_bias: Matrix
    output_weights: Matrix
    output_bias: float
    training_digests: frozenset[str] = frozenset()

    def scores(self, matrix: Matrix) -> Matrix:
        standard = (matrix - self.mean) / self.scale
        hidden = np.maximum(0.0, standard @ self.hidden_weights + self.hidden_bias)
        scores: Matrix = (hidden @ self.output_weights).ravel() + self.output_bias
        return scores

    def probabilities(self, matrix: Matrix) -> Matrix:
        """The probability that each candidate is the one meant (softmax of the scores)."""
        scores = self.scores(matrix)
        weights: Matrix = np.exp(scores - scores.max())
        probabilities: Matrix = weights / weights.sum()
        return probabilities

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            features=np.array(FEATURES),
            mean=self.mean,
            scale=self.scale,
            hidden_weights=self.hidden_weights,
            hidden_bias=self.hidden_bias,
            output_weights=self.output_weights,
            output_bias=np.array([self.output_bias]),
            training_digests=np.array(sorted(self.training_digests)),
        )


def digest(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def load(path: Path | Any) -> Ranker:
    with np.load(path, allow_pickle=False) as data:
        if tuple(str(f) for f in data["features"]) != FEATURES:
            raise ValueError(f"{path} was trained on other features: retrain it")
        return Ranker(
            mean=data["mean"],
            scale=data["scale"],
            hidden_weights=data["hidden_weights"],
            hidden_bias=data["hidden_bias"],
            output_weights=data["output_weights"],
            output_bias=float(data["output_bias"][0]),
            training_digests=frozenset(str(d) for d in data["training_digests"]),
        )


@cache
def shipped() -> Ranker:
    with resources.as_file(resources.files("sitreps").joinpath("data", SHIPPED)) as path:
        return load(path)


HIDDEN = 8  # as good held out as 32 on the gold sets, and steadier on war reports
EPOCHS = 400
LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-3


def fit(
    matrices: Sequence[Matrix], labels: Sequence[npt.NDArray[np.bool_]], digests: Sequence[str] = ()
) -> Ranker:
    """Train on mentions (a feature matrix and the candidates that are right, at least one
    each): the network's softmax over each mention's candidates is fitted to put its
    probability on the right ones."""
    import torch

    torch.manual_seed(0)
    width = max(len(m) for m in matrices)
    stacked = np.concatenate(matrices)
    mean = stacked.mean(axis=0)
    scale = np.where(stacked.std(axis=0) > 1e-9, stacked.std(axis=0), 1.0)
    x = np.zeros((len(matrices), width, len(FEATURES)))
    present = np.zeros((len(matrices), width), dtype=bool)
    right = np.zeros((len(matrices), width), dtype=bool)
    for i, (matrix, label) in enumerate(zip(matrices, labels, strict=True)):
        x[i, : len(matrix)] = (matrix - mean) / scale
        present[i, : len(matrix)] = True
        right[i, : len(matrix)] = label
    inputs = torch.tensor(x, dtype=torch.float32)
    absent = torch.tensor(~present)
    wrong = torch.tensor(~right)
    hidden = torch.nn.Linear(len(FEATURES), HIDDEN)
    output = torch.nn.Linear(HIDDEN, 1)
    network = torch.nn.Sequential(hidden, torch.nn.ReLU(), output)
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    for _ in range(EPOCHS):
        optimiser.zero_grad()
        scores = network(inputs).squeeze(-1).masked_fill(absent, -1e9)
        # -log of the probability the softmax puts on the right candidates
        loss = (
            torch.logsumexp(scores, dim=1) - torch.logsumexp(scores.masked_fill(wrong, -1e9), dim=1)
        ).mean()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
    return Ranker(
        mean=mean,
        scale=scale,
        hidden_weights=hidden.weight.detach().numpy().T.astype(np.float64),
        hidden_bias=hidden.bias.detach().numpy().astype(np.float64),
        output_weights=output.weight.detach().numpy().T.astype(np.float64),
        output_bias=float(output.bias.detach().numpy()[0]),
        training_digests=frozenset(digests),
    )
