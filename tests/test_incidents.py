"""Incidents across reports and their corroboration, through the store and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

import sitreps
from sitreps.corroboration import Status, account, corroborate
from sitreps.incidents import cluster, compatible, mentions_of
from sitreps.store import Store
from tests.conftest import CORPUS, ROOT, SEED, Ran, run_cli
from tests.test_eval_geo import FIXTURES, SHARED, run_eval

PUBLISHED = datetime.fromisoformat("2026-10-16T18:00:00+03:00")


def report(text: str, outlet: str, published: datetime = PUBLISHED) -> sitreps.Analysis:
    return sitreps.analyze(text, outlet=outlet, published_at=published)


def test_reports_of_one_strike_are_one_incident_and_others_are_not() -> None:
    analyses = [
        report("A Russian missile hit an apartment building in Kharkiv on Friday, killing "
               "three people, the mayor said.", "Kharkiv City News"),
        report("Russia struck a residential building in Kharkiv with a missile on Friday; "
               "three people died, officials said.", "Northwind Wire"),
        report("A drone hit a substation in Lviv on Friday, cutting power, the governor "
               "said.", "Lviv Post"),
        report("A Russian missile hit an apartment building in Kharkiv on 2 October, the "
               "mayor said.", "Kharkiv City News"),
    ]  # fmt: skip
    mentions = [m for a in analyses for m in mentions_of(a)]
    incidents = cluster(mentions)
    groups = sorted(sorted(m.report_id for m in i.mentions) for i in incidents)
    kharkiv = sorted([analyses[0].report.id, analyses[1].report.id])
    assert kharkiv in groups  # same day, same place, same kind: one incident
    assert len(incidents) == 3  # Lviv is elsewhere, 2 October is another day
    again = cluster([m for a in analyses for m in mentions_of(a)])
    assert [i.id for i in again] == [i.id for i in incidents]  # same order, same result


def test_events_that_do_not_say_when_and_where_join_nothing_on_words_alone() -> None:
    undated = [
        sitreps.analyze("Russian forces shelled Kharkiv, killing three people, the mayor said.",
                        outlet="Kharkiv City News"),
        sitreps.analyze("Russia shelled Kharkiv; three people died, officials said.",
                        outlet="Northwind Wire"),
    ]  # fmt: skip
    first, second = (mentions_of(a)[0] for a in undated)
    assert first.window is None and not compatible(first, second)
    dated = [
        report("Russian forces shelled Kharkiv on Friday, killing three people, the mayor said.",
               "Kharkiv City News"),
        report("Russia shelled Kharkiv on Friday; three people died, officials said.",
               "Northwind Wire"),
    ]  # fmt: skip
    first, second = (mentions_of(a)[0] for a in dated)
    assert compatible(first, second)  # when and where agree
    assert not compatible(replace(first, point=None), second)  # where is unknown


def test_two_outlets_repeating_one_ministry_are_one_voice() -> None:
    tass = report(
        "TASS reported that the Russian Defence Ministry said its forces had struck "
        "a fuel depot in Kharkiv on Friday.",
        "Northwind Wire",
    )
    ria = report(
        "RIA Novosti said Russian forces had struck a fuel depot in Kharkiv on Friday.",
        "Lviv Post",
    )
    members = [account(a, a.events[0]) for a in (tass, ria)]
    result = corroborate(members)
    assert [v.group for v in result.voices] == ["Government of Russia"]
    assert result.status is Status.SINGLE_SOURCE
    wire = report(
        "A fuel depot burned in Kharkiv on Friday after a strike, a Reuters photographer saw.",
        "Kharkiv City News",
    )
    assert corroborate([*members, account(wire, wire.events[0])]).status is Status.CORROBORATED


def test_a_ministry_named_by_its_role_is_its_governments_voice() -> None:
    # In Russia, "the defence ministry" speaks for the government the registry calls
    # "Government of Russia" (the affiliation of TASS): one voice, not two.
    tass = report(
        "TASS reported that Ukrainian drones had struck a fuel depot in Bryansk on Friday.",
        "Northwind Wire",
    )
    ministry = report(
        "The defence ministry said Ukrainian drones had struck a fuel depot in Bryansk on Friday.",
        "Kyiv Daily Monitor",
    )
    result = corroborate([account(a, a.events[0]) for a in (tass, ministry)])
    assert [v.group for v in result.voices] == ["Government of Russia"]
    assert result.status is Status.SINGLE_SOURCE


def test_one_persons_name_variants_are_one_voice() -> None:
    told = [
        report("Russian forces shelled Kupiansk on Friday, Patrick Sanders said.", "A"),
        report("Russian forces shelled Kupiansk on Friday, Sanders said.", "B"),
        report("Russian forces shelled Kupiansk on Friday, Patrick said.", "C"),
    ]
    result = corroborate([account(a, a.events[0]) for a in told])
    assert [v.group for v in result.voices] == ["Patrick Sanders"]
    assert result.status is Status.SINGLE_SOURCE


def test_sources_nobody_can_trace_are_the_outlets_own_voice() -> None:
    occupiers = report(
        "The occupiers shelled Nikopol on Friday, wounding two people. The occupiers claimed "
        "they had hit a Ukrainian command post in Nikopol on Friday.",
        "Dnipro News",
    )
    residents = report(
        "Russian forces shelled Nikopol on Friday, wounding two people, residents said.",
        "Dnipro News",
    )
    for told in (occupiers, residents):
        result = corroborate([account(told, event) for event in told.events])
        assert [v.group for v in result.voices] == ["Dnipro News"]
        assert result.status is Status.SINGLE_SOURCE


def test_a_report_naming_its_source_is_no_second_voice_for_its_other_events() -> None:
    told = report(
        "Russian forces shelled Nikopol overnight. In the morning a drone hit a school in "
        "Nikopol, the governor said.",
        "Dnipro News",
    )
    assert len(told.events) == 2
    result = corroborate([account(told, event) for event in told.events])
    assert [v.group for v in result.voices] == ["local authorities of Dnipropetrovska oblast"]


def test_a_voice_is_listed_with_the_chain_that_led_to_it() -> None:
    told = report(
        "TASS reported that the Russian Defence Ministry said its forces had struck a fuel "
        "depot in Kharkiv on Friday.",
        "Northwind Wire",
    )
    (voice,) = corroborate([account(told, told.events[0])]).voices
    assert voice.sources == {"Russian Defence Ministry via TASS via Northwind Wire"}


KHERSON = (
    "Russian forces shelled a market in Kherson on Monday, killing two people, the governor said."
)


@pytest.mark.parametrize(
    ("aside", "contested"),
    [
        ("Russia's defence ministry denied striking the market.", True),
        ("The Kremlin denied any involvement.", True),
        ("A court in Moscow denied an appeal by a jailed journalist.", False),
        ("Do not fall for fakes!", False),
    ],
)
def test_only_a_denial_of_this_event_contests_it(aside: str, contested: bool) -> None:
    told = report(f"{KHERSON} {aside}", "Kyiv Desk")
    kherson = [e for e in told.events if e.claims == told.events[0].claims]
    result = corroborate([account(told, event) for event in kherson])
    assert (result.status is Status.CONTESTED) is contested
    assert bool(result.denials) is contested


def test_counts_of_strikes_on_one_place_that_cannot_both_hold_contest() -> None:
    told = [
        report("Russian forces launched eight missile strikes on Kharkiv on Friday, the mayor "
               "said.", "A"),
        report("Russian forces launched three missile strikes on Kharkiv on Friday, the Russian "
               "Defence Ministry said.", "B"),
    ]  # fmt: skip
    result = corroborate([account(a, a.events[0]) for a in told])
    assert result.status is Status.CONTESTED
    assert result.contradictions == [
        "strikes on Kharkiv: local authorities of Kharkivska oblast says eight, "
        "Government of Russia says three"
    ]


def sitreps_cli(*args: str) -> Ran:
    """`sitreps ARGS` with the example corpus' source registry."""
    return run_cli(*args, env={"SITREPS_SOURCES": str(ROOT / "examples" / "sources.yaml")})


def incidents_of(db: Path) -> list[dict]:
    result = sitreps_cli("incidents", "--db", str(db), "--json")
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_example_incidents_and_their_corroboration(example_store: Path) -> None:
    incidents = incidents_of(example_store)
    by_place: dict[tuple[str, str], dict] = {}
    for incident in sorted(incidents, key=lambda i: -i["n_reports"]):  # the largest of a day
        by_place.setdefault((incident["location"], incident["first_date"]), incident)
    kharkiv = by_place[("Kharkiv", "2026-10-16")]
    assert kharkiv["status"] == "contested" and kharkiv["n_reports"] >= 4
    assert any("dead" in line for line in kharkiv["evidence"]["contradictions"])
    assert kharkiv["evidence"]["denials"]  # the ministry's denial is shown
    claims = kharkiv["evidence"]["claims"]
    assert any(c["kind"] == "casualties" and c["status"] == "contested" for c in claims)
    assert any(c["also_said_by"] for c in claims)
    nikopol = next(i for (place, _), i in by_place.items() if place == "Nikopol")
    # Every Nikopol report rests on the regional administration: one voice, however many,
    # in English, Ukrainian ("голова Дніпропетровської ОВА") and Russian ("глава ... ОВА").
    assert nikopol["status"] == "single-source" and nikopol["n_reports"] >= 5
    languages = _languages(example_store, nikopol["evidence"]["events"])
    assert languages == {"en", "uk", "ru"}
    odesa = next(i for (place, _), i in by_place.items() if place == "Odesa")
    assert odesa["status"] == "corroborated" and odesa["n_independent_sources"] >= 2
    rows = [json.loads(line) for line in sitreps_cli(
        "events", "--db", str(example_store), "--json", "--status", "contested"
    ).stdout.splitlines()]  # fmt: skip
    assert rows and {r["corroboration"] for r in rows} == {"contested"}


def _languages(db: Path, events: list[str]) -> set[str]:
    store = Store.open(db)
    try:
        analyses = [store.analysis(key.split(":")[0]) for key in events]
        return {analysis.report.language for analysis in analyses if analysis is not None}
    finally:
        store.close()


def test_ingesting_in_two_batches_gives_the_same_incidents(
    example_store: Path, tmp_path: Path
) -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:13]), encoding="utf-8")
    second.write_text("".join(lines[13:]), encoding="utf-8")
    db = tmp_path / "batches.db"
    # the order the example folder is read in: the seed report, then the batch's lines
    sitreps_cli("ingest", str(SEED), str(first), "--db", str(db))
    sitreps_cli("ingest", str(second), "--db", str(db))

    def memberships(path: Path) -> list[tuple[str, ...]]:
        return sorted(tuple(sorted(i["evidence"]["events"])) for i in incidents_of(path))

    assert memberships(db) == memberships(example_store)


def test_eval_incidents_on_a_small_gold_file() -> None:
    figures = run_eval("incidents", str(FIXTURES / "incidents_ecb.jsonl"))
    assert {"b3", "pairwise", "ari", "baseline", "n_docs"} <= set(figures)
    assert figures["n_docs"] == 6 and figures["b3"]["f1"] == 1.0
    assert set(figures["baseline"]["b3"]) == {"precision", "recall", "f1"}


@pytest.mark.gold
@pytest.mark.skipif(
    not (SHARED / "coref" / "ecbplus_dev.jsonl").exists(),
    reason="../shared/data is absent (a user's clone): the shared gold sets are not shipped",
)
def test_eval_incidents_on_ecb_plus() -> None:
    figures = run_eval("incidents", str(SHARED / "coref" / "ecbplus_dev.jsonl"))
    assert figures["n_docs"] == 772 and figures["b3"]["f1"] > 0.8  # docs/quality.md
