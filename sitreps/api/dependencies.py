"""What the endpoints reach through FastAPI dependencies: the store, the settings, and the
checks that guard writes and, where the settings say so, reads. `create_app` puts the
objects they hand out on `app.state`, one set per app."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from sitreps.api.guards import KeyCheck, RateLimit
from sitreps.api.settings import ServerSettings
from sitreps.store import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_key_check(request: Request) -> KeyCheck:
    key_check: KeyCheck = request.app.state.key_check
    return key_check


def get_write_limit(request: Request) -> RateLimit:
    write_limit: RateLimit = request.app.state.write_limit
    return write_limit


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
KeyCheckDep = Annotated[KeyCheck, Depends(get_key_check)]
WriteLimitDep = Annotated[RateLimit, Depends(get_write_limit)]
OfferedKey = Annotated[str | None, Depends(APIKeyHeader(name="X-API-Key", auto_error=False))]
OfferedBearer = Annotated[
    HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))
]


def _key_refused() -> HTTPException:
    return HTTPException(401, "a valid API key is required", {"WWW-Authenticate": "Bearer"})


def require_write_key(
    settings: SettingsDep, key_check: KeyCheckDep, key: OfferedKey, bearer: OfferedBearer
) -> None:
    if not settings.api_keys:
        raise HTTPException(403, "writes are disabled: no API key is configured")
    if not key_check.matches(key or (bearer.credentials if bearer else None)):
        raise _key_refused()


def limit_writes(request: Request, write_limit: WriteLimitDep) -> None:
    wait = write_limit.wait(request.client.host if request.client else "unknown")
    if wait > 0:
        seconds = str(math.ceil(wait))
        raise HTTPException(
            429, f"too many writes: try again in {seconds} s", {"Retry-After": seconds}
        )


def require_read_key(key_check: KeyCheckDep, key: OfferedKey, bearer: OfferedBearer) -> None:
    if not key_check.matches(key or (bearer.credentials if bearer else None)):
        raise _key_refused()
