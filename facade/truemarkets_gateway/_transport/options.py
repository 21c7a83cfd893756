"""A client's configuration, resolved once from its constructor options (and validated)."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from .._api import validate as _validate
from .._version import __version__
from ..errors import CredentialsError, ValidationError
from .ratelimit import RateLimiter
from .retry import RetryPolicy

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

    from ..credentials import Credentials
    from ..environments import Environment
    from ..signing import PayloadSigner
    from .auth import TokenManager

    # `signer=`: a signer, or a private key in any form `PayloadSigner.from_key` reads.
    SignerKey = PayloadSigner | EllipticCurvePrivateKey | str | bytes | Mapping[str, Any] | None

DEFAULT_TIMEOUT = 30.0
DEFAULT_USER_AGENT = f"truemarkets-gateway-python/{__version__}"


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marks an option the caller did not pass (so a user-supplied client keeps its own)."""


class Config(NamedTuple):
    """Everything a client decides once; `with_options` views replace a few fields."""

    environment: Environment
    user_agent: str
    headers: dict[str, str]
    timeout: Any  # NOT_GIVEN: the pool's own
    max_retries: int
    policy: RetryPolicy
    rand: Callable[[], float]
    clock: Callable[[], float]
    monotonic: Callable[[], float]
    credentials: Credentials | None
    tokens: TokenManager | None
    signer: SignerKey
    environ: Mapping[str, str] | None
    on_behalf_of: str | None
    owns_http: bool
    limiter: RateLimiter | None  # shared by every view of the client


def check_seconds(field: str, value: object, below: float = math.inf) -> float:
    """`value` as seconds, 0 or more (and under `below`), else `ValidationError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < below:
        raise ValidationError(field, "must be a number of seconds, 0 or more")
    return float(value)


def check_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", f"must be an integer, 0 or more; got {value!r}")
    return value


def _credentials(o: Mapping[str, Any]) -> Credentials | None:
    """`credentials=` or `key_file=`; else, without `access_token=`, the environment's key."""
    from ..credentials import Credentials

    credentials, key_file = o["credentials"], o["key_file"]
    if credentials is not None and key_file is not None:
        raise ValidationError("key_file", "pass credentials or key_file, not both")
    if key_file is not None:
        return Credentials.from_key_file(key_file)
    if credentials is not None:
        if not isinstance(credentials, Credentials):
            raise TypeError("credentials must be a Credentials object; for a path use key_file=")
        return credentials
    if o["access_token"] is not None:
        return None  # a static token: do not mix in keys from the environment
    return Credentials.from_env(o["environ"])


def resolve(options: Mapping[str, Any], owns_http: bool) -> Config:
    """Validate the client's constructor options (by name); makes the token manager, no I/O."""
    from ..environments import Environment

    o, environ, access_token = options, options["environ"], options["access_token"]
    _log_from_env(os.environ if environ is None else environ)
    environment = Environment.resolve(o["env"], o["base_url"], o["legacy"], environ)
    for name in ("on_behalf_of", "access_token", "user_agent"):  # else every create "may have"
        if o[name] is not None:  # been sent when httpx refuses the header
            _validate.header_value(name, o[name])
    user_agent = o["user_agent"] or DEFAULT_USER_AGENT
    creds = _credentials(o)
    tokens = None
    if creds is not None or access_token is not None:
        from .auth import TokenManager

        knobs = {name: o[name] for name in ("refresh_margin", "token_cache", "clock")}
        tokens = TokenManager(environment, credentials=creds, access_token=access_token, **knobs)
    elif o["on_behalf_of"] is not None:
        raise ValidationError("on_behalf_of", "needs credentials or an access_token")
    return Config(
        environment=environment,
        user_agent=user_agent,
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        timeout=NOT_GIVEN if owns_http else o["timeout"],  # our own pool carries it
        max_retries=check_retries(o["max_retries"]),
        policy=RetryPolicy(max_wait=check_seconds("max_retry_wait", o["max_retry_wait"], 1e6)),
        rand=o["rand"] or random.random,
        credentials=creds,
        tokens=tokens,
        owns_http=owns_http,
        limiter=RateLimiter.from_option(o["rate_limit"]),
        **{name: o[name] for name in ("clock", "monotonic", "signer", "environ", "on_behalf_of")},
    )


_logging_on = False


def _log_from_env(environ: Mapping[str, str]) -> None:
    """`TM_LOG=debug|info`: the SDK's log to stderr at that level, set up once."""
    global _logging_on
    level = environ.get("TM_LOG", "").strip().upper()
    if _logging_on or level not in ("DEBUG", "INFO"):
        return
    import logging

    _logging_on, handler = True, logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("truemarkets_gateway").addHandler(handler)
    logging.getLogger("truemarkets_gateway").setLevel(level)


def pool_options(config: Config, timeout: Any) -> dict[str, Any]:
    """Our own connection pool: headers and timeout set once."""
    timeout = DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout
    return {"timeout": timeout, "headers": config.headers}


def with_changes(
    config: Config, timeout: Any, max_retries: int | None, max_retry_wait: float | None
) -> Config:
    """The configuration of a `with_options` view (it never owns the pool)."""
    changes: dict[str, Any] = {"owns_http": False}
    if timeout is not NOT_GIVEN:
        changes["timeout"] = timeout
    if max_retries is not None:
        changes["max_retries"] = check_retries(max_retries)
    if max_retry_wait is not None:
        wait = check_seconds("max_retry_wait", max_retry_wait, 1e6)
        changes["policy"] = config.policy._replace(max_wait=wait)
    return config._replace(**changes)


def make_auth(config: Config, http: httpx.Client | httpx.AsyncClient) -> httpx.Auth | None:
    if config.tokens is None:
        return None
    from .auth import GatewayAuth

    limiter, clock = config.limiter, config.monotonic
    counted = None if limiter is None else (lambda: limiter.count(clock()))  # a 401's replay
    return GatewayAuth(
        config.tokens, http=http, on_behalf_of=config.on_behalf_of, on_replay=counted
    )


def generated_options(
    config: Config, http: httpx.Client | httpx.AsyncClient, auth: httpx.Auth | None
) -> dict[str, Any]:
    """What the generated client's own httpx client needs to send like ours does."""
    return {
        "base_url": config.environment.gateway_url,
        "headers": config.headers,
        "auth": auth,
        "timeout": http.timeout,
        "transport": http._transport,
    }


def signer(config: Config) -> PayloadSigner:
    """The `signer=` option, else `TM_SIGNER_KEY`, else the API key."""
    from ..signing import PayloadSigner

    option = config.signer
    if isinstance(option, PayloadSigner):
        return option
    if option is not None:
        return PayloadSigner.from_key(option)
    if (from_env := PayloadSigner.from_env(config.environ)) is not None:
        return from_env
    if config.credentials is not None:
        return PayloadSigner.from_credentials(config.credentials)
    raise CredentialsError("no payload signer: pass signer= or set TM_SIGNER_KEY (or API keys)")


_NEEDS = "pass credentials=, key_file= or access_token=, or set TM_KEY_FILE (or TM_KEY_ID)"


def token_manager(config: Config) -> TokenManager:
    if config.tokens is None:
        raise CredentialsError(f"no access token without credentials: {_NEEDS}")
    return config.tokens


def auth_for(op_name: str, public: bool, auth: httpx.Auth | None) -> httpx.Auth | None:
    if auth is None and not public:
        raise CredentialsError(f"{op_name} needs credentials: {_NEEDS}")
    return None if public else auth


def expires_at(config: Config) -> datetime | None:
    from datetime import UTC, datetime

    value = config.tokens.expires_at if config.tokens is not None else None
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)
