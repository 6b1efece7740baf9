"""Place names found in news text, against gold entity spans (the `ruuk/*.jsonl` format).

Each record has `text`, `lang` and gold `entities` (`start`, `end` code-point offsets,
`label`; SlavicNER's also a `lemma`). A place sitreps finds matches a gold entity of the
label asked for (LOC by default) with exactly the same span; where the spans only overlap
the match counts in the overlap figures. Gold mentions made of several parts
(`discontinuous`) cannot be matched by a span and are left out, as factRuEval's own
scorer leaves them. Where the gold names its lemma, a matched place is resolved right when
the gazetteer's entries for the lemma include the place sitreps chose ("Харкові" resolved
to the place the gazetteer knows as "Харків").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sitreps import progress
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF
from sitreps.gazetteer import normalize_name, open_gazetteer
from sitreps.model import Analysis, Mode, Place, Report, content_id
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
            found = _places(record, mode)
            gold = [
                e for e in record["entities"] if e["label"] == label and not e.get("discontinuous")
            ]
            spans = {(e["start"], e["end"]): e for e in gold}
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
    gazetteer holds under that lemma."""
    if not pairs:
        return None
    entries = open_gazetteer().lookup(normalize_name(lemma) for _, lemma in pairs)
    right = sum(
        any(
            (e.name, e.country, e.feature) == (place.name, place.country, place.feature)
            for e in entries.get(normalize_name(lemma), [])
        )
        for place, lemma in pairs
    )
    return round(right / len(pairs), 4)
