"""The server's settings: `SITREPS_` environment variables over the server config file
(`$SITREPS_SERVER_CONFIG`, else `server.yaml` in the user config dir) over the defaults.

Every setting is a variable of its own name (`SITREPS_API_KEYS`, `SITREPS_WRITE_BURST`, ...)
and a key of the config file; lists are comma-separated in a variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import yaml
from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from sitreps.inputs import MAX_CHARS

MAX_BODY_BYTES = 4 * MAX_CHARS  # the longest text sitreps analyses, in UTF-8 at worst


class SettingsError(ValueError):
    """Server settings that cannot be read."""


def config_path() -> Path:
    default = Path(platformdirs.user_config_dir("sitreps")) / "server.yaml"
    return Path(os.environ.get("SITREPS_SERVER_CONFIG") or default)


def read_config(path: Path) -> dict[str, Any]:
    """The settings in a server config file; none when there is no file."""
    if not path.is_file():
        return {}
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"{path}: {error}") from error
    if not isinstance(config, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    return config


def _listed(value: Any) -> Any:
    # A list in the config file; comma-separated text in a variable, which is not JSON.
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("expected a list, or comma-separated text")
    return [str(item).strip() for item in value if str(item).strip()]


Listed = BeforeValidator(_listed)


class ServerSettings(BaseSettings):
    """What the server allows. Values given to the constructor come first; each one not
    given is read from its variable, then from the config file."""

    # An unknown key in the config file is refused: a misspelt `read_requires_key` would
    # otherwise leave reads open without a word.
    model_config = SettingsConfigDict(env_prefix="SITREPS_", frozen=True, extra="forbid")

    # None: writes are refused. Kept out of the repr, which may end up in a log.
    api_keys: Annotated[frozenset[str], NoDecode, Listed] = Field(frozenset(), repr=False)
    read_requires_key: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    writes_per_minute: float = 60.0  # per client address; 0 turns the limit off
    write_burst: int = 20
    cors_origins: Annotated[tuple[str, ...], NoDecode, Listed] = ()  # none: no cross-origin

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No .env file or secrets folder: the config file is where settings are written down.
        config_file = InitSettingsSource(settings_cls, read_config(config_path()))
        return init_settings, env_settings, config_file

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """The settings `sitreps serve` runs with; SettingsError says which one is wrong."""
        try:
            return cls()
        except ValidationError as error:
            # Each wrong setting by name, never its value: the value may be a key.
            wrong = "; ".join(
                f"{'.'.join(str(part) for part in failure['loc'])}: {failure['msg']}"
                for failure in error.errors()
            )
            raise SettingsError(f"{config_path()} or the SITREPS_ variables: {wrong}") from None
