"""The one typed data model that every pipeline stage reads and writes.

Every offset is a Python string index (Unicode code points) into `Report.text`, or into
`Report.title` where the span's `part` is "title": the headline is analysed with the text.
The JSON Schema printed by `sitreps schema` is generated from these classes, so the
JSON output, the API schema and the documentation cannot drift apart.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field, model_validator

SCHEMA_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


class TextPart(StrEnum):
    """Which part of a report a span lies in."""

    TEXT = "text"
    TITLE = "title"


class Span(_Model):
    """A run of characters in the report text (`text[start:end]`), or in its title."""

    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    text: str
    part: TextPart = Field(
        default=TextPart.TEXT, description='"title" where the offsets index into the title'
    )


def content_id(text: str) -> str:
    """A report's identity is the hash of its text: the same text is the same report."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Report(_Model):
    id: str = Field(description="SHA-256 of the text")
    text: str
    title: str | None = None
    outlet: str | None = Field(default=None, description="Who published the report")
    url: str | None = None
    published_at: datetime | None = Field(
        default=None, description="Publication time; relative dates are resolved against it"
    )
    language: str = "en"


class Sentence(_Model):
    index: int
    start: int
    end: int
    part: TextPart = Field(
        default=TextPart.TEXT, description='"title": the headline, analysed before the text'
    )


class SourceKind(StrEnum):
    """Who a source is. The taxonomy is documented in docs/architecture.md."""

    OFFICIAL_MILITARY = "official_military"
    OFFICIAL_GOVERNMENT = "official_government"
    LOCAL_AUTHORITY = "local_authority"
    STATE_AFFILIATED_MEDIA = "state_affiliated_media"
    INDEPENDENT_MEDIA = "independent_media"
    WIRE_AGENCY = "wire_agency"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    NGO_MONITOR = "ngo_monitor"
    ANALYST_EXPERT = "analyst_expert"
    EYEWITNESS_RESIDENT = "eyewitness_resident"
    PARTISAN_GROUP = "partisan_group"
    SOCIAL_MEDIA_CHANNEL = "social_media_channel"
    UNNAMED = "unnamed"
    REPORTING_OUTLET = "reporting_outlet"
    UNKNOWN = "unknown"


class Source(_Model):
    id: str
    name: str
    descriptor: str | None = Field(
        default=None, description='How the report describes the source ("coordinator of ...")'
    )
    kind: SourceKind
    affiliation: str | None = Field(
        default=None, description="Who owns or directs the source, from the source registry"
    )
    registry_entry: str | None = Field(
        default=None, description="The source registry entry the source was matched to"
    )
    reference: str | None = Field(default=None, description="The registry entry's reference")
    span: Span | None = Field(default=None, description="First mention; none for the outlet")
    mentions: list[Span] = Field(default_factory=list)


class Certainty(StrEnum):
    """How firmly a claim is made, from firmest to weakest; `denied` negates it."""

    ASSERTED = "asserted"
    REPORTED = "reported"
    HEDGED = "hedged"
    SPECULATIVE = "speculative"
    DENIED = "denied"


class ClaimKind(StrEnum):
    EVENT_OCCURRENCE = "event_occurrence"
    DAMAGE = "damage"
    CASUALTIES = "casualties"
    INTENT_STRATEGY = "intent_strategy"
    ASSESSMENT_PREDICTION = "assessment_prediction"
    RESPONSIBILITY = "responsibility"
    # A belief, wish, intention or stance the reporter ascribes to a holder, not words the
    # holder said: never counted as a statement that corroborates or tells of an event.
    ATTITUDE = "attitude"
    OTHER = "other"


class Cue(Span):
    """A word or phrase that signals attribution, certainty or loaded language."""

    kind: str = Field(description="What the cue signals, e.g. 'hedged' or 'attribution'")


class Claim(_Model):
    id: str
    sentence: int
    span: Span = Field(description="The content that is claimed")
    attribution: list[str] = Field(
        default_factory=list,
        description="Source ids, outermost first: the outlet reports that A says that B says ...",
    )
    source_mention: Span | None = Field(
        default=None,
        description='The words naming the innermost source in this claim ("the ministry", "he")',
    )
    certainty: Certainty
    cues: list[Cue] = Field(default_factory=list, description="Attribution and certainty cues")
    loaded_language: list[Cue] = Field(default_factory=list)
    kind: ClaimKind


class PlaceCandidate(_Model):
    geonameid: int | None = Field(description="None for divisions GeoNames ids are unknown for")
    name: str
    lat: float
    lon: float
    country: str | None
    admin1_code: str | None = None
    population: int | None = None
    score: float


class Place(_Model):
    id: str
    surface: str = Field(description="The mention as written")
    span: Span
    geonameid: int | None = Field(
        description="GeoNames id; None for coordinates and for divisions built from pycountry "
        "and the KATOTTG register, whose GeoNames ids are unknown offline"
    )
    name: str | None
    lat: float | None
    lon: float | None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    admin1: str | None = Field(default=None, description="First-level division name")
    admin1_code: str | None = Field(default=None, description="GeoNames admin1 code")
    admin2: str | None = Field(default=None, description="Second-level division name")
    admin3: str | None = Field(
        default=None, description="Third-level division name (Ukraine's hromadas)"
    )
    feature: str | None = Field(default=None, description="GeoNames feature class.code")
    geo_precision: Annotated[int, Field(ge=1, le=3)] = Field(
        description="ACLED geo_precision: 1 the place itself, 2 near or part of it, 3 a region"
    )
    qualifier: str | None = Field(
        default=None,
        description='Relative wording kept with the anchor: "outskirts", "near"; "dateline" '
        'for where the report was filed, "organisation" for a place in a body\'s name',
    )
    confidence: Annotated[float, Field(ge=0, le=1)]
    method: str = Field(
        description='exact, fuzzy, coordinates, demonym (a country read off "Russian"), or '
        "seat (a first-level division's centre town, where an event is placed only in the "
        "division, as ACLED places it)"
    )
    alternatives: list[PlaceCandidate] = Field(default_factory=list)


# Qualifiers of places where nothing a report tells of happened: the dateline it was filed
# under ("MOSCOW —"), and a place inside an organisation's name ("the Kharkiv Regional
# Military Administration").
DATELINE = "dateline"
IN_AN_ORGANISATION = "organisation"
NOT_A_SCENE = frozenset({DATELINE, IN_AN_ORGANISATION})


class Actor(_Model):
    name: str = Field(description='ACLED-style name, e.g. "Military Forces of Russia"')
    inter: Annotated[int, Field(ge=1, le=8)] = Field(
        description="ACLED inter code: 1 state forces ... 7 civilians, 8 external/other"
    )
    mention: Span | None = None


class Damage(StrEnum):
    DESTROYED = "destroyed"
    DAMAGED = "damaged"
    HIT = "hit"


class Quantity(_Model):
    """A stated number: exact when low == high, a range otherwise, open when high is None."""

    low: Annotated[int, Field(ge=0)]
    high: int | None
    text: str
    span: Span | None = None


class Target(_Model):
    kind: str = Field(description='What was hit, e.g. "factory", "command post"')
    count: Quantity | None = None
    damage: Damage | None = None
    span: Span


class Weapon(_Model):
    kind: str = Field(
        description='A weapon named with the event, e.g. "drone", "ballistic missile"'
    )
    count: Quantity | None = Field(default=None, description='"dozens of drones" -> 24 to 99')
    span: Span


class Mode(StrEnum):
    FULL = "full"  # spaCy's statistical tagger, parser and entity recogniser
    FAST = "fast"  # rules and word lists only (sitreps/surface.py): several times faster


class CodedBy(StrEnum):
    TRIGGER = "trigger"  # the trigger lexicon: a specific event word or a named weapon
    CLASSIFIER = "classifier"  # the sentence classifier, where the trigger word is generic
    CONTEXT = "context"  # a generic word coded like the report's previous event, or the default


class Event(_Model):
    id: str
    event_type: str
    sub_event_type: str
    coded_by: CodedBy = Field(
        default=CodedBy.TRIGGER, description="What decided the event type and sub-event type"
    )
    actor1: Actor | None = None
    actor2: Actor | None = None
    associated_actors: list[Actor] = Field(
        default_factory=list,
        description="Further actors named in the event's claims (ACLED's assoc_actor columns)",
    )
    location: str | None = Field(default=None, description="Place id in Analysis.places")
    geo_precision: Annotated[int, Field(ge=1, le=3)] | None = None
    date_start: date | None = Field(default=None, description="None: the date is unknown")
    date_end: date | None = None
    time_precision: Annotated[int, Field(ge=1, le=3)] | None = Field(
        default=None, description="ACLED time_precision: 1 the day, 2 the week, 3 the month"
    )
    time_of_day: str | None = Field(default=None, description='"night", "early morning", ...')
    count: Quantity | None = Field(default=None, description="How many strikes, attacks, ...")
    targets: list[Target] = Field(default_factory=list)
    weapons: list[Weapon] = Field(default_factory=list)
    fatalities: Quantity | None = Field(default=None, description="None when not stated")
    injured: Quantity | None = Field(default=None, description="None when not stated")
    claims: list[str] = Field(default_factory=list, description="Ids of the supporting claims")
    evidence: list[Span] = Field(default_factory=list, description="Sentences it came from")
    confidence: Annotated[float, Field(ge=0, le=1)]


class AnalysisWarning(_Model):
    """Something the reader must know: input that was repaired, a date that is unknown."""

    code: str
    message: str


class _Positions:
    """Where each source and place id sits in its list, for lookups by id inside the stages'
    loops: a cache, so no part of an analysis' equality."""

    def __init__(self) -> None:
        self.sources: dict[str, int] = {}
        self.places: dict[str, int] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Positions)

    __hash__ = None  # type: ignore[assignment]


class Analysis(_Model):
    schema_version: str = SCHEMA_VERSION
    mode: Mode = Field(default=Mode.FULL, description="Which analysis made this one")
    report: Report
    sentences: list[Sentence] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    warnings: list[AnalysisWarning] = Field(default_factory=list)
    _positions: _Positions = PrivateAttr(default_factory=lambda: _Positions())

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        """An analysis read back from its JSON carries its computed rate: recompute it."""
        if isinstance(data, dict) and "loaded_language_rate" in data:
            return {k: v for k, v in data.items() if k != "loaded_language_rate"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def loaded_language_rate(self) -> float:
        """Loaded-language spans per 100 words: a measure to report, never a verdict."""
        words = len(self.report.text.split())
        spans = sum(len(claim.loaded_language) for claim in self.claims)
        return round(100 * spans / words, 2) if words else 0.0

    def source(self, source_id: str) -> Source:
        return _by_id(self.sources, source_id, self._positions.sources)

    def place(self, place_id: str) -> Place:
        return _by_id(self.places, place_id, self._positions.places)


_Identified = TypeVar("_Identified", "Source", "Place")


def _by_id(items: list[_Identified], item_id: str, at: dict[str, int]) -> _Identified:
    """The item of that id, looked up by its position; the positions are read again when
    the list has changed since (ids are unique, so a position that holds the id is right)."""
    position = at.get(item_id)
    if position is None or position >= len(items) or items[position].id != item_id:
        at.clear()
        at.update((item.id, number) for number, item in enumerate(items))
        position = at[item_id]
    return items[position]


def json_schema() -> dict[str, object]:
    return Analysis.model_json_schema(mode="serialization")
