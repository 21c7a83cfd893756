"""The optional token cache file, so short-lived processes (CLI runs) reuse a valid token.

The file is written atomically with mode 0600. A corrupt, foreign (other key id or host),
expired, or insecurely stored cache is ignored, never trusted; failures to write only log.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
from pathlib import Path
from typing import Any

import attrs

from ..credentials import _write_private_file

__all__ = ["CachedToken", "TokenCache"]

logger = logging.getLogger("truemarkets_gateway.auth")

_FORMAT_VERSION = 1
_MAX_CACHE_BYTES = 64 * 1024
# An offset larger than this is not a clock skew but a broken (or tampered) file.
_MAX_CLOCK_OFFSET = 24 * 3600.0


@attrs.frozen
class CachedToken:
    """A token pair with its expiry in server time (Unix seconds)."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    expires_at: float
    obtained_at: float
    clock_offset: float = 0.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class TokenCache:
    """One cache file holding the token pair of one key on one host."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"TokenCache(path={str(self.path)!r})"

    def load(self, *, key_id: str, host: str, local_now: float) -> CachedToken | None:
        """The cached pair if it is ours (key id and host), well formed and unexpired."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.debug("token cache %s not usable: %s", self.path, exc.strerror)
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CACHE_BYTES:
            logger.warning("ignoring token cache %s: not a small regular file", self.path)
            return None
        if os.name == "posix" and (
            info.st_mode & 0o077 or (hasattr(os, "getuid") and info.st_uid != os.getuid())
        ):
            logger.warning(
                "ignoring token cache %s: owned by another user or accessible by others",
                self.path,
            )
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("ignoring token cache %s: unreadable or corrupt", self.path)
            return None
        token = self._parse(data)
        if token is None:
            logger.warning("ignoring token cache %s: unexpected content", self.path)
            return None
        if data.get("key_id") != key_id or data.get("host") != host:
            logger.debug("ignoring token cache %s: it belongs to another key or host", self.path)
            return None
        if token.expires_at <= local_now + token.clock_offset:
            logger.debug("ignoring token cache %s: the cached token has expired", self.path)
            return None
        logger.debug("reusing the cached token from %s", self.path)
        return token

    @staticmethod
    def _parse(data: Any) -> CachedToken | None:
        if not isinstance(data, dict) or data.get("version") != _FORMAT_VERSION:
            return None
        access = data.get("access_token")
        refresh = data.get("refresh_token")
        expires_at = _number(data.get("expires_at"))
        obtained_at = _number(data.get("obtained_at"))
        offset = _number(data.get("clock_offset", 0.0))
        if not isinstance(access, str) or not access:
            return None
        if refresh is not None and (not isinstance(refresh, str) or not refresh):
            return None
        if expires_at is None or obtained_at is None or offset is None:
            return None
        if abs(offset) > _MAX_CLOCK_OFFSET or obtained_at > expires_at:
            return None
        return CachedToken(access, refresh, expires_at, obtained_at, offset)

    def save(self, *, key_id: str, host: str, token: CachedToken) -> None:
        """Write the pair (0600, atomic). A failure is logged, never raised."""
        document = {
            "version": _FORMAT_VERSION,
            "key_id": key_id,
            "host": host,
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires_at": token.expires_at,
            "obtained_at": token.obtained_at,
            "clock_offset": token.clock_offset,
        }
        try:
            _write_private_file(self.path, json.dumps(document))
        except OSError as exc:
            logger.warning("could not write the token cache %s: %s", self.path, exc.strerror)

    def clear(self) -> None:
        """Remove the cache file, if present."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("could not remove the token cache %s: %s", self.path, exc.strerror)
