"""The pytest plugin (`truemarkets_gateway.testing`): fixtures, marker, isolation, and a test
file outside this repo that uses nothing but the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from truemarkets_gateway import AsyncGateway, Gateway, errors
from truemarkets_gateway.testing import SandboxFixture

REPO = Path(__file__).resolve().parents[1]


def test_fixtures_connect_a_client_to_a_fresh_funded_sandbox(
    tm_sandbox: SandboxFixture, tm_gateway: Gateway
) -> None:
    assert tm_sandbox.state.orders == {} and tm_sandbox.state.transfers == {}
    assert tm_gateway.environment.gateway_url.startswith(tm_sandbox.base_url)
    assert tm_gateway.get_balances()["USDC"].total > 0
    tm_sandbox.set_mid("BTC", "50000")
    placed = tm_gateway.place_order(
        side="buy", type="market", base_asset="BTC", quote_asset="USD",
        qty="100", qty_unit="quote",
    )  # fmt: skip
    assert placed.order is not None and placed.order.status == "complete"
    assert list(tm_sandbox.state.orders) == [placed.order_id]
    before = tm_gateway.get_balances()["BTC"].total
    tm_sandbox.fund("BTC", "-0.5")
    assert tm_gateway.get_balances()["BTC"].total == before - Decimal("0.5")
    assert tm_sandbox.config.settle_delay == 0.1  # the plugin's fast default


def test_fund_and_extra_keys(tm_sandbox: SandboxFixture, tmp_path: Path) -> None:
    before = tm_sandbox.balance("USDC", "solana")
    tm_sandbox.fund("USDC", "2.5", "solana")
    assert tm_sandbox.balance("USDC", "solana") == before + Decimal("2.5")
    key_id, key_file = tm_sandbox.create_api_key(tmp_path / "other.json", fund=False)
    assert key_id != tm_sandbox.key_id
    with tm_sandbox.gateway(key_file=key_file) as other:
        assert all(row.total == 0 for row in other.get_balances().summaries)


async def test_async_fixture(tm_async_gateway: AsyncGateway, tm_sandbox: SandboxFixture) -> None:
    balances = await tm_async_gateway.get_balances()
    assert balances["USDC"].total > 0
    assert tm_sandbox.state.request_count("GET /balances") == 1


def test_faults_are_reachable(tm_sandbox: SandboxFixture, tm_gateway: Gateway) -> None:
    tm_sandbox.faults.burst("GET", "/balances", 1, status=503)
    tm_gateway.with_options(max_retries=2).get_balances()  # retried through the 503
    assert tm_sandbox.state.request_count("GET /balances") == 2
    tm_sandbox.faults.burst("GET", "/balances", 1, status=503)
    with pytest.raises(errors.ServiceUnavailableError):
        tm_gateway.get_balances(max_retries=0)


@pytest.mark.tm_sandbox(rate_limit=True, rate_limit_requests=2, token_lifetime=120.0)
def test_marker_changes_the_config(tm_sandbox: SandboxFixture, tm_gateway: Gateway) -> None:
    assert tm_sandbox.config.rate_limit and tm_sandbox.config.token_lifetime == 120.0
    tm_gateway.get_balances()
    expires = tm_gateway.token_expires_at
    assert expires is not None
    tm_gateway.get_balances()
    with tm_sandbox.gateway(rate_limit=None) as unpaced, pytest.raises(errors.RateLimitError):
        unpaced.get_balances(max_retries=0)  # the client's own limiter would wait instead


@pytest.mark.tm_sandbox(settle_delay=30.0)
def test_settle_delay_keeps_orders_pending(tm_gateway: Gateway) -> None:
    created = tm_gateway.create_order(
        side="buy", type="market", base_asset="BTC", quote_asset="USD",
        qty="10", qty_unit="quote",
    )  # fmt: skip
    assert tm_gateway.get_order(created.order_id).status == "pending"


def test_loading_the_plugin_does_not_import_the_sandbox() -> None:
    code = (
        "import sys, truemarkets_gateway.testing.plugin\n"
        "assert 'starlette' not in sys.modules, 'starlette'\n"
        "assert 'truemarkets_gateway.sandbox' not in sys.modules, 'sandbox'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


OUTSIDE_TESTS = """
import asyncio

import pytest

from truemarkets_gateway import errors


def test_first_places_an_order(tm_gateway, tm_sandbox):
    placed = tm_gateway.place_order(side="sell", type="market", base_asset="BTC",
                                    quote_asset="USD", qty="0.001", qty_unit="base")
    assert placed.status == "complete"
    assert len(tm_sandbox.state.orders) == 1


def test_second_starts_empty(tm_gateway, tm_sandbox):
    assert tm_sandbox.state.orders == {}
    assert list(tm_gateway.list_orders()) == []


@pytest.mark.tm_sandbox(settle_delay=0)
def test_marker_and_conftest_config(tm_sandbox):
    assert tm_sandbox.config.settle_delay == 0
    assert tm_sandbox.config.token_lifetime == 600  # from conftest.py


def test_injected_fault(tm_gateway, tm_sandbox):
    tm_sandbox.faults.add("GET", "/balances", errors_fault(), times=1)
    with pytest.raises(errors.InternalServerError):
        tm_gateway.get_balances(max_retries=0)


def errors_fault():
    from truemarkets_gateway.sandbox import Fault
    return Fault.error(500)


@pytest.mark.asyncio
async def test_async_client(tm_async_gateway):
    quote = await tm_async_gateway.quote(base_asset="BTC", quote_asset="USD", qty="100",
                                         qty_unit="quote", side="buy")
    assert quote.qty > 0
"""

OUTSIDE_CONFTEST = """
import pytest
from truemarkets_gateway.sandbox import SandboxConfig


@pytest.fixture
def tm_sandbox_config():
    return SandboxConfig(settle_delay=0.05, token_lifetime=600)
"""


def test_a_test_file_outside_the_repo_needs_only_the_installed_package(tmp_path: Path) -> None:
    project = tmp_path / "my_bot_tests"
    project.mkdir()
    assert REPO not in project.parents
    (project / "test_my_bot.py").write_text(textwrap.dedent(OUTSIDE_TESTS))
    (project / "conftest.py").write_text(textwrap.dedent(OUTSIDE_CONFTEST))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TM_", "PYTHON"))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout, done.stdout


def test_without_the_sandbox_extra_the_fixture_says_what_to_install(tmp_path: Path) -> None:
    project = tmp_path / "no_extra"
    project.mkdir()
    (project / "conftest.py").write_text("import sys\nsys.modules['starlette'] = None\n")
    (project / "test_it.py").write_text("def test_it(tm_sandbox):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TM_", "PYTHON"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "truemarkets-gateway[sandbox]" in done.stdout, done.stdout
