"""No secret in the frames of a failure's traceback: after failures in mint, refresh,
execute, transfer and cancel, render the traceback as the tools people use do (the stdlib's
TracebackException with capture_locals, rich's show_locals, a sentry-sdk event with default
options) and find no token, refresh token, challenge signature, stamp or key material."""

from __future__ import annotations

import asyncio
import io
import json
import traceback
from typing import Any

import attrs
import httpx
import pytest
from _facade_stub import DEFI_TRANSFER
from conftest import FAKE_HOST, FakeClock, FakeTrueMarkets
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway import AsyncGateway, Gateway
from truemarkets_gateway.credentials import Credentials
from truemarkets_gateway.errors import TrueMarketsError
from truemarkets_gateway.signing import PayloadSigner

ORDER_ID = "39f39d12-0000-4000-8000-000000000001"
PAYLOADS = [{"digest": "d1", "payload": "cGF5bG9hZA=="}]


def render(exc: BaseException) -> str:
    """The traceback as the stdlib, rich and sentry-sdk show it, locals included."""
    from rich.console import Console
    from rich.traceback import Traceback
    from sentry_sdk.utils import event_from_exception

    texts = [
        "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    ]
    console = Console(file=io.StringIO(), width=300, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True))
    texts.append(console.file.getvalue())  # type: ignore[attr-defined]
    event, _ = event_from_exception(exc)
    texts.append(json.dumps(event, default=repr))
    return "\n".join(texts)


class Server:
    """Auth by `FakeTrueMarkets`; Gateway routes failing as `fail` says; every secret kept."""

    def __init__(self, tm: FakeTrueMarkets, fail: str) -> None:
        self.tm, self.fail = tm, fail
        self.stamps: list[str] = []
        self.revoked: set[str] = set()

    def secrets(self) -> set[str]:
        found = self.tm.secrets() | self.revoked | {b["signature"] for b in self.tm.mint_bodies}
        return {s for s in found | set(self.stamps) if s}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/v1/auth"):
            return self.tm.handle(request)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in (
            self.tm.access_tokens
        ):
            return httpx.Response(401, json={"message": "unauthorized"})
        if self.fail == "gateway401":
            self.tm.refresh_status = 500
            self.revoked |= set(self.tm.access_tokens)
            self.tm.revoke_access_tokens()
            return httpx.Response(401, json={"message": "unauthorized"})
        if path.endswith("/execute"):
            self.stamps.extend(json.loads(request.content)["signatures"])
            # An error body that echoes the request, stamps included.
            return httpx.Response(500, json={"message": "boom", "echo": request.content.decode()})
        if path.endswith("/cancel"):
            return httpx.Response(200, json={"payloads": PAYLOADS})
        if path.endswith("/orders") and request.method == "POST":
            return httpx.Response(
                201, json={"order_id": ORDER_ID, "status": "initialized", "payloads": PAYLOADS}
            )
        if "/transfers" in path:
            return httpx.Response(200, json=DEFI_TRANSFER)
        return httpx.Response(404, json={"message": "not found"})

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self(request)


SCENARIOS = ["mint", "refresh", "gateway401", "execute", "transfer", "cancel"]


CLOCK: list[FakeClock] = []


def _prepare(tm: FakeTrueMarkets, clock: FakeClock, scenario: str) -> None:
    CLOCK[:] = [clock]
    if scenario == "mint":
        tm.mint_status = 500
    if scenario == "refresh":
        tm.refresh_status = 500
        tm.lifetime = 30  # due at once


async def _call(gw: Any, scenario: str, is_async: bool) -> None:
    async def run(value: Any) -> Any:
        return await value if is_async else value

    if scenario == "transfer":
        transfer = await run(gw.get_transfer(DEFI_TRANSFER["id"]))
        await run(gw.execute_transfer(transfer))
    elif scenario == "execute":
        await run(
            gw.place_order(
                side="buy",
                type="market",
                qty="1",
                qty_unit="quote",
                base_asset="SOL",
                quote_asset="USDC",
                chain="solana",
            )
        )
    elif scenario == "cancel":
        await run(gw.cancel_order(ORDER_ID, wait=False))
    else:
        if scenario == "refresh":
            await run(gw.get_transfer(DEFI_TRANSFER["id"]))
            CLOCK[0].advance(26)  # 4 s left: renewed now, and the refresh fails
        await run(gw.get_balances())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_secret_in_traceback_locals(
    scenario: str,
    is_async: bool,
    fake_tm: FakeTrueMarkets,
    fake_clock: FakeClock,
    credentials: Credentials,
    p256_key: ec.EllipticCurvePrivateKey,
) -> None:
    _prepare(fake_tm, fake_clock, scenario)
    server = Server(fake_tm, scenario)
    options: dict[str, Any] = {
        "credentials": credentials,
        "signer": PayloadSigner.from_key(p256_key),
        "base_url": FAKE_HOST,
        "environ": {},
        "clock": fake_clock,
        "max_retries": 0,
    }
    caught = _failure(server, scenario, is_async, options)
    assert caught is not None, "the scenario must fail"
    secrets = server.secrets()
    secrets.add(format(p256_key.private_numbers().private_value, "064x"))
    assert len(secrets) >= 2, caught
    if scenario in ("mint", "refresh"):
        assert (fake_tm.mints if scenario == "mint" else fake_tm.refreshes) >= 1
    text = render(caught)
    assert "Traceback" in text or "traceback" in text.lower()
    leaked = [s[:12] + "..." for s in secrets if s in text]
    assert not leaked, f"{scenario}: secrets {leaked} in the locals of {_where(caught, secrets)}"


def _where(exc: BaseException | None, secrets: set[str]) -> list[str]:
    """Which frame's local holds a secret (walking causes and contexts)."""
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            for name, value in frame.f_locals.items():
                if any(secret in repr(value) for secret in secrets):
                    found.append(f"{frame.f_code.co_name}:{name}")
        exc = exc.__cause__ or exc.__context__
    return found


async def _nap(seconds: float) -> None:
    return None


def _failure(server: Server, scenario: str, is_async: bool, options: dict[str, Any]) -> Any:
    """The error of the scenario (caught here: the test's own locals hold the secrets)."""
    try:
        if is_async:
            client = httpx.AsyncClient(transport=httpx.MockTransport(server.handle_async))

            async def main() -> None:
                async with AsyncGateway(http_client=client, sleep=_nap, **options) as gw:
                    await _call(gw, scenario, True)

            asyncio.run(main())
        else:
            client = httpx.Client(transport=httpx.MockTransport(server))
            with Gateway(http_client=client, sleep=lambda s: None, **options) as gw:
                asyncio.run(_call(gw, scenario, False))
    except TrueMarketsError as exc:
        return exc
    return None


def test_a_secret_never_shows_its_value() -> None:
    import pickle

    from truemarkets_gateway._api.secret import Secret, reveal

    secret = Secret("tok-SECRET-1")
    assert "SECRET" not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert secret.reveal() == reveal(secret) == "tok-SECRET-1" and reveal("plain") == "plain"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize("what", ["order", "transfer"])
def test_a_payload_that_cannot_be_encoded_is_refused_before_stamping(what: str) -> None:
    """A lone surrogate would make the signer raise (with the key in its frame) and the
    create "may have been" executed: it is a ValidationError naming the order, nothing sent."""
    from _facade_stub import Stub, sync_gateway

    from truemarkets_gateway.errors import ValidationError
    from truemarkets_gateway.models import (
        CreatedOrder,
        OrderStatus,
        Transfer,
        TransferStatus,
        UnsignedPayload,
    )

    stub = Stub()
    gw = sync_gateway(stub, signer=PayloadSigner.from_key(ec.generate_private_key(ec.SECP256R1())))
    payloads = (UnsignedPayload("ok"), UnsignedPayload("bad \ud800"))
    with pytest.raises(ValidationError) as info:
        if what == "order":
            gw.execute_order(CreatedOrder(ORDER_ID, OrderStatus.INITIALIZED, payloads=payloads))
        else:
            transfer = Transfer(DEFI_TRANSFER["id"], TransferStatus.AWAITING_SIGNATURE)
            gw.execute_transfer(attrs.evolve(transfer, payloads=payloads))
    assert info.value.field == "payloads[1]" and stub.requests == []
    assert (info.value.order_id or info.value.transfer_id) in (ORDER_ID, DEFI_TRANSFER["id"])
