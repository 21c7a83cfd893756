"""The Auth Service's two calls, mint and refresh: their requests, built with the generated
client, and their answer read into `TokenPair`. The only reader of the auth client's models."""

from __future__ import annotations

import json
import uuid
from typing import Any

import attrs
import httpx

from truemarkets_auth_client.api.api_key_authentication import exchange_api_key_token
from truemarkets_auth_client.api.token import refresh_token as refresh_token_op
from truemarkets_auth_client.models import (
    AccessTokensResponse,
    APIKeyTokenExchangeRequest,
    RefreshTokenRequest,
)

from ..credentials import Credentials

__all__ = ["TokenPair", "mint_request", "read_tokens", "refresh_request"]


@attrs.frozen
class TokenPair:
    """A token answer: `expires_in` is the raw JSON value (the generated parser would read
    "20300101" as a date), for `_transport.expiry.token_expiry`."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    expires_in: object


def mint_request(auth_url: str, credentials: Credentials, timestamp: int) -> dict[str, Any]:
    """`build_request` arguments of an API-key token exchange, its challenge signed here."""
    body = APIKeyTokenExchangeRequest(
        key_id=uuid.UUID(credentials.key_id),
        timestamp=timestamp,
        signature=credentials.sign_challenge(timestamp),
    )
    kwargs = exchange_api_key_token._get_kwargs(body=body)
    return {**kwargs, "url": auth_url + kwargs["url"]}


def refresh_request(auth_url: str, refresh_token: str) -> dict[str, Any]:
    """`build_request` arguments of a refresh (the refresh token is single-use)."""
    body = RefreshTokenRequest(refresh_token=refresh_token)
    kwargs = refresh_token_op._get_kwargs(body=body)
    return {**kwargs, "url": auth_url + kwargs["url"]}


def read_tokens(response: httpx.Response) -> TokenPair | None:
    """The pair in a 200 answer; None without a usable access token (other fields ignored)."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    parsed = AccessTokensResponse.from_dict(data)
    access, refresh = parsed.access_token, parsed.refresh_token
    if not isinstance(access, str) or not access.strip():
        return None
    kept = refresh if isinstance(refresh, str) and refresh else None
    return TokenPair(access.strip(), kept, data.get("expires_in"))
