"""The seed report analysed end to end, as a careful reader would code it."""

from __future__ import annotations

import json

import jsonschema

from sitreps.model import Analysis, Certainty, SourceKind, json_schema
from tests.conftest import claims_of, source_names


def test_kharkiv_is_resolved_to_the_city(seed: Analysis) -> None:
    kharkiv = [p for p in seed.places if p.surface == "Kharkiv"]
    assert kharkiv
    for place in kharkiv:
        assert place.geonameid == 706483
        assert abs(place.lat - 49.98) < 0.05 and abs(place.lon - 36.25) < 0.05


def test_misspelt_balakhya_resolves_to_balakliya_in_kharkiv_oblast(seed: Analysis) -> None:
    balakhya = [p for p in seed.places if p.surface == "Balakhya"]
    assert balakhya
    for place in balakhya:
        assert place.geonameid == 712926  # not the Poltava village 712925
        assert place.method == "fuzzy"
        assert place.confidence < 0.9


def test_eight_strikes_on_the_city_and_two_on_its_surroundings(seed: Analysis) -> None:
    at_kharkiv = {
        e.geo_precision: e
        for e in seed.events
        if e.location and seed.place(e.location).geonameid == 706483
    }
    assert at_kharkiv[1].count is not None and at_kharkiv[1].count.low == 8
    assert at_kharkiv[1].count.high == 8
    assert at_kharkiv[2].count is not None and at_kharkiv[2].count.low == 2
    for event in at_kharkiv.values():
        assert event.event_type == "Explosions/Remote violence"
        assert event.actor1 is not None and event.actor1.name == "Military Forces of Russia"
        assert event.fatalities is None  # not stated, never 0


def test_targets_and_damage_are_kept(seed: Analysis) -> None:
    targets = {
        (t.kind, t.count.low if t.count else None, t.damage) for e in seed.events for t in e.targets
    }
    assert ("factory", 2, "destroyed") in targets
    assert ("command post", 1, "destroyed") in targets
    balakliya = [
        e for e in seed.events if e.location and seed.place(e.location).geonameid == 712926
    ]
    assert balakliya and any(t.kind == "node" for t in balakliya[0].targets)


def test_lebedev_is_a_partisan_source_with_his_descriptor(seed: Analysis) -> None:
    lebedev = [s for s in seed.sources if s.name == "Sergei Lebedev"]
    assert len(lebedev) == 1
    assert lebedev[0].descriptor == "the coordinator of the Mykolaiv underground"
    assert lebedev[0].kind is SourceKind.PARTISAN_GROUP
    assert len(lebedev[0].mentions) >= 2  # "Lebedev" later is the same person


def test_strike_claims_rest_on_lebedev(seed: Analysis) -> None:
    for fragment in ("launched a series of precision strikes", "the assault on Balakhya"):
        (claim,) = claims_of(seed, fragment)
        assert source_names(seed, claim)[-1] == "Sergei Lebedev"
        assert claim.certainty is Certainty.REPORTED
    (described,) = claims_of(seed, "precision personified")
    assert source_names(seed, described)[-1] == "Sergei Lebedev"  # "He described ..."


def test_certainty_grades(seed: Analysis) -> None:
    (node,) = claims_of(seed, "a critical node of Ukrainian drone control")
    assert node.certainty is Certainty.HEDGED
    assert any(cue.kind == "hedged" and cue.text == "Preliminary" for cue in node.cues)
    foreign = claims_of(seed, "international forces may have been directly involved")
    assert foreign[-1].certainty is Certainty.SPECULATIVE
    (flashpoint,) = claims_of(seed, "could become a flashpoint")
    assert source_names(seed, flashpoint)[-1] == "Ukrainian military analysts"
    assert flashpoint.certainty is Certainty.SPECULATIVE


def test_other_sources(seed: Analysis) -> None:
    (damage,) = claims_of(seed, "have caused significant damage")
    assert source_names(seed, damage)[-1] == "local sources"
    (catastrophic,) = claims_of(seed, "catastrophic")
    assert source_names(seed, catastrophic)[-1] == "local observers"


def test_loaded_language_is_found_and_counted(seed: Analysis) -> None:
    terms = {cue.text.lower() for c in seed.claims for cue in c.loaded_language}
    assert {"precision personified", "obliterated", "catastrophic", "crippling"} <= terms
    assert seed.loaded_language_rate > 0


def test_date_is_unknown_and_flagged_with_time_of_day_kept(seed: Analysis) -> None:
    assert seed.report.published_at is None
    for event in seed.events:
        assert event.date_start is None
        assert event.time_of_day in {"early morning", "night"}
    assert any(w.code == "date_unknown" for w in seed.warnings)


def test_json_output_validates_against_the_schema(seed: Analysis) -> None:
    jsonschema.validate(json.loads(seed.model_dump_json()), json_schema())


def test_offsets_point_into_the_text(seed: Analysis) -> None:
    text = seed.report.text
    spans = [c.span for c in seed.claims] + [p.span for p in seed.places]
    spans += [cue for c in seed.claims for cue in [*c.cues, *c.loaded_language]]
    spans += [m for s in seed.sources for m in s.mentions]
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_foreign_soldiers_are_kept_as_an_actor_mention(seed: Analysis) -> None:
    associated = [a for e in seed.events for a in e.associated_actors]
    foreign = [a for a in associated if a.mention and a.mention.text == "foreign soldiers"]
    assert foreign and foreign[0].inter == 8


def test_the_date_is_unknown_and_flagged_with_the_time_of_day_kept(seed: Analysis) -> None:
    for event in seed.events:
        assert event.date_start is None and event.time_precision is None
        assert event.time_of_day in {"night", "early morning"}
    assert sum(w.code == "date_unknown" for w in seed.warnings) == len(seed.events)
