"""Organisation mode through the SDK, against the sandbox: `organization_id`, `create_user`
(idempotent, its 503 retried), `for_user` views (isolation, header placement, stamps by the
user's key, shared tokens), `get_portfolio` and `list_transactions`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from test_sandbox_kit import LOOPBACK, SOL_MINT, USDC_SOLANA_ID

from truemarkets_gateway import (
    AsyncGateway,
    CredentialsError,
    Gateway,
    NotFoundError,
    PayloadSigner,
    ServiceUnavailableError,
    TransactionType,
    TrueMarketsError,
    ValidationError,
)
from truemarkets_gateway._api import convert
from truemarkets_gateway.testing import SandboxFixture

pytestmark = LOOPBACK
BUY = {"side": "buy", "type": "market", "base_asset": SOL_MINT, "chain": "solana"}
HEADER = "TM-On-Behalf-Of"


def new_signer() -> PayloadSigner:
    return PayloadSigner.from_key(ec.generate_private_key(ec.SECP256R1()))


class Seen:
    """Every request the client sent (an httpx event hook)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> None:
        with self.lock:
            self.requests.append(request)

    def mints(self) -> int:
        return sum(r.url.path.endswith("/api-key/token") for r in self.requests)


ORG_IDS: dict[Path, str] = {}


@pytest.fixture
def org_key(tm_sandbox: SandboxFixture, tmp_path: Path) -> Path:
    _, org_id, path = tm_sandbox.sandbox.create_org_key(tmp_path / "org.json")
    assert isinstance(path, Path)
    ORG_IDS[path] = org_id
    return path


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def org(tm_sandbox: SandboxFixture, org_key: Path, seen: Seen) -> Iterator[Gateway]:
    http = httpx.Client(event_hooks={"request": [seen]}, timeout=10)
    with http, Gateway(base_url=tm_sandbox.base_url, key_file=org_key, http_client=http) as gw:
        yield gw


def test_organization_id_comes_from_the_token(org: Gateway, org_key: Path) -> None:
    assert org.organization_id() == ORG_IDS[org_key]


def test_a_personal_key_has_no_organisation_and_cannot_create_users(
    tm_sandbox: SandboxFixture,
) -> None:
    with tm_sandbox.gateway() as gw:
        assert gw.organization_id() is None
        with pytest.raises(CredentialsError, match="organisation API key"):
            gw.create_user("cust_1", signer=new_signer())


def test_create_user_is_idempotent_and_typed(org: Gateway) -> None:
    signer = new_signer()
    first = org.create_user("cust_1", signer=signer)
    again = org.create_user("cust_1", signer=signer)
    assert first.user_id == again.user_id and first.external_ref_id == "cust_1"
    assert {w.chain_family for w in first.wallets} == {"solana", "evm"}
    assert all(w.address for w in first.wallets) and first.created_at is not None
    with pytest.raises(TrueMarketsError) as caught:  # the ref belongs to another signer key
        org.create_user("cust_1", signer=new_signer())
    assert caught.value.status_code == 409  # type: ignore[attr-defined]


def test_create_user_checks_its_input_before_sending(org: Gateway, seen: Seen) -> None:
    with pytest.raises(ValidationError, match="signer"):
        org.create_user("cust_1", signer=None)
    with pytest.raises(ValidationError, match="external_ref_id"):
        org.create_user("", signer=new_signer())
    assert not [r for r in seen.requests if "/v1/account/" in r.url.path]


@pytest.mark.tm_sandbox(provision_delay=1.0)
def test_create_user_retries_the_503_while_wallets_are_provisioned(
    org: Gateway, seen: Seen
) -> None:
    user = org.create_user("cust_slow", signer=new_signer())
    posts = [r for r in seen.requests if r.url.path.endswith("/users")]
    assert len(posts) == 2 and user.wallets  # one 503 (Retry-After: 1), then the user


@pytest.mark.tm_sandbox(provision_delay=30.0)
def test_create_user_gives_up_with_a_typed_503(org: Gateway) -> None:
    with pytest.raises(ServiceUnavailableError):
        org.create_user("cust_slow", signer=new_signer(), max_retries=0)


def test_views_are_isolated(org: Gateway) -> None:
    sa, sb = new_signer(), new_signer()
    alice = org.for_user(org.create_user("cust_a", signer=sa).user_id, signer=sa)
    bob_user = org.create_user("cust_b", signer=sb)
    bob = org.for_user(bob_user.user_id, signer=sb)
    placed = alice.place_order(**BUY, qty="20", qty_unit="quote")
    assert placed.status == "complete"
    bob_sol = bob.get_balances()["SOL"].total
    assert alice.get_balances()["SOL"].total > bob_sol  # alice bought, bob did not
    assert [o.order_id for o in alice.list_orders()] == [placed.order_id]
    assert list(bob.list_orders()) == []
    with pytest.raises(NotFoundError):
        bob.get_order(placed.order_id)
    solana = next(w.address for w in bob_user.wallets if w.chain_family == "solana")
    sent = alice.transfer(asset_id=USDC_SOLANA_ID, qty="1", to=solana)
    assert sent.status == "completed" and sent.signed
    assert [t.id for t in alice.list_transfers()] == [sent.id]
    assert list(bob.list_transfers()) == []
    with pytest.raises(NotFoundError):
        bob.get_transfer(sent.id)
    created = alice.create_order(**BUY, qty="5", qty_unit="quote")
    with pytest.raises(NotFoundError):  # bob's view cannot execute alice's order
        bob.execute_order(created)
    assert alice.get_order_status(created.order_id) == "initialized"


def test_stamps_are_made_by_the_users_key(org: Gateway) -> None:
    signer = new_signer()
    user = org.create_user("cust_a", signer=signer)
    wrong = org.for_user(user.user_id, signer=new_signer())
    created = wrong.create_order(**BUY, qty="5", qty_unit="quote")
    with pytest.raises(TrueMarketsError):  # the org key, or any other key, is refused
        wrong.execute_order(created)
    right = org.for_user(user.user_id, signer=signer)
    assert right.signer.public_key_hex == signer.public_key_hex
    assert right.execute_order(right.create_order(**BUY, qty="5", qty_unit="quote")).order_id


def test_the_header_goes_on_user_calls_only(org: Gateway, seen: Seen) -> None:
    signer = new_signer()
    user = org.create_user("cust_a", signer=signer)
    view = org.for_user(user.user_id, signer=signer)
    list(view.list_assets(limit=5))
    view.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="base", side="buy")
    view.get_balances()
    view.get_portfolio()
    view.list_transactions_page()
    org.get_balances()
    headers = {r.url.path.rsplit("/", 1)[-1]: r.headers.get(HEADER) for r in seen.requests}
    assert headers["assets"] is None and headers["quotes"] is None and headers["users"] is None
    assert headers["portfolio"] == headers["transactions"] == user.user_id
    balances = [r.headers.get(HEADER) for r in seen.requests if r.url.path.endswith("/balances")]
    assert balances == [user.user_id, None]  # the view's, then the organisation client's


def test_views_share_the_token_across_threads(org: Gateway, seen: Seen) -> None:
    signer = new_signer()
    user = org.create_user("cust_a", signer=signer)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            org.for_user(user.user_id, signer=signer).get_balances()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and seen.mints() == 1


def test_a_view_closes_with_its_client_and_needs_credentials(
    tm_sandbox: SandboxFixture, org_key: Path
) -> None:
    with Gateway(base_url=tm_sandbox.base_url) as public:
        with pytest.raises(CredentialsError):
            public.for_user("u1", signer=new_signer())
    gw = Gateway(base_url=tm_sandbox.base_url, key_file=org_key)
    view = gw.for_user("u1", signer=new_signer())
    with pytest.raises(ValidationError, match="on_behalf_of"):
        gw.for_user(" ", signer=new_signer())
    gw.close()
    assert view.closed


def test_portfolio_503_is_typed_and_transactions_page(
    org: Gateway, tm_sandbox: SandboxFixture
) -> None:
    signer = new_signer()
    view = org.for_user(org.create_user("cust_a", signer=signer).user_id, signer=signer)
    view.place_order(**BUY, qty="20", qty_unit="quote")
    tm_sandbox.sandbox.faults.apply("GET /portfolio=503x1")
    with pytest.raises(ServiceUnavailableError):
        view.get_portfolio(max_retries=0)
    portfolio = view.get_portfolio()
    assert portfolio.total_usd is not None and portfolio.total_usd > 0
    sol = [p for p in portfolio.balances if p.balance.symbol == "SOL" and p.balance.chain]
    assert sol and sol[0].value == (sol[0].price * sol[0].balance.total).quantize(sol[0].value)
    page = view.list_transactions_page(limit=1)
    entry = page.items[0]
    assert entry.type is TransactionType.ORDER and entry.order is not None
    assert entry.order.status == "complete" and entry.explorer_url


async def test_async_views(tm_sandbox: SandboxFixture, org_key: Path) -> None:
    async with AsyncGateway(base_url=tm_sandbox.base_url, key_file=org_key) as gw:
        signer = new_signer()
        user = await gw.create_user("cust_async", signer=signer)
        view = gw.for_user(user.user_id, signer=signer)
        placed = await view.place_order(**BUY, qty="20", qty_unit="quote")
        entries = [t async for t in view.list_transactions()]
        assert [t.id for t in entries] == [placed.order_id]
        assert (await view.get_portfolio()).total_usd


def test_readers_tolerate_unknown_and_missing_values() -> None:
    entry = convert.transactions_page(
        {"data": [{"id": "t1", "type": "staking", "status": "new", "qty": None, "x": 1}]}
    ).items[0]
    assert entry.type == "staking" and not entry.type.is_known  # type: ignore[union-attr]
    assert entry.status is not None and entry.qty is None and entry.extra == {"x": 1}
    empty = convert.portfolio({"total_usd": None, "balances": [{"symbol": "SOL"}]})
    assert empty.total_usd is None and empty.balances[0].balance.symbol == "SOL"
    user = convert.organization_user({"user_id": "u1", "wallets": [{"address": "a"}]})
    assert user.wallets[0].chain_family is None and user.external_ref_id == ""
    token = "e30." + "eyJ0bS5vcmdhbml6YXRpb25faWQiOiAib3JnMSJ9" + ".c2ln"
    assert convert.token_claim(token, "tm.organization_id") == "org1"
    assert convert.token_claim("opaque", "tm.organization_id") is None


def test_create_user_on_a_user_view_is_still_an_organisation_call(org: Gateway, seen: Seen) -> None:
    signer = new_signer()
    user = org.create_user("cust_a", signer=signer)
    view = org.for_user(user.user_id, signer=signer)
    again = view.create_user("cust_b", signer=new_signer())
    assert again.user_id != user.user_id
    users = [r for r in seen.requests if r.url.path.endswith("/users")]
    assert len(users) == 2 and all(r.headers.get(HEADER) is None for r in users)
