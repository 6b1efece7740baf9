"""Corroboration of an incident: who independently says it happened, and where they disagree.

The reports of an incident are grouped by the original voice behind each event: the
innermost source of its claims, at the end of its attribution chain (an outlet quoting
the ministry is the ministry's voice), listed with the chain that led to it. Sources that
share an affiliation in the source registry ("Government of Russia": the ministry and
TASS) are one group; so are two outlets repeating one Telegram channel. An outlet
speaking in its own voice, or through sources a reader cannot trace (unnamed "sources",
the residents or witnesses it spoke to, "occupiers"), is its own group: they are only as
independent as it is; and where a report names who told it, the report's own retelling
of the event is no second voice. A source named by its role alone ("the governor", "the
ministry") is grouped with the body it speaks for: local authorities of the event's
region, or the government of its country (the outlet's, when an official statement says
"the ministry"). One person's name variants ("Patrick", "Sanders", "Patrick Sanders")
are one voice. sitreps never decides who is right: it counts voices and shows
disagreements.

Status: `contested` when a statement about this incident's event disagrees: groups state
numbers of dead, of injured, or of strikes on one place that cannot all be true ("eight
strikes on the city" and "ten in all" are not compared), or a report denies the event
(see `_denies`); else `corroborated` with two or more independent groups; else
`single-source`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel

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
    Span,
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
        return outlet_group  # the witnesses an outlet spoke to: only the outlet vouches
    # A name of several words ("Oleh Syniehubov"), not a role of a named body ("глава
    # Днепропетровской ОВА", which is grouped below with the body it speaks for).
    named = source.name[:1].isupper() and any(w[:1].isupper() for w in source.name.split()[1:])
    if source.registry_entry or named:
        return source.registry_entry or source.name
    if source.name[:1].isupper() and source.kind not in OFFICIAL | {SourceKind.LOCAL_AUTHORITY}:
        return source.name
    if source.kind is SourceKind.UNKNOWN:
        return outlet_group  # "occupiers", "suspected strikes": nobody a reader can trace
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
    return outlet_group


def _named(source: Source) -> bool:
    return source.kind not in {SourceKind.REPORTING_OUTLET, SourceKind.UNNAMED}


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


class Telling(BaseModel):
    """One claim behind an event, who it comes from, and the voice that is."""

    claim_id: str
    kind: ClaimKind
    certainty: Certainty
    text: str
    source: str  # the name of whoever the claim comes from
    named: bool  # a source a reader can trace, not the outlet's own voice or "sources"
    in_registry: bool
    chain: str  # "the ministry via TASS via Northwind Wire"
    group: str


class Account(BaseModel):
    """What one report says of one event, all that corroboration needs of it: compact, so
    that a store corroborates an incident of hundreds of reports from stored accounts,
    never from their analyses."""

    report_id: str
    outlet: str
    place: str | None
    tellings: list[Telling]
    fatalities: Quantity | None
    injured: Quantity | None
    count: Quantity | None
    denials: list[str]  # claims of the report that deny this event, as written


def account(analysis: Analysis, event: Event) -> Account:
    """What `analysis` says of its `event`."""
    claims = [c for c in analysis.claims if c.id in event.claims]
    named = [c for c in claims if _named(analysis.source(c.attribution[-1]))]
    tellings = []
    # Where a report names who told it, its own retelling is no second voice.
    for claim in named or claims:
        source = analysis.source(claim.attribution[-1])
        tellings.append(
            Telling(
                claim_id=claim.id,
                kind=claim.kind,
                certainty=claim.certainty,
                text=claim.span.text,
                source=source.name,
                named=_named(source),
                in_registry=bool(source.registry_entry),
                chain=_chain(analysis, claim),
                group=_group(analysis, source, event),
            )
        )
    place = analysis.place(event.location) if event.location else None
    return Account(
        report_id=analysis.report.id,
        outlet=analysis.sources[0].name,
        place=place.name if place else None,
        tellings=tellings,
        fatalities=event.fatalities,
        injured=event.injured,
        count=event.count,
        denials=list(
            dict.fromkeys(c.span.text for c in analysis.claims if _denies(analysis, c, event))
        ),
    )


def _one_voice_per_person(names: set[str]) -> dict[str, str]:
    """A person's name variants across reports are one voice: "Sanders" and "Patrick" are
    "Patrick Sanders" where he is the only fuller name they are part of. The voice of each
    of these names that has a fuller one."""
    words = {name: frozenset(name.lower().split()) for name in names}
    fuller_of = {}
    for name in names:
        fuller = [other for other in names if words[name] < words[other]]
        fullest = [f for f in fuller if not any(words[f] < words[g] for g in fuller)]
        if len(fullest) == 1:
            fuller_of[name] = fullest[0]
    return fuller_of


def _chain(analysis: Analysis, claim: Claim) -> str:
    """Who said it, then who passed it on: "the ministry via TASS via Northwind Wire"."""
    return " via ".join(analysis.source(s).name for s in reversed(claim.attribution))


# A denial contests an incident only where it is about its event: the event's own claim,
# or a claim of these kinds in the same report that names the event's place or one of its
# actors, or that one of the actors' governments makes ("Moscow denied striking the market").
# A court denying an appeal, or "do not fall for fakes", contests nothing.
DENIABLE = {ClaimKind.EVENT_OCCURRENCE, ClaimKind.RESPONSIBILITY, ClaimKind.CASUALTIES,
            ClaimKind.DAMAGE}  # fmt: skip


def _denies(analysis: Analysis, claim: Claim, event: Event) -> bool:
    if claim.certainty is not Certainty.DENIED:
        return False
    if claim.id in event.claims:
        return True
    if claim.kind not in DENIABLE:
        return False
    sentence = next(s for s in analysis.sentences if s.index == claim.sentence)

    def in_sentence(span: Span) -> bool:
        return span.part == sentence.part and sentence.start <= span.start < sentence.end

    place = analysis.place(event.location) if event.location else None
    if place is not None and any(
        p.name == place.name and in_sentence(p.span) for p in analysis.places
    ):
        return True
    actors = [a for a in (event.actor1, event.actor2) if a is not None]
    if any(a.mention is not None and in_sentence(a.mention) for a in actors):
        return True
    denier = analysis.source(claim.attribution[-1]).affiliation or ""
    country = denier.removeprefix("Government of ")
    return denier != country and any(
        a.name.endswith(f" of {country}") or f"({country})" in a.name for a in actors
    )


class Stated(BaseModel):
    """A number a report states of an event, and the voice that tells it first."""

    label: str  # "dead", "injured", "strikes on Kharkiv"
    group: str
    quantity: Quantity


class Tally(BaseModel):
    """What an incident's status needs of its accounts, folded in one at a time: the voices
    (as their sources are grouped before one person's name variants are joined), the
    outlets, the numbers stated and the denials. It grows with the voices, not with the
    reports, so a store keeps one per incident and corroborates a new report against it
    in the same time whatever the incident's size; the whole evidence, claim by claim, is
    `corroborate(accounts)`, whose status is the tally's."""

    reports: int = 0
    outlets: list[str] = []
    groups: dict[str, bool] = {}  # voice: whether it may be a variant of a person's name
    stated: list[Stated] = []
    denials: list[str] = []

    def add(self, told: Account) -> None:
        self.reports += 1
        if told.outlet not in self.outlets:
            self.outlets.append(told.outlet)
        for telling in told.tellings:
            personal = telling.group == telling.source and not telling.in_registry
            self.groups[telling.group] = self.groups.get(telling.group, False) or personal
        first = told.tellings[0].group if told.tellings else told.outlet
        stated = [("dead", told.fatalities), ("injured", told.injured)]
        # strikes on one place; "eight on the city" and "ten in all" agree
        if told.place is not None:
            stated.append((f"strikes on {told.place}", told.count))
        for label, quantity in stated:
            if quantity is None:
                continue
            number = Stated(label=label, group=first, quantity=quantity)
            if number not in self.stated:  # a voice repeating a number states it once
                self.stated.append(number)
        self.denials += [d for d in told.denials if d not in self.denials]

    def judged(self) -> Judgement:
        voice_of = _one_voice_per_person({g for g, personal in self.groups.items() if personal})
        voices = {voice_of.get(group, group) for group in self.groups}
        numbers: dict[str, list[tuple[str, Quantity]]] = {"dead": [], "injured": []}
        for stated in self.stated:
            group = voice_of.get(stated.group, stated.group)
            numbers.setdefault(stated.label, []).append((group, stated.quantity))
        contradictions = [
            d for label, stated in numbers.items() for d in _disagreements(label, stated)
        ]
        if contradictions or self.denials:
            status = Status.CONTESTED
        elif len(voices) >= 2:
            status = Status.CORROBORATED
        else:
            status = Status.SINGLE_SOURCE
        return Judgement(status, voice_of, len(voices), contradictions)


@dataclass(frozen=True)
class Judgement:
    status: Status
    voice_of: dict[str, str]  # a person's name variant: the fuller name that is its voice
    n_voices: int
    contradictions: list[str]


def corroborate(accounts: list[Account]) -> Corroboration:
    """The corroboration of an incident told by these accounts of its events."""
    # Where a report names who told it any of these events, its own retelling of the
    # others is no second voice either. (A store's incident never holds two events of one
    # report, so there an account's own choice of tellings is all there is.)
    naming = {a.report_id for a in accounts for t in a.tellings if t.named}
    kept = [
        a.model_copy(update={"tellings": [t for t in a.tellings if t.named]})
        if a.report_id in naming
        else a
        for a in accounts
    ]
    tally = Tally()
    for told in kept:
        tally.add(told)
    judged = tally.judged()
    voices: dict[str, Voice] = {}
    said: list[tuple[str, Telling, str]] = []  # report id, telling, its voice
    for told in kept:
        for telling in told.tellings:
            group = judged.voice_of.get(telling.group, telling.group)
            said.append((told.report_id, telling, group))
            voice = voices.setdefault(group, Voice(group))
            voice.reports.add(told.report_id)
            voice.sources.add(telling.chain)
        first = told.tellings[0].group if told.tellings else told.outlet
        first = judged.voice_of.get(first, first)
        if first in voices:
            if told.fatalities is not None:
                voices[first].fatalities.append(told.fatalities.text)
            if told.injured is not None:
                voices[first].injured.append(told.injured.text)
    return Corroboration(
        status=judged.status,
        voices=sorted(voices.values(), key=lambda v: v.group),
        claims=_claims(said, judged.contradictions),
        contradictions=judged.contradictions,
        denials=list(tally.denials),
        n_reports=len({a.report_id for a in accounts}),
        n_outlets=len(tally.outlets),
    )


def _claims(
    said: list[tuple[str, Telling, str]], contradictions: list[str]
) -> list[ClaimCorroboration]:
    """Each claim (report id, telling, its voice)'s own status: contested where it states
    casualties others contradict, corroborated where another voice says the same kind of
    thing, else single-source."""
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
                claim_id=claim.claim_id,
                kind=claim.kind.value,
                certainty=claim.certainty.value,
                group=group,
                text=claim.text,
                also_said_by=others,
                status=status,
            )
        )
    return found
