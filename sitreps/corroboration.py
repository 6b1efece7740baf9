"""Corroboration of an incident: who independently says it happened, and where they disagree.

The reports of an incident are grouped by the original voice behind each event: the
innermost source of its claims. Sources that share an affiliation in the source registry
("Government of Russia": the ministry and TASS) are one group; so are two outlets
repeating one Telegram channel. An outlet speaking in its own voice, or quoting sources
it does not name, is its own group: its anonymous sources are only as independent as it
is; and where a report names who told it, the report's own retelling of the event is no
second voice. A source named by its role alone ("the governor", "the ministry") is
grouped with the body it speaks for: local authorities of the event's region, or the
government of its country (the outlet's, when an official statement says "the
ministry"). Residents and other witnesses an outlet spoke to are a voice of their own.
sitreps never decides who is right: it counts voices and shows disagreements.

Status: `contested` when groups state numbers of dead or injured that cannot both be true
(counts of strikes are not compared: "eight strikes on the city" and "ten in all" can both
hold), or a report denies it; else `corroborated` with two or more independent groups;
else `single-source`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sitreps.gazetteer import country_name
from sitreps.model import (
    Analysis,
    Certainty,
    Claim,
    ClaimKind,
    Event,
    Quantity,
    Source,
    SourceKind,
)


class Status(StrEnum):
    CORROBORATED = "corroborated"
    SINGLE_SOURCE = "single-source"
    CONTESTED = "contested"


@dataclass
class Voice:
    """One independent group and what it says through which reports."""

    group: str
    sources: set[str] = field(default_factory=set)  # "TASS via Northwind Wire"
    reports: set[str] = field(default_factory=set)
    fatalities: list[str] = field(default_factory=list)  # as stated: "3", "at least 5"
    injured: list[str] = field(default_factory=list)


@dataclass
class ClaimCorroboration:
    """One claim behind an incident, and which other independent voices say the same kind
    of thing (that it happened, the damage, the casualties)."""

    report_id: str
    claim_id: str
    kind: str
    certainty: str
    group: str
    text: str
    also_said_by: list[str]
    status: Status


@dataclass
class Corroboration:
    status: Status
    voices: list[Voice]
    claims: list[ClaimCorroboration]
    contradictions: list[str]
    denials: list[str]  # the denying claims, as written
    n_reports: int
    n_outlets: int

    @property
    def n_independent_sources(self) -> int:
        return len(self.voices)


OFFICIAL = {SourceKind.OFFICIAL_MILITARY, SourceKind.OFFICIAL_GOVERNMENT}


def _group(analysis: Analysis, source: Source, event: Event) -> str:
    """The independent voice a source belongs to (see the module's docstring)."""
    outlet = analysis.sources[0]
    outlet_group = outlet.affiliation or outlet.name
    if source.kind in {SourceKind.REPORTING_OUTLET, SourceKind.UNNAMED}:
        return outlet_group
    if source.affiliation:
        return source.affiliation
    if source.kind is SourceKind.EYEWITNESS_RESIDENT:
        return f"{source.name} via {outlet.name}"  # the witnesses one outlet spoke to
    if source.registry_entry or any(word[:1].isupper() for word in source.name.split()[1:]):
        return source.registry_entry or source.name
    if source.name[:1].isupper() and source.kind not in OFFICIAL | {SourceKind.LOCAL_AUTHORITY}:
        return source.name
    # A role, not a name: "the governor", "the ministry".
    place = analysis.place(event.location) if event.location else None
    country = country_name(place.country if place else None)
    if source.kind in OFFICIAL | {SourceKind.LOCAL_AUTHORITY}:
        if outlet.affiliation and outlet.affiliation.startswith("Government of"):
            return outlet.affiliation  # "the ministry said" in the ministry's own statement
        if source.kind is SourceKind.LOCAL_AUTHORITY and place is not None:
            return f"local authorities of {place.admin1 or country or place.name}"
        if country:
            return f"Government of {country}"
    return f"{source.name} via {outlet.name}"  # residents one outlet spoke to


def _names_a_source(analysis: Analysis, source_id: str) -> bool:
    kind = analysis.source(source_id).kind
    return kind not in {SourceKind.REPORTING_OUTLET, SourceKind.UNNAMED}


def _overlap(a: Quantity, b: Quantity) -> bool:
    a_high = a.high if a.high is not None else 10**9
    b_high = b.high if b.high is not None else 10**9
    return a.low <= b_high and b.low <= a_high


def _disagreements(label: str, stated: list[tuple[str, Quantity]]) -> list[str]:
    """Pairs of groups whose numbers cannot both be right."""
    found = []
    for i, (group_a, a) in enumerate(stated):
        for group_b, b in stated[i + 1 :]:
            if group_a != group_b and not _overlap(a, b):
                found.append(f"{label}: {group_a} says {a.text}, {group_b} says {b.text}")
    return found


def corroborate(members: list[tuple[Analysis, Event]]) -> Corroboration:
    """The corroboration of an incident made of these events of these analyses."""
    voices: dict[str, Voice] = {}
    numbers: dict[str, list[tuple[str, Quantity]]] = {"dead": [], "injured": []}
    denials: list[str] = []
    said: list[tuple[str, Claim, str]] = []  # report id, claim, group
    for analysis, event in members:
        outlet = analysis.sources[0].name
        claims = [c for c in analysis.claims if c.id in event.claims]
        named = [c for c in claims if _names_a_source(analysis, c.attribution[-1])]
        groups = []
        # Where a report names who told it, its own retelling is no second voice.
        for claim in named or claims:
            source = analysis.source(claim.attribution[-1])
            group = _group(analysis, source, event)
            groups.append(group)
            said.append((analysis.report.id, claim, group))
            voice = voices.setdefault(group, Voice(group))
            voice.reports.add(analysis.report.id)
            via = "" if source.kind is SourceKind.REPORTING_OUTLET else f" via {outlet}"
            voice.sources.add(f"{source.name}{via}")
        first = groups[0] if groups else analysis.sources[0].name
        for label, quantity in (("dead", event.fatalities), ("injured", event.injured)):
            if quantity is not None:
                numbers[label].append((first, quantity))
        if event.fatalities is not None and first in voices:
            voices[first].fatalities.append(event.fatalities.text)
        if event.injured is not None and first in voices:
            voices[first].injured.append(event.injured.text)
        denials += [c.span.text for c in analysis.claims if c.certainty is Certainty.DENIED]
    contradictions = [d for label, stated in numbers.items() for d in _disagreements(label, stated)]
    if contradictions or denials:
        status = Status.CONTESTED
    elif len(voices) >= 2:
        status = Status.CORROBORATED
    else:
        status = Status.SINGLE_SOURCE
    return Corroboration(
        status=status,
        voices=sorted(voices.values(), key=lambda v: v.group),
        claims=_claims(said, contradictions),
        contradictions=contradictions,
        denials=denials,
        n_reports=len({analysis.report.id for analysis, _ in members}),
        n_outlets=len({analysis.sources[0].name for analysis, _ in members}),
    )


def _claims(
    said: list[tuple[str, Claim, str]], contradictions: list[str]
) -> list[ClaimCorroboration]:
    """Each claim's own status: contested where it states casualties others contradict,
    corroborated where another voice says the same kind of thing, else single-source."""
    groups_by_kind: dict[str, set[str]] = {}
    for _, claim, group in said:
        groups_by_kind.setdefault(claim.kind.value, set()).add(group)
    found = []
    for report_id, claim, group in said:
        others = sorted(groups_by_kind[claim.kind.value] - {group})
        disputed = claim.kind is ClaimKind.CASUALTIES and any(group in c for c in contradictions)
        if disputed or claim.certainty is Certainty.DENIED:
            status = Status.CONTESTED
        else:
            status = Status.CORROBORATED if others else Status.SINGLE_SOURCE
        found.append(
            ClaimCorroboration(
                report_id=report_id,
                claim_id=claim.id,
                kind=claim.kind.value,
                certainty=claim.certainty.value,
                group=group,
                text=claim.span.text,
                also_said_by=others,
                status=status,
            )
        )
    return found
