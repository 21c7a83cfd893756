"""Where the Auth Service and the Gateway live: production, UAT or a custom host.

`Environment.resolve()` turns arguments and the vendor-compatible `TM_ENV` / `TM_BASE_URL`
variables into one `Environment`; arguments win over the environment.
"""

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

_AUTH_PATH = "/v1/auth"
_GATEWAY_PATH = "/v1/gateway"
_LEGACY_GATEWAY_PATH = "/v1/conductor"

# TM_ENV values we accept, with the aliases people type. The vendor SDK silently treats any
# unknown value as production; we refuse it instead, since a typo there moves real money.
_ENV_ALIASES: dict[str, EnvironmentName] = {"prod": "prod", "production": "prod", "uat": "uat"}
_NAME_FOR_HOST: dict[str, EnvironmentName] = {PRODUCTION_HOST: "prod", UAT_HOST: "uat"}
_DEFAULT_PORTS = {"http": 80, "https": 443}

_LEGACY_MESSAGE = (
    "The /v1/conductor Gateway path is deprecated; it still works, but new features "
    "arrive only on /v1/gateway. Drop legacy=True to use it."
)
_legacy_warned = False
_legacy_warned_lock = threading.Lock()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside this package
    (attrs compiles `__init__` under a pseudo file name "<attrs generated ...>")."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename.startswith("<attrs generated")
        or os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep)
    ):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def _warn_legacy_once() -> None:
    """Warn about the legacy path, once per process: once the warning was actually shown.

    A warning filtered out (the CLI silences it after printing its own note) does not count,
    so a later `legacy=True` under the normal filters still warns.
    """
    global _legacy_warned
    with _legacy_warned_lock:
        if _legacy_warned:
            return
        with warnings.catch_warnings(record=True) as caught:
            # The filters in force stay in force ("error" still raises); only the display is
            # deferred, so we learn whether the warning got past them.
            warnings.warn(_LEGACY_MESSAGE, DeprecationWarning, stacklevel=_caller_stacklevel())
        _legacy_warned = any(
            issubclass(item.category, DeprecationWarning) and str(item.message) == _LEGACY_MESSAGE
            for item in caught
        )
    # Show what was recorded (another thread's warnings too) through the outer handler.
    for item in caught:
        warnings.showwarning(
            item.message, item.category, item.filename, item.lineno, item.file, item.line
        )


def _normalise_host(host: str, *, field: str = "base_url") -> str:
    """A host root (scheme, host, optional port and path prefix) in one canonical form:
    lower case, no trailing dot or '/', no default port. Anything malformed raises
    `ValidationError`; user info (`user:password@`) is refused without being echoed."""
    if not isinstance(host, str) or not host.strip():
        raise ValidationError(field, "must be a non-empty URL such as http://127.0.0.1:8080")
    text = host.strip()
    if "@" in text:
        raise ValidationError(
            field,
            "must not contain a user name or password (user:password@host); "
            "the SDK authenticates with your API key",
        )
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
            raise ValidationError(
                field,
                f"must be the host root (e.g. {PRODUCTION_HOST}), without {suffix}: "
                "the SDK adds /v1/auth and /v1/gateway itself",
            )
    authority = f"[{hostname}]" if ":" in hostname else hostname
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        authority += f":{port}"
    return f"{parts.scheme}://{authority}{path}"


def _env_name(value: str, *, field: str) -> EnvironmentName:
    key = value.strip().lower()
    if key in _ENV_ALIASES:
        return _ENV_ALIASES[key]
    raise ValidationError(field, f"must be one of prod, uat; got {value.strip()!r}")


@attrs.frozen
class Environment:
    """One answer to "where is auth, where is the gateway".

    Auth lives at `{host}/v1/auth`; the Gateway at `{host}/v1/gateway`, or at the deprecated
    `{host}/v1/conductor` when `legacy` is true (a `DeprecationWarning` is emitted once per
    process). Build one with `production()`, `uat()`, `custom(host)` or `resolve()`.
    """

    name: EnvironmentName
    host: str
    legacy: bool = False

    def __attrs_post_init__(self) -> None:
        if self.name not in ("prod", "uat", "custom"):
            raise ValidationError("name", f"must be prod, uat or custom; got {self.name!r}")
        object.__setattr__(self, "host", _normalise_host(self.host, field="host"))
        if self.name == "custom" and self.host in _NAME_FOR_HOST:
            # However it was spelled, the production (or UAT) host keeps its name, so that
            # callers asking "is this production?" get the truth.
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
        """A host root of your own, such as the local sandbox (`http://127.0.0.1:8080`).

        The production and UAT hosts keep their own names, however they are spelled
        (`https://API.TrueMarkets.co:443/` is production).
        """
        return cls("custom", _normalise_host(host), legacy)

    @classmethod
    def resolve(
        cls,
        env: str | Environment | None = None,
        base_url: str | None = None,
        legacy: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Environment:
        """Pick the environment from arguments, else from `TM_ENV` / `TM_BASE_URL`.

        - `env`: an `Environment`, or `"prod"` / `"uat"`; `base_url`: a host root.
        - When either argument is given the environment variables are not consulted.
        - `TM_BASE_URL` overrides the host that `TM_ENV` names (as in the vendor SDK).
        - The default is production. An unknown `env` / `TM_ENV` raises `ValidationError`.
        """
        if isinstance(env, Environment):
            if base_url is not None:
                raise ValidationError(
                    "base_url", "cannot be combined with an Environment object; pass one of them"
                )
            if legacy is None or legacy == env.legacy:
                return env
            return attrs.evolve(env, legacy=legacy)

        use_legacy = bool(legacy)
        if env is None and base_url is None:  # only now the environment variables count
            source = os.environ if environ is None else environ
            env = source.get("TM_ENV", "").strip() or None
            base_url = source.get("TM_BASE_URL", "").strip() or None
            env_field, url_field = "TM_ENV", "TM_BASE_URL"
        else:
            env_field, url_field = "env", "base_url"
        name = "prod" if env is None else _env_name(env, field=env_field)  # a typo is refused
        if base_url is not None:
            return cls.custom(_normalise_host(base_url, field=url_field), use_legacy)
        return cls.uat(use_legacy) if name == "uat" else cls.production(use_legacy)
