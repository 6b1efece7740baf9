"""Each stage's job, through the public `sitreps.analyze` on short reports."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import sitreps
from sitreps.inputs import InputError
from sitreps.model import Analysis, Certainty, Place, SourceKind
from sitreps.numbers import parse_number
from sitreps.stages import segment
from tests.conftest import claims_of, source_names

PUBLISHED = datetime(2026, 10, 16, 15, 0)  # a Friday


def places_by_surface(text: str) -> dict[str, Place]:
    """The places sitreps finds in a text, by the words that name them there."""
    return {p.surface: p for p in sitreps.analyze(text).places}


@pytest.mark.parametrize("spelling", ["Kharkiv", "Kharkov", "Харків", "Харьков", "KHARKIV"])
def test_place_spellings_meet_one_entry(spelling: str) -> None:
    analysis = sitreps.analyze(f"Russian missiles hit {spelling} overnight.")
    assert [p.geonameid for p in analysis.places] == [706483]


def test_weekdays_and_demonyms_are_not_places() -> None:
    analysis = sitreps.analyze(
        "Ukrainian officials said on Thursday that Russian troops shelled Nikopol."
    )
    assert [p.name for p in analysis.places] == ["Nikopol"]
    assert analysis.places[0].country == "UA"  # the report's focus beats the Bulgarian Nikopol


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("Flooding hit Springfield, Illinois.", "Illinois"),  # not the larger Springfield, MO
        ("Shelling hit Mykolaivka, Donetsk oblast.", "Donetska oblast"),
        ("Shelling hit Mykolaivka, Odesa oblast.", "Odeska oblast"),
    ],
)
def test_a_place_named_after_a_comma_decides_between_namesakes(text: str, admin1: str) -> None:
    assert sitreps.analyze(text).places[0].admin1 == admin1


def test_a_bare_capitalised_word_is_no_far_away_village() -> None:
    analysis = sitreps.analyze("Cargo warhead lying on a street in a residential area in Mykolaiv")
    assert [p.geonameid for p in analysis.places] == [700569]  # not Cargo, New South Wales


def test_a_persons_name_said_again_alone_is_no_place() -> None:
    analysis = sitreps.analyze(
        "Ukrainian police arrested Bogdan Syrotiuk in Pervomaisk. Supporters in London "
        "protested on Thursday against the frame-up of Bogdan."
    )
    assert [p.surface for p in analysis.places] == ["Pervomaisk", "London"]  # no "Bohdan"


def test_places_the_small_tagger_hides_are_found() -> None:
    by_surface = places_by_surface(
        "The United States expelled diplomats. Tamil Nadu moved the Supreme Court, "
        "and floods hit Canandaigua, N.Y., and Fresno, Calif."
    )
    # "the United States" is one entity with its article; "Tamil Nadu" is tagged a person.
    assert by_surface["United States"].country == "US"
    assert by_surface["Tamil Nadu"].feature == "A.ADM1"
    # The AP's state abbreviations, dots and all (data/place_abbreviations.yaml).
    assert by_surface["N.Y."].geonameid == 5128638
    assert by_surface["Calif."].geonameid == 5332921


def test_a_place_in_a_bodys_name_is_no_scene_of_events() -> None:
    analysis = sitreps.analyze(
        "The Kharkiv Regional Military Administration said Russian troops shelled Izium "
        "on Monday, killing two people."
    )
    kharkiv = next(p for p in analysis.places if p.surface == "Kharkiv")
    assert kharkiv.geonameid == 706483 and kharkiv.qualifier == "organisation"
    located = [analysis.place(e.location) for e in analysis.events if e.location]
    assert [p.name for p in located if p] == ["Izyum"]


def test_coordinates_in_the_text_are_a_place() -> None:
    analysis = sitreps.analyze("A cruise missile hit a residential block at 50.464581, 30.484389.")
    (point,) = analysis.places
    assert (point.lat, point.lon, point.method, point.country) == (
        50.464581,
        30.484389,
        "coordinates",
        "UA",
    )
    assert analysis.events[0].location == point.id


def test_coordinates_are_named_after_a_town_not_a_region_around_them() -> None:
    # Donbas, a region of the gazetteer, has its point in Donetsk: no town, no oblast.
    (point,) = sitreps.analyze("Shelling hit a market at 48.000100, 37.800100.").places
    assert point.feature is None and point.name != "Donbas"
    assert (point.country, point.admin1_code) == ("UA", "05")


def test_a_city_is_found_by_its_soviet_name() -> None:
    # Russian reports still write Artemovsk for Bakhmut; a village of Sverdlovsk oblast is
    # called Artemovsky. A ranker feature "called by its own name" chose the village.
    analysis = sitreps.analyze(
        "Russian missiles hit Artemovsk overnight, Ukrainian officials said."
    )
    (bakhmut,) = analysis.places
    assert (bakhmut.name, bakhmut.admin1) == ("Bakhmut", "Donetska oblast")


def test_a_name_before_a_division_word_is_a_place_whatever_the_tagger_calls_it() -> None:
    # The small model calls "Sumy" an organisation of its own here; the Sumy raion too.
    by_surface = places_by_surface(
        "Shelling hit a residential area in Krasnopil, Sumy region; one person was killed. "
        "Drones struck the Kyivsky district of Kharkiv."
    )
    assert by_surface["Sumy region"].name == "Sumska oblast"
    assert by_surface["Kyivsky district"].name == "Kyivskyi district"  # as reports spell it


def test_codes_and_abbreviated_months_are_not_places() -> None:
    # GeoNames lists airports' codes among towns' names: THE is Teresina, JAN Jackson, ACT
    # Waco; SEN is Senegal's ISO code. Prose writes the codes it means in capitals.
    analysis = sitreps.analyze(
        "The county's Recovery Act money arrived on Jan. 18, said Sen. Max Baucus. "
        "Flights from NYC to the USA's west were cancelled."
    )
    assert [(p.surface, p.name) for p in analysis.places] == [
        ("NYC", "New York City"),
        ("USA", "United States"),
    ]


def test_an_abbreviation_keeps_its_period_at_a_sentence_end() -> None:
    (charleston, virginia) = sitreps.analyze("Flooding closed schools in Charleston, W.Va.").places
    assert virginia.surface == "W.Va." and virginia.admin1 == "West Virginia"
    assert charleston.admin1 == "West Virginia"  # read by the state after the comma


def test_the_seat_of_a_local_body_is_a_place_a_university_named_after_one_is_not() -> None:
    by_surface = places_by_surface(
        "Two women were hurt crossing a road in Georgia, according to DeKalb Police. "
        "A Columbia University study and Landmark Bank were cited. Lamar County "
        "Commissioners met with Anderson County Sheriff Greg Taylor."
    )
    assert by_surface["DeKalb"].qualifier == "organisation"
    assert by_surface["DeKalb"].country == "US"
    assert "Columbia" not in by_surface and "Landmark" not in by_surface
    assert by_surface["Lamar County"].feature == "A.ADM2"
    assert by_surface["Anderson County"].feature == "A.ADM2"  # tagged a person with its sheriff


def test_a_part_of_a_place_is_that_place() -> None:
    by_surface = places_by_surface(
        "Jobs are scarce in Western Pennsylvania and Northeast Georgia, while South Korea, "
        "West Virginia and North Africa grew."
    )
    assert by_surface["Pennsylvania"].feature == "A.ADM1"
    assert by_surface["Georgia"].country == "US"
    assert by_surface["Georgia"].qualifier == "northeast"
    # whole names stay whole; a direction word of the place before is not this one's
    assert by_surface["South Korea"].country == "KR"
    assert by_surface["West Virginia"].qualifier is None
    assert by_surface["North Africa"].feature == "L.RGN"


def test_a_dateline_in_capitals_after_a_headline_is_a_place() -> None:
    by_surface = places_by_surface(
        "City adjusts budget for recycling. TORRINGTON — City Council approved the budget. "
        "A Gainesville man was arrested in Georgia."
    )
    assert by_surface["TORRINGTON"].qualifier == "dateline"
    assert by_surface["TORRINGTON"].admin1_code == "CT"
    assert by_surface["Gainesville"].admin1_code == "GA"  # the small model calls it a body


def test_a_common_word_is_no_foreign_city() -> None:
    analysis = sitreps.analyze(
        "Man charged after Christmas break-in. Police in Ohio said the man was arrested."
    )
    assert {p.surface for p in analysis.places} == {"Ohio"}  # not Man, Ivory Coast


def test_relative_place_has_lower_precision() -> None:
    analysis = sitreps.analyze("Russian artillery shelled villages near Izium, officials said.")
    (izium,) = analysis.places
    assert izium.qualifier == "near" and izium.geo_precision == 2


def test_country_mentions_are_precision_three() -> None:
    (ukraine,) = sitreps.analyze("Drones were launched at Ukraine.").places
    assert ukraine.geo_precision == 3 and ukraine.feature == "A.PCLI"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("eight", 8),
        ("twenty-five", 25),
        ("1,200", 1200),
        ("two hundred", 200),
        ("a dozen", 12),
        ("three thousand five hundred", 3500),
        ("drones", None),
    ],
)
def test_number_words(text: str, value: int | None) -> None:
    assert parse_number(text) == value


def test_vague_and_bounded_quantities_keep_their_range() -> None:
    analysis = sitreps.analyze(
        "Russia launched dozens of drones at Odesa overnight. At least five people were killed.",
        published_at=PUBLISHED,
    )
    (event,) = [e for e in analysis.events if e.sub_event_type == "Air/drone strike"]
    assert event.fatalities is not None and (event.fatalities.low, event.fatalities.high) == (
        5,
        None,
    )


def test_stated_zero_casualties_is_zero_not_null() -> None:
    analysis = sitreps.analyze(
        "A missile hit a warehouse in Lviv. No one was killed, the mayor said."
    )
    assert analysis.events[0].fatalities is not None and analysis.events[0].fatalities.low == 0


def test_attribution_forms() -> None:
    analysis = sitreps.analyze(
        "Regional governor Oleh Petrenko said that two drones hit a substation in Sumy. "
        "He added that repairs had begun. "
        "According to local residents, the blast was heard across the city. "
        "The damage was described as severe by the national grid operator."
    )
    (hit,) = claims_of(analysis, "two drones hit a substation")
    assert source_names(analysis, hit) == ["the reporting outlet", "Oleh Petrenko"]
    governor = analysis.source(hit.attribution[-1])
    assert (
        governor.descriptor == "Regional governor" and governor.kind is SourceKind.LOCAL_AUTHORITY
    )
    (repairs,) = claims_of(analysis, "repairs had begun")
    assert source_names(analysis, repairs)[-1] == "Oleh Petrenko"
    (blast,) = claims_of(analysis, "the blast was heard")
    assert source_names(analysis, blast)[-1] == "local residents"
    (severe,) = claims_of(analysis, "severe")
    assert source_names(analysis, severe)[-1] == "national grid operator"


def test_sibling_statements_and_inherited_speakers() -> None:
    analysis = sitreps.analyze(
        "Mayor Ihor Terekhov described the strike as brutal, noting that two schools were hit. "
        "The governor visited the site and said repairs would take months."
    )
    (brutal,) = claims_of(analysis, "brutal")
    assert "schools" not in brutal.span.text  # "noting ..." is a statement of its own
    (schools,) = claims_of(analysis, "two schools were hit")
    assert source_names(analysis, schools)[-1].endswith("Ihor Terekhov")
    (repairs,) = claims_of(analysis, "repairs would take months")
    assert source_names(analysis, repairs)[-1] == "governor"
    assert repairs.source_mention is not None and repairs.source_mention.text == "The governor"


def test_parenthetical_and_headline_attribution() -> None:
    analysis = sitreps.analyze(
        "Air Force: 47 drones were launched overnight.\n\n"
        "In the last week, the spokesman says, air defence shot down 300 drones."
    )
    (drones,) = claims_of(analysis, "47 drones were launched")
    assert source_names(analysis, drones)[-1] == "Air Force"
    assert [cue.text for cue in drones.cues] == [":"]
    (week,) = claims_of(analysis, "shot down 300 drones")
    assert source_names(analysis, week)[-1] == "spokesman"


def test_a_heading_before_a_colon_is_not_a_speaker() -> None:
    analysis = sitreps.analyze(
        "Infrastructure: two substations were damaged in Kharkiv overnight.\n\n"
        "Police: two men were detained near the site."
    )
    (damage,) = claims_of(analysis, "two substations were damaged")
    assert damage.attribution == [analysis.claims[0].attribution[0]]  # the outlet's own
    assert "Infrastructure" not in {source.name for source in analysis.sources}
    (detained,) = claims_of(analysis, "two men were detained")
    assert source_names(analysis, detained)[-1] == "Police"


def test_a_title_before_a_name_does_not_name_the_speaker() -> None:
    analysis = sitreps.analyze(
        "Moldovan Minister of Infrastructure and Regional Development Andrei Spinu wrote in a "
        "Telegram post that the Russian attacks led to power outages across the country."
    )
    (outages,) = claims_of(analysis, "led to power outages")
    assert source_names(analysis, outages)[-1].endswith("Andrei Spinu")
    assert len(analysis.sources) == 2  # the outlet and the minister, not "Infrastructure"


def test_a_pronoun_speaker_is_the_person_named_before() -> None:
    analysis = sitreps.analyze(
        "Olena Kovalenko runs a shelter in Izium. She said the building lost power on Monday."
    )
    (power,) = claims_of(analysis, "the building lost power")
    assert source_names(analysis, power)[-1] == "Olena Kovalenko"
    assert power.source_mention is not None and power.source_mention.text == "She"


def test_according_to_reports_is_an_unnamed_source() -> None:
    analysis = sitreps.analyze("According to reports, at least 7 people were injured in Kherson.")
    (claim,) = claims_of(analysis, "7 people were injured")
    source = analysis.source(claim.attribution[-1])
    assert (source.name, source.kind) == ("reports", SourceKind.UNNAMED)


def test_nested_attribution_chain() -> None:
    analysis = sitreps.analyze(
        "TASS reported that the Russian Defence Ministry said its forces had destroyed a depot.",
        outlet="Northwind Wire",
    )
    (claim,) = claims_of(analysis, "destroyed a depot")
    assert source_names(analysis, claim) == [
        "Northwind Wire",
        "TASS",
        "Russian Defence Ministry",
    ]
    kinds = [analysis.source(s).kind for s in claim.attribution]
    assert kinds == [
        SourceKind.REPORTING_OUTLET,
        SourceKind.STATE_AFFILIATED_MEDIA,
        SourceKind.OFFICIAL_MILITARY,
    ]


@pytest.mark.parametrize(
    ("sentence", "certainty"),
    [
        ("Russian forces shelled Kherson.", Certainty.ASSERTED),
        ("Russian forces shelled Kherson, the governor said.", Certainty.REPORTED),
        ("Russian forces reportedly shelled Kherson.", Certainty.HEDGED),
        ("Russian forces may have shelled Kherson.", Certainty.SPECULATIVE),
        ("The ministry denied that its forces shelled Kherson.", Certainty.DENIED),
    ],
)
def test_certainty_grades(sentence: str, certainty: Certainty) -> None:
    (claim,) = claims_of(sitreps.analyze(sentence), "shelled Kherson")
    assert claim.certainty is certainty


def test_speculation_is_never_coded_as_an_event() -> None:
    assert sitreps.analyze("Analysts warn that Russia could strike Kyiv next week.").events == []


def test_dates_resolve_against_the_publication_date() -> None:
    friday = sitreps.analyze("Russian missiles struck Kharkiv on Friday.", published_at=PUBLISHED)
    assert friday.events[0].date_start == date(2026, 10, 16)
    assert friday.events[0].time_precision == 1
    overnight = sitreps.analyze("Drones hit Odesa overnight.", published_at=PUBLISHED)
    event = overnight.events[0]
    assert (event.date_start, event.date_end) == (date(2026, 10, 15), date(2026, 10, 16))
    assert event.time_of_day == "night"


def test_without_publication_date_relative_dates_stay_unknown() -> None:
    analysis = sitreps.analyze("Russian missiles struck Kharkiv yesterday.")
    assert analysis.events[0].date_start is None
    assert any(w.code == "date_unknown" for w in analysis.warnings)


def test_a_dateline_supplies_the_missing_publication_date() -> None:
    analysis = sitreps.analyze("KYIV, 8 May 2024 — Russian forces shelled Nikopol overnight.")
    assert analysis.report.published_at == datetime(2024, 5, 8)
    assert any(w.code == "published_from_dateline" for w in analysis.warnings)
    event = analysis.events[0]
    assert (event.date_start, event.date_end) == (date(2024, 5, 7), date(2024, 5, 8))


def test_a_date_in_the_text_needs_no_publication_date() -> None:
    analysis = sitreps.analyze("Russian forces shelled Nikopol on 3 May 2024, officials said.")
    assert analysis.report.published_at is None  # an event date is no dateline
    (claim,) = analysis.claims
    assert claim.certainty is Certainty.REPORTED  # the month "May" is no modal verb
    assert (analysis.events[0].date_start, analysis.events[0].time_precision) == (
        date(2024, 5, 3),
        1,
    )


def test_empty_text_is_refused() -> None:
    with pytest.raises(InputError, match="empty"):
        sitreps.analyze("  \n ")


def test_report_id_is_the_content_hash() -> None:
    first = sitreps.analyze("Shelling hit Nikopol.")
    assert first.report.id == sitreps.analyze("Shelling hit Nikopol.").report.id
    assert first.report.id != sitreps.analyze("Shelling hit Nikopol again.").report.id


def test_a_long_text_parsed_in_pieces_reads_as_one(
    seed_text: str, seed: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long texts are parsed a piece at a time to bound memory; the analysis must not
    change for it. The seed is cut into pieces of at most 600 characters here."""
    monkeypatch.setattr(segment, "PIECE_CHARS", 600)
    assert len(segment._pieces(seed_text)) > 3
    assert "".join(segment._pieces(seed_text)) == seed_text
    pieced = sitreps.analyze(seed_text)
    assert pieced.report.text == seed_text
    assert [s.model_dump() for s in pieced.sentences] == [s.model_dump() for s in seed.sentences]
    assert [c.span for c in pieced.claims] == [c.span for c in seed.claims]
    assert [e.sub_event_type for e in pieced.events] == [e.sub_event_type for e in seed.events]
