"""Where the Auth Service and the Gateway live: production, UAT or a custom host."""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
import warnings
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import attrs

from .errors import ValidationError

__all__ = ["PRODUCTION_HOST", "UAT_HOST", "Environment", "EnvironmentName"]

PRODUCTION_HOST = "https://api.truemarkets.co"
UAT_HOST = "https://api.uat.truemarkets.co"

EnvironmentName = Literal["prod", "uat", "custom"]

_AUTH_PATH, _GATEWAY_PATH, _LEGACY_GATEWAY_PATH = "/v1/auth", "/v1/gateway", "/v1/conductor"

# The vendor SDK takes any unknown TM_ENV as production; we refuse it: a typo moves real money.
_ENV_ALIASES: dict[str, EnvironmentName] = {"prod": "prod", "production": "prod", "uat": "uat"}
_NAME_FOR_HOST: dict[str, EnvironmentName] = {PRODUCTION_HOST: "prod", UAT_HOST: "uat"}
_DEFAULT_PORTS = {"http": 80, "https": 443}

_LEGACY_MESSAGE = "The /v1/conductor path is deprecated: new features arrive only on /v1/gateway."
_legacy_warned, _legacy_warned_lock = False, threading.Lock()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_stacklevel() -> int:
    """A stacklevel pointing at the first frame outside this package (and attrs' code)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename.startswith("<attrs generated")
        or os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep)
    ):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def _warn_legacy_once() -> None:
    """Warn about the legacy path once per process, once actually shown: one filtered out
    (the CLI prints its own note) does not count."""
    global _legacy_warned
    with _legacy_warned_lock:
        if _legacy_warned:
            return
        with warnings.catch_warnings(record=True) as caught:  # filters still apply
            warnings.warn(_LEGACY_MESSAGE, DeprecationWarning, stacklevel=_caller_stacklevel())
        _legacy_warned = any(str(item.message) == _LEGACY_MESSAGE for item in caught)
    for item in caught:  # shown (another thread's too) through the outer handler
        warnings.showwarning(item.message, item.category, item.filename, item.lineno)


def _normalise_host(host: str, *, field: str = "base_url") -> str:
    """A host root in canonical form, else `ValidationError` (user info is never echoed)."""
    if not isinstance(host, str) or not host.strip():
        raise ValidationError(field, "must be a non-empty URL such as http://127.0.0.1:8080")
    text = host.strip()
    if "@" in text:
        raise ValidationError(field, "must not contain a user name or password (user:pass@)")
    if len(text) > 2048 or any(c.isspace() or not c.isprintable() for c in text):
        raise ValidationError(field, "must not contain spaces or control characters")
    example = f"an http(s) URL with a host, such as {PRODUCTION_HOST}; got {text!r}"
    try:
        parts = urlsplit(text)
        hostname, port = (parts.hostname or "").rstrip("."), parts.port
        if ":" in hostname:
            ipaddress.IPv6Address(hostname.split("%")[0])
        elif not hostname.isascii():
            hostname.encode("idna")
    except ValueError as exc:  # UnicodeError (IDNA) is a ValueError too
        raise ValidationError(field, f"is not {example} ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname.strip(".") or ".." in hostname:
        raise ValidationError(field, f"must be {example}")
    if parts.query or parts.fragment:
        raise ValidationError(field, "must not carry a query string or fragment")
    path = parts.path.rstrip("/")
    for suffix in (_GATEWAY_PATH, _LEGACY_GATEWAY_PATH, _AUTH_PATH):
        if path.endswith(suffix):
            raise ValidationError(field, f"must be the host root, without {suffix} (added here)")
    authority = f"[{hostname}]" if ":" in hostname else hostname
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        authority += f":{port}"
    return f"{parts.scheme}://{authority}{path}"


@attrs.frozen
class Environment:
    """Where auth (`{host}/v1/auth`) and the Gateway (`{host}/v1/gateway`; the deprecated
    `/v1/conductor` with `legacy`) live: `production()`, `uat()`, `custom(host)`, `resolve()`."""

    name: EnvironmentName
    host: str
    legacy: bool = False

    def __attrs_post_init__(self) -> None:
        if self.name not in ("prod", "uat", "custom"):
            raise ValidationError("name", f"must be prod, uat or custom; got {self.name!r}")
        object.__setattr__(self, "host", _normalise_host(self.host, field="host"))
        if self.name == "custom" and self.host in _NAME_FOR_HOST:  # "is this production?"
            object.__setattr__(self, "name", _NAME_FOR_HOST[self.host])
        if self.legacy:
            _warn_legacy_once()

    @property
    def auth_url(self) -> str:
        """Base of the Auth Service, e.g. `https://api.truemarkets.co/v1/auth`."""
        return self.host + _AUTH_PATH

    @property
    def gateway_url(self) -> str:
        """Base of the Gateway, e.g. `https://api.truemarkets.co/v1/gateway`."""
        return self.host + (_LEGACY_GATEWAY_PATH if self.legacy else _GATEWAY_PATH)

    @property
    def account_url(self) -> str:
        """Base of the Account API (organisation users): `{host}/v1/account`."""
        return self.host + "/v1/account"

    @property
    def is_loopback(self) -> bool:
        """Whether the host is this machine: `localhost`, 127.0.0.0/8 or ::1."""
        hostname = urlsplit(self.host).hostname or ""
        try:
            address = ipaddress.ip_address(hostname)
        except ValueError:
            return hostname == "localhost"
        return (getattr(address, "ipv4_mapped", None) or address).is_loopback

    @classmethod
    def production(cls, legacy: bool = False) -> Environment:
        """The production host (real money)."""
        return cls("prod", PRODUCTION_HOST, legacy)

    @classmethod
    def uat(cls, legacy: bool = False) -> Environment:
        """The UAT test host."""
        return cls("uat", UAT_HOST, legacy)

    @classmethod
    def custom(cls, host: str, legacy: bool = False) -> Environment:
        """A host root of your own, such as the sandbox's `http://127.0.0.1:8080`."""
        return cls("custom", _normalise_host(host), legacy)

    @classmethod
    def resolve(
        cls,
        env: str | Environment | None = None,
        base_url: str | None = None,
        legacy: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Environment:
        """From `env` ("prod", "uat" or an `Environment`) and `base_url`, or else from `TM_ENV`
        and `TM_BASE_URL`; production by default."""
        if isinstance(env, Environment):
            if base_url is not None:
                raise ValidationError("base_url", "cannot be combined with an Environment")
            return env if legacy in (None, env.legacy) else attrs.evolve(env, legacy=bool(legacy))
        fields = ("env", "base_url")
        if env is None and base_url is None:  # only now the environment variables count
            source = os.environ if environ is None else environ
            env, base_url = (source.get(k, "").strip() or None for k in ("TM_ENV", "TM_BASE_URL"))
            fields = ("TM_ENV", "TM_BASE_URL")
        name = None if env is None else _ENV_ALIASES.get(env.strip().lower())
        if env is not None and name is None:  # a typo is refused
            raise ValidationError(fields[0], f"must be one of prod, uat; got {env.strip()!r}")
        if base_url is not None:
            return cls.custom(_normalise_host(base_url, field=fields[1]), bool(legacy))
        return cls.uat(bool(legacy)) if name == "uat" else cls.production(bool(legacy))
