"""Events on real war reports, end to end, against articles coded by hand (ACLED style).

The format and the scoring rules are those of `war/README.md` beside the gold sets: each
article (`id`, `title`, `text`) carries its gold `events`, `[]` when it reports none. A
predicted event matches a gold event of the same article when both have the same ACLED
event type and their places agree (points within 50 km, or the same country where the gold
place is a region or a country, geo_precision 3); pairs are matched one to one, closest
first. Articles without events count too: an event where none happened is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitreps import progress
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF, reliability
from sitreps.gazetteer import distance_km
from sitreps.model import Analysis, Event, Mode
from sitreps.pipeline import analyze

MATCH_KM = 50.0
PLACE_KM = 10.0
REGION = 3  # ACLED geo_precision of a region or a country
EXAMPLES_SHOWN = 15


@dataclass(frozen=True)
class GoldEvent:
    event_type: str
    sub_event_type: str | None
    actor1: str | None
    lat: float | None
    lon: float | None
    country: str | None
    geo_precision: int | None
    fatalities: int | None
    evidence: str

    @classmethod
    def read(cls, record: dict[str, Any], where: str) -> GoldEvent:
        if not isinstance(record.get("event_type"), str):
            raise ValueError(f"{where}: a gold event lacks its event_type")
        location = record.get("location") or {}
        return cls(
            event_type=record["event_type"],
            sub_event_type=record.get("sub_event_type"),
            actor1=record.get("actor1"),
            lat=location.get("lat"),
            lon=location.get("lon"),
            country=location.get("country"),
            geo_precision=location.get("geo_precision"),
            fatalities=record.get("fatalities"),
            evidence=str(record.get("evidence") or ""),
        )


@dataclass(frozen=True)
class PredictedEvent:
    event_type: str
    sub_event_type: str
    actor1: str | None
    lat: float | None
    lon: float | None
    country: str | None
    place: str | None
    fatalities: int | None
    confidence: float
    place_confidence: float | None
    evidence: str

    @classmethod
    def of(cls, event: Event, analysis: Analysis) -> PredictedEvent:
        place = analysis.place(event.location) if event.location else None
        fatalities = event.fatalities
        return cls(
            event_type=event.event_type,
            sub_event_type=event.sub_event_type,
            actor1=event.actor1.name if event.actor1 else None,
            lat=place.lat if place else None,
            lon=place.lon if place else None,
            country=place.country if place else None,
            place=f"{place.surface} -> {place.name}, {place.country}" if place else None,
            # ACLED codes the lowest figure stated ("at least 143" -> 143), as the export does
            fatalities=fatalities.low if fatalities else None,
            confidence=event.confidence,
            place_confidence=place.confidence if place else None,
            evidence=" ".join(span.text for span in event.evidence),
        )


def place_distance(gold: GoldEvent, predicted: PredictedEvent) -> float | None:
    """How far apart the two places are, 0 for a country-level gold place in the predicted
    place's country; None when they do not agree (README: 50 km, or the same country)."""
    if predicted.lat is None or predicted.lon is None:
        return None
    if gold.lat is not None and gold.lon is not None:
        km = distance_km(gold.lat, gold.lon, predicted.lat, predicted.lon)
        if km <= MATCH_KM:
            return km
    regional = gold.geo_precision == REGION or gold.lat is None or gold.lon is None
    if regional and gold.country is not None and gold.country == predicted.country:
        return 0.0 if gold.lat is None else MATCH_KM
    return None


def match(gold: list[GoldEvent], predicted: list[PredictedEvent]) -> list[tuple[int, int, float]]:
    """One-to-one pairs (gold index, predicted index, km) of the same event type whose places
    agree, closest first."""
    candidates = sorted(
        (km, g, p)
        for g, gold_event in enumerate(gold)
        for p, predicted_event in enumerate(predicted)
        if gold_event.event_type == predicted_event.event_type
        and (km := place_distance(gold_event, predicted_event)) is not None
    )
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for km, g, p in candidates:
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
            pairs.append((g, p, km))
    return pairs


def _same_actor(gold: str | None, predicted: str | None) -> bool:
    return (gold or "").casefold() == (predicted or "").casefold()


def _share(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def read_articles(path: Path) -> list[dict[str, Any]]:
    articles = []
    for number, record in enumerate(read_jsonl(path), start=1):
        where = f"{path}:{number}"
        if not isinstance(record.get("text"), str) or not isinstance(record.get("events"), list):
            raise ValueError(f"{where}: a record needs a `text` and a list of `events`")
        record["gold"] = [GoldEvent.read(event, where) for event in record["events"]]
        articles.append(record)
    if not articles:
        raise ValueError(f"{path}: no articles")
    return articles


def evaluate_war_events(path: Path, mode: Mode = Mode.FULL) -> dict[str, Any]:
    """Event P/R/F1 over the articles of a hand-coded file, accuracy of the matched events'
    sub-event type, actor1, place and fatalities, and the spurious-article rate."""
    articles = read_articles(path)
    n_gold = n_predicted = n_matched = 0
    sub_event = actor1 = place = place_n = fatalities = fatalities_n = 0
    quiet_articles = spurious_articles = 0
    event_confidence: list[tuple[float, bool]] = []
    place_confidence: list[tuple[float, bool]] = []
    missed: list[dict[str, Any]] = []
    spurious: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    for article in progress.track(articles, "evaluating articles"):
        analysis = analyze(article["text"], title=article.get("title"), mode=mode)
        gold: list[GoldEvent] = article["gold"]
        predicted = [PredictedEvent.of(event, analysis) for event in analysis.events]
        pairs = match(gold, predicted)
        n_gold += len(gold)
        n_predicted += len(predicted)
        n_matched += len(pairs)
        if not gold:
            quiet_articles += 1
            spurious_articles += bool(predicted)
        matched_predicted = {p for _, p, _ in pairs}
        for g, p, _ in pairs:
            gold_event, predicted_event = gold[g], predicted[p]
            sub_event += gold_event.sub_event_type == predicted_event.sub_event_type
            actor1 += _same_actor(gold_event.actor1, predicted_event.actor1)
            if gold_event.lat is not None and gold_event.lon is not None:
                assert predicted_event.lat is not None and predicted_event.lon is not None
                place_n += 1
                km = distance_km(
                    gold_event.lat, gold_event.lon, predicted_event.lat, predicted_event.lon
                )
                place += km <= PLACE_KM
                if predicted_event.place_confidence is not None:
                    place_confidence.append((predicted_event.place_confidence, km <= PLACE_KM))
            if gold_event.fatalities is not None or predicted_event.fatalities is not None:
                fatalities_n += 1
                fatalities += gold_event.fatalities == predicted_event.fatalities
            if gold_event.sub_event_type != predicted_event.sub_event_type or not _same_actor(
                gold_event.actor1, predicted_event.actor1
            ):
                wrong.append(
                    {
                        "article": article.get("id"),
                        "gold": f"{gold_event.sub_event_type} by {gold_event.actor1}",
                        "predicted": f"{predicted_event.sub_event_type} by "
                        f"{predicted_event.actor1}",
                    }
                )
        event_confidence += [
            (event.confidence, index in matched_predicted) for index, event in enumerate(predicted)
        ]
        matched_gold = {g for g, _, _ in pairs}
        missed += [
            {
                "article": article.get("id"),
                "gold": f"{event.sub_event_type} at "
                f"{event.country or '?'} ({event.lat}, {event.lon})",
                "evidence": event.evidence[:120],
            }
            for index, event in enumerate(gold)
            if index not in matched_gold
        ]
        spurious += [
            {
                "article": article.get("id"),
                "predicted": f"{event.sub_event_type} at {event.place or 'no place'}",
                "evidence": event.evidence[:120],
            }
            for index, event in enumerate(predicted)
            if index not in matched_predicted
        ]
    scores = PRF.from_counts(n_matched, n_predicted, n_gold)
    return {
        "articles": len(articles),
        "gold_events": n_gold,
        "predicted_events": n_predicted,
        "matched_events": n_matched,
        "event_precision": scores.precision,
        "event_recall": scores.recall,
        "event_f1": scores.f1,
        "sub_event_type_accuracy": _share(sub_event, n_matched),
        "actor1_accuracy": _share(actor1, n_matched),
        "place_within_10km": _share(place, place_n),
        "fatalities_accuracy": _share(fatalities, fatalities_n),
        "fatalities_compared": fatalities_n,
        "articles_without_events": quiet_articles,
        "spurious_article_rate": _share(spurious_articles, quiet_articles),
        "event_confidence_reliability": reliability(event_confidence),
        "place_confidence_reliability": reliability(place_confidence),
        "missed_events": missed[:EXAMPLES_SHOWN],
        "spurious_events": spurious[:EXAMPLES_SHOWN],
        "wrongly_coded_events": wrong[:EXAMPLES_SHOWN],
    }
