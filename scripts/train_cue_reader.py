"""Train the attribution cue reader on PolNeAR train and report its figures on PolNeAR dev.

    python scripts/train_cue_reader.py \
        ../shared/data/attribution/polnear_train.jsonl ../shared/data/attribution/polnear_dev.jsonl

For each gold cue of train, the reader learns which words around it are that cue's source
and content. It prints, after each epoch, exact-match P/R/F1 of both roles given the gold
cues of the last tenth of train's articles (held out of fitting; it picks the epoch), then
the same on dev, never trained on or chosen by, and adds the reader to the taggers in
sitreps/data/attribution_model.npz (`scripts/train_attribution_model.py` writes them
first). It reads the feature cache that script writes (--cache).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from train_attribution_model import PACKAGE_DATA, figures, read_polnear

from sitreps import attribution_model
from sitreps.attribution_model import READ_ROLES, CueReader, Ensemble, Features
from sitreps.evaluation.attribution import matches, words

SEED = 13


@dataclass
class Example:
    """One gold cue of an article: the window the reader reads, its words' sentences, the
    cue's words marked, and the gold tags of each role inside the window."""

    article: int
    first: int
    end: int
    sentence: np.ndarray
    cue: np.ndarray
    tags: np.ndarray
    gold: dict[str, frozenset[int]]  # each role's words, as the evaluation counts them


def _word_indices(offsets: np.ndarray, fragments: list[dict[str, Any]], text: str) -> list[int]:
    starts, ends = offsets[:, 0], offsets[:, 1]
    found: list[int] = []
    for fragment in fragments:
        overlapping = (starts < fragment["end"]) & (ends > fragment["start"])
        found += [
            int(i) for i in np.flatnonzero(overlapping) if not text[starts[i] : ends[i]].isspace()
        ]
    return sorted(set(found))


def examples(
    records: list[dict[str, Any]], items: list[Features], extra: list[Any], first: int = 0
) -> list[Example]:
    """The gold cues of the articles from the `first` on."""
    found: list[Example] = []
    pairs = zip(records[first:], items[first:], extra[first:], strict=True)
    for article, (record, item, (_, offsets)) in enumerate(pairs, start=first):
        text = record["text"]
        every_cue = np.zeros(len(offsets), dtype=np.float32)
        for attribution in record["attributions"]:
            every_cue[_word_indices(offsets, attribution["cue"] or [], text)] = 1
        for attribution in record["attributions"]:
            cue_words = _word_indices(offsets, attribution["cue"] or [], text)
            if not cue_words:
                continue
            ((start, end, sentence),) = attribution_model.windows(
                item.flags[:, attribution_model.SENTENCE_START], [(cue_words[0], cue_words[-1] + 1)]
            )
            # the cue's words, and the other cues'
            cue = np.zeros((end - start, 2), dtype=np.float32)
            cue[:, 1] = every_cue[start:end]
            cue[[i - start for i in cue_words if start <= i < end]] = (1, 0)
            tags = np.zeros((end - start, len(READ_ROLES)), dtype=np.int64)
            for r, role in enumerate(READ_ROLES):
                for fragment in attribution[role] or []:
                    inside = [i - start for i in _word_indices(offsets, [fragment], text)]
                    inside = [i for i in inside if 0 <= i < end - start]
                    if not inside or tags[inside[0] : inside[-1] + 1, r].any():
                        continue
                    tags[inside[0], r] = 1
                    tags[inside[0] + 1 : inside[-1] + 1, r] = 2
            gold = {
                role: words(text, [(f["start"], f["end"]) for f in attribution[role] or []])
                for role in READ_ROLES
            }
            found.append(Example(article, start, end, sentence, cue, tags, gold))
    return found


def tensors(batch: list[Example], items: list[Features]) -> tuple[torch.Tensor, ...]:
    window_features = [
        Features(
            items[e.article].encoder[e.first : e.end],
            items[e.article].vectors[e.first : e.end],
            items[e.article].labels[e.first : e.end],
            items[e.article].flags[e.first : e.end],
        )
        for e in batch
    ]
    longest = max(e.end - e.first for e in batch)
    cue = torch.zeros((len(batch), longest, 2))
    sentence = torch.zeros((len(batch), longest), dtype=torch.int64)
    gold = torch.zeros((len(batch), longest, len(READ_ROLES)), dtype=torch.int64)
    for row, e in enumerate(batch):
        n = e.end - e.first
        cue[row, :n] = torch.from_numpy(e.cue)
        sentence[row, :n] = torch.from_numpy(e.sentence)
        gold[row, :n] = torch.from_numpy(e.tags)
    lengths = torch.tensor([e.end - e.first for e in batch])
    return (*attribution_model.tensors(window_features), cue, sentence, gold, lengths)


def score(
    reader: CueReader,
    records: list[dict[str, Any]],
    items: list[Features],
    extra: list[Any],
    cases: list[Example],
) -> dict[str, dict[str, float]]:
    """Exact-match P/R/F1 of each role given the gold cues."""
    reader.eval()
    counts = {role: [0, 0, 0] for role in READ_ROLES}  # predicted, gold, matched
    transitions, opening = (t.detach().numpy() for t in reader.allowed())
    with torch.inference_mode():
        for first in range(0, len(cases), 64):
            batch = cases[first : first + 64]
            *inputs, _, _ = tensors(batch, items)
            scores = reader(*inputs).numpy()
            for row, e in enumerate(batch):
                text, offsets = records[e.article]["text"], extra[e.article][1]
                for r, role in enumerate(READ_ROLES):
                    spans = attribution_model.decode(
                        scores[row, : e.end - e.first, r], transitions[r], opening[r]
                    )
                    mine = words(
                        text,
                        [(offsets[e.first + s][0], offsets[e.first + t - 1][1]) for s, t in spans],
                    )
                    counts[role][0] += bool(mine)
                    counts[role][1] += bool(e.gold[role])
                    if mine and e.gold[role]:
                        counts[role][2] += matches([mine], [e.gold[role]], exact=True)
    return figures(counts)


def train(
    cases: list[Example], items: list[Features], evaluate: Any, epochs: int, batch_size: int = 32
) -> CueReader:
    torch.manual_seed(SEED)
    random.seed(SEED)
    reader = CueReader()
    optimiser = torch.optim.AdamW(reader.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * -(-len(cases) // batch_size)
    # the learning rate falls linearly to a tenth: still rising at the eighth epoch of a
    # constant rate, the reader settles
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1 - 0.9 * step / steps)
    best: tuple[float, dict[str, torch.Tensor]] | None = None
    for epoch in range(1, epochs + 1):
        reader.train()
        # batches of windows of about one length, in a random order: less padding
        order = sorted(random.sample(cases, len(cases)), key=lambda e: e.end - e.first)
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        random.shuffle(batches)
        started, total = time.time(), 0.0
        for batch in batches:
            *inputs, gold, lengths = tensors(batch, items)
            loss = reader.negative_log_likelihood(reader(*inputs), gold, lengths) / (
                lengths.sum() * len(READ_ROLES)
            )
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(reader.parameters(), 5.0)
            optimiser.step()
            schedule.step()
            total += loss.item()
        figures = evaluate(reader)
        print(
            json.dumps(
                {"epoch": epoch, "loss": round(total, 2), "seconds": round(time.time() - started)}
            )
            + " "
            + json.dumps(figures),
            flush=True,
        )
        mean_f1 = sum(f["f1"] for f in figures.values()) / len(figures)
        if best is None or mean_f1 > best[0]:
            best = (mean_f1, {k: v.clone() for k, v in reader.state_dict().items()})
    assert best is not None
    reader.load_state_dict(best[1])
    return reader.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path, help="PolNeAR train JSONL")
    parser.add_argument("dev", type=Path, help="PolNeAR dev JSONL: measured, never trained on")
    parser.add_argument("--model", type=Path, default=PACKAGE_DATA / attribution_model.SHIPPED)
    parser.add_argument("--cache", type=Path, default=Path("build/attribution"))
    parser.add_argument("--epochs", type=int, default=12)
    arguments = parser.parse_args()
    if arguments.epochs < 1:
        parser.error("--epochs must be at least 1")
    (train_records, train_items, train_extra), (dev_records, dev_items, dev_extra) = read_polnear(
        arguments.train, arguments.dev, arguments.cache
    )
    # The epoch is chosen on the last tenth of train's articles, held out of fitting, as the
    # taggers' are.
    cut = len(train_items) - len(train_items) // 10
    train_cases = examples(train_records[:cut], train_items[:cut], train_extra[:cut])
    held_cases = examples(train_records, train_items, train_extra, first=cut)
    print(f"{len(train_cases):,} cues to train on, {len(held_cases):,} held out", flush=True)
    reader = train(
        train_cases,
        train_items,
        lambda r: score(r, train_records, train_items, train_extra, held_cases),
        arguments.epochs,
    )
    dev_cases = examples(dev_records, dev_items, dev_extra)
    figures = score(reader, dev_records, dev_items, dev_extra, dev_cases)
    print("dev, given the gold cues: " + json.dumps(figures))
    ensemble = Ensemble.load(arguments.model)
    Ensemble(ensemble.taggers, reader).save(arguments.model)
    print(f"wrote {arguments.model} ({arguments.model.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
