"""Shipped lexicons and tables (YAML under sitreps/data/): data users can read and edit."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from sitreps import cyrillic

if TYPE_CHECKING:
    from spacy.tokens import Token


@cache
def load(name: str) -> Any:
    """The parsed YAML file `sitreps/data/<name>.yaml`."""
    with resources.files("sitreps").joinpath("data", f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@cache
def demonyms() -> dict[str, str]:
    """Demonyms and adjectives of nationality -> ISO 3166-1 alpha-2: `data/demonyms.yaml`,
    then countryinfo's demonym of every other country, where it names one country only
    ("Congolese" names two)."""
    from countryinfo import all_countries

    found: dict[str, set[str]] = {}
    for country in all_countries():
        iso = (country.iso() or {}).get("alpha2")
        try:
            written = country.demonym() or ""
        except KeyError:
            continue  # countryinfo has no demonym for some territories
        for demonym in written.replace("/", ",").split(","):
            if iso and demonym.strip():
                found.setdefault(demonym.strip(), set()).add(iso)
    table = {demonym: next(iter(isos)) for demonym, isos in found.items() if len(isos) == 1}
    edited: dict[str, str] = load("demonyms")
    return table | edited


def nationality(token: Token, demonyms: dict[str, str]) -> str | None:
    """The country a demonym names: by the word as written, or, in Russian and Ukrainian,
    where adjectives inflect, by its lemma ("російські" -> "російський" -> RU)."""
    found = demonyms.get(token.text)
    if found is None and cyrillic.in_cyrillic(token.text):
        found = demonyms.get(token.lemma_)
    return found


def matched_terms() -> dict[str, list[str]]:
    """Every lexicon list the stages look for in a text, under a label of its own
    ("events.trigger", "claim_kinds.damage"): all are found in one pass over a document
    (`sitreps.matching.LabelledTerms`), each stage reading its own labels."""
    certainty, time, events = load("certainty"), load("time"), load("events")
    loaded = load("loaded_language")
    return {
        **{f"certainty.{grade}": cues for grade, cues in certainty.items()},
        "loaded_language": [*loaded["words"], *loaded["phrases"]],
        **{f"claim_kinds.{rule['kind']}": rule["cues"] for rule in load("claim_kinds")},
        "events.trigger": [
            *events["triggers"],
            *events["weapon_verbs"],
            *events["weapon_subject_verbs"],
            *events["downing_verbs"],
        ],
        "events.weapon": [w for words in events["weapons"].values() for w in words],
        "events.target": events["targets"],
        "events.fatalities": events["fatalities"],
        "events.injured": events["injured"],
        **{f"dates.{kind}": cues for kind, cues in time["time_of_day"].items()},
        "dates.overnight": time["overnight"],
    }
