"""Incidents: the reports of one happening, across outlets, found event by event.

Each event becomes a `Mention` with what can tell two reports of one incident from two
similar incidents: when (its date interval, widened by its time precision), where (its
point, with a radius set by its geo precision), what (ACLED type, actors, targets, the
names it mentions) and how it is told (a sentence embedding of its evidence).

Clustering is incremental and deterministic: mentions are placed one by one, in the order
given; each joins the incident it fits best, or opens a new one. Blocking comes first:
two mentions whose dates cannot overlap, or whose points lie too far apart for their
precision, or that come from the same report, are never the same incident; nor are two
events unless both say when and where (words and names alone join no events). Among the
rest, a mention joins the incident to whose mentions it is most similar on average, when
that average reaches `threshold`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from sitreps.embeddings import Vectors, encode
from sitreps.gazetteer import distance_km
from sitreps.model import Analysis

# How far an event's stated date may be from the real one, by ACLED time precision.
DATE_SLACK_DAYS = {1: 1, 2: 7, 3: 31}
UNDATED_SLACK_DAYS = 3  # an undated event is taken to lie within days of its publication
# How far an event's point may be from the real place, by ACLED geo precision.
RADIUS_KM = {1: 25.0, 2: 50.0, 3: 250.0}
THRESHOLD = 0.5  # see docs/quality.md, Incidents

# Weights of the similarity's parts; they sum to 1.
TEXT, NAMES, KIND, PLACE = 0.55, 0.2, 0.1, 0.15


@dataclass
class Mention:
    key: str  # "<report id>:<event id>", or a document id
    report_id: str
    text: str  # what is embedded: the evidence sentences and the title
    names: frozenset[str] = frozenset()  # places, actors, targets, people: lower case
    event_type: str | None = None
    sub_event_type: str | None = None
    window: tuple[date, date] | None = None
    point: tuple[float, float] | None = None
    radius_km: float = RADIUS_KM[3]
    vector: Vectors | None = None
    language: str = "en"  # of the report: the embedding compares English texts only


@dataclass
class Incident:
    id: str
    mentions: list[Mention] = field(default_factory=list)


def _window(start: date, end: date | None, precision: int | None) -> tuple[date, date]:
    slack = timedelta(days=DATE_SLACK_DAYS.get(precision or 3, 31))
    return start - slack, (end or start) + slack


def mentions_of(analysis: Analysis) -> list[Mention]:
    """One mention per event of an analysed report."""
    report = analysis.report
    published = report.published_at.date() if report.published_at else None
    found = []
    for event in analysis.events:
        place = analysis.place(event.location) if event.location else None
        if event.date_start is not None:
            window = _window(event.date_start, event.date_end, event.time_precision)
        elif published is not None:
            slack = timedelta(days=UNDATED_SLACK_DAYS)
            window = (published - slack, published)
        else:
            window = None
        names = {t.kind for t in event.targets}
        names |= {a.name.lower() for a in (event.actor1, event.actor2) if a is not None}
        if place is not None and place.name:
            names.add(place.name.lower())
        evidence = " ".join(span.text.strip() for span in event.evidence)
        point = None
        if place is not None and place.lat is not None and place.lon is not None:
            point = (place.lat, place.lon)
        found.append(
            Mention(
                key=f"{report.id}:{event.id}",
                report_id=report.id,
                text=f"{report.title or ''}. {evidence}".strip(". "),
                names=frozenset(n.lower() for n in names),
                event_type=event.event_type,
                sub_event_type=event.sub_event_type,
                window=window,
                point=point,
                radius_km=RADIUS_KM[event.geo_precision or 3],
                language=report.language,
            )
        )
    return found


def embed(mentions: list[Mention]) -> None:
    """Give each mention without a vector the embedding of its text."""
    missing = [m for m in mentions if m.vector is None]
    for mention, vector in zip(missing, encode([m.text for m in missing]), strict=True):
        mention.vector = vector


def event_vectors(analysis: Analysis) -> list[Vectors]:
    """The embedding of each event of a report, as its mention is matched."""
    return list(encode([mention.text for mention in mentions_of(analysis)]))


def compatible(a: Mention, b: Mention) -> bool:
    """Whether two mentions could be one incident at all. Two events are one only where
    both say when and where, and those agree: words and famous names alone never join
    them. Documents that are no coded event (ECB+'s) are compared on what they have."""
    if a.report_id == b.report_id:
        return False  # a report's own events are distinct events already
    if a.event_type and b.event_type and not (a.window and b.window and a.point and b.point):
        return False
    if a.window and b.window and (a.window[1] < b.window[0] or b.window[1] < a.window[0]):
        return False
    if a.point and b.point:
        return distance_km(*a.point, *b.point) <= max(a.radius_km, b.radius_km)
    return True


def similarity(a: Mention, b: Mention) -> float:
    """Weighted agreement of text, names, kind and place, over the parts both mentions have:
    two documents with no event type or point are compared on text and names alone, and
    two reports not both in English on all but their text (the sentence embedding reads
    English: a Ukrainian post and an English wire story about one strike are as far apart
    there as two unrelated texts)."""
    assert a.vector is not None and b.vector is not None
    union = a.names | b.names
    parts = [(NAMES, len(a.names & b.names) / len(union) if union else 0.0)]
    if a.language == b.language == "en":
        parts.append((TEXT, float(np.dot(a.vector, b.vector))))
    if a.event_type and b.event_type:
        same_sub = a.sub_event_type == b.sub_event_type
        parts.append((KIND, 1.0 if same_sub else 0.5 if a.event_type == b.event_type else 0.0))
    if a.point and b.point:
        parts.append((PLACE, 1.0))  # compatible() has checked the distance
    return sum(w * s for w, s in parts) / sum(w for w, _ in parts)


class Clusterer:
    """Places mentions into incidents one at a time; the same order gives the same result."""

    def __init__(self, incidents: Iterable[Incident] = (), threshold: float = THRESHOLD) -> None:
        self.incidents = list(incidents)
        self.threshold = threshold

    def add(self, mention: Mention, new_id: str) -> Incident:
        best: tuple[float, int] | None = None
        for position, incident in enumerate(self.incidents):
            scores = [similarity(mention, m) for m in incident.mentions if compatible(mention, m)]
            if len(scores) == len(incident.mentions) and scores:
                score = sum(scores) / len(scores)  # average linkage: no chaining
                if score >= self.threshold and (best is None or score > best[0]):
                    best = (score, position)
        if best is None:
            incident = Incident(id=new_id, mentions=[mention])
            self.incidents.append(incident)
            return incident
        chosen = self.incidents[best[1]]
        chosen.mentions.append(mention)
        return chosen


def cluster(mentions: list[Mention], threshold: float = THRESHOLD) -> list[Incident]:
    embed(mentions)
    clusterer = Clusterer(threshold=threshold)
    for mention in mentions:
        clusterer.add(mention, new_id=f"i{len(clusterer.incidents) + 1}")
    return clusterer.incidents
