"""No exception the facade raises holds the bearer token or a payload stamp, however deep:
walk every object reachable from it (attributes, causes, contexts, containers), not only
its text."""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from truemarkets_gateway import Gateway
from truemarkets_gateway.errors import (
    APIConnectionError,
    APIError,
    InternalServerError,
    TrueMarketsError,
    UnexpectedResponseError,
)

TOKEN = "tok-SECRET-7f3a9c"
STAMP = "stamp-SECRET-b81e44"
SKIP = (types.FrameType, types.TracebackType, types.ModuleType, type, types.FunctionType)


def _reachable(root: object, limit: int = 20000) -> Iterator[object]:
    seen: set[int] = set()
    todo: list[object] = [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if (
            id(obj) in seen
            or isinstance(obj, SKIP)
            or (callable(obj) and not hasattr(obj, "__dict__"))
        ):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, str | bytes | bytearray | int | float | bool) or obj is None:
            continue
        if isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
            continue
        if isinstance(obj, list | tuple | set | frozenset):
            todo.extend(obj)
            continue
        if isinstance(obj, BaseException):
            todo.extend([obj.__cause__, obj.__context__, *obj.args])
        todo.extend(getattr(obj, "__dict__", {}).values())
        for slot in getattr(type(obj), "__slots__", ()):
            if isinstance(slot, str) and hasattr(obj, slot):
                todo.append(getattr(obj, slot))


def _leaks(exc: BaseException) -> list[str]:
    found = []
    for obj in _reachable(exc):
        if isinstance(obj, bytes | bytearray):
            text = bytes(obj).decode("latin-1")
        elif isinstance(obj, str):
            text = obj
        else:
            continue
        found.extend(secret for secret in (TOKEN, STAMP) if secret in text)
    return found


def _gateway(handler: Callable[[httpx.Request], httpx.Response]) -> Gateway:
    return Gateway(
        base_url="https://gateway.test",
        access_token=TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=1,
        sleep=lambda _s: None,
    )


def _raised(call: Callable[[], Any]) -> TrueMarketsError:
    with pytest.raises(TrueMarketsError) as info:
        call()
    return info.value


def test_the_walker_finds_a_planted_secret() -> None:
    request = httpx.Request("GET", "https://x.test", headers={"Authorization": f"Bearer {TOKEN}"})
    planted = RuntimeError("x")
    planted.__cause__ = httpx.ConnectError("no", request=request)
    assert _leaks(planted) == [TOKEN]


def test_api_error_on_execute_holds_neither_token_nor_stamp() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        return httpx.Response(500, json={"message": "boom", "echo": "nothing"})

    exc = _raised(lambda: _gateway(handler).execute_order("o-1", signatures=[STAMP]))
    assert isinstance(exc, InternalServerError)
    assert exc.response is not None and exc.response.status_code == 500
    assert exc.response.request.url.path.endswith("/orders/o-1/execute")
    assert _leaks(exc) == []


def test_unreadable_success_body_holds_no_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, text="<html>maintenance</html>", headers={"content-type": "text/html"}
        )

    exc = _raised(lambda: _gateway(handler).get_balances())
    assert isinstance(exc, UnexpectedResponseError)
    assert _leaks(exc) == []


def test_dropped_connection_holds_no_token_in_its_cause() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server closed the connection", request=request)

    exc = _raised(lambda: _gateway(handler).execute_order("o-2", signatures=[STAMP]))
    assert isinstance(exc, APIConnectionError) and exc.__cause__ is not None
    assert "RemoteProtocolError" in str(exc)
    assert _leaks(exc) == []


@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
@pytest.mark.parametrize("fault", ["error", "drop"])
def test_real_connection_errors_hold_neither_token_nor_stamps(tmp_path: Any, fault: str) -> None:
    """Over a real socket (httpcore streams keep the sent request): execute fails after the
    server processed it; the exception must not lead back to the token or the stamps."""
    from truemarkets_gateway.sandbox import Fault, Sandbox

    with Sandbox() as sb:
        _, key_file = sb.create_api_key(tmp_path / "key.json")
        with Gateway(base_url=sb.base_url, key_file=key_file, sleep=lambda _s: None) as gw:
            created = gw.create_order(
                side="buy",
                type="market",
                qty="5",
                qty_unit="quote",
                base_asset="So11111111111111111111111111111111111111112",
                chain="solana",
            )
            assert created.payloads
            token = gw.access_token()
            stamps = gw.sign_payloads(created.payloads)
            made = Fault.error(500, after_processing=True) if fault == "error" else Fault.drop()
            sb.faults.add("POST", "/orders/*/execute", made, times=1)
            with pytest.raises(TrueMarketsError) as info:
                gw.execute_order(created, signatures=stamps)
    texts = [
        bytes(o).decode("latin-1") if isinstance(o, bytes | bytearray) else o
        for o in _reachable(info.value)
        if isinstance(o, str | bytes | bytearray)
    ]
    assert not [t for t in texts if token in t]
    assert not [t for t in texts for stamp in stamps if stamp in t]


def test_place_order_error_named_with_its_order_holds_neither_token_nor_stamps() -> None:
    """place_order makes the failure of its execute again, naming the order: the new
    error, its notes and its chain stay as clean as the original."""
    from truemarkets_gateway.signing import PayloadSigner

    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/orders"):
            payloads = [{"digest": "d1", "payload": "cDE="}]
            return httpx.Response(
                201, json={"order_id": "o-7", "status": "initialized", "payloads": payloads}
            )
        sent.append(request.content)
        raise httpx.RemoteProtocolError("server closed the connection", request=request)

    signer = PayloadSigner.from_key(
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
    )
    gateway = _gateway(handler)
    exc = _raised(
        lambda: gateway.place_order(
            side="buy",
            type="market",
            qty="5",
            qty_unit="quote",
            base_asset="So11111111111111111111111111111111111111112",
            chain="solana",
            signer=signer,
        )
    )
    assert isinstance(exc, APIConnectionError) and exc.order_id == "o-7"
    assert any("may have been accepted" in note for note in exc.__notes__)
    assert isinstance(exc.__cause__, APIConnectionError)  # the original, chained
    stamps = [s for body in sent for s in json.loads(body)["signatures"]]
    assert stamps and _leaks(exc) == []
    assert not [t for t in _reachable(exc) if isinstance(t, str) for s in stamps if s in t]


@pytest.mark.parametrize("status", [400, 422, 500, 200])
def test_an_error_body_echoing_the_request_is_scrubbed(status: int) -> None:
    """The server echoes the request (bearer token, stamps) in its error body: neither
    str(exc), .body nor .response holds them; an unreadable 200 neither."""

    def handler(request: httpx.Request) -> httpx.Response:
        echo = {"headers": dict(request.headers), "body": request.content.decode()}
        body = {"message": f"bad {request.headers['authorization']}", "echo": echo}
        if status == 200:  # unreadable: not JSON
            return httpx.Response(200, text=f"<html>{json.dumps(body)}</html>")
        return httpx.Response(status, json=body)

    exc = _raised(lambda: _gateway(handler).execute_order("o-3", signatures=[STAMP]))
    assert isinstance(exc, APIError if status != 200 else UnexpectedResponseError)
    assert exc.response is not None and b"[redacted]" in exc.response.content
    assert TOKEN not in str(exc) and _leaks(exc) == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("where", ["gateway", "auth"])
def test_a_redirect_is_never_followed_even_by_a_callers_client(
    status: int, where: str, credentials: Any, fake_tm: Any
) -> None:
    """With `http_client(follow_redirects=True)` a 3xx to another host would re-send the
    stamps (or the challenge signature) there: it is a typed error, nothing follows it."""
    elsewhere: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.test":
            elsewhere.append(request)
            return httpx.Response(200, json={"access_token": "evil", "order_id": "o-4"})
        if where == "gateway" and request.url.path.startswith("/v1/auth"):
            return fake_tm.handle(request)
        return httpx.Response(status, headers={"location": "https://evil.test/steal"})

    gw = Gateway(
        base_url="http://tm.test",
        credentials=credentials,
        http_client=httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True),
        clock=fake_tm.clock,
        sleep=lambda _s: None,
    )
    exc = _raised(lambda: gw.execute_order("o-4", signatures=[STAMP]))
    assert isinstance(exc, APIError) and exc.status_code == status
    assert exc.source == where
    assert elsewhere == []
    if where == "gateway":
        assert "evil.test" in str(exc) and "not followed" in str(exc)


@pytest.mark.parametrize("name", ["on_behalf_of", "access_token", "user_agent"])
@pytest.mark.parametrize("bad", ["a\x0bb", "nul\x00", "line\nbreak", "é\u2028"])
def test_header_values_with_control_characters_are_refused_at_construction(
    name: str, bad: str
) -> None:
    """Else httpx refuses the header at send time and every create says it "may have been
    created" although nothing was sent."""
    from truemarkets_gateway.errors import ValidationError

    options: dict[str, Any] = {"access_token": TOKEN, name: bad}
    with pytest.raises(ValidationError) as info:
        Gateway(base_url="https://gateway.test", environ={}, **options)
    assert info.value.field == name and bad not in str(info.value)
