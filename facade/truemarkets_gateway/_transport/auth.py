"""`GatewayAuth`: the `httpx.Auth` of user-scoped Gateway requests (bearer token and
`TM-On-Behalf-Of`); on a 401 it renews the token, and replays only requests marked safe."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Generator

import httpx

from ..errors import TrueMarketsError, ValidationError
from .tokens import NO_GATEWAY_REQUEST, TOKEN_FAILED, TokenManager

__all__ = ["NO_GATEWAY_REQUEST", "REPLAY", "TOKEN_FAILED", "GatewayAuth", "TokenManager"]

logger = logging.getLogger("truemarkets_gateway.auth")

# The request extension saying that a request may be sent again after a 401 (idempotent).
# Without it a 401 is returned: a create may have been applied before the 401 was answered.
REPLAY = "truemarkets_replay"


class GatewayAuth(httpx.Auth):
    """Bearer auth for user-scoped Gateway requests, for sync and async clients.

    Pass it per request (`client.send(request, auth=gateway_auth)`); public operations go
    with `auth=None`. Tokens are minted and refreshed through `http` (the same client, with
    `auth=None`). On a 401 with an API key the token is renewed, so the next call uses a
    fresh one, and the request is replayed once if `request.extensions[REPLAY]` is true;
    otherwise (and in static-token mode) the 401 is returned. A token failure before the
    request went out is raised with `gateway_request_sent=False`.
    """

    requires_request_body = True  # so a 401 can be replayed
    requires_response_body = True

    def __init__(
        self,
        tokens: TokenManager,
        *,
        http: httpx.Client | httpx.AsyncClient | None = None,
        async_http: httpx.AsyncClient | None = None,  # the old name of `http`, until merged
        on_behalf_of: str | None = None,
    ) -> None:
        if on_behalf_of is not None and (
            not isinstance(on_behalf_of, str)
            or not on_behalf_of.strip()
            or any(ch in on_behalf_of for ch in "\r\n\0")
        ):
            raise ValidationError("on_behalf_of", "must be the user's id, a non-empty string")
        self.tokens = tokens
        self.http = http if http is not None else async_http
        self.on_behalf_of = on_behalf_of.strip() if on_behalf_of is not None else None

    def __repr__(self) -> str:
        return f"GatewayAuth(tokens={self.tokens!r}, on_behalf_of={self.on_behalf_of!r})"

    def _prepare(self, request: httpx.Request, token: str) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token}"
        if self.on_behalf_of is not None:
            request.headers["TM-On-Behalf-Of"] = self.on_behalf_of
        return request

    def _renews(self, response: httpx.Response) -> bool:
        return response.status_code == 401 and self.tokens.can_renew

    @staticmethod
    def _kept_401(request: httpx.Request, exc: TrueMarketsError | None) -> bool:
        """After a 401: whether to return it (True) rather than replay the request."""
        if request.extensions.get(REPLAY):
            return False
        if exc is not None:  # the Gateway's 401 is the answer; the next call renews again
            logger.warning("could not renew the rejected access token (%s)", type(exc).__name__)
        return True

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        http = self.http
        if not isinstance(http, httpx.Client):
            raise TypeError("GatewayAuth of a sync client needs http=httpx.Client(...)")
        token = self.tokens.get_token_sync(http, for_gateway=True)
        response = yield self._prepare(request, token)
        if not self._renews(response):
            return
        try:
            token = self.tokens.get_token_sync(http, rejected=token)
        except TrueMarketsError as exc:
            if not self._kept_401(request, exc):
                raise
            return
        if not self._kept_401(request, None):
            yield self._prepare(request, token)  # a replay's answer, whatever it is, is final

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        http = self.http
        if not isinstance(http, httpx.AsyncClient):
            raise TypeError("GatewayAuth of an async client needs http=httpx.AsyncClient(...)")
        token = await self.tokens.get_token_async(http, for_gateway=True)
        response = yield self._prepare(request, token)
        if not self._renews(response):
            return
        try:
            token = await self.tokens.get_token_async(http, rejected=token)
        except TrueMarketsError as exc:
            if not self._kept_401(request, exc):
                raise
            return
        if not self._kept_401(request, None):
            yield self._prepare(request, token)
