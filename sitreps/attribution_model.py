"""The learned attribution tagger: which words of an English report name a source, which are
the attribution cue, and which are the content attributed (PolNeAR's three roles).

Each word is read through the bundled all-MiniLM-L6-v2 encoder (a learned mix of its first
layers, the encoder itself frozen, its linear layers in 8-bit integers), spaCy's own token
vectors, its part of speech, dependency and entity labels, and a few flags (a quote mark, a
reporting verb of the lexicon). A bidirectional LSTM reads the words of the whole report in
order, and one layer per role scores begin / inside / outside; a linear-chain CRF per role
(learned scores of each tag after each tag) is decoded by a Viterbi pass into spans, so a
content may run over several sentences. Two such taggers, trained alike from different
seeds, ship as one ensemble that averages their scores. A third network of the same build,
the cue reader, then reads the sentences around each tagged cue, that cue marked, for the
source and content that are that cue's. Trained by `scripts/train_attribution_model.py` and
`scripts/train_cue_reader.py` (`make attribution-model`) on PolNeAR train, measured on
PolNeAR dev. The weights ship as plain arrays in an .npz file, never as a pickle, so
loading them runs no code.
"""

from __future__ import annotations

import copy
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from scipy import sparse
from spacy.tokens import Doc

from sitreps import embeddings, lexicons
from sitreps.state import parsed_text

SHIPPED = "attribution_model.npz"
ROLES = ("source", "cue", "content")
TAGS = ("O", "B", "I")
# The encoder's embedding layer and its first three transformer layers: trained on all seven,
# the tagger gave the last two a fifth of its weight; without the fourth its PolNeAR figures
# are the same, for a quarter less time, and without the third too content loses 0.015.
LAYERS = 4
WINDOW = 254  # word pieces per encoder pass, besides [CLS] and [SEP]
# How the encoder's linear layers compute: the tagger is trained on what they give, so a cache
# of features names it (`scripts/train_attribution_model.py`).
ENCODER_PRECISION = "int8"
POS_TAGS = [
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
    "SPACE",
]
DEPS = [
    "ROOT",
    "acl",
    "acomp",
    "advcl",
    "advmod",
    "agent",
    "amod",
    "appos",
    "attr",
    "aux",
    "auxpass",
    "case",
    "cc",
    "ccomp",
    "compound",
    "conj",
    "csubj",
    "csubjpass",
    "dative",
    "dep",
    "det",
    "dobj",
    "expl",
    "intj",
    "mark",
    "meta",
    "neg",
    "nmod",
    "npadvmod",
    "nsubj",
    "nsubjpass",
    "nummod",
    "oprd",
    "parataxis",
    "pcomp",
    "pobj",
    "poss",
    "preconj",
    "predet",
    "prep",
    "prt",
    "punct",
    "quantmod",
    "relcl",
    "xcomp",
]
ENTITIES = [
    "CARDINAL",
    "DATE",
    "EVENT",
    "FAC",
    "GPE",
    "LANGUAGE",
    "LAW",
    "LOC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "ORG",
    "PERCENT",
    "PERSON",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
]
FLAGS = 6
SENTENCE_START = 3  # the flag of a sentence's first word
# The cue reader's roles, and the sentences it reads around a cue's own
READ_ROLES = ("source", "content")
SENTENCES_BEFORE = 1
SENTENCES_AFTER = 3
WINDOW_WORDS = 240
READ_BATCH = 16  # cues read at once

Array = npt.NDArray[Any]


@dataclass
class Features:
    """One report's words as the tagger reads them."""

    # float32 [words, LAYERS, 384]; or, read for an ensemble, each tagger's mix of the layers
    # [words, taggers, 384]
    encoder: Array
    vectors: Array  # float32 [words, spaCy's token vector width]
    labels: Array  # int64 [words, 3]: part of speech, dependency, entity type (0 = other)
    flags: Array  # float32 [words, FLAGS]


def _index(names: Sequence[str], name: str) -> int:
    try:
        return names.index(name) + 1
    except ValueError:
        return 0


@cache
def _reporting_verbs() -> frozenset[str]:
    return frozenset(lexicons.load("attribution")["reporting_verbs"])


@cache
def _encoder_layers() -> torch.nn.ModuleList:
    """The transformer layers the tagger reads, a copy of the shared encoder's with their
    linear layers in 8-bit integers (torch's dynamic quantization): a third of the time on
    one core, for about 0.005 of PolNeAR F1 (docs/quality.md). The event classifier keeps
    the 32-bit encoder."""
    layers = embeddings.model()[0].auto_model.encoder.layer[: LAYERS - 1]
    with warnings.catch_warnings():
        # torch 2.13 announces a successor (torchao) for this API; the pinned torch has it
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        quantized: torch.nn.ModuleList = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            copy.deepcopy(layers), {torch.nn.Linear}, dtype=torch.qint8
        )
    return quantized


def encoder_states(doc: Doc, mixes: Array | None = None) -> Array:
    """The encoder's first LAYERS layers for each spaCy token ([words, LAYERS, 384]): the
    mean over its word pieces; with `mixes` (a weight per layer for each tagger of an
    ensemble, [taggers, LAYERS]), each tagger's weighted sum ([words, taggers, 384]), all
    the taggers read, in less memory. The text is read in windows of whole sentences where
    they fit."""
    model = embeddings.model()[0]
    tokenizer, encoder = model.tokenizer, model.auto_model
    pieces = tokenizer(parsed_text(doc), add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = pieces["input_ids"]
    offsets: list[tuple[int, int]] = pieces["offset_mapping"]
    depth = LAYERS if mixes is None else len(mixes)
    states = np.zeros((len(ids), depth, embeddings.DIMENSIONS), dtype=np.float32)
    sentence_starts = {sentence.start_char for sentence in doc.sents}
    breaks = [i for i, (start, _) in enumerate(offsets) if start in sentence_starts] + [len(ids)]
    windows: list[tuple[int, int]] = []
    start = 0
    for end in breaks[1:]:
        while end - start > WINDOW:  # one sentence longer than a window: cut it
            windows.append((start, start + WINDOW))
            start += WINDOW
        if windows and windows[-1][1] == start and end - windows[-1][0] <= WINDOW:
            windows[-1] = (windows[-1][0], end)
        elif end > start:
            windows.append((start, end))
        start = end
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    weights = None if mixes is None else torch.from_numpy(mixes.astype(np.float32))
    with torch.inference_mode():
        for first, last in windows:
            hidden = encoder.embeddings(input_ids=torch.tensor([[cls, *ids[first:last], sep]]))
            read = [hidden]
            for layer in _encoder_layers():
                output = layer(hidden)
                hidden = output[0] if isinstance(output, tuple) else output
                read.append(hidden)
            layers = torch.stack(read, dim=2)[0, 1:-1]
            if weights is not None:
                layers = torch.einsum("pld,tl->ptd", layers, weights)
            states[first:last] = layers.numpy()
    return _word_means(doc, offsets, states)


def _word_means(doc: Doc, offsets: Sequence[tuple[int, int]], states: Array) -> Array:
    """Each word's mean of the states of its pieces (those that end after it starts and
    start before it ends), as one sparse product: a loop over the words cost as much as
    the encoder."""
    starts = doc.to_array("IDX").astype(np.int64)
    ends = starts + np.array([len(t) for t in doc], dtype=np.int64)
    first = np.searchsorted(np.array([e for _, e in offsets], dtype=np.int64), starts, "right")
    last = np.searchsorted(np.array([s for s, _ in offsets], dtype=np.int64), ends, "left")
    lengths = np.maximum(last - first, 0)
    rows = np.repeat(np.arange(len(doc)), lengths)
    columns = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths - first, lengths)
    means = sparse.csr_matrix(
        (np.repeat(1 / np.maximum(lengths, 1), lengths).astype(np.float32), (rows, columns)),
        shape=(len(doc), len(offsets)),
    )
    words = means @ states.reshape(len(offsets), int(np.prod(states.shape[1:])))
    return np.asarray(words, dtype=np.float32).reshape(len(doc), *states.shape[1:])


def features(doc: Doc, mixes: Array | None = None) -> Features:
    """The words of a parsed report as the tagger reads them; `mixes`: see
    `encoder_states`."""
    verbs = _reporting_verbs()
    labels = np.array(
        [
            (_index(POS_TAGS, t.pos_), _index(DEPS, t.dep_), _index(ENTITIES, t.ent_type_))
            for t in doc
        ],
        dtype=np.int64,
    ).reshape(len(doc), 3)
    flags = np.array(
        [
            (
                t.is_quote,
                t.is_punct,
                t.lemma_.lower() in verbs,
                t.is_sent_start,
                t.is_title,
                t.is_space,
            )
            for t in doc
        ],
        dtype=np.float32,
    ).reshape(len(doc), FLAGS)
    vectors = doc.tensor if doc.tensor.shape[0] == len(doc) else np.zeros((len(doc), 96))
    return Features(encoder_states(doc, mixes), vectors.astype(np.float32), labels, flags)


class _WordReader(torch.nn.Module):
    """What the tagger and the cue reader share: each word's features (with `extra` columns
    of the reader's own) into a bidirectional LSTM, begin / inside / outside scores per role,
    and a linear-chain CRF per role (the score of each tag after each tag, and of each tag
    opening a text; an inside tag after an outside one is barred, in training and in decoding
    alike)."""

    def __init__(self, roles: int, extra: int, vector_width: int, hidden: int, dropout: float):
        super().__init__()
        self.config = {"vector_width": vector_width, "hidden": hidden, "dropout": dropout}
        self.roles = roles
        self.layer_mix = torch.nn.Parameter(torch.zeros(LAYERS))
        self.pos = torch.nn.Embedding(len(POS_TAGS) + 1, 16)
        self.dep = torch.nn.Embedding(len(DEPS) + 1, 16)
        self.entity = torch.nn.Embedding(len(ENTITIES) + 1, 8)
        width = embeddings.DIMENSIONS + vector_width + 16 + 16 + 8 + FLAGS + extra
        self.project = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(width, 2 * hidden), torch.nn.GELU()
        )
        self.lstm = torch.nn.LSTM(2 * hidden, hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(2 * hidden, roles * len(TAGS))
        )
        self.transitions = torch.nn.Parameter(torch.zeros(roles, len(TAGS), len(TAGS)))
        self.opening = torch.nn.Parameter(torch.zeros(roles, len(TAGS)))

    def scores(
        self,
        encoder: torch.Tensor,
        vectors: torch.Tensor,
        labels: torch.Tensor,
        flags: torch.Tensor,
        *extra: torch.Tensor,
    ) -> torch.Tensor:
        """Scores [batch, words, roles, tags] from the features of a batch of texts, their
        encoder states of every layer or already mixed by `mix()` ([..., 1, 384])."""
        if encoder.shape[-2] == LAYERS:
            mixed = (encoder * self.mix()[:, None]).sum(dim=-2)
        else:
            mixed = encoder[..., 0, :]
        inputs = torch.cat(
            [
                mixed,
                vectors,
                self.pos(labels[..., 0]),
                self.dep(labels[..., 1]),
                self.entity(labels[..., 2]),
                flags,
                *extra,
            ],
            dim=-1,
        )
        hidden, _ = self.lstm(self.project(inputs))
        scores: torch.Tensor = self.out(hidden)
        return scores.view(*scores.shape[:-1], self.roles, len(TAGS))

    def mix(self) -> torch.Tensor:
        """The weight of each of the encoder's layers."""
        return torch.softmax(self.layer_mix, 0)

    def allowed(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The transition and opening scores with an inside tag barred after an outside one
        and at a text's first word."""
        barred = torch.zeros(len(TAGS), len(TAGS))
        barred[TAGS.index("O"), TAGS.index("I")] = -1e4
        opening_barred = torch.zeros(len(TAGS))
        opening_barred[TAGS.index("I")] = -1e4
        return self.transitions + barred, self.opening + opening_barred

    def negative_log_likelihood(
        self, scores: torch.Tensor, gold: torch.Tensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        """The CRF's loss summed over texts and roles: scores [batch, words, roles, tags]
        from `scores`, gold tags [batch, words, roles] (any value past a text's length)."""
        transitions, opening = self.allowed()
        emissions = scores.permute(0, 2, 1, 3)  # [batch, roles, words, tags]
        tags = gold.clamp(min=0).permute(0, 2, 1)  # [batch, roles, words]
        words = emissions.shape[2]
        inside = (torch.arange(words)[None, :] < lengths[:, None]).float()[:, None, :]
        roles = torch.arange(self.roles)[None, :]
        # the gold path's score
        chosen = emissions.gather(-1, tags[..., None])[..., 0]  # [batch, roles, words]
        path = opening[roles, tags[:, :, 0]] + (chosen * inside).sum(-1)
        steps = transitions[roles[..., None], tags[:, :, :-1], tags[:, :, 1:]]
        path = path + (steps * inside[..., 1:]).sum(-1)
        # every path's, by the forward algorithm
        alpha = opening[None] + emissions[:, :, 0]
        for word in range(1, words):
            step = torch.logsumexp(
                alpha[..., :, None] + transitions[None] + emissions[:, :, word, None, :], dim=-2
            )
            alpha = torch.where(inside[..., word, None] > 0, step, alpha)
        return (torch.logsumexp(alpha, dim=-1) - path).sum()


class Tagger(_WordReader):
    """Sources, cues and contents over a whole report."""

    def __init__(self, vector_width: int = 96, hidden: int = 128, dropout: float = 0.2):
        super().__init__(len(ROLES), 0, vector_width, hidden, dropout)

    def forward(
        self,
        encoder: torch.Tensor,
        vectors: torch.Tensor,
        labels: torch.Tensor,
        flags: torch.Tensor,
    ) -> torch.Tensor:
        return self.scores(encoder, vectors, labels, flags)


class CueReader(_WordReader):
    """Given one cue, which words around it are its source and its content: the tagger's
    features of the sentences around the cue (`window`), with the cue's words marked, the
    other cues' words marked apart, and each word's sentence counted from the cue's.
    Reading for one cue at a time, it pairs what the tagger tags apart: a content of several
    sentences, a quote its speaker splits, the inner of two nested attributions."""

    def __init__(self, vector_width: int = 96, hidden: int = 96, dropout: float = 0.2):
        # narrower than the tagger's 128: it reads each cue's sentences, more words in all
        super().__init__(len(READ_ROLES), 2 + 8, vector_width, hidden, dropout)
        self.sentence = torch.nn.Embedding(SENTENCES_BEFORE + SENTENCES_AFTER + 1, 8)

    def forward(
        self,
        encoder: torch.Tensor,
        vectors: torch.Tensor,
        labels: torch.Tensor,
        flags: torch.Tensor,
        cues: torch.Tensor,
        sentence: torch.Tensor,
    ) -> torch.Tensor:
        """Scores [batch, words, READ_ROLES, tags]; `cues` [batch, words, 2] marks the
        cue's words and the other cues', `sentence` [batch, words] each word's sentence
        from the window's first."""
        return self.scores(encoder, vectors, labels, flags, cues, self.sentence(sentence))


def windows(
    sentence_starts: Array, cues: Sequence[tuple[int, int]]
) -> list[tuple[int, int, Array]]:
    """The words the cue reader reads for each cue (first, end), from a flag per word of
    the text marking where sentences start: the cue's sentence, SENTENCES_BEFORE before it
    and SENTENCES_AFTER after, at most WINDOW_WORDS; and each word's sentence counted from
    the window's first possible one (the cue's sentence is SENTENCES_BEFORE)."""
    starts = np.flatnonzero(sentence_starts)
    if not len(starts) or starts[0] != 0:
        starts = np.concatenate([[0], starts])
    n_words = len(sentence_starts)
    found = []
    for cue in cues:
        here = int(np.searchsorted(starts, cue[0], "right")) - 1
        first = int(starts[max(here - SENTENCES_BEFORE, 0)])
        last = here + SENTENCES_AFTER + 1
        end = int(starts[last]) if last < len(starts) else n_words
        # a run-on text without sentence breaks: the words nearest the cue, more after it
        first = max(first, cue[0] - WINDOW_WORDS // 3)
        end = min(end, max(cue[1], first + WINDOW_WORDS))
        sentence = np.searchsorted(starts, np.arange(first, end), "right") - 1 - here
        found.append((first, end, sentence + SENTENCES_BEFORE))
    return found


class Ensemble:
    """Taggers trained alike from different seeds, read as one: their scores and transitions
    are averaged before decoding, so where one of them errs alone the others outvote it
    (PolNeAR: see docs/quality.md); and the cue reader, which reads each cue they tag for
    its source and content."""

    def __init__(self, taggers: Sequence[Tagger], reader: CueReader | None = None):
        self.taggers = list(taggers)
        self.reader = reader

    def members(self) -> list[_WordReader]:
        return [*self.taggers, *([self.reader] if self.reader is not None else [])]

    def mixes(self) -> Array:
        """Each tagger's weight of each encoder layer, then the reader's ([members,
        LAYERS])."""
        return np.stack([member.mix().detach().numpy() for member in self.members()])

    def premixed(self, found: Features) -> Features:
        """Features of every encoder layer as the ensemble's members read them."""
        encoder = np.einsum("wld,tl->wtd", found.encoder.astype(np.float32), self.mixes())
        return replace(found, encoder=encoder)

    def save(self, path: Path) -> None:
        arrays = {
            f"{i}.{name}": value.detach().numpy()
            for i, member in enumerate(self.members())
            for name, value in member.state_dict().items()
        }
        configs = json.dumps([tagger.config for tagger in self.taggers])
        reader = json.dumps(self.reader.config if self.reader is not None else None)
        np.savez_compressed(
            path, configs=np.array(configs), reader_config=np.array(reader), **arrays
        )

    @classmethod
    def load(cls, path: Path | Any) -> Ensemble:
        with np.load(path, allow_pickle=False) as arrays:

            def loaded(member: _WordReader, i: int) -> Any:
                prefix = f"{i}."
                member.load_state_dict(
                    {
                        name.removeprefix(prefix): torch.from_numpy(arrays[name])
                        for name in arrays.files
                        if name.startswith(prefix)
                    }
                )
                return member.eval()

            configs = json.loads(str(arrays["configs"]))
            taggers = [loaded(Tagger(**config), i) for i, config in enumerate(configs)]
            reader_config = (
                json.loads(str(arrays["reader_config"]))
                if "reader_config" in arrays.files
                else None
            )
            reader = (
                None if reader_config is None else loaded(CueReader(**reader_config), len(taggers))
            )
        return cls(taggers, reader)


def tensors(batch: Sequence[Features]) -> tuple[torch.Tensor, ...]:
    """The features of several reports, padded to the longest."""
    longest = max(len(f.labels) for f in batch)

    def padded(arrays: list[Array]) -> torch.Tensor:
        shape = (len(arrays), longest, *arrays[0].shape[1:])
        out = np.zeros(shape, dtype=arrays[0].dtype)
        for row, array in enumerate(arrays):
            out[row, : len(array)] = array
        return torch.from_numpy(out)

    return (
        padded([f.encoder.astype(np.float32) for f in batch]),
        padded([f.vectors for f in batch]),
        padded([f.labels for f in batch]),
        padded([f.flags for f in batch]),
    )


def decode(emissions: Array, transitions: Array, opening: Array) -> list[tuple[int, int]]:
    """The CRF's best tag sequence (Viterbi over [words, tags] scores, [tags, tags]
    transitions and [tags] opening scores, an inside tag barred after an outside one), as
    (start, end) word spans: scalar arithmetic, faster than arrays for three tags."""
    rows = emissions.tolist()
    if not rows:
        return []
    (oo, ob, _), (bo, bb, bi), (io, ib, ii) = transitions.tolist()
    opens_outside, opens_begin, _ = opening.tolist()
    outside, begin, inside = opens_outside + rows[0][0], opens_begin + rows[0][1], -math.inf
    back: list[tuple[int, int, int]] = []  # per word after the first: the best tag before each
    for here_outside, here_begin, here_inside in rows[1:]:
        # the best way into each tag; an inside tag never follows an outside one
        to_outside = max((outside + oo, 0), (begin + bo, 1), (inside + io, 2))
        to_begin = max((outside + ob, 0), (begin + bb, 1), (inside + ib, 2))
        to_inside = max((begin + bi, 1), (inside + ii, 2))
        back.append((to_outside[1], to_begin[1], to_inside[1]))
        outside = to_outside[0] + here_outside
        begin = to_begin[0] + here_begin
        inside = to_inside[0] + here_inside
    scores = [outside, begin, inside]
    tag = scores.index(max(scores))
    tags = [tag]
    for before in reversed(back):
        tag = before[tag]
        tags.append(tag)
    tags.reverse()
    spans: list[tuple[int, int]] = []
    for i, tag in enumerate(tags):
        if TAGS[tag] == "B":
            spans.append((i, i + 1))
        elif TAGS[tag] == "I":
            spans[-1] = (spans[-1][0], i + 1)
    return spans


def predict(
    ensemble: Ensemble, batch: Sequence[Features]
) -> list[dict[str, list[tuple[int, int]]]]:
    """The spans of each role, per report, as (first word, word after the last), from
    features that hold each tagger's mix of the encoder layers (`features(doc,
    ensemble.mixes())`, `Ensemble.premixed`)."""
    taggers = ensemble.taggers
    encoder, *rest = tensors(batch)
    with torch.inference_mode():
        scores = (
            torch.stack(
                [tagger(encoder[:, :, i : i + 1], *rest) for i, tagger in enumerate(taggers)]
            )
            .mean(dim=0)
            .numpy()
        )
        allowed = [tagger.allowed() for tagger in taggers]
        transitions = torch.stack([t for t, _ in allowed]).mean(dim=0).numpy()
        opening = torch.stack([o for _, o in allowed]).mean(dim=0).numpy()
    return [
        {
            role: decode(scores[row, : len(f.labels), r], transitions[r], opening[r])
            for r, role in enumerate(ROLES)
        }
        for row, f in enumerate(batch)
    ]


@cache
def shipped() -> Ensemble:
    """The taggers shipped with the package (`make attribution-model` retrains them)."""
    with resources.as_file(resources.files("sitreps") / "data" / SHIPPED) as file:
        return Ensemble.load(file)


def read(
    ensemble: Ensemble,
    found: Features,
    cues: Sequence[tuple[int, int]],
    contents: Sequence[tuple[int, int]] = (),
) -> list[dict[str, list[tuple[int, int]]]]:
    """The reader's source and content spans of each cue (READ_ROLES, as (first word, word
    after the last) of the report), from features premixed for the ensemble; READ_BATCH
    cues at a time, so a long report's memory stays bounded. A content read up to its
    window's edge runs on as far as one of the taggers' `contents` that crosses that edge:
    the reader sees the sentences around the cue, the taggers the whole report (a quote of
    four sentences before its speaker)."""
    reader = ensemble.reader
    if reader is None:
        return [{role: [] for role in READ_ROLES} for _ in cues]
    every_cue = np.zeros(len(found.labels), dtype=np.float32)
    for start, stop in cues:
        every_cue[start:stop] = 1
    column = len(ensemble.taggers)
    transitions, opening = (t.detach().numpy() for t in reader.allowed())
    readings: list[dict[str, list[tuple[int, int]]]] = []
    every_window = windows(found.flags[:, SENTENCE_START], cues)
    for first_cue in range(0, len(cues), READ_BATCH):
        batch = cues[first_cue : first_cue + READ_BATCH]
        around = every_window[first_cue : first_cue + READ_BATCH]
        pieces = [
            Features(
                found.encoder[first:end, column : column + 1],
                found.vectors[first:end],
                found.labels[first:end],
                found.flags[first:end],
            )
            for first, end, _ in around
        ]
        longest = max(end - first for first, end, _ in around)
        marked = torch.zeros((len(batch), longest, 2))  # the cue's words, the other cues'
        sentences = torch.zeros((len(batch), longest), dtype=torch.int64)
        for row, ((start, stop), (first, end, sentence)) in enumerate(
            zip(batch, around, strict=True)
        ):
            marked[row, : end - first, 1] = torch.from_numpy(every_cue[first:end])
            marked[row, start - first : stop - first] = torch.tensor([1.0, 0.0])
            sentences[row, : end - first] = torch.from_numpy(sentence)
        with torch.inference_mode():
            scores = reader(*tensors(pieces), marked, sentences).numpy()
        for row, (first, end, _) in enumerate(around):
            reading = {
                role: [
                    (first + s, first + e)
                    for s, e in decode(scores[row, : end - first, r], transitions[r], opening[r])
                ]
                for r, role in enumerate(READ_ROLES)
            }
            reading["content"] = [
                (
                    min([s, *(a for a, b in contents if a < first < b and s == first)]),
                    max([e, *(b for a, b in contents if a < end < b and e == end)]),
                )
                for s, e in reading["content"]
            ]
            readings.append(reading)
    return readings


@dataclass
class Tagged:
    """What the learned model finds in a report: the taggers' spans of each role, and for
    each cue they tag, the reader's source and content spans."""

    spans: dict[str, list[tuple[int, int]]]
    read: dict[tuple[int, int], dict[str, list[tuple[int, int]]]]


def tag(doc: Doc, ensemble: Ensemble) -> Tagged:
    """The taggers' spans in a parsed English report, and the reader's for each tagged cue."""
    if len(doc) == 0:
        return Tagged({role: [] for role in ROLES}, {})
    found = features(doc, ensemble.mixes())
    spans = predict(ensemble, [found])[0]
    cues = spans["cue"]
    readings = read(ensemble, found, cues, spans["content"])
    return Tagged(spans, dict(zip(cues, readings, strict=True)))
