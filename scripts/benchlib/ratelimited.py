"""Row (a): throughput under the Gateway's rate limit, against the sandbox.

The sandbox limits each key to `requests` per `window` seconds (scaled down from 100 per
60 s so the row takes well under a minute). Eight threads do mixed work for a few windows:
quotes, reads, CeFi market orders and DeFi orders (create, stamp, execute), each order
then polled until it settles. Reported per contender: requests answered within the run as
a fraction of what the limit allowed over it, 429s received, and rate-limit failures
surfaced to the caller (operations that did not happen).

The naive contender is the loop bots write over raw httpx: no pacing; a read answered 429
waits Retry-After and tries again; a create answered 429 fails (its order is not placed).
Ours (`run_ours`) is one shared Gateway with `rate_limit=` set to the sandbox's limit.
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

SOL_MINT = "So11111111111111111111111111111111111111112"
THREADS = 8
REQUESTS, WINDOW, WINDOWS = 40, 8.0, 3  # 40 per 8 s for 24 s
TARGET_FRACTION, TARGET_429S, TARGET_SURFACED = 0.95, 1, 0


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.until = float("inf")  # requests answered after this are not counted as done
        self.ok = self.limited = self.surfaced = self.operations = self.errors = 0

    def add(self, **kw: int) -> None:
        with self.lock:
            for name, n in kw.items():
                setattr(self, name, getattr(self, name) + n)


class RateLimited(Exception):
    """A 429 the naive loop gives up on."""


class NaiveWorker:
    """One thread of the raw-httpx loop."""

    def __init__(
        self, base_url: str, token: str, signer: Any, counts: Counts, seed: int, limiter: Any
    ) -> None:
        self.http = httpx.Client(
            base_url=f"{base_url}/v1/gateway",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        self.signer, self.counts, self.rng = signer, counts, random.Random(seed)
        self.limiter = limiter  # a RateLimiter for the "paced" variant, else None
        self.order_ids: list[str] = []

    def send(
        self, method: str, path: str, *, create: bool = False, then_execute: bool = False, **kw: Any
    ) -> Any:
        while True:
            if self.limiter is not None:
                from truemarkets_gateway._transport.ratelimit import Priority

                priority = Priority.READ
                if create:
                    priority = Priority.EXECUTE if "/execute" in path else Priority.CREATE
                self.limiter.acquire(priority, then_execute=then_execute)
            r = self.http.request(method, path, **kw)
            if self.limiter is not None:
                self.limiter.observe(r.status_code, r.headers, time.monotonic())
            if r.status_code != 429:
                r.raise_for_status()
                self.counts.add(ok=int(time.monotonic() < self.counts.until))
                return r.json() if r.content else {}
            self.counts.add(limited=1)
            if create:
                raise RateLimited(path)
            time.sleep(float(r.headers.get("retry-after", "1")))

    def order(self, body: dict[str, Any]) -> None:
        defi = "chain" in body
        created = self.send("POST", "/orders", json=body, create=True, then_execute=defi)
        order_id = created["order_id"]
        if created.get("payloads"):
            stamps = self.signer.sign_payloads([p["payload"] for p in created["payloads"]])
            body = {"signatures": stamps, "auth_type": "api_key"}
            self.send("POST", f"/orders/{order_id}/execute", json=body, create=True)
        self.order_ids.append(order_id)
        for _ in range(20):  # wait for it to settle
            if self.send("GET", f"/orders/{order_id}/status")["status"] not in (
                "pending",
                "initialized",
            ):
                return
            time.sleep(0.1)

    def step(self) -> None:
        pick = self.rng.random()
        qty = str(Decimal(self.rng.randint(5, 50)))
        if pick < 0.35:
            body = {"base_asset": "BTC", "quote_asset": "USD", "qty": qty}
            self.send("POST", "/quotes", json={**body, "qty_unit": "quote", "side": "buy"})
        elif pick < 0.6:
            if self.order_ids:
                self.send("GET", f"/orders/{self.rng.choice(self.order_ids)}")
            else:
                self.send("GET", "/balances")
        elif pick < 0.8:
            self.order(
                {
                    "side": "buy",
                    "type": "market",
                    "qty": qty,
                    "qty_unit": "quote",
                    "base_asset": "BTC",
                    "quote_asset": "USD",
                }
            )
        else:
            self.order(
                {
                    "side": "buy",
                    "type": "market",
                    "qty": qty,
                    "qty_unit": "quote",
                    "base_asset": SOL_MINT,
                    "chain": "solana",
                }
            )

    def run(self, until: float) -> None:
        try:
            while time.monotonic() < until:
                try:
                    self.step()
                    self.counts.add(operations=1)
                except RateLimited:
                    self.counts.add(surfaced=1)
                except httpx.HTTPError:
                    self.counts.add(errors=1)
        finally:
            self.http.close()


def _run_threads(work: Callable[[int, float], None], seconds: float, counts: Counts) -> float:
    started = time.monotonic()
    counts.until = until = started + seconds
    threads = [threading.Thread(target=work, args=(i, until)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def run_naive(
    gateway_cls: Any, seconds: float = WINDOW * WINDOWS, *, paced: bool = False
) -> dict[str, float]:
    """The naive raw-httpx loop against a rate-limited sandbox; the row's numbers.

    `paced` puts one shared `RateLimiter` in front of every send (a preview of the wiring).
    """
    from truemarkets_gateway._transport.ratelimit import RateLimiter
    from truemarkets_gateway.sandbox import Sandbox, SandboxConfig
    from truemarkets_gateway.signing import PayloadSigner

    config = SandboxConfig(
        rate_limit=True, rate_limit_requests=REQUESTS, rate_limit_window=WINDOW, settle_delay=0.2
    )
    counts = Counts()
    limiter = RateLimiter(REQUESTS, WINDOW) if paced else None
    with tempfile.TemporaryDirectory() as tmp, Sandbox(config) as sb:
        _key_id, key_file = sb.create_api_key(Path(tmp) / "key.json")
        sb.fund("USDC", "100000000", "solana")
        with gateway_cls(base_url=sb.base_url, key_file=key_file) as gateway:
            token = gateway.access_token()  # the one request outside the measured windows
        signer = PayloadSigner.from_key(json.loads(Path(key_file).read_text()))
        time.sleep(WINDOW + 0.1)  # start on a fresh server window

        def work(i: int, until: float) -> None:
            NaiveWorker(sb.base_url, token, signer, counts, i, limiter).run(until)

        _run_threads(work, seconds, counts)
    return summary(counts, seconds)


def summary(counts: Counts, seconds: float) -> dict[str, float]:
    """The run starts on a fresh server window, so `seconds` allow `REQUESTS` a window."""
    allowed = REQUESTS * seconds / WINDOW
    return {
        "fraction": counts.ok / allowed,
        "requests_ok": counts.ok,
        "operations": counts.operations,
        "429s": counts.limited,
        "surfaced": counts.surfaced,
        "errors": counts.errors,
        "seconds": seconds,
    }


def run_ours(gateway_cls: Any, seconds: float = WINDOW * WINDOWS) -> dict[str, float] | None:
    """The same mix through one shared Gateway with `rate_limit=(REQUESTS, WINDOW)`; None
    for a client without the `rate_limit` option."""
    import inspect

    from truemarkets_gateway.errors import RateLimitError, TrueMarketsError
    from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

    if "rate_limit" not in inspect.signature(gateway_cls).parameters:
        return None
    config = SandboxConfig(
        rate_limit=True, rate_limit_requests=REQUESTS, rate_limit_window=WINDOW, settle_delay=0.2
    )
    counts = Counts()

    def seen(response: httpx.Response) -> None:
        if response.status_code == 429:
            counts.add(limited=1)
        elif response.is_success and "/v1/gateway/" in response.request.url.path:
            counts.add(ok=int(time.monotonic() < counts.until))

    with tempfile.TemporaryDirectory() as tmp, Sandbox(config) as sb:
        _key_id, key_file = sb.create_api_key(Path(tmp) / "key.json")
        sb.fund("USDC", "100000000", "solana")
        http = httpx.Client(timeout=30, event_hooks={"response": [seen]})
        with gateway_cls(
            base_url=sb.base_url,
            key_file=key_file,
            http_client=http,
            rate_limit=(REQUESTS, WINDOW),
        ) as gateway:
            gateway.access_token()
            time.sleep(WINDOW + 0.1)

            def work(i: int, until: float) -> None:
                rng, order_ids = random.Random(i), []
                while time.monotonic() < until:
                    pick, qty = rng.random(), Decimal(rng.randint(5, 50))
                    try:
                        if pick < 0.35:
                            gateway.quote(
                                base_asset="BTC",
                                quote_asset="USD",
                                qty=qty,
                                qty_unit="quote",
                                side="buy",
                            )
                        elif pick < 0.6:
                            if order_ids:
                                gateway.get_order(rng.choice(order_ids))
                            else:
                                gateway.get_balances()
                        else:
                            where: dict[str, Any] = (
                                {"base_asset": "BTC", "quote_asset": "USD"}
                                if pick < 0.8
                                else {"base_asset": SOL_MINT, "chain": "solana"}
                            )
                            placed = gateway.place_order(
                                side="buy",
                                type="market",
                                qty=qty,
                                qty_unit="quote",
                                wait=True,
                                **where,
                            )
                            order_ids.append(placed.order_id)
                        counts.add(operations=1)
                    except RateLimitError:
                        counts.add(surfaced=1)
                    except TrueMarketsError:
                        counts.add(errors=1)

            _run_threads(work, seconds, counts)
        http.close()
    return summary(counts, seconds)
