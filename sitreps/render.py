"""Reports for a person: Markdown and a self-contained HTML page.

Report text is untrusted: the HTML template escapes everything (Jinja2 autoescape), and
Markdown output escapes the characters Markdown would read as markup.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from sitreps.model import Analysis, Claim, Event, Place, Quantity, Source, Span, TextPart

KIND_LABELS = {
    "official_military": "official military",
    "official_government": "official government",
    "local_authority": "local authority",
    "state_affiliated_media": "state-affiliated media",
    "independent_media": "independent media",
    "wire_agency": "wire agency",
    "international_organisation": "international organisation",
    "ngo_monitor": "NGO / monitor",
    "analyst_expert": "analyst / expert",
    "eyewitness_resident": "eyewitness / resident",
    "partisan_group": "partisan / irregular group",
    "social_media_channel": "social-media channel",
    "unnamed": "unnamed / anonymous",
    "reporting_outlet": "reporting outlet",
    "unknown": "unknown",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


@dataclass(frozen=True)
class Segment:
    """A run of report text and the highlights that cover it."""

    text: str
    classes: tuple[str, ...]
    note: str


def quantity(value: Quantity | None) -> str:
    if value is None:
        return "not stated"
    if value.high == value.low:
        return str(value.low)
    return f"{value.low}+" if value.high is None else f"{value.low}–{value.high}"


def markdown_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def chain(analysis: Analysis, claim: Claim) -> list[Source]:
    return [analysis.source(source_id) for source_id in claim.attribution]


def place_label(analysis: Analysis, event: Event) -> str:
    if event.location is None:
        return "unknown"
    place: Place = analysis.place(event.location)
    return (
        f"{place.name} ({place.lat:.4f}, {place.lon:.4f})"
        if place.lat is not None
        else str(place.name)
    )


def segments(analysis: Analysis) -> list[Segment]:
    """Cut the text at every highlight boundary so that each piece has one set of classes."""
    spans: list[tuple[Span, str, str]] = []
    for source in analysis.sources:
        spans += [(mention, "source", f"source: {source.name}") for mention in source.mentions]
    spans += [(place.span, "place", f"place: {place.name}") for place in analysis.places]
    for claim in analysis.claims:
        spans += [(cue, f"cue-{cue.kind}", f"{cue.kind} cue") for cue in claim.cues]
        spans += [(cue, "loaded", "loaded language") for cue in claim.loaded_language]
    # The title is shown as the heading; only the body's words are marked in the text.
    marks = [
        (span.start, span.end, kind, note)
        for span, kind, note in spans
        if span.part is TextPart.TEXT
    ]
    text = analysis.report.text
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        pieces.append(
            Segment(
                text=text[start:end],
                classes=tuple(sorted({m[2] for m in covering})),
                note="; ".join(sorted({m[3] for m in covering})),
            )
        )
    return pieces


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("sitreps", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["md"] = markdown_escape
    environment.filters["quantity"] = quantity
    environment.globals.update(
        chain=chain, place_label=place_label, kind_label=KIND_LABELS.get, segments=segments
    )
    return environment


def to_markdown(analysis: Analysis) -> str:
    return _environment().get_template("analysis.md.j2").render(a=analysis)


def to_html(analyses: list[Analysis]) -> str:
    return _environment().get_template("analysis.html.j2").render(analyses=analyses)
