"""`GatewayBase`: what both clients do without I/O (state, views, signer, properties), written
once; `AsyncGateway` adds the I/O and `Gateway` is generated from it."""

from __future__ import annotations

import copy
import weakref
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx

from ._api import operations as ops
from ._raw import RawResponseView
from ._transport import options as _options
from ._transport.options import NOT_GIVEN
from .errors import ClientClosedError, ValidationError

if TYPE_CHECKING:
    from datetime import datetime

    from truemarkets_gateway_client import AuthenticatedClient

    from ._flows import SignerSource
    from ._transport.options import SignerKey
    from .credentials import Credentials
    from .environments import Environment
    from .signing import PayloadSigner, SignablePayload

__all__ = ["GatewayBase"]

HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)


def _pick(values: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {k: values[k] for k in names}


def _kw(values: Mapping[str, Any], *drop: str) -> dict[str, Any]:
    """A method's arguments (its `locals()` on entry), passed on by name."""
    return {k: v for k, v in values.items() if k not in drop and k != "self"}


class GatewayBase(Generic[HttpClientT]):
    """The settings, views and signer shared by `Gateway` and `AsyncGateway`."""

    environment: Environment
    user_agent: str
    max_retries: int
    _origin: GatewayBase[Any] | None = None  # the client a `with_options` view was made from
    _raw = False  # a `with_raw_response` view

    def _start(self, cfg: _options.Config, http: HttpClientT) -> None:
        """The state every client keeps, from its resolved options (before any I/O)."""
        self._cfg, self.environment, self.user_agent = cfg, cfg.environment, cfg.user_agent
        self._http: HttpClientT = http
        self._auth = _options.make_auth(cfg, http)
        self.max_retries = cfg.max_retries
        self._intents: weakref.WeakValueDictionary[Any, Any] = weakref.WeakValueDictionary()
        self._handed: deque[str] = deque(maxlen=4096)  # ids creates returned (create flow)
        self._server_now = lambda: cfg.clock() + getattr(cfg.tokens, "clock_offset", 0)
        self._ctx = ops.Ctx(cfg.environment.gateway_url, {}, cfg.environment.account_url)
        self._closed = False
        self._signer: PayloadSigner | None = None
        self._generated: AuthenticatedClient | None = None

    def __repr__(self) -> str:
        mode = self._cfg.tokens.mode if self._cfg.tokens is not None else "none"
        return f"{type(self).__name__}(environment={self.environment!r}, auth={mode!r})"

    @property
    def credentials(self) -> Credentials | None:
        """The API key in use, if any (its private key never shows in repr)."""
        return self._cfg.credentials

    @property
    def signer(self) -> PayloadSigner:
        """The payload signer (`signer=`, `TM_SIGNER_KEY` or the API key), or `CredentialsError`."""
        if self._signer is None:
            self._signer = _options.signer(self._cfg)
        return self._signer

    @property
    def token_expires_at(self) -> datetime | None:
        """When the current access token expires (UTC); None if there is no token or no expiry."""
        return _options.expires_at(self._cfg)

    @property
    def http_client(self) -> HttpClientT:
        """The `httpx.Client` (or for `AsyncGateway`, `httpx.AsyncClient`) requests go through."""
        return self._http

    @property
    def generated(self) -> AuthenticatedClient:
        """The generated `AuthenticatedClient`, sharing pool and auth (do not close it)."""
        if self._generated is None:
            from truemarkets_gateway_client import AuthenticatedClient

            options = _options.generated_options(self._cfg, self._http, self._auth)
            client = AuthenticatedClient(base_url=self._ctx.gateway_url, token="")
            if isinstance(self._http, httpx.AsyncClient):
                client.set_async_httpx_client(httpx.AsyncClient(**options))
            else:
                client.set_httpx_client(httpx.Client(**options))
            self._generated = client
        return self._generated

    @property
    def closed(self) -> bool:
        """Whether `close()` was called (on this client or the one it was derived from)."""
        return self._closed or (self._origin is not None and self._origin.closed)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = NOT_GIVEN,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
    ) -> Self:
        """A view with other settings, sharing pool, tokens and signer; closed with the original."""
        view = copy.copy(self)
        view._origin, view._closed = self, False
        view._cfg = _options.with_changes(self._cfg, timeout, max_retries, max_retry_wait)
        view.max_retries = self.max_retries if max_retries is None else view._cfg.max_retries
        return view

    @property
    def with_raw_response(self) -> RawResponseView:
        """The single-request methods, returning `RawResponse` (result, status, request id)."""
        view = self.with_options()
        view._raw = True
        return RawResponseView(view)

    def for_user(self, user_id: str, *, signer: SignerKey) -> Self:
        """A view acting for one organisation user, stamping with `signer` (as given to
        `create_user`); it shares this client's pool, tokens and rate limit."""
        _options.token_manager(self._cfg)  # CredentialsError now, not on the first call
        view = self.with_options()
        view._signer = self._user_signer(signer)
        view._cfg = view._cfg._replace(on_behalf_of=user_id, signer=view._signer)
        view._auth, view._generated = _options.make_auth(view._cfg, self._http), None
        return view

    def _user_signer(self, signer: SignerKey) -> PayloadSigner:
        if signer is None:  # never the organisation's API key
            raise ValidationError("signer", "must be the user's signer key or a PayloadSigner")
        return _options.signer(self._cfg._replace(signer=signer))

    def _as_organization(self) -> Self:
        """This client, or on a user view one that sends no TM-On-Behalf-Of."""
        if self._cfg.on_behalf_of is None:
            return self
        view = self.with_options()
        view._cfg = view._cfg._replace(on_behalf_of=None)
        view._auth = _options.make_auth(view._cfg, self._http)
        return view

    def _run(self, call: ops.PreparedCall[Any], max_retries: int | None = None) -> Any:
        raise NotImplementedError  # the I/O loop, each client's own

    # The primitives the workflows call by name (`_flows.Call`); the async runner awaits them.
    def _send_create_order(self, **fields: Any) -> Any:
        return self._run(ops.build_create_order(self._ctx, ops.OrderRequest(**fields)))

    def _send_create_transfer(self, **fields: Any) -> Any:
        return self._run(ops.build_create_transfer(self._ctx, **fields))

    def _send_execute_order(self, order_id: str, stamps: Sequence[str]) -> Any:
        return self._run(ops.build_execute_order(self._ctx, order_id, stamps))

    def _send_execute_transfer(self, transfer_id: str, stamps: Sequence[str]) -> Any:
        return self._run(ops.build_execute_transfer(self._ctx, transfer_id, stamps))

    def _check_open(self) -> None:
        if self.closed:
            raise ClientClosedError(f"this {type(self).__name__} is closed; create a new one")

    def _view(self, max_retries: int | None) -> Self:
        return self if max_retries is None else self.with_options(max_retries=max_retries)

    def _signer_source(self, signer: PayloadSigner | None) -> SignerSource:
        # Lazy: CeFi orders and withdrawals must work without any signer key.
        return (lambda: signer) if signer is not None else (lambda: self.signer)

    def sign_payloads(
        self, payloads: Sequence[SignablePayload], signer: PayloadSigner | None = None
    ) -> list[str]:
        """Stamps for these payloads (one each, in order), by `signer` or the client's."""
        return (signer if signer is not None else self.signer).sign_payloads(payloads)
