"""Place names found in news text, against gold entity spans (the `ruuk/*.jsonl` format).

Each record has `text`, `lang` and gold `entities` (`start`, `end` code-point offsets,
`label`; SlavicNER's also a `lemma`). A place sitreps finds matches a gold entity of the
label asked for (LOC by default) with exactly the same span; where the spans only overlap
the match counts in the overlap figures. Gold mentions made of several parts
(`discontinuous`) cannot be matched by a span and are left out, as factRuEval's own
scorer leaves them. Where the gold names its lemma, a matched place is resolved right when
the gazetteer's entries for the lemma include the place sitreps chose ("Харкові" resolved
to the place the gazetteer knows as "Харків"). A place sitreps marks as part of an
organisation's name ("России" of "МИД России") that the gold annotates only as part of that
longer name (SlavicNER does; factRuEval annotates the place inside it too) is not counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sitreps import progress
from sitreps.cyrillic import russian_spelling
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF
from sitreps.gazetteer import normalize_name, open_gazetteer
from sitreps.model import IN_AN_ORGANISATION, Analysis, Mode, Place, Report, content_id
from sitreps.stages import places, segment
from sitreps.state import DocumentState


def evaluate_entities(path: Path, label: str = "LOC", mode: Mode = Mode.FULL) -> dict[str, Any]:
    records = list(read_jsonl(path))
    if not records or not all("text" in r and "entities" in r for r in records):
        raise ValueError(f"{path}: expected records with 'text' and 'entities'")
    exact = overlapping = predicted = gold_count = 0
    resolvable: list[tuple[Place, str]] = []
    languages: set[str] = set()
    with progress.task("reading places", total=len(records)) as reading:
        for record in records:
            gold = [
                e for e in record["entities"] if e["label"] == label and not e.get("discontinuous")
            ]
            spans = {(e["start"], e["end"]): e for e in gold}
            found = [
                place
                for place in _places(record, mode)
                if (place.span.start, place.span.end) in spans
                or not _in_a_gold_name(place, record["entities"], label)
            ]
            predicted += len(found)
            gold_count += len(gold)
            for place in found:
                entity = spans.get((place.span.start, place.span.end))
                if entity is not None:
                    exact += 1
                    if entity.get("lemma"):
                        resolvable.append((place, entity["lemma"]))
            overlapping += sum(
                any(p.span.start < e["end"] and e["start"] < p.span.end for p in found)
                for e in gold
            )
            languages.add(record.get("lang", ""))
            reading.advance()
    figures = PRF.from_counts(exact, predicted, gold_count)
    overlap = PRF.from_counts(overlapping, predicted, gold_count)
    return {
        "documents": len(records),
        "languages": sorted(languages),
        "label": label,
        "gold_mentions": gold_count,
        "predicted_mentions": predicted,
        "precision": figures.precision,
        "recall": figures.recall,
        "f1": figures.f1,
        "overlap_precision": round(min(1.0, overlapping / predicted), 4) if predicted else 0.0,
        "overlap_recall": overlap.recall,
        "resolved_to_gold_lemma": _resolved(resolvable),
        "lemma_mentions": len(resolvable),
    }


def _in_a_gold_name(place: Place, entities: list[dict[str, Any]], label: str) -> bool:
    """A place sitreps marks as part of an organisation's name ("России" of "МИД России")
    inside a longer gold name of another label: both say it is no place mention of its own.
    factRuEval annotates such a place too ("России" as well as "МИД России"), SlavicNER
    only the organisation."""
    return place.qualifier == IN_AN_ORGANISATION and any(
        e["label"] != label and e["start"] <= place.span.start and place.span.end <= e["end"]
        for e in entities
    )


def _places(record: dict[str, Any], mode: Mode) -> list[Place]:
    """The place mentions of a record's text: the segment and places stages only."""
    text = record["text"]
    report = Report(id=content_id(text), text=text, language=record.get("lang") or "en")
    state = DocumentState(analysis=Analysis(mode=mode, report=report))
    segment.run(state)
    places.run(state)
    return state.analysis.places


def _resolved(pairs: list[tuple[Place, str]]) -> float | None:
    """The share of places, among those whose gold lemma is known, resolved to an entry the
    gazetteer holds under that lemma (or, for a Ukrainian lemma, its Russian spelling, as
    the places stage looks names up)."""
    if not pairs:
        return None
    names = {lemma: _spellings(lemma) for _, lemma in pairs}
    entries = open_gazetteer().lookup(name for spellings in names.values() for name in spellings)
    right = sum(
        any(
            (e.name, e.country, e.feature) == (place.name, place.country, place.feature)
            for name in names[lemma]
            for e in entries.get(name, [])
        )
        for place, lemma in pairs
    )
    return round(right / len(pairs), 4)


def _spellings(lemma: str) -> tuple[str, ...]:
    name = normalize_name(lemma)
    return (name, russian_spelling(name))
