"""Auth commands: token (mint and show the expiry) and whoami (the token's claims).

Neither prints the token itself; `token --show-secret` is the one exception, on request.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from .._runtime import command
from ..context import CliContext
from ..output import details

__all__ = ["register", "token", "whoami"]

# Claims worth showing; anything else is left out rather than risk echoing something private.
_SHOWN_CLAIMS = ("uid", "sub", "organization", "org_id", "iss", "aud", "iat", "exp", "typ")


def _access_token(state: CliContext, *, fresh: bool) -> tuple[str, str, datetime | None]:
    """(token, how it was obtained, when it expires) for the configured API key.

    How: "minted" without a cached token, "cached" when the cache file served it as is,
    "renewed" when a cached token was refreshed or replaced. `fresh` drops the cache first.
    """
    credentials = state.credentials(required=True)
    assert credentials is not None
    cache = state.cache_path(credentials)
    if fresh and cache is not None:
        cache.unlink(missing_ok=True)
    before = _read(cache)
    gateway = state.gateway()
    value = gateway.access_token()
    if before is None:
        source = "minted"
    elif _read(cache) == before:
        source = "cached"
    else:
        source = "renewed"
    return value, source, gateway.token_expires_at


def _read(path: Path | None) -> bytes | None:
    """The cache file's bytes, only to tell whether it changed (never shown)."""
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def _seconds_left(expires_at: datetime | None) -> int | None:
    return None if expires_at is None else int(expires_at.timestamp() - time.time())


def _remaining(expires_at: datetime | None) -> str:
    seconds = _seconds_left(expires_at)
    if seconds is None:
        return "unknown"
    if seconds <= 0:
        return "expired"
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def token(
    ctx: typer.Context,
    show_secret: Annotated[
        bool,
        typer.Option("--show-secret", help="Also print the access token (treat it as a password)."),
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--new", help="Mint a new token even if a cached one is valid.")
    ] = False,
) -> None:
    """Obtain an access token for the API key and show when it expires."""
    with command(ctx) as state:
        value, source, expires_at = _access_token(state, fresh=fresh)
        credentials = state.credentials(required=True)
        assert credentials is not None
        document: dict[str, Any] = {
            "key_id": credentials.key_id,
            "environment": state.environment.name,
            "host": state.environment.host,
            "source": source,
            "expires_at": expires_at,
            "expires_in_seconds": _seconds_left(expires_at),
            "cache_file": str(state.cache_path(credentials) or ""),
        }
        if show_secret:
            document["access_token"] = value
        shown_note = "printed below" if show_secret else "hidden (use --show-secret to print it)"
        rows: list[tuple[str, object]] = [
            ("key_id", credentials.key_id),
            ("environment", f"{state.environment.name} ({state.environment.host})"),
            ("token", f"{source}; {shown_note}"),
            ("expires_at", expires_at),
            ("expires_in", _remaining(expires_at)),
            ("cache_file", document["cache_file"] or "disabled"),
        ]
        renderables: list[Any] = [details("Access token", rows)]
        if show_secret:
            renderables.append(Text(value, overflow="fold"))
        state.output.emit(document, *renderables)


def whoami(ctx: typer.Context) -> None:
    """Who the API key acts as: the access token's claims (read, not verified); no secrets."""
    from jose import jwt
    from jose.exceptions import JOSEError

    with command(ctx) as state:
        value, _source, expires_at = _access_token(state, fresh=False)
        try:
            claims: dict[str, Any] = dict(jwt.get_unverified_claims(value))
        except JOSEError:
            claims = {}
        credentials = state.credentials(required=True)
        assert credentials is not None
        shown = {k: claims[k] for k in _SHOWN_CLAIMS if k in claims}
        for key in ("iat", "exp"):
            if isinstance(shown.get(key), int | float):
                shown[key] = _when(float(shown[key]))
        document: dict[str, Any] = {
            "key_id": credentials.key_id,
            "environment": state.environment.name,
            "host": state.environment.host,
            "claims": shown,
            "expires_at": expires_at,
        }
        rows: list[tuple[str, object]] = [
            ("key_id", credentials.key_id),
            ("environment", f"{state.environment.name} ({state.environment.host})"),
        ]
        rows.extend((key, value) for key, value in shown.items())
        if not claims:
            rows.append(("claims", "the token is not a readable JWT"))
        state.output.emit(document, details("Who am I", rows))


def register(app: typer.Typer) -> None:
    app.command("token")(token)
    app.command("whoami")(whoami)
