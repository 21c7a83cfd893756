"""Copies of httpx requests and responses fit to travel with an exception: no bearer token,
no cookies, no stamped request body."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["safe_request", "safe_response", "scrub_transport_error"]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def safe_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of the request fit to travel with an exception: its method, URL and headers
    without `Authorization` (the bearer token), and no body (it may hold payload stamps)."""
    if request is None:
        return None
    import httpx

    kept = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    safe = httpx.Request(request.method, request.url, headers=kept)
    if "timeout" in request.extensions:
        safe.extensions["timeout"] = request.extensions["timeout"]
    return safe


def safe_response(response: httpx.Response) -> httpx.Response:
    """A detached copy of the response fit to travel with an exception: status, headers
    (no `Set-Cookie`) and the body already read, tied to a safe copy of the request. Not
    the original: its stream still references the request, token and stamped body."""
    import httpx

    if getattr(response, "_tmgw_safe", False):
        return response
    try:
        request: httpx.Request | None = response.request
    except RuntimeError:
        request = None
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "set-cookie"]
    safe = httpx.Response(response.status_code, headers=headers, content=content)
    # Content-Encoding would make httpx decode the already decoded body again.
    safe.headers.pop("content-encoding", None)
    request = safe_request(request)
    if request is not None:
        safe.request = request
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
