"""How far document features can take incident clustering on ECB+ (docs/quality.md,
Incidents): figures that bound what `sitreps eval incidents` can reach, not sitreps itself.

    python scripts/incident_ceilings.py ../shared/data/coref/ecbplus_dev.jsonl

1. The gold topic given, each topic split in two by tf-idf (average linkage): the two
   incidents of a topic ("Tara Reid enters rehab", "Lindsay Lohan enters rehab") told
   apart by their words alone, with the hardest part of the task solved by the gold.
2. A pairwise model learned on half of the topics and clustered on the other half: logistic
   regression over the sentence-embedding cosine, the tf-idf cosine, the share of entity
   names and whether two documents mention a common year, clustered with the average
   linkage and the threshold sitreps uses.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sitreps.embeddings import encode
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.incidents import NAME_LABELS, b_cubed
from sitreps.nlp import load

YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-2]\d)\b")


def _jaccard(sets: list[frozenset[str]]) -> np.ndarray:
    n = len(sets)
    table = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            union = sets[i] | sets[j]
            table[i, j] = table[j, i] = len(sets[i] & sets[j]) / len(union) if union else 0.0
    return table


def _shared_year(years: list[frozenset[str]]) -> np.ndarray:
    """1 where two documents name a common year, 0 where both name years but none in
    common, 0.5 where one names none."""
    n = len(years)
    table = np.full((n, n), 0.5)
    for i in range(n):
        for j in range(n):
            if years[i] and years[j]:
                table[i, j] = float(bool(years[i] & years[j]))
    return table


def _average_linkage(similarity: np.ndarray, threshold: float) -> list[str]:
    """The incremental average linkage of sitreps.incidents.Clusterer, on a matrix."""
    incidents: list[list[int]] = []
    labels = [""] * len(similarity)
    for item in range(len(similarity)):
        scores = [similarity[item, members].mean() for members in incidents]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= threshold:
            incidents[best].append(item)
        else:
            incidents.append([item])
            best = len(incidents) - 1
        labels[item] = str(best)
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="ECB+ documents JSONL")
    arguments = parser.parse_args()
    records = list(read_jsonl(arguments.file))
    texts = [r["text"] for r in records]
    gold = np.array([f"{r['topic']}/{r['subtopic']}" for r in records])
    topics = np.array([r["topic"] for r in records])

    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    split = np.empty(len(records), dtype=object)
    for topic in np.unique(topics):
        members = np.flatnonzero(topics == topic)
        labels = AgglomerativeClustering(n_clusters=2, metric="cosine", linkage="average")
        found = labels.fit_predict(tfidf[members].toarray())
        split[members] = [f"{topic}/{label}" for label in found]
    oracle = vars(b_cubed(list(gold), list(split)))

    vectors = np.asarray(encode(texts))
    names = [
        frozenset(e.text.lower() for e in doc.ents if e.label_ in NAME_LABELS)
        for doc in load().pipe(texts, disable=["parser", "lemmatizer"])
    ]
    features = np.stack(
        [
            vectors @ vectors.T,
            (tfidf @ tfidf.T).toarray(),
            _jaccard(names),
            _shared_year([frozenset(YEAR.findall(t)) for t in texts]),
        ],
        axis=-1,
    )
    learned = {}
    for train_parity, name in ((1, "trained on odd topics, tested on even"), (0, "the reverse")):
        train = np.flatnonzero(topics % 2 == train_parity)
        test = np.flatnonzero(topics % 2 != train_parity)
        upper = np.triu_indices(len(train), 1)
        pairs = features[np.ix_(train, train)][upper]
        same = (gold[train][:, None] == gold[train][None, :])[upper]
        model = LogisticRegression(max_iter=2000).fit(pairs, same)
        probability = model.predict_proba(features[np.ix_(test, test)].reshape(-1, 4))[:, 1]
        labels = _average_linkage(probability.reshape(len(test), len(test)), 0.5)
        learned[name] = vars(b_cubed(list(gold[test]), labels))
    print(json.dumps({"oracle_topic_tfidf_split": oracle, "learned_pairwise": learned}, indent=2))


if __name__ == "__main__":
    main()
