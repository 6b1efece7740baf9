"""The learned attribution tagger: its decoding, its weights on disk, and what the shipped
model finds in plain reports (through `sitreps.analyze`)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import sitreps
from sitreps import attribution_model, nlp
from sitreps.model import ClaimKind
from tests.conftest import claims_of, source_names


def _log(probabilities: list[list[float]]) -> np.ndarray:
    return np.log(np.array(probabilities))


def test_decoding_never_starts_a_span_inside() -> None:
    # O, then a word most likely "inside": with no begin before it, the best path opens a span
    # there (B) or stays outside; a lone I is never produced.
    spans = attribution_model.decode(_log([[0.9, 0.05, 0.05], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]]))
    assert spans == [(1, 3)]


def test_decoding_splits_two_adjacent_spans_at_a_begin() -> None:
    spans = attribution_model.decode(_log([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]]))
    assert spans == [(0, 2), (2, 3)]


def test_decoding_finds_the_best_sequence_an_outside_tag_allows() -> None:
    # Against every sequence of four tags with no inside tag after an outside one or first.
    rng = np.random.default_rng(7)
    for _ in range(50):
        scores = np.log(rng.dirichlet([1.0, 1.0, 1.0], size=4))
        allowed = [
            tags
            for tags in itertools.product(range(3), repeat=4)
            if tags[0] != 2 and all(not (a == 0 and b == 2) for a, b in itertools.pairwise(tags))
        ]
        best = max(allowed, key=lambda tags: sum(scores[i, t] for i, t in enumerate(tags)))
        spans, start = [], None
        for i, tag in enumerate([*best, 0]):
            if tag != 2 and start is not None:
                spans.append((start, i))
                start = None
            if tag == 1:
                start = i
        assert attribution_model.decode(scores) == spans


def test_weights_round_trip_without_pickle(tmp_path: Path) -> None:
    doc = nlp.load()("The governor said that two drones hit a substation in Sumy.")
    features = attribution_model.features(doc)
    shipped = attribution_model.shipped()
    shipped.save(tmp_path / "tagger.npz")
    loaded = attribution_model.Tagger.load(tmp_path / "tagger.npz")
    assert attribution_model.predict(loaded, [features]) == attribution_model.predict(
        shipped, [features]
    )
    with np.load(tmp_path / "tagger.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_the_shipped_tagger_finds_source_cue_and_content() -> None:
    doc = nlp.load()("The governor said that two drones hit a substation in Sumy.")
    found = attribution_model.spans(doc)
    assert [doc[s:e].text for s, e in found["source"]] == ["The governor"]
    assert [doc[s:e].text for s, e in found["cue"]] == ["said"]
    (content,) = found["content"]
    assert "two drones hit a substation in Sumy" in doc[content[0] : content[1]].text


def test_a_quote_over_two_sentences_keeps_its_speaker() -> None:
    analysis = sitreps.analyze(
        "“The drones came in at dawn. Three houses burned down,” said Ihor Terekhov, the mayor."
    )
    for words in ("The drones came in at dawn", "Three houses burned down"):
        (claim,) = claims_of(analysis, words)
        assert source_names(analysis, claim)[-1] == "Ihor Terekhov"


def test_a_quote_split_by_its_speaker_is_one_content() -> None:
    analysis = sitreps.analyze(
        "“It just came out of my mouth,” Olena Petrenko told reporters on Monday. “It wasn’t "
        "like I thought about it.” The mayor, Ihor Terekhov, said the drones came in at dawn."
    )
    first, second = (claims_of(analysis, w)[0] for w in ("came out of my", "thought about it"))
    assert (
        source_names(analysis, first)[-1] == source_names(analysis, second)[-1] == "Olena Petrenko"
    )
    assert [c.text for c in second.cues] == ["told"]


def test_no_content_runs_from_the_headline_into_the_report() -> None:
    analysis = sitreps.analyze(
        "Russian drones hit the port overnight, the governor said.",
        title="Zelensky: Russia must pay for its crimes",
    )
    (headline,) = claims_of(analysis, "Russia must pay")
    (report,) = claims_of(analysis, "Russian drones hit the port")
    assert source_names(analysis, headline)[-1] == "Zelensky"
    assert source_names(analysis, report)[-1] == "governor"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Residents hope the power returns soon.", "the power returns soon"),
        ("Kyiv wants the West to send more air defence.", "send more air defence"),
    ],
)
def test_a_wish_or_belief_is_an_attitude_not_a_statement(text: str, words: str) -> None:
    (claim,) = claims_of(sitreps.analyze(text), words)
    assert claim.kind is ClaimKind.ATTITUDE
    assert len(claim.attribution) == 2  # ascribed to its holder, through the outlet


def test_an_attitude_tells_of_no_event() -> None:
    analysis = sitreps.analyze(
        "Ukrainian commanders hope to shell the Russian positions at Bakhmut."
    )
    assert analysis.events == []


@pytest.mark.parametrize(
    "text",
    [
        "General Patrick Sanders said the army was too small. Sanders added that recruitment "
        "had fallen. Later, Patrick warned that the war would be long.",
        "Sanders said the army was too small. Patrick Sanders, the former army chief, added "
        "that recruitment had fallen.",
    ],
)
def test_a_persons_name_variants_are_one_voice(text: str) -> None:
    analysis = sitreps.analyze(text)
    (person,) = [s for s in analysis.sources if "Sanders" in s.name]
    assert person.name == "Patrick Sanders"
    for claim in analysis.claims:
        if len(claim.attribution) > 1:
            assert claim.attribution[-1] == person.id


def test_an_event_is_no_source() -> None:
    analysis = sitreps.analyze("Suspected strikes hit the port overnight, officials said.")
    assert {s.name for s in analysis.sources} == {"the reporting outlet", "officials"}


def test_what_is_said_runs_up_to_who_says_it() -> None:
    analysis = sitreps.analyze(
        "A Russian drone strike hit the port of Odesa overnight, injuring three workers, "
        "Mayor Hennadiy Trukhanov said."
    )
    (claim,) = claims_of(analysis, "injuring three workers")
    assert source_names(analysis, claim)[-1] == "Hennadiy Trukhanov"
    (event,) = analysis.events
    assert event.injured is not None and event.injured.low == 3
