"""Shipped lexicons and tables (YAML under sitreps/data/): data users can read and edit."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """The parsed YAML file `sitreps/data/<name>.yaml`."""
    with resources.files("sitreps").joinpath("data", f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def demonyms() -> dict[str, str]:
    table: dict[str, str] = load("demonyms")
    return table
