"""The learned attribution tagger: its decoding, its weights on disk, and what the shipped
model finds in plain reports (through `sitreps.analyze`)."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

import sitreps
from sitreps import attribution_model, nlp
from sitreps.model import ClaimKind
from tests.conftest import claims_of, source_names


def _decode(scores: np.ndarray, transitions: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Spans decoded with no preference between tags (besides the barred one, O -> I)."""
    moves = np.zeros((3, 3)) if transitions is None else transitions
    return attribution_model.decode(scores, moves, np.zeros(3))


def _spans(tags: tuple[int, ...]) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, tag in enumerate([*tags, 0]):
        if tag != 2 and start is not None:
            spans.append((start, i))
            start = None
        if tag == 1:
            start = i
    return spans


def _path_score(
    tags: tuple[int, ...], scores: np.ndarray, moves: np.ndarray, opening: np.ndarray
) -> float:
    return float(
        opening[tags[0]]
        + sum(scores[i, t] for i, t in enumerate(tags))
        + sum(moves[a, b] for a, b in itertools.pairwise(tags))
    )


def test_decoding_never_starts_a_span_inside() -> None:
    # O, then a word most likely "inside": with no begin before it, the best path opens a span
    # there (B) or stays outside; a lone I is never produced.
    spans = _decode(np.log([[0.9, 0.05, 0.05], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]]))
    assert spans == [(1, 3)]


def test_decoding_splits_two_adjacent_spans_at_a_begin() -> None:
    spans = _decode(np.log([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]]))
    assert spans == [(0, 2), (2, 3)]


def test_decoding_follows_the_learned_transitions() -> None:
    # Each word alone would rather be outside, but a span, once begun, is dear to leave.
    scores = np.log([[0.2, 0.8, 0.0001], [0.6, 0.1, 0.3], [0.6, 0.1, 0.3]])
    assert _decode(scores) == [(0, 1)]
    sticky = np.array([[0.0, 0.0, -5.0], [-3.0, 0.0, 1.0], [-3.0, 0.0, 1.0]])
    assert _decode(scores, sticky) == [(0, 3)]


def test_decoding_finds_the_best_sequence_the_transitions_allow() -> None:
    # Against every sequence of four tags with no inside tag after an outside one or first.
    rng = np.random.default_rng(7)
    allowed = [
        tags
        for tags in itertools.product(range(3), repeat=4)
        if tags[0] != 2 and all(not (a == 0 and b == 2) for a, b in itertools.pairwise(tags))
    ]
    for _ in range(50):
        scores = rng.normal(size=(4, 3))
        moves, opening = rng.normal(size=(3, 3)), rng.normal(size=3)
        best = max(allowed, key=lambda tags: _path_score(tags, scores, moves, opening))
        assert attribution_model.decode(scores, moves, opening) == _spans(best)


def test_the_loss_is_least_for_the_gold_tags() -> None:
    # The CRF's loss is a negative log-likelihood: its gold path's probability, normalised
    # over every path, so a confident right tagging costs little and a wrong one a lot.
    tagger = attribution_model.Tagger()
    gold = torch.tensor([[[1, 0, 0], [2, 0, 0], [0, 1, 1], [0, 0, 2]]])
    right = torch.full((1, 4, 3, 3), -5.0).scatter(-1, gold[..., None], 5.0)
    lengths = torch.tensor([4])
    cost = tagger.negative_log_likelihood(right, gold, lengths).item()
    assert 0 <= cost < 0.1
    wrong = torch.tensor([[[0, 1, 0], [0, 2, 0], [1, 0, 1], [2, 0, 2]]])
    assert tagger.negative_log_likelihood(right, wrong, lengths).item() > 10
    # what lies past a report's length counts for nothing
    padded = torch.cat([right, torch.zeros(1, 2, 3, 3)], dim=1)
    padded_gold = torch.cat([gold, torch.zeros(1, 2, 3, dtype=torch.int64)], dim=1)
    assert tagger.negative_log_likelihood(padded, padded_gold, lengths).item() == pytest.approx(
        cost, abs=1e-4
    )


def test_weights_round_trip_without_pickle(tmp_path: Path) -> None:
    doc = nlp.load()("The governor said that two drones hit a substation in Sumy.")
    shipped = attribution_model.shipped()
    shipped.save(tmp_path / "taggers.npz")
    loaded = attribution_model.Ensemble.load(tmp_path / "taggers.npz")
    assert len(loaded.taggers) == len(shipped.taggers) > 1
    assert loaded.reader is not None
    features = attribution_model.features(doc, shipped.mixes())
    assert attribution_model.predict(loaded, [features]) == attribution_model.predict(
        shipped, [features]
    )
    said = [(2, 3)]
    assert attribution_model.read(loaded, features, said) == attribution_model.read(
        shipped, features, said
    )
    with np.load(tmp_path / "taggers.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_an_ensemble_reads_the_mean_of_its_taggers_scores() -> None:
    # One tagger twice is that tagger; a second one that scores every word "outside" with
    # certainty outvotes the first everywhere, so the ensemble tags nothing.
    doc = nlp.load()("The governor said that two drones hit a substation in Sumy.")
    (first, second) = attribution_model.shipped().taggers[:2]
    alone = attribution_model.Ensemble([first])
    twice = attribution_model.Ensemble([first, first])
    assert attribution_model.tag(doc, twice).spans == attribution_model.tag(doc, alone).spans
    silent = copy.deepcopy(second)
    with torch.no_grad():
        silent.out[1].weight.zero_()
        silent.out[1].bias.copy_(torch.tensor([50.0, -50.0, -50.0] * 3))
    outvoted = attribution_model.tag(doc, attribution_model.Ensemble([first, silent])).spans
    assert outvoted == {role: [] for role in attribution_model.ROLES}


def test_the_shipped_tagger_finds_source_cue_and_content() -> None:
    doc = nlp.load()("The governor said that two drones hit a substation in Sumy.")
    tagged = attribution_model.tag(doc, attribution_model.shipped())
    found = tagged.spans
    assert [doc[s:e].text for s, e in found["source"]] == ["The governor"]
    assert [doc[s:e].text for s, e in found["cue"]] == ["said"]
    (content,) = found["content"]
    assert "two drones hit a substation in Sumy" in doc[content[0] : content[1]].text
    # the reader, given the cue, reads the same source and content
    assert tagged.read == {found["cue"][0]: {"source": found["source"], "content": [content]}}


def test_a_quote_over_two_sentences_keeps_its_speaker() -> None:
    analysis = sitreps.analyze(
        "“The drones came in at dawn. Three houses burned down,” said Ihor Terekhov, the mayor."
    )
    for words in ("The drones came in at dawn", "Three houses burned down"):
        (claim,) = claims_of(analysis, words)
        assert source_names(analysis, claim)[-1] == "Ihor Terekhov"


def test_a_quote_longer_than_the_readers_window_keeps_its_speaker() -> None:
    # The cue reader reads the sentence before the cue's; the quote's first sentence lies
    # beyond, where the taggers' content runs on.
    analysis = sitreps.analyze(
        "“We lost power at night. The generators failed too. Nobody came to help us,” the "
        "mayor told reporters in the evening."
    )
    for words in ("We lost power", "The generators failed", "Nobody came"):
        (claim,) = claims_of(analysis, words)
        assert source_names(analysis, claim)[-1] == "mayor"


def test_each_cue_of_a_sentence_reads_its_own_source_and_content() -> None:
    doc = nlp.load()(
        "The governor said the bridge was hit by two missiles, but the ministry insisted "
        "that the strike had missed."
    )
    tagged = attribution_model.tag(doc, attribution_model.shipped())
    read = {
        doc[start:end].text: {
            role: [doc[s:e].text for s, e in spans] for role, spans in reading.items()
        }
        for (start, end), reading in tagged.read.items()
    }
    assert read == {
        "said": {"source": ["The governor"], "content": ["the bridge was hit by two missiles"]},
        "insisted": {"source": ["the ministry"], "content": ["that the strike had missed"]},
    }


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


def test_the_reader_reads_the_sentences_around_a_cue() -> None:
    # seven sentences of ten words; the cue in the fourth
    starts = np.zeros(70)
    starts[::10] = 1
    ((first, end, sentence),) = attribution_model.windows(starts, [(32, 33)])
    before, after = attribution_model.SENTENCES_BEFORE, attribution_model.SENTENCES_AFTER
    assert (first, end) == (30 - 10 * before, min(70, 40 + 10 * after))
    assert sentence[32 - first] == before  # the cue's own sentence
    assert list(sentence) == sorted(sentence) and sentence[0] == 0
    # a text without sentence breaks: the words nearest the cue, more of them after it
    ((first, end, _),) = attribution_model.windows(np.eye(1, 1000)[0], [(500, 501)])
    assert first < 500 < end and end - 500 > 500 - first
    assert end - first == attribution_model.WINDOW_WORDS
