"""Incidents: the reports of one happening, across outlets, found event by event.

Each event becomes a `Mention` with what can tell two reports of one incident from two
similar incidents: when (its date interval, widened by its time precision), where (its
point, with a radius set by its geo precision), what (ACLED type, actors, targets, the
names it mentions) and how it is told (a sentence embedding of its evidence).

Clustering is incremental and deterministic: mentions are placed one by one, in the order
given; each joins the incident it fits best, or opens a new one. Blocking comes first: a
report's own events are distinct events; an event joins only events that say when and
where (words and names alone join none); its dates must overlap every member's, and its
point lie near the members' mean point. Among the rest, a mention joins the incident to
whose members it is most similar on average (the text by the members' centroid; no
chaining), when that reaches `threshold`. An incident is matched through its `Summary`,
sums and counts over its members, so matching costs the same whatever its size.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from sitreps.embeddings import DIMENSIONS, Vectors, encode
from sitreps.gazetteer import distance_km
from sitreps.model import Analysis

# How far an event's stated date may be from the real one, by ACLED time precision.
DATE_SLACK_DAYS = {1: 1, 2: 7, 3: 31}
UNDATED_SLACK_DAYS = 3  # an undated event is taken to lie within days of its publication
# How far an event's point may be from the real place, by ACLED geo precision.
RADIUS_KM = {1: 25.0, 2: 50.0, 3: 250.0}
THRESHOLD = 0.55  # see docs/quality.md, Incidents

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
    """An incident as matching sees it: its summary, the reports it holds (a report's own
    events are distinct events already) and, when clustered in memory, its mentions."""

    id: str
    summary: Summary = field(default_factory=lambda: Summary())
    reports: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)

    def join(self, mention: Mention) -> None:
        self.summary.add(mention)
        self.reports.add(mention.report_id)
        self.mentions.append(mention)


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
    summary = Summary()
    summary.add(b)
    return a.report_id != b.report_id and summary.admits(a)


@dataclass
class _Part:
    """An incident's members that have the same parts of the similarity (English text, an
    event type, a point): sums over them give the sum of their similarities to a mention."""

    members: int = 0
    vector: npt.NDArray[np.float64] | None = None  # the sum of their embeddings, in English
    # name: the sum of 1 / sqrt(|names|) over the members that have it, so that the sum of
    # the cosines |a ∩ m| / sqrt(|a| |m|) of a mention's names with theirs can be kept
    names: dict[str, float] = field(default_factory=dict)
    event_types: Counter[str] = field(default_factory=Counter)
    sub_event_types: Counter[str] = field(default_factory=Counter)


def _part_key(mention: Mention) -> str:
    english = mention.language == "en"
    return f"{english:d}{mention.event_type is not None:d}{mention.point is not None:d}"


@dataclass
class Summary:
    """What matching needs of an incident's mentions, kept up to date as they join: counts
    and sums, so that a mention is matched against an incident of hundreds of reports as
    fast as against one of three. Its similarity to a mention is the weighted agreement
    of names (the cosine of two name sets), kind, place and text over the parts both have
    (two documents with no event type or point are compared on text and names alone; a
    report not in English on all but its text, which the English sentence embedding
    cannot compare), averaged over the members, except that the text is compared with the
    members' centroid (the cosine to the sum of their embeddings), which is more robust to
    one member told differently (docs/quality.md, Incidents). The date bounds are exact;
    the place is the members' mean point, within the smallest radius of theirs or the
    mention's."""

    members: int = 0
    parts: dict[str, _Part] = field(default_factory=dict)
    latest_start: date | None = None  # of the members' date windows
    earliest_end: date | None = None
    typed: int = 0  # members that are coded events
    typed_unplaced: int = 0  # ... without a date window or a point: they join nothing
    located: int = 0
    latitude_sum: float = 0.0
    longitude_sum: float = 0.0
    radius_km: float = RADIUS_KM[3]  # the smallest of the located members'

    def add(self, mention: Mention) -> None:
        self.members += 1
        part = self.parts.setdefault(_part_key(mention), _Part())
        part.members += 1
        if mention.language == "en" and mention.vector is not None:
            vector = mention.vector.astype(np.float64)
            part.vector = vector if part.vector is None else part.vector + vector
        for name in mention.names:
            part.names[name] = part.names.get(name, 0.0) + 1 / math.sqrt(len(mention.names))
        if mention.event_type:
            part.event_types[mention.event_type] += 1
            part.sub_event_types[mention.sub_event_type or ""] += 1
            self.typed += 1
            self.typed_unplaced += not (mention.window and mention.point)
        if mention.window:
            start, end = mention.window
            self.latest_start = max(start, self.latest_start or start)
            self.earliest_end = min(end, self.earliest_end or end)
        if mention.point:
            self.located += 1
            self.latitude_sum += mention.point[0]
            self.longitude_sum += mention.point[1]
            self.radius_km = min(mention.radius_km, self.radius_km)

    @property
    def point(self) -> tuple[float, float] | None:
        if not self.located:
            return None
        return self.latitude_sum / self.located, self.longitude_sum / self.located

    def admits(self, mention: Mention) -> bool:
        """Whether the mention could join these members: events only where all say when and
        where (words and famous names alone never join them), dates that overlap every
        member's, a point near theirs. (Two events of one report are the caller's check.)"""
        if mention.event_type:
            placed = mention.window and mention.point
            if self.typed_unplaced if placed else self.typed:
                return False
        if mention.window and self.latest_start and self.earliest_end:
            start, end = mention.window
            if end < self.latest_start or start > self.earliest_end:
                return False
        point = self.point
        if mention.point and point:
            return distance_km(*mention.point, *point) <= max(mention.radius_km, self.radius_km)
        return True

    def similarity(self, mention: Mention) -> float:
        """The members' average similarity to the mention, the text part by centroid."""
        assert mention.vector is not None
        total = 0.0
        for key, part in self.parts.items():
            english, typed, located = (flag == "1" for flag in key)
            weights = NAMES
            names = sum(part.names.get(name, 0.0) for name in mention.names)
            score = NAMES * names / math.sqrt(len(mention.names)) if mention.names else 0.0
            if english and mention.language == "en" and part.vector is not None:
                weights += TEXT
                length = float(np.linalg.norm(part.vector))
                cosine = float(np.dot(mention.vector, part.vector)) / length if length else 0.0
                score += TEXT * part.members * cosine
            if typed and mention.event_type:
                same_type = part.event_types[mention.event_type]
                same_sub = part.sub_event_types[mention.sub_event_type or ""] if same_type else 0
                weights += KIND
                score += KIND * (same_sub + 0.5 * (same_type - same_sub))
            if located and mention.point:
                weights += PLACE
                score += PLACE * part.members  # admits() has checked the distance
            total += score / weights
        return total / self.members if self.members else 0.0

    def dump(self) -> tuple[str, bytes]:
        """The summary as JSON and its parts' vector sums as float64 bytes, for a store."""
        parts = {
            key: [p.members, p.vector is not None, p.names, p.event_types, p.sub_event_types]
            for key, p in self.parts.items()
        }
        scalars = {k: v for k, v in vars(self).items() if k != "parts"}
        for bound in ("latest_start", "earliest_end"):
            scalars[bound] = scalars[bound] and scalars[bound].isoformat()
        vectors = [p.vector for p in self.parts.values() if p.vector is not None]
        summed = np.concatenate(vectors) if vectors else np.zeros(0)
        return json.dumps(scalars | {"parts": parts}), summed.tobytes()

    @classmethod
    def load(cls, text: str, vectors: bytes) -> Summary:
        found = json.loads(text)
        sums = iter(np.frombuffer(vectors, dtype=np.float64).reshape(-1, DIMENSIONS))
        parts = {
            key: _Part(members, next(sums) if embedded else None, names,
                       Counter(types), Counter(sub_types))
            for key, (members, embedded, names, types, sub_types) in found.pop("parts").items()
        }  # fmt: skip
        for bound in ("latest_start", "earliest_end"):
            found[bound] = found[bound] and date.fromisoformat(found[bound])
        return cls(parts=parts, **found)


class Clusterer:
    """Places mentions into incidents one at a time; the same order gives the same result."""

    def __init__(self, incidents: Iterable[Incident] = (), threshold: float = THRESHOLD) -> None:
        self.incidents = list(incidents)
        self.threshold = threshold

    def add(self, mention: Mention, new_id: str) -> Incident:
        best: tuple[float, int] | None = None
        for position, incident in enumerate(self.incidents):
            if mention.report_id in incident.reports or not incident.summary.admits(mention):
                continue
            score = incident.summary.similarity(mention)  # to all its members: no chaining
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, position)
        if best is None:
            chosen = Incident(id=new_id)
            self.incidents.append(chosen)
        else:
            chosen = self.incidents[best[1]]
        chosen.join(mention)
        return chosen


def cluster(mentions: list[Mention], threshold: float = THRESHOLD) -> list[Incident]:
    embed(mentions)
    clusterer = Clusterer(threshold=threshold)
    for mention in mentions:
        clusterer.add(mention, new_id=f"i{len(clusterer.incidents) + 1}")
    return clusterer.incidents
