"""The optional token cache file (one key's pair on one host, mode 0600), so CLI runs reuse
a valid token; a corrupt, foreign, expired or exposed file is ignored, write failures log."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import time
from pathlib import Path
from typing import Any

import attrs

from ..credentials import _write_private_file
from .expiry import finite

__all__ = ["CachedToken", "TokenCache"]

logger = logging.getLogger("truemarkets_gateway.auth")

_FORMAT_VERSION = 2  # 2 added the key fingerprint
_MAX_CACHE_BYTES = 64 * 1024
_MAX_CLOCK_OFFSET = 24 * 3600.0  # more is not a clock skew but a broken (or tampered) file
_STRAY_AGE = 10.0  # a temp file this old was left by a killed writer (a live one takes ms)


@attrs.frozen
class CachedToken:
    """A token pair with its expiry in server time (Unix seconds; None if unknown)."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    expires_at: float | None
    obtained_at: float
    clock_offset: float = 0.0


class TokenCache:
    """One cache file holding the token pair of one key on one host."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"TokenCache(path={str(self.path)!r})"

    def load(
        self, *, key_id: str, host: str, fingerprint: str, local_now: float
    ) -> CachedToken | None:
        """The cached pair if it is this key's on this host, well formed and unexpired."""
        try:
            info = self.path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CACHE_BYTES:
                return self._ignore("not a small regular file", logging.WARNING)
            if os.name == "posix" and (info.st_mode & 0o077 or info.st_uid != os.getuid()):
                return self._ignore("owned by another user or accessible by others")
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            return self._ignore("unreadable or corrupt")
        token = _parse(data)
        if token is None:
            return self._ignore("unexpected content")
        if [data.get(k) for k in ("key_id", "host", "fingerprint")] != [key_id, host, fingerprint]:
            return self._ignore("it belongs to another key or host", logging.DEBUG)
        if (token.expires_at or 0) <= local_now + token.clock_offset:
            return self._ignore("the cached token has expired", logging.DEBUG)
        logger.debug("reusing the cached token from %s", self.path)
        return token

    def _ignore(self, why: str, level: int = logging.WARNING) -> CachedToken | None:
        logger.log(level, "ignoring token cache %s: %s", self.path, why)
        return None

    def save(self, *, key_id: str, host: str, fingerprint: str, token: CachedToken) -> None:
        """Write the pair and remove temp files of killed writers; failures only log."""
        document = {"version": _FORMAT_VERSION, "key_id": key_id, "host": host}
        document.update(fingerprint=fingerprint, **attrs.asdict(token))
        try:
            # A writer killed before its rename leaves a temp file ".<name>.<random>" (a pair).
            for stray in self.path.parent.glob(f".{self.path.name}.*"):
                with contextlib.suppress(OSError):  # gone meanwhile: fine
                    if stray.stat().st_mtime < time.time() - _STRAY_AGE:
                        stray.unlink()
            _write_private_file(self.path, json.dumps(document))
        except OSError as exc:
            logger.warning("could not write the token cache %s: %s", self.path, exc.strerror)

    def clear(self) -> None:
        """Remove the cache file, if present."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not remove the token cache %s: %s", self.path, exc.strerror)


def _parse(data: Any) -> CachedToken | None:
    if not isinstance(data, dict) or data.get("version") != _FORMAT_VERSION:
        return None
    access, refresh = data.get("access_token"), data.get("refresh_token")
    expires_at, obtained_at = finite(data.get("expires_at")), finite(data.get("obtained_at"))
    offset = finite(data.get("clock_offset", 0.0))
    if not (isinstance(access, str) and access and (refresh is None or isinstance(refresh, str))):
        return None
    if refresh == "" or expires_at is None or obtained_at is None or offset is None:
        return None
    if abs(offset) > _MAX_CLOCK_OFFSET or obtained_at > expires_at:
        return None
    return CachedToken(access, refresh, expires_at, obtained_at, offset)
