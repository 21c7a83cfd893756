"""Everything one sandbox remembers, and the only door to change it (one lock).

`SandboxState` ties the clock, catalogue, prices, ledger, auth, orders and transfers
together. Handlers call its methods from the server thread; tests call them (and read
`orders`, `transfers`, `request_counts`) from theirs.
"""

from __future__ import annotations

import decimal
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import attrs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway.sandbox.auth import AuthService, Principal
from truemarkets_gateway.sandbox.catalog import CATALOG
from truemarkets_gateway.sandbox.config import DEFAULT_WALK_SEED, SandboxConfig
from truemarkets_gateway.sandbox.faults import FaultController
from truemarkets_gateway.sandbox.ledger import Ledger
from truemarkets_gateway.sandbox.market import PriceBook
from truemarkets_gateway.sandbox.orders import ORDER_STATUSES, Order, OrderDesk
from truemarkets_gateway.sandbox.organizations import Organizations, OrgUser, parse_user_request
from truemarkets_gateway.sandbox.payloads import compressed_hex, verify_execute_body
from truemarkets_gateway.sandbox.portfolio import portfolio, transactions
from truemarkets_gateway.sandbox.problems import Problem, invalid
from truemarkets_gateway.sandbox.transfers import TRANSFER_STATUSES, Transfer, TransferDesk
from truemarkets_gateway.sandbox.values import IdSource, format_time, micros, parse_time_micros

__all__ = ["DEFAULT_FUNDING", "Account", "SandboxState", "load_public_key"]

T = TypeVar("T")

# (symbol, chain or None for exchange-held, amount). DeFi rows are left out with fund_defi=False.
DEFAULT_FUNDING: tuple[tuple[str, str | None, str], ...] = (
    ("USDC", None, "100000"),
    ("BTC", None, "2"),
    ("ETH", None, "10"),
    ("SOL", None, "100"),
    ("PYUSD", None, "1000"),
    ("SOL", "solana", "10"),
    ("USDC", "solana", "5000"),
    ("USDC", "base", "5000"),
    ("ETH", "base", "1"),
    ("USDC", "hypercore-spot", "10000"),
    ("BTC", "hypercore-spot", "0.1"),
    ("USDC", "hypercore-perp", "10000"),
)


@attrs.define
class Account:
    """A user: their API keys and the signer key their stamps must come from."""

    uid: str
    signer: ec.EllipticCurvePublicKey = attrs.field(repr=False)
    key_ids: list[str] = attrs.Factory(list)


def load_public_key(key: ec.EllipticCurvePublicKey | str | bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from a key object, PEM, or SEC1 hex/bytes (compressed or not)."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        public = key
    else:
        raw = key.encode() if isinstance(key, str) else key
        if raw.lstrip().startswith(b"-----BEGIN"):
            loaded = serialization.load_pem_public_key(raw)
            if not isinstance(loaded, ec.EllipticCurvePublicKey):
                raise ValueError("not an EC public key")
            public = loaded
        else:
            point = bytes.fromhex(raw.decode()) if isinstance(key, str) else raw
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    if not isinstance(public.curve, ec.SECP256R1):
        raise ValueError("keys must be P-256")
    return public


# Client amounts are bounded (`values.amount_problem`: < 1e12, <= 18 decimal places); the
# widest value the desks derive from them (a quote amount over the smallest limit price, at
# 18 decimals) needs about 50 digits, more than the default context's 28.
_DECIMAL_PRECISION = 64


class _StateLock:
    """The state's re-entrant lock; holding it also switches to a decimal context wide
    enough for every amount the desks compute, so no bounded input can overflow it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._contexts = threading.local()

    def __enter__(self) -> _StateLock:
        self._lock.acquire()
        stack: list[decimal.Context] = self._contexts.__dict__.setdefault("stack", [])
        stack.append(decimal.getcontext())
        decimal.setcontext(decimal.Context(prec=_DECIMAL_PRECISION))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        decimal.setcontext(self._contexts.stack.pop())
        self._lock.release()


class SandboxState:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        walk_seed = DEFAULT_WALK_SEED if self.config.seed is None else self.config.seed
        self.faults = FaultController(walk_seed, self.config.faults)
        self.lock = _StateLock()
        self._last_created = 0
        self.ids = IdSource(self.config.seed)
        self.catalog = CATALOG
        self.market = PriceBook(walk_seed, self.now())
        self.ledger = Ledger(self.catalog)
        self.auth = AuthService(
            ids=self.ids,
            now=self.now,
            token_lifetime=self.config.token_lifetime,
            refresh_token_lifetime=self.config.refresh_token_lifetime,
            challenge_window=self.config.challenge_window,
            early_expiry=lambda: self.faults.token_expiry,
        )
        self.order_desk = OrderDesk(
            catalog=self.catalog,
            ledger=self.ledger,
            market=self.market,
            ids=self.ids,
            settle_delay=self.config.settle_delay,
            payload_max_age=self.config.payload_max_age,
            creation_time=self._creation_time,
        )
        self.transfer_desk = TransferDesk(
            catalog=self.catalog,
            ledger=self.ledger,
            ids=self.ids,
            settle_delay=self.config.settle_delay,
            creation_time=self._creation_time,
        )
        self.accounts: dict[str, Account] = {}
        self.orgs = Organizations(self.ids)
        self.request_counts: Counter[str] = Counter()
        self._rate_windows: dict[str, tuple[float, int]] = {}

    # --- time ---------------------------------------------------------------------------------

    def now(self) -> float:
        """The server clock: the configured clock plus any injected skew."""
        return self.config.clock() + self.faults.clock_skew

    def _creation_time(self) -> float:
        """`now()`, nudged so that creation times are strictly increasing (cursors rely on it)."""
        moment = max(micros(self.now()), self._last_created + 1)
        self._last_created = moment
        return moment / 1_000_000

    def advance(self) -> None:
        """Apply every time-based state change that is due by now."""
        with self.lock:
            now = self.now()
            self.order_desk.advance(now)
            self.transfer_desk.advance(now)

    # --- reconciliation views --------------------------------------------------------------

    @property
    def orders(self) -> dict[str, Order]:
        """Every order ever created, by id (a copy)."""
        with self.lock:
            return dict(self.order_desk.orders)

    @property
    def transfers(self) -> dict[str, Transfer]:
        """Every transfer ever created, by id (a copy)."""
        with self.lock:
            return dict(self.transfer_desk.transfers)

    def request_count(self, route: str) -> int:
        """Requests seen for a route such as "POST /orders" or "POST /orders/{id}/execute"."""
        with self.lock:
            return self.request_counts[route]

    def count_request(self, route: str) -> None:
        with self.lock:
            self.request_counts[route] += 1

    # --- accounts and keys -----------------------------------------------------------------

    def register_key(
        self,
        public_key: ec.EllipticCurvePublicKey | str | bytes,
        *,
        key_id: str | None = None,
        account: str | None = None,
        fund: bool | None = None,
        fund_defi: bool = True,
    ) -> str:
        """Register an API key and return its key_id.

        A new account is opened (unless `account` names one) with this key as its signer,
        funded with `DEFAULT_FUNDING` unless `fund` is False (default: the config's
        `fund_new_accounts`); `fund_defi=False` leaves the on-chain buckets empty.
        """
        public = load_public_key(public_key)
        with self.lock:
            if account is not None:
                holder = self.accounts[account]
            else:
                holder = Account(self.ids.uuid(), public)
                self.accounts[holder.uid] = holder
                self.ledger.open(holder.uid)
                if self.config.fund_new_accounts if fund is None else fund:
                    for symbol, chain, amount in DEFAULT_FUNDING:
                        if chain is None or fund_defi:
                            self.ledger.credit(holder.uid, symbol, chain, Decimal(amount))
            new_id = key_id or self.ids.uuid()
            self.auth.register(new_id, holder.uid, public)
            holder.key_ids.append(new_id)
            return new_id

    def _open_account(self, uid: str, signer: ec.EllipticCurvePublicKey, fund: bool) -> Account:
        holder = self.accounts[uid] = Account(uid, signer)
        self.ledger.open(uid)
        for symbol, chain, amount in DEFAULT_FUNDING if fund else ():
            self.ledger.credit(uid, symbol, chain, Decimal(amount))
        return holder

    def register_org_key(
        self,
        public_key: ec.EllipticCurvePublicKey | str | bytes,
        *,
        org_id: str | None = None,
        key_id: str | None = None,
    ) -> tuple[str, str]:
        """Register an organisation API key: `(key_id, organization_id)`.

        Its tokens carry `tm.organization_id`; a new organisation is made unless `org_id`
        names one. The organisation's own account holds nothing: its users hold the funds.
        """
        public = load_public_key(public_key)
        with self.lock:
            if org_id is None:
                org_id = self.orgs.new_org()
            elif org_id not in self.orgs.orgs:
                self.orgs.orgs[org_id] = []
            holder = self._open_account(self.ids.uuid(), public, fund=False)
            new_id = key_id or self.ids.uuid()
            self.auth.register(new_id, holder.uid, public, org_id=org_id)
            holder.key_ids.append(new_id)
            self.orgs.orgs[org_id].append(new_id)
            return new_id, org_id

    def create_user(
        self, principal: Principal, org_id: str, body: object, *, fund: bool | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Create (or return, by `external_ref_id`) an organisation user: (status, body).

        A new user's wallets take `config.provision_delay` seconds: until then the answer
        is a 503 with Retry-After (the user exists; retrying returns it).
        """
        with self.lock:
            self.orgs.check_org_path(principal.org_id, org_id)
            ref, signer = parse_user_request(body)
            user = self.add_user(org_id, ref, signer, fund=fund)
            now = self.now()
            if now < user.ready_at:
                wait = max(int(user.ready_at - now + 0.999), 1)
                raise Problem(
                    503,
                    "the user's wallets are being provisioned; retry shortly",
                    headers={"retry-after": str(wait)},
                )
            status = 200 if user.announced else 201
            user.announced = True
            return status, user.to_json()

    def add_user(
        self,
        org_id: str,
        external_ref_id: str,
        signer: ec.EllipticCurvePublicKey,
        *,
        fund: bool | None = None,
        provision_delay: float | None = None,
    ) -> OrgUser:
        """The organisation's user for `external_ref_id`, created (and funded unless `fund`
        is False) if new; 409 if that id already has another signer key."""
        with self.lock:
            if org_id not in self.orgs.orgs:
                raise KeyError(f"no organisation {org_id}")
            user = self.orgs.find(org_id, external_ref_id)
            signer_hex = compressed_hex(signer)
            if user is None:
                delay = self.config.provision_delay if provision_delay is None else provision_delay
                user = self.orgs.add_user(org_id, external_ref_id, signer_hex, self.now(), delay)
                funded = self.config.fund_new_accounts if fund is None else fund
                self._open_account(user.user_id, signer, funded)
            elif user.signer_hex != signer_hex:
                raise Problem(
                    409,
                    f"external_ref_id {external_ref_id!r} already belongs to a user with "
                    "another signer key",
                    type="already_exists",
                )
            return user

    def reconfigure(self, **changes: Any) -> SandboxConfig:
        """Change settings of a running sandbox (`settle_delay`, `token_lifetime`,
        `rate_limit`, `rate_limit_requests`, `provision_delay`...). Token lifetimes apply to
        tokens issued afterwards. `clock`, `seed` and `faults` are fixed at start (use
        `faults` to change faults)."""
        fixed = {"clock", "seed", "faults"} & set(changes)
        if fixed:
            raise ValueError(f"cannot change {', '.join(sorted(fixed))} of a running sandbox")
        with self.lock:
            self.config = config = attrs.evolve(self.config, **changes)
            self.order_desk.settle_delay = self.transfer_desk.settle_delay = config.settle_delay
            self.order_desk.payload_max_age = config.payload_max_age
            self.auth.configure(
                token_lifetime=config.token_lifetime,
                refresh_token_lifetime=config.refresh_token_lifetime,
                challenge_window=config.challenge_window,
            )
            return config

    def acting(self, principal: Principal, on_behalf_of: str | None) -> Principal:
        """The principal a request acts as (its `TM-On-Behalf-Of` user, if any), or a 403."""
        with self.lock:
            uid = self.orgs.acting_uid(principal.uid, principal.org_id, on_behalf_of)
        return principal if uid == principal.uid else attrs.evolve(principal, uid=uid)

    def account_of(self, key_id: str) -> Account:
        key = self.auth.key(key_id)
        if key is None:
            raise KeyError(key_id)
        return self.accounts[key.uid]

    def fund(
        self, uid: str, symbol: str, amount: Decimal | str | int, chain: str | None = None
    ) -> None:
        """Add `amount` (negative to take away) to one custody bucket."""
        if isinstance(amount, float):
            raise TypeError("amounts are Decimal, str or int, never float")
        with self.lock:
            self.ledger.credit(uid, symbol, chain, Decimal(amount))

    def set_mid(self, symbol: str, price: Decimal | str | int, *, pin: bool = True) -> None:
        if isinstance(price, float):
            raise TypeError("prices are Decimal, str or int, never float")
        self.market.set_mid(symbol, Decimal(price), self.now(), pin=pin)

    def balance(self, uid: str, symbol: str, chain: str | None = None) -> Decimal:
        with self.lock:
            return self.ledger.bucket(uid, symbol, chain).total

    # --- auth ------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Principal:
        with self.lock:
            return self.auth.authenticate(authorization)

    def _locked(self, action: Callable[[], T]) -> T:
        with self.lock:
            return action()

    # --- gateway operations (called by the app; each raises Problem on refusal) -----------

    def quote(self, body: object) -> dict[str, str]:
        return self._locked(lambda: self.order_desk.quote(body, self.now()))

    def create_order(self, uid: str, body: object) -> dict[str, Any]:
        with self.lock:
            return self.order_desk.create(uid, body, self.now())

    def order(self, uid: str, order_id: str) -> Order:
        return self._locked(lambda: self.order_desk.get(uid, order_id))

    def order_json(self, uid: str, order_id: str) -> dict[str, Any]:
        return self._locked(lambda: self.order_desk.get(uid, order_id).to_json())

    def list_orders(self, uid: str, query: dict[str, str]) -> dict[str, Any]:
        statuses = _csv(query.get("status"), ORDER_STATUSES, "status")
        venues = _csv(query.get("venue"), ("cefi", "defi"), "venue")
        with self.lock:
            rows = self.order_desk.list(uid, statuses, venues)
            return _page(rows, query, lambda o: o.created_at, lambda o: o.to_json(listing=True))

    def execute_order(self, uid: str, order_id: str, body: object) -> dict[str, Any]:
        with self.lock:
            order = self.order_desk.get(uid, order_id)
            if order.status != "initialized" or not order.payloads:
                raise Problem(409, f"order is {order.status}; only initialized orders execute")
            verify_execute_body(body, order.payloads, self.accounts[uid].signer)
            self.order_desk.check_fresh(order.payloads, self.now())
            return self.order_desk.execute(order, self.now())

    def modify_order(self, uid: str, order_id: str, body: object) -> None:
        with self.lock:
            order = self.order_desk.get(uid, order_id)
            self.order_desk.modify(order, body, self.now())

    def cancel_order(
        self, uid: str, order_id: str, *, legacy: bool = False
    ) -> dict[str, Any] | None:
        with self.lock:
            order = self.order_desk.get(uid, order_id)
            if legacy and order.venue != "cefi":
                raise Problem(400, "DELETE cancels CeFi limit orders only; use POST /cancel")
            return self.order_desk.prepare_cancel(order, self.now())

    def execute_cancel(self, uid: str, order_id: str, body: object) -> dict[str, Any]:
        with self.lock:
            order = self.order_desk.get(uid, order_id)
            if not order.cancel_payloads:
                raise Problem(409, "no prepared cancel: call POST /orders/{id}/cancel first")
            verify_execute_body(body, order.cancel_payloads, self.accounts[uid].signer)
            self.order_desk.check_fresh(order.cancel_payloads, self.now())
            return self.order_desk.execute_cancel(order, self.now())

    def create_transfer(self, uid: str, body: object) -> dict[str, Any]:
        with self.lock:
            return self.transfer_desk.create(uid, body, self.now()).to_json()

    def transfer_json(self, uid: str, transfer_id: str) -> dict[str, Any]:
        return self._locked(lambda: self.transfer_desk.get(uid, transfer_id).to_json())

    def list_transfers(self, uid: str, query: dict[str, str]) -> dict[str, Any]:
        status = query.get("status")
        if status is not None and status not in TRANSFER_STATUSES:
            raise invalid([("status", f"must be one of {', '.join(TRANSFER_STATUSES)}")])
        with self.lock:
            rows = self.transfer_desk.list(uid, status)
            return _page(rows, query, lambda t: t.created_at, lambda t: t.to_json())

    def execute_transfer(self, uid: str, transfer_id: str, body: object) -> dict[str, Any]:
        with self.lock:
            transfer = self.transfer_desk.get(uid, transfer_id)
            if transfer.status != "awaiting_signature":
                raise Problem(409, f"transfer is {transfer.status}; nothing to sign")
            verify_execute_body(body, transfer.payloads, self.accounts[uid].signer)
            self.order_desk.check_fresh(transfer.payloads, self.now())
            return self.transfer_desk.execute(transfer, self.now()).to_json()

    def portfolio(self, uid: str) -> dict[str, Any]:
        with self.lock:
            return portfolio(self.ledger.rows(uid), self.market, self.now())

    def transactions(self, uid: str, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            orders = self.order_desk.list(uid, [], [])
            rows = transactions(orders, self.transfer_desk.list(uid, None))
            return _page(rows, query, lambda r: r.created_at, lambda r: r.to_json())

    def list_assets(self, query: dict[str, str]) -> dict[str, Any]:
        venue = query.get("venue")
        if venue is not None and venue not in ("cefi", "defi"):
            raise invalid([("venue", "must be cefi or defi")])
        rows = [row for row in self.catalog.rows if venue is None or row.venue == venue]
        return _page(rows, query, lambda a: a.created_at, lambda a: a.to_json(), descending=False)

    def balances(self, uid: str) -> dict[str, Any]:
        return self._locked(lambda: {"data": self.ledger.rows(uid)})

    # --- rate limit ----------------------------------------------------------------------------

    def rate_limit(self, bucket: str) -> tuple[bool, int, int]:
        """Count one request for `bucket`: (allowed, remaining, seconds until reset)."""
        limit, window = self.config.rate_limit_requests, self.config.rate_limit_window
        with self.lock:
            now = self.config.clock()
            start, used = self._rate_windows.get(bucket, (now, 0))
            if now - start >= window:
                start, used = now, 0
            allowed = used < limit
            if allowed:
                used += 1
            self._rate_windows[bucket] = (start, used)
            return allowed, max(limit - used, 0), max(int(start + window - now + 0.999), 0)


def _csv(raw: str | None, allowed: Sequence[str], field: str) -> list[str]:
    if raw is None or raw == "":
        return []
    values = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [value for value in values if value not in allowed]
    if bad:
        raise invalid([(field, f"unknown value {bad[0]!r}; allowed: {', '.join(allowed)}")])
    return values


def _page(
    rows: Sequence[T],
    query: dict[str, str],
    created_at: Callable[[T], float],
    render: Callable[[T], dict[str, Any]],
    *,
    descending: bool = True,
) -> dict[str, Any]:
    """One page of `rows` (already sorted) after `cursor`, at most `limit` long."""
    raw_limit = query.get("limit", "50")
    try:
        limit = int(raw_limit)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise invalid([("limit", "must be an integer from 1 to 100")])
    cursor_text = query.get("cursor")
    if cursor_text:
        cursor = parse_time_micros(cursor_text)
        if cursor is None:
            raise invalid([("cursor", "must be an RFC 3339 time (a previous next_cursor)")])
        # Times are written with microseconds; compare at that precision.
        if descending:
            rows = [r for r in rows if micros(created_at(r)) < cursor]
        else:
            rows = [r for r in rows if micros(created_at(r)) > cursor]
    page = rows[:limit]
    more = len(rows) > limit
    next_cursor = format_time(created_at(page[-1])) if more and page else None
    return {
        "data": [render(r) for r in page],
        "pagination": {"next_cursor": next_cursor, "limit": limit},
    }
