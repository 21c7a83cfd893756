"""When an access token dies, in Unix seconds of server time: from `expires_in` and the JWT
`exp` claim, capped."""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime

from dateutil.parser import isoparse
from jose import jwt as jose_jwt
from jose.exceptions import JOSEError

from .._headers import number, timestamp

__all__ = ["finite", "token_expiry"]

logger = logging.getLogger("truemarkets_gateway.auth")

# `expires_in` numbers above this are absolute Unix times, not a number of seconds.
_EPOCH_THRESHOLD = 1_000_000_000
# No token is trusted for longer than this (they live about an hour), whatever it claims.
_MAX_LIFETIME = 24 * 3600.0
# A full date and a time separator: isoparse alone would read "3600" as the year 3600.
_RFC3339_START = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def finite(value: object) -> float | None:
    """A JSON number (not a bool) as a finite float, else None."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:  # an integer too large for a float (10**400) is as corrupt as "tomorrow"
        return float(value) if math.isfinite(value) else None
    except OverflowError:
        return None


def _claimed_expiry(expires_in: object, now: float) -> float | None:
    """What `expires_in` says: an RFC 3339 time, else a number of seconds, else None."""
    if isinstance(expires_in, datetime):
        return timestamp(expires_in)
    value = finite(expires_in)
    if isinstance(expires_in, str):
        try:
            if _RFC3339_START.match(text := expires_in.strip()):
                return timestamp(isoparse(text))
        except (ValueError, OverflowError):
            return None
        value = number(text)
    if value is None or value <= 0:
        return None
    return value if value >= _EPOCH_THRESHOLD else now + value


def _jwt_expiry(access_token: str) -> float | None:
    try:
        return finite(jose_jwt.get_unverified_claims(access_token).get("exp"))
    except JOSEError:
        return None


def token_expiry(expires_in: object, access_token: str, now: float) -> float | None:
    """When the token dies (server time), from `expires_in` (RFC 3339, seconds, or a Unix
    time past 2001), else the JWT's unverified `exp`; never after `exp` nor 24 h from `now`
    (an absurd value cannot stop renewals); None when nothing is usable."""
    claimed = _claimed_expiry(expires_in, now)
    jwt_exp = _jwt_expiry(access_token)
    found = claimed if claimed is not None else jwt_exp
    if found is None:
        return None
    cap = now + _MAX_LIFETIME if jwt_exp is None else min(jwt_exp, now + _MAX_LIFETIME)
    if found > cap:
        logger.warning("token claims an expiry %.0f s away: using %.0f", found - now, cap - now)
        return cap
    return found
