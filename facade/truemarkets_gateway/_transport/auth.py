"""`GatewayAuth`: bearer token and `TM-On-Behalf-Of` on user-scoped Gateway requests."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from .._api.secret import Secret
from ..errors import TrueMarketsError, ValidationError
from .tokens import NO_GATEWAY_REQUEST, TOKEN_FAILED, TokenManager

__all__ = ["NO_GATEWAY_REQUEST", "REPLAY", "TOKEN_FAILED", "GatewayAuth", "TokenManager"]

logger = logging.getLogger("truemarkets_gateway.auth")

# Marks a request safe to replay after a 401 (idempotent); a create answered 401 may be live.
REPLAY = "truemarkets_replay"


class GatewayAuth(httpx.Auth):
    """Bearer auth through `http`: on a 401 with an API key the token is renewed and the
    request replayed once if `request.extensions[REPLAY]`, else the 401 returned.
    `on_replay` is told of each replay (the rate limiter counts it)."""

    requires_request_body = True  # so a 401 can be replayed

    def __init__(
        self,
        tokens: TokenManager,
        *,
        http: httpx.Client | httpx.AsyncClient | None = None,
        on_behalf_of: str | None = None,
        on_replay: Callable[[], object] | None = None,
    ) -> None:
        user = on_behalf_of
        if user is not None and not (isinstance(user, str) and user.strip() and user.isprintable()):
            raise ValidationError("on_behalf_of", "must be the user's id, a non-empty string")
        self.tokens, self.http, self.on_replay = tokens, http, on_replay
        self.on_behalf_of = user.strip() if user is not None else None

    def __repr__(self) -> str:
        return f"GatewayAuth(tokens={self.tokens!r}, on_behalf_of={self.on_behalf_of!r})"

    def _prepare(self, request: httpx.Request, token: str) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token}"
        if self.on_behalf_of is not None:
            request.headers["TM-On-Behalf-Of"] = self.on_behalf_of
        return request

    def _replay(self, request: httpx.Request) -> bool:
        if request.extensions.get(REPLAY):
            if self.on_replay is not None:
                self.on_replay()
            return True
        return False

    @staticmethod
    def _renewal_failed(request: httpx.Request, exc: TrueMarketsError) -> None:
        if request.extensions.get(REPLAY):
            raise exc
        # The Gateway's 401 is the answer (the send loop reconciles); the next call retries.
        logger.warning("could not renew the rejected access token (%s)", type(exc).__name__)

    # No token is kept in a local of these long-lived frames: each lives on the request.

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        http = self.http
        assert isinstance(http, httpx.Client), "a sync client's GatewayAuth needs http=Client"
        try:
            self._prepare(request, self.tokens.get_token_sync(http, for_gateway=True))
        except TrueMarketsError:
            raise
        except Exception as exc:
            raise _unsent(exc) from exc
        response = yield request
        if response.status_code == 401 and self.tokens.can_renew:
            try:
                self._prepare(request, self.tokens.get_token_sync(http, rejected=_sent(request)))
            except TrueMarketsError as exc:
                self._renewal_failed(request, exc)
                return
            if self._replay(request):
                yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        http, tokens = self.http, self.tokens
        assert isinstance(http, httpx.AsyncClient), "an async client needs http=AsyncClient"
        try:
            self._prepare(request, await tokens.get_token_async(http, for_gateway=True))
        except TrueMarketsError:
            raise
        except Exception as exc:
            raise _unsent(exc) from exc
        response = yield request
        if response.status_code == 401 and tokens.can_renew:
            try:
                self._prepare(request, await tokens.get_token_async(http, rejected=_sent(request)))
            except TrueMarketsError as exc:
                self._renewal_failed(request, exc)
                return
            if self._replay(request):
                yield request


def _unsent(exc: Exception) -> TrueMarketsError:
    """A token failure before the request left: typed (an unforeseen one too), and marked
    unsent, so a create is neither reconciled nor reported as possibly applied."""
    text = f"{TOKEN_FAILED} ({type(exc).__name__}); {NO_GATEWAY_REQUEST}"
    return TrueMarketsError(text, gateway_request_sent=False)


def _sent(request: httpx.Request) -> Secret[str]:
    return Secret(request.headers["Authorization"].removeprefix("Bearer "))
