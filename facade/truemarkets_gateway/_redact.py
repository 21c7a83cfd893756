"""Copies of httpx requests and responses fit to travel with an exception: no bearer token,
no cookies, no stamped request body, no secret the server echoed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["safe_request", "safe_response", "scrub_transport_error"]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_SECRET_FIELDS = ("signature", "signatures", "refresh_token", "access_token")
_BODY_HEADERS = frozenset({"set-cookie", "content-encoding", "content-length", "transfer-encoding"})


def _secrets(request: httpx.Request | None, content: bytes) -> set[str]:
    """The secrets sent (bearer token, signatures, refresh token) or answered (tokens)."""
    found, bodies = set(), [content]
    if request is not None:
        found.add(request.headers.get("authorization", "").removeprefix("Bearer ").strip())
        bodies.append(getattr(request, "_content", b""))  # unset for a streamed body
    for body in bodies:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            continue
        for name in _SECRET_FIELDS if isinstance(data, dict) else ():
            value = data.get(name)
            found.update(v for v in (value if isinstance(value, list) else [value]) if v)
    return {s for s in found if isinstance(s, str) and len(s) >= 8}


def safe_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of the request: method, URL, headers but `Authorization`; no body (stamps)."""
    if request is None:
        return None
    import httpx

    kept = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    timeout = {k: v for k, v in request.extensions.items() if k == "timeout"}
    return httpx.Request(request.method, request.url, headers=kept, extensions=timeout)


def safe_response(response: httpx.Response) -> httpx.Response:
    """A detached copy of the response (the original's stream references the request):
    status, headers but `Set-Cookie`, and the body read, secrets masked."""
    import httpx

    if getattr(response, "_tmgw_safe", False):
        return response
    request: httpx.Request | None = getattr(response, "_request", None)  # `.request` may raise
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    for secret in _secrets(request, content):
        content = content.replace(secret.encode("utf-8", "surrogatepass"), b"[redacted]")
    # The body is decoded and maybe shortened: its encoding and length headers no longer hold.
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _BODY_HEADERS]
    safe = httpx.Response(response.status_code, headers=headers, content=content)
    safe._request = safe_request(request)
    safe._tmgw_safe = True  # type: ignore[attr-defined]
    return safe


def scrub_transport_error(exc: BaseException) -> None:
    """Replace each request held along an httpx exception's chain by a safe copy (transport
    failures are chained to the `APIConnectionError`: their `.request` must not hold the token)."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx.RequestError):
            held = getattr(current, "_request", None)
            if isinstance(held, httpx.Request):
                current._request = safe_request(held)
        current = current.__cause__ or current.__context__
