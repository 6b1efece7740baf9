"""The source registry: known outlets, agencies, officials and channels, with their kind,
their affiliation and a reference saying why.

Affiliation is data, never a judgement made in code: the shipped file
(`sitreps/data/sources.yaml`) records facts of ownership and office with a reference for
each, and a user file adds or overrides entries. The user file is `$SITREPS_SOURCES` when
set, else `sources.yaml` in the user config directory (`sitreps sources path` prints it).
Incident work counts sources sharing an affiliation as one independent group.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sitreps import cyrillic, lexicons
from sitreps.model import SourceKind


class RegistryEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: SourceKind
    affiliation: str | None = Field(
        default=None, description='Who owns or directs the source: "Government of Russia"'
    )
    reference: str = Field(min_length=1, description="Why: a document that shows it")


class RegistryError(ValueError):
    """A registry file that cannot be read; the message says which file and entry."""


def user_path() -> Path:
    override = os.environ.get("SITREPS_SOURCES")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("sitreps")) / "sources.yaml"


def _entries(data: object, where: str) -> list[RegistryEntry]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise RegistryError(f"{where}: expected a list of entries, got {type(data).__name__}")
    entries = []
    for number, item in enumerate(data, start=1):
        try:
            entries.append(RegistryEntry.model_validate(item))
        except ValidationError as error:
            reason = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
            )
            raise RegistryError(f"{where}: entry {number}: {reason}") from None
    return entries


def _key(name: str) -> str:
    words = re.sub(r"[^\w@]+", " ", name.casefold()).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _keys(name: str) -> list[str]:
    """A name's key, and for a Russian or Ukrainian name its words' lemmas in each language,
    so that inflected mentions meet the entry: "Генштабу ЗСУ" is "Генштаб ЗСУ",
    "Харківської ОВА" is "Харківська ОВА"."""
    key = _key(name)
    if not cyrillic.in_cyrillic(key):
        return [key]
    lemmas = [
        " ".join(cyrillic.lemma(word, language) for word in key.split())
        for language in cyrillic.LANGUAGES
    ]
    return list(dict.fromkeys([key, *lemmas]))


class Registry:
    def __init__(self, entries: list[RegistryEntry]) -> None:
        self.entries = entries
        self._by_key: dict[str, RegistryEntry] = {}
        for entry in reversed(entries):  # earlier entries (the user's) win
            for name in (entry.name, *entry.aliases):
                for key in _keys(name):
                    self._by_key[key] = entry

    @classmethod
    def load(cls, user_file: Path | None = None) -> Registry:
        """The user's entries (which win) followed by the shipped ones."""
        shipped = _entries(lexicons.load("sources"), "sitreps/data/sources.yaml")
        path = user_file or user_path()
        user: list[RegistryEntry] = []
        if path.exists():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise RegistryError(f"{path}: {error}") from None
            user = _entries(data, str(path))
        return cls(user + shipped)

    def find(self, name: str, descriptor: str | None = None) -> RegistryEntry | None:
        """The entry a source is: by its name, else by an alias of two words or more
        inside its name or descriptor ("the head of the Kharkiv Regional Military
        Administration")."""
        keys = _keys(name)
        exact = next((self._by_key[k] for k in keys if k in self._by_key), None)
        if exact is not None:
            return exact
        texts = [f" {k} {d} " for k in keys for d in _keys(descriptor or "")]
        contained = [
            (len(key), entry)
            for key, entry in self._by_key.items()
            if " " in key and any(f" {key} " in text for text in texts)
        ]
        return max(contained, key=lambda pair: pair[0])[1] if contained else None


def default() -> Registry:
    """The shipped entries with the user's file ($SITREPS_SOURCES, else the user's config
    folder), loaded once per file: a process that points the setting elsewhere (a test, a
    server for another desk) reads that file's registry."""
    return _loaded(user_path())


@cache
def _loaded(path: Path) -> Registry:
    return Registry.load(path)
