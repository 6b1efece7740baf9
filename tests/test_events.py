"""Events: the sentence classifier, `sitreps eval events` / `events-plover`, and what the
events stage codes from short reports (actors, counts, weapons, casualties, vetoes)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

import sitreps
from sitreps import event_classifier
from sitreps.model import Analysis, CodedBy, Event
from tests.test_eval_geo import run_eval

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PUBLISHED = datetime(2024, 5, 8, 9, 0)  # a Wednesday


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines()]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A hand grenade was thrown at a police patrol in the market.", "GRENADE"),
        ("A suicide bomber blew himself up at the gate of the army base.", "SUIC_BOMB"),
        ("A strong earthquake struck the coast, flattening villages.", "NATURAL_DISASTER"),
        ("Soldiers raped women during the raid on the village.", "SEX_VIOL"),
    ],
)
def test_the_shipped_classifier_names_unambiguous_sentences(text: str, label: str) -> None:
    (prediction,) = event_classifier.shipped().predict([text])
    assert prediction.type.label == label
    assert 0 < prediction.probability <= 1


def test_every_label_has_its_acled_coding() -> None:
    model = event_classifier.shipped()
    assert len(model.labels) == 30
    for label in model.labels:
        coded = event_classifier.event_type(label)
        assert (coded.event_type is None) == (coded.sub_event_type is None)
    assert event_classifier.event_type("DIPLO").event_type is None
    assert event_classifier.event_type("AIR_STRIKE").sub_event_type == "Air/drone strike"


def test_a_trained_model_saved_and_loaded_predicts_the_same(tmp_path: Path) -> None:
    records = _records("events_case.jsonl")
    model = event_classifier.fit([r["text"] for r in records], [r["label"] for r in records])
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = event_classifier.EventClassifier.load(path)
    texts = ["Protesters blocked the road.", "Drones hit the depot."]
    assert np.allclose(model.probabilities(texts), loaded.probabilities(texts), atol=1e-4)
    assert loaded.training_digests == model.training_digests


def test_training_refuses_labels_outside_the_codebook() -> None:
    with pytest.raises(ValueError, match="not in the codebook"):
        event_classifier.fit(["Something happened."], ["NOT_A_LABEL"])


def test_eval_events_scores_a_held_out_file() -> None:
    figures = run_eval("events", str(FIXTURES / "events_case.jsonl"))
    assert figures["evaluation"] == "held out"
    assert figures["n"] == 20
    assert {"accuracy", "weighted_f1", "macro_f1", "most_confused"} <= set(figures)
    assert figures["accuracy"] >= 0.8  # plain sentences of ten distinct types
    assert 0 <= figures["macro_f1"] <= 1


def test_eval_events_scores_fast_modes_classifier() -> None:
    figures = run_eval("events", str(FIXTURES / "events_case.jsonl"), "--mode", "fast")
    assert figures["evaluation"] == "held out"
    assert figures["accuracy"] >= 0.8
    assert not event_classifier.shipped(embedded=False).embedded


def test_eval_events_cross_validates_on_request() -> None:
    figures = run_eval("events", str(FIXTURES / "events_case.jsonl"), "--folds", "2")
    assert figures["evaluation"] == "2-fold cross-validation"
    assert 0 <= figures["weighted_f1"] <= 1


def test_eval_events_plover_scores_only_mapped_types() -> None:
    figures = run_eval("events-plover", str(FIXTURES / "events_plover.jsonl"))
    assert figures["n"] == 4  # AGREE has no clear ACLED counterpart
    assert figures["skipped"] == 1
    assert set(figures["by_plover_event"]) == {"PROTEST", "DEMAND", "ASSAULT"}


@pytest.mark.gold
@pytest.mark.skipif(
    not (SHARED / "events" / "case2021_dev.jsonl").exists(),
    reason="../shared/data (the CASE 2021 sample) is absent: a fresh clone has no gold sets",
)
def test_cross_validated_figures_on_the_case_sample() -> None:
    figures = run_eval("events", str(SHARED / "events" / "case2021_dev.jsonl"), "--folds", "5")
    assert figures["n"] == 503
    assert figures["weighted_f1"] >= 0.78  # docs/quality.md: 0.797


def _events(text: str, published: datetime | None = PUBLISHED) -> tuple[Analysis, list[Event]]:
    analysis = sitreps.analyze(text, published_at=published)
    return analysis, analysis.events


def test_actors_from_demonyms_weapons_and_the_place() -> None:
    _, (event,) = _events("Gunmen attacked a checkpoint near Kramatorsk on Tuesday, police said.")
    assert event.actor1 is not None
    assert (event.actor1.name, event.actor1.inter) == ("Unidentified Armed Group (Ukraine)", 3)
    _, (event,) = _events("A Russian missile hit a block of flats in Kharkiv, killing two people.")
    assert event.actor1 is not None and event.actor1.name == "Military Forces of Russia"
    assert event.actor2 is not None and (event.actor2.name, event.actor2.inter) == (
        "Civilians (Ukraine)",
        7,
    )


def test_armed_groups_come_before_state_forces() -> None:
    _, (event,) = _events("Rebel forces shelled Donetsk on Tuesday, officials said.")
    assert event.actor1 is not None and event.actor1.inter == 2
    _, (event,) = _events("Armed men attacked a checkpoint near Kramatorsk, police said.")
    assert event.actor1 is not None and event.actor1.inter == 3


def test_protesters_and_police() -> None:
    # ACLED: protesters arrested make the protest one met by intervention, not an arrest
    _, events = _events("Hundreds of protesters rallied in Kyiv. Police detained 12 demonstrators.")
    [protest] = events
    assert protest.sub_event_type == "Protest with intervention"
    assert protest.actor1 is not None and protest.actor1.inter == 6
    assert protest.actor2 is not None and protest.actor2.name == "Police Forces of Ukraine"


def test_witnesses_are_not_perpetrators() -> None:
    _, (event,) = _events("Residents of Odesa reported at least six explosions after 3 a.m.")
    assert event.actor1 is None


def test_counts_weapons_and_casualty_ranges() -> None:
    _, (event,) = _events(
        "Russian forces launched dozens of drones at Odesa overnight, the air force said. "
        "Two people were killed and between five and seven were injured."
    )
    assert [(w.kind, w.count.low, w.count.high) for w in event.weapons if w.count] == [
        ("drone", 24, 99)
    ]
    assert event.fatalities is not None and (event.fatalities.low, event.fatalities.high) == (2, 2)
    assert event.injured is not None and (event.injured.low, event.injured.high) == (5, 7)
    assert event.date_start is not None and event.date_start.isoformat() == "2024-05-07"


def test_the_dead_counted_by_the_casualty_noun_itself() -> None:
    _, (event,) = _events(
        "Gunmen opened fire in a concert hall outside Moscow on Friday, claiming at least 143"
        " lives."
    )
    assert event.fatalities is not None and (event.fatalities.low, event.fatalities.text) == (
        143,
        "at least 143",
    )


def test_a_generic_attack_with_a_count_is_a_ground_battle() -> None:
    _, (event,) = _events("The enemy attacked 38 times near Myrnohrad, the General Staff said.")
    assert (event.event_type, event.sub_event_type) == ("Battles", "Armed clash")
    assert event.count is not None and event.count.low == 38


def test_fighting_around_a_recapture_is_the_same_event() -> None:
    _, events = _events("Ukrainian forces recaptured Robotyne after heavy fighting, they said.")
    assert [e.sub_event_type for e in events] == ["Government regains territory"]


def test_an_industrial_explosion_is_no_acled_event() -> None:
    analysis, events = _events("An explosion at a chemical plant in Dnipro killed four workers.")
    assert events == []
    assert not any(w.code == "event_unlocated" for w in analysis.warnings)


def test_a_named_weapon_decides_over_the_classifier() -> None:
    _, (event,) = _events("Russian drones struck the port of Odesa overnight.")
    assert event.sub_event_type == "Air/drone strike"
    assert event.coded_by is CodedBy.TRIGGER


def test_an_event_dated_only_by_its_month_spans_the_month() -> None:
    _, (event,) = _events("Russian forces shelled Kharkiv in March 2024, the governor said.")
    assert (event.date_start, event.date_end, event.time_precision) == (
        date(2024, 3, 1), date(2024, 3, 31), 3
    )  # fmt: skip
