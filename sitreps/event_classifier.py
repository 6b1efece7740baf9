"""The sentence event-type classifier: one of the 30 CASE 2021 types (25 ACLED sub-event
types and 5 kinds of news that are not ACLED events) for a sentence that states an event.

Features are the sentence embedding (bundled all-MiniLM-L6-v2), tf-idf of its words and word
pairs, and how many cue words of each type it holds (`data/event_types.yaml`); a multinomial
logistic regression weighs them. Training (`fit`) also learns from the codebook's definition
sentences. Fast mode's model leaves the embedding out: a neural network computes it, and
fast mode runs none. A model is saved as plain arrays in an .npz file, never as a pickle, so
loading one runs no code; it keeps the cue words it was trained with and digests of its
training texts, so an evaluation can tell a training-fit figure from a held-out one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from sitreps import embeddings, lexicons, progress

SHIPPED = "event_classifier.npz"
SHIPPED_FAST = "event_classifier_fast.npz"  # without the sentence embedding
# Chosen by 5-fold cross-validation on the CASE 2021 sample (docs/quality.md).
NGRAMS = (1, 2)
MIN_DF = 2
REGULARIZATION = 64.0
CUE_WEIGHT = 0.3
DEFINITION_WEIGHT = 3.0

Matrix = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class EventType:
    label: str
    event_type: str | None  # None: news that is not an ACLED event (diplomacy, crime, disasters)
    sub_event_type: str | None


@dataclass(frozen=True)
class Prediction:
    type: EventType
    probability: float


def codebook() -> dict[str, dict[str, Any]]:
    """The 30 event types with their ACLED coding, cue words and definitions."""
    labels: dict[str, dict[str, Any]] = lexicons.load("event_types")["labels"]
    return labels


def event_type(label: str) -> EventType:
    entry = codebook()[label]
    return EventType(label, entry["event_type"], entry["sub_event_type"])


def digest(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def _vectorizer(vocabulary: list[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=NGRAMS,
        min_df=MIN_DF,
        sublinear_tf=True,
        stop_words="english",
        vocabulary=vocabulary,
    )


class _CueCounter:
    def __init__(self, cues: dict[str, list[str]]) -> None:
        self.cues = cues
        self._patterns = [
            re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
            if words
            else None
            for words in cues.values()
        ]

    def counts(self, texts: Sequence[str]) -> Matrix:
        """log(1 + number of distinct cue words of each type) per text."""
        rows = [
            [len({m.lower() for m in p.findall(t)}) if p else 0 for p in self._patterns]
            for t in texts
        ]
        return np.log1p(np.asarray(rows, dtype=np.float64).reshape(len(texts), len(self.cues)))


def _features(
    vectorizer: TfidfVectorizer,
    cues: _CueCounter,
    texts: Sequence[str],
    vectors: Matrix | None,
    embedded: bool,
) -> csr_matrix:
    blocks = [vectorizer.transform(texts)]
    if embedded:
        blocks.append(csr_matrix(embeddings.encode(list(texts)) if vectors is None else vectors))
    blocks.append(csr_matrix(CUE_WEIGHT * cues.counts(texts)))
    return hstack(blocks).tocsr()


class EventClassifier:
    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        cues: dict[str, list[str]],
        labels: list[str],
        coefficients: Matrix,
        intercepts: Matrix,
        training_digests: frozenset[str],
        embedded: bool = True,
    ) -> None:
        self.vectorizer = vectorizer
        self.embedded = embedded
        self.cue_counter = _CueCounter(cues)
        self.labels = labels
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.training_digests = training_digests

    def probabilities(self, texts: Sequence[str], vectors: Matrix | None = None) -> Matrix:
        """One row per text, one column per label (in `self.labels` order)."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        features = _features(self.vectorizer, self.cue_counter, texts, vectors, self.embedded)
        scores = features @ self.coefficients.T + self.intercepts
        return np.asarray(softmax(scores, axis=1))

    def predict(self, texts: Sequence[str], vectors: Matrix | None = None) -> list[Prediction]:
        table = self.probabilities(texts, vectors)
        return [
            Prediction(event_type(self.labels[int(row.argmax())]), round(float(row.max()), 3))
            for row in table
        ]

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.get)
        np.savez_compressed(
            path,
            vocabulary=np.asarray(vocabulary),
            idf=self.vectorizer.idf_.astype(np.float32),
            labels=np.asarray(self.labels),
            coefficients=self.coefficients.astype(np.float32),
            intercepts=self.intercepts.astype(np.float32),
            cues=np.asarray(json.dumps(self.cue_counter.cues)),
            training_digests=np.asarray(sorted(self.training_digests)),
            embedded=np.asarray(self.embedded),
        )

    @classmethod
    def load(cls, path: Path) -> EventClassifier:
        with np.load(path, allow_pickle=False) as arrays:
            vectorizer = _vectorizer([str(term) for term in arrays["vocabulary"]])
            vectorizer.idf_ = arrays["idf"].astype(np.float64)
            return cls(
                vectorizer=vectorizer,
                cues=json.loads(str(arrays["cues"])),
                labels=[str(label) for label in arrays["labels"]],
                coefficients=arrays["coefficients"].astype(np.float64),
                intercepts=arrays["intercepts"].astype(np.float64),
                training_digests=frozenset(str(d) for d in arrays["training_digests"]),
                embedded=bool(arrays["embedded"]) if "embedded" in arrays else True,
            )


@cache
def shipped(embedded: bool = True) -> EventClassifier:
    """The model trained by `scripts/train_event_classifier.py`, shipped in the package;
    `embedded=False`: fast mode's, without the sentence embedding."""
    name = SHIPPED if embedded else SHIPPED_FAST
    with resources.as_file(resources.files("sitreps").joinpath("data", name)) as path:
        return EventClassifier.load(path)


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    vectors: Matrix | None = None,
    embedded: bool = True,
) -> EventClassifier:
    """Train on labelled sentences plus the codebook's definitions (weighted higher)."""
    book = codebook()
    unknown = sorted(set(labels) - set(book))
    if unknown:
        raise ValueError(f"labels not in the codebook: {', '.join(unknown)}")
    definitions = [(s, label) for label, entry in book.items() for s in entry["definitions"]]
    all_texts = [*texts, *(s for s, _ in definitions)]
    all_labels = [*labels, *(label for _, label in definitions)]
    weights = np.array([1.0] * len(texts) + [DEFINITION_WEIGHT] * len(definitions))
    all_vectors = None
    if embedded:
        vectors = embeddings.encode(list(texts)) if vectors is None else vectors
        all_vectors = np.vstack([vectors, embeddings.encode([s for s, _ in definitions])])
    cues = {label: list(entry["cues"]) for label, entry in book.items()}
    vectorizer = _vectorizer()
    vectorizer.fit(all_texts)
    features = _features(vectorizer, _CueCounter(cues), all_texts, all_vectors, embedded)
    # Balanced class weights: the rarest types count as much as the most common.
    regression = LogisticRegression(C=REGULARIZATION, max_iter=5000, class_weight="balanced")
    regression.fit(features, all_labels, sample_weight=weights)
    return EventClassifier(
        vectorizer=vectorizer,
        cues=cues,
        labels=[str(label) for label in regression.classes_],
        coefficients=regression.coef_,
        intercepts=regression.intercept_,
        training_digests=frozenset(digest(t) for t in texts),
        embedded=embedded,
    )


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    embedded: bool = True,
) -> list[str]:
    """Held-out predictions: each text labelled by a model trained on the other folds."""
    vectors = embeddings.encode(list(texts)) if embedded else None
    predicted = [""] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(len(labels)), labels))
    for train, test in progress.track(splits, "cross-validating folds"):
        train_vectors = None if vectors is None else vectors[train]
        model = fit([texts[i] for i in train], [labels[i] for i in train], train_vectors, embedded)
        held_out = model.predict(
            [texts[i] for i in test], None if vectors is None else vectors[test]
        )
        for index, prediction in zip(test, held_out, strict=True):
            predicted[index] = prediction.type.label
    return predicted
