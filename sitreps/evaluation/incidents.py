"""Incident clustering evaluation over the ECB+ JSONL format: documents are clustered into
incidents and compared with the gold `subtopic` of each document.

sitreps clusters each document as one mention: its text's embedding and the names its
entities carry, with no date or point (ECB+ gives none). The baseline, computed in the
same run, is tf-idf vectors clustered agglomeratively (average linkage, cosine distance);
it is given its best distance threshold on the gold itself, so the comparison flatters
the baseline, never sitreps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from sitreps import nlp, progress
from sitreps.evaluation.gold import read_jsonl
from sitreps.evaluation.metrics import PRF
from sitreps.incidents import Mention, cluster

NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP", "PRODUCT", "WORK_OF_ART"}
BASELINE_THRESHOLDS = [round(0.05 * step, 2) for step in range(4, 20)]


def b_cubed(gold: Sequence[str], predicted: Sequence[str]) -> PRF:
    """B-cubed precision and recall, averaged over items."""
    gold_members: defaultdict[str, set[int]] = defaultdict(set)
    predicted_members: defaultdict[str, set[int]] = defaultdict(set)
    for item, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        gold_members[g].add(item)
        predicted_members[p].add(item)
    precision = recall = 0.0
    for g, p in zip(gold, predicted, strict=True):
        shared = len(gold_members[g] & predicted_members[p])
        precision += shared / len(predicted_members[p])
        recall += shared / len(gold_members[g])
    n = len(gold)
    p_avg, r_avg = precision / n, recall / n
    f1 = 2 * p_avg * r_avg / (p_avg + r_avg) if p_avg + r_avg else 0.0
    return PRF(round(p_avg, 4), round(r_avg, 4), round(f1, 4))


def pairwise(gold: Sequence[str], predicted: Sequence[str]) -> PRF:
    """Precision and recall over pairs of items put in one cluster."""
    same_both = same_gold = same_predicted = 0
    for i in range(len(gold)):
        for j in range(i + 1, len(gold)):
            in_gold, in_predicted = gold[i] == gold[j], predicted[i] == predicted[j]
            same_gold += in_gold
            same_predicted += in_predicted
            same_both += in_gold and in_predicted
    return PRF.from_counts(same_both, same_predicted, same_gold)


def _figures(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score

    return {
        "b3": vars(b_cubed(gold, predicted)),
        "pairwise": vars(pairwise(gold, predicted)),
        "ari": round(float(adjusted_rand_score(gold, predicted)), 4),
    }


def _baseline(texts: list[str], gold: list[str]) -> dict[str, Any]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    best: dict[str, Any] | None = None
    for threshold in BASELINE_THRESHOLDS:
        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
        ).fit_predict(vectors.toarray())
        figures = _figures(gold, [str(label) for label in labels])
        if best is None or figures["b3"]["f1"] > best["b3"]["f1"]:
            best = figures | {"distance_threshold": threshold}
    assert best is not None
    return best


def _entities(texts: list[str]) -> Iterator[Doc]:
    """Named entities only: the parser is not needed for them."""
    return nlp.load().pipe(texts, disable=["parser", "lemmatizer"])


def evaluate_incidents(path: Path) -> dict[str, Any]:
    records = list(read_jsonl(path))
    gold = [f"{r['topic']}/{r['subtopic']}" for r in records]
    texts = [r["text"] for r in records]
    mentions = [
        Mention(
            key=str(record["doc_id"]),
            report_id=str(record["doc_id"]),
            text=text,
            names=frozenset(ent.text.lower() for ent in doc.ents if ent.label_ in NAME_LABELS),
        )
        for record, text, doc in zip(
            progress.track(records, "reading documents"), texts, _entities(texts), strict=True
        )
    ]
    incidents = cluster(mentions)
    incident_of = {m.key: incident.id for incident in incidents for m in incident.mentions}
    predicted = [incident_of[m.key] for m in mentions]
    return _figures(gold, predicted) | {
        "baseline": _baseline(texts, gold),
        "n_docs": len(records),
        "n_incidents": len(incidents),
        "n_gold_incidents": len(set(gold)),
    }
