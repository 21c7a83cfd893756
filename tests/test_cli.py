"""`tmgw` end to end: every command through Typer's runner against the in-process sandbox.

The sandbox listens on 127.0.0.1 only; nothing else is reached.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from truemarkets_gateway.cli import app
from truemarkets_gateway.cli import confirm as confirm_module
from truemarkets_gateway.environments import Environment
from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

BTC_CEFI_ID = "b2538174-aae3-4b55-b79f-ac177c99f816"
USDC_SOLANA_ID = "c0a80101-0000-4000-8000-000000000002"
SOLANA_ADDRESS = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(settle_delay=0.2)) as sb:
        yield sb


@pytest.fixture
def key_file(sandbox: Sandbox, tmp_path: Path) -> Path:
    _key_id, path = sandbox.create_api_key(tmp_path / "key.json")
    assert isinstance(path, Path)
    return path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("TM_"):
            monkeypatch.delenv(name)
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(confirm_module, "stdin_is_interactive", lambda: False)
    return config_home


Run = Callable[..., Result]


@pytest.fixture
def outputs() -> list[Result]:
    """Every result of a test, for the secret scan."""
    return []


@pytest.fixture
def tmgw(sandbox: Sandbox, key_file: Path, outputs: list[Result]) -> Run:
    """Run tmgw against the sandbox with the test's key; global options may be prepended."""
    runner = CliRunner()

    def run(*args: str, pre: tuple[str, ...] = (), input: str | None = None) -> Result:
        argv = [*pre, "--base-url", sandbox.base_url, "--key-file", str(key_file), *args]
        result = runner.invoke(app, argv, input=input)
        outputs.append(result)
        return result

    return run


@pytest.fixture
def prod(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, key_file: Path, outputs: list[Result]
) -> Run:
    """Run tmgw with `--env prod`, production's name pointing at the sandbox."""
    monkeypatch.setattr(
        Environment,
        "production",
        classmethod(lambda cls, legacy=False: cls("prod", sandbox.base_url, legacy)),
    )
    runner = CliRunner()

    def run(*args: str, pre: tuple[str, ...] = (), input: str | None = None) -> Result:
        argv = [*pre, "--env", "prod", "--key-file", str(key_file), *args]
        result = runner.invoke(app, argv, input=input)
        outputs.append(result)
        return result

    return run


def doc(result: Result) -> Any:
    """The one JSON document on stdout (after the runner's echo of any prompt input)."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout[result.stdout.index("{") :])


def no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise AssertionError(f"float in JSON output: {value!r}")
    if isinstance(value, dict):
        for item in value.values():
            no_floats(item)
    if isinstance(value, list):
        for item in value:
            no_floats(item)


def one_error_line(result: Result) -> str:
    # (A prompt's answer is echoed to stdout by the runner, so "Error:" may follow the
    # prompt on the same stderr line.)
    errors = [
        line[line.index("Error: ") :] for line in result.stderr.splitlines() if "Error: " in line
    ]
    assert "Traceback" not in result.output
    assert len(errors) == 1, result.output
    return errors[0]


# --- shape of the application --------------------------------------------------------------


COMMANDS = (
    "quote buy sell orders order cancel modify balances assets transfer transfers token "
    "whoami sandbox demo users portfolio transactions"
).split()


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout
    for option in (
        "--env",
        "--legacy-path",
        "--base-url",
        "--key-file",
        "--signer-key",
        "--json",
        "--yes",
        "--verbose",
        "--on-behalf-of",
    ):
        assert option in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "truemarkets_gateway", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tmgw ")


def test_library_import_does_not_load_the_cli() -> None:
    # (httpx itself imports rich and click when they are installed, for its own CLI.)
    code = (
        "import sys, truemarkets_gateway; "
        "print('typer' in sys.modules, 'truemarkets_gateway.cli' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "False False", result.stderr


# --- public reads ----------------------------------------------------------------------------


def test_quote_table_and_json(tmgw: Run) -> None:
    table = tmgw("quote", "BTC", "100")
    assert table.exit_code == 0, table.output
    assert "USD per BTC" in table.stdout

    data = doc(tmgw("--json", "quote", "BTC", "0.5", "--side", "sell"))
    no_floats(data)
    assert data["request"]["qty_unit"] == "base"  # sells default to base units
    assert Decimal(data["quote"]["price"]) > 0
    assert isinstance(data["quote"]["qty"], str)


def test_quote_needs_no_key(sandbox: Sandbox) -> None:
    result = CliRunner().invoke(
        app, ["--base-url", sandbox.base_url, "--json", "quote", "BTC", "10"]
    )
    assert result.exit_code == 0, result.output


def test_assets_filters(tmgw: Run) -> None:
    data = doc(tmgw("--json", "assets", "--venue", "defi", "--chain", "solana", "--symbol", "usdc"))
    assert [a["id"] for a in data["assets"]] == [USDC_SOLANA_ID]
    everything = doc(tmgw("--json", "assets"))
    assert everything["count"] > data["count"]
    table = tmgw("assets", "--venue", "cefi")
    assert table.exit_code == 0
    assert BTC_CEFI_ID in table.stdout and "bitcoin" in table.stdout


def test_balances_grouped_with_buckets(tmgw: Run) -> None:
    data = doc(tmgw("--json", "balances"))
    no_floats(data)
    usdc = next(s for s in data["balances"] if s["symbol"] == "USDC")
    assert Decimal(usdc["total"]) == sum(Decimal(b["total"]) for b in usdc["buckets"])
    assert {b["chain"] for b in usdc["buckets"]} >= {None, "solana", "base"}

    table = tmgw("balances")
    assert table.exit_code == 0
    assert "exchange" in table.stdout and "solana" in table.stdout

    only = doc(tmgw("--json", "balances", "--symbol", "btc"))
    assert [s["symbol"] for s in only["balances"]] == ["BTC"]


# --- trading (sandbox: custom environment, never asks) ------------------------------------


def test_market_buy_and_sell_wait_for_completion(tmgw: Run) -> None:
    bought = doc(tmgw("--json", "buy", "BTC", "100"))
    no_floats(bought)
    assert bought["status"] == "complete"
    assert bought["order"]["qty_unit"] == "quote"
    assert Decimal(bought["order"]["executed_qty"]) > 0
    assert bought["order"]["created_at"].endswith("Z")

    sold = doc(tmgw("--json", "sell", "BTC", "0.001"))
    assert sold["status"] == "complete"
    assert sold["order"]["qty_unit"] == "base"

    shown = doc(tmgw("--json", "order", bought["order_id"]))
    assert shown["order_id"] == bought["order_id"]
    table = tmgw("order", bought["order_id"])
    assert table.exit_code == 0 and bought["order_id"] in table.stdout


def test_no_wait_returns_at_once(tmgw: Run) -> None:
    data = doc(tmgw("--json", "buy", "BTC", "50", "--no-wait"))
    assert data["order"] is None
    assert data["order_id"]


def test_limit_order_list_modify_cancel(tmgw: Run) -> None:
    placed = doc(tmgw("--json", "sell", "BTC", "0.01", "--price", "250000"))
    order_id = placed["order_id"]
    assert placed["status"] == "active"
    assert placed["order"]["type"] == "limit"

    listed = doc(tmgw("--json", "orders", "--status", "active", "--venue", "cefi"))
    assert order_id in [o["order_id"] for o in listed["orders"]]
    assert all(o["status"] == "active" for o in listed["orders"])

    modified = doc(tmgw("--json", "modify", order_id, "--price", "260000.50"))
    assert modified == {"order_id": order_id, "price": "260000.50", "qty": None, "accepted": True}

    canceled = doc(tmgw("--json", "cancel", order_id, "--wait", "--timeout", "20"))
    assert canceled["status"] == "canceled"
    assert canceled["order"]["status"] == "canceled"


def test_orders_paginate(tmgw: Run) -> None:
    for _ in range(3):
        doc(tmgw("--json", "buy", "BTC", "10", "--no-wait"))
    first = doc(tmgw("--json", "orders", "--limit", "2"))
    assert first["count"] == 2 and first["has_more"] is True
    every = doc(tmgw("--json", "orders", "--all"))
    assert every["count"] >= 3 and every["has_more"] is False
    table = tmgw("orders", "--limit", "2")
    assert "more exist" in table.stdout


def test_defi_buy_resolves_symbol_on_chain(tmgw: Run) -> None:
    data = doc(tmgw("--json", "buy", "SOL", "25", "--chain", "solana"))
    assert data["executed"] is True  # payloads were stamped and executed
    assert data["status"] == "complete"
    assert data["order"]["base_asset"] == "So11111111111111111111111111111111111111112"


def test_defi_symbol_on_the_wrong_chain_is_a_usage_error(tmgw: Run) -> None:
    result = tmgw("buy", "SOL", "25", "--chain", "base")
    assert result.exit_code == 2
    assert "solana" in one_error_line(result)


def test_wait_timeout_exits_3(tmgw: Run) -> None:
    result = tmgw("sell", "BTC", "0.01", "--price", "500000", "--wait-for-fill", "--timeout", "0.5")
    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert "did not finish in time" in line and "tmgw order" in line


def test_perp_order_with_leverage(tmgw: Run) -> None:
    data = doc(tmgw("--json", "buy", "BTC", "100", "--chain", "hypercore-perp", "--leverage", "5"))
    assert data["status"] == "complete"
    bad = tmgw("buy", "BTC", "100", "--leverage", "5")  # leverage only on hypercore-perp
    assert bad.exit_code == 2
    assert "leverage" in one_error_line(bad)


def test_legacy_path(tmgw: Run) -> None:
    result = tmgw("--json", "quote", "BTC", "1", pre=("--legacy-path",))
    assert result.exit_code == 0, result.output
    assert "deprecated" in result.stderr
    json.loads(result.stdout)


def test_interrupt_while_waiting_names_the_order(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from truemarkets_gateway.client import Gateway

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Gateway, "get_order_status", interrupted)
    result = tmgw("sell", "BTC", "0.01", "--price", "400000", "--wait-for-fill")
    assert result.exit_code == 130
    line = one_error_line(result)
    assert "interrupted while waiting for order" in line and "tmgw order" in line


def test_ctrl_c_during_execute_prints_the_order_id_and_exits_130(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from truemarkets_gateway.client import Gateway

    created: list[str] = []
    place = Gateway.place_order

    def spy(self: Gateway, **kwargs: Any) -> Any:
        told = kwargs["on_created"]
        kwargs["on_created"] = lambda order_id: (created.append(order_id), told(order_id))
        return place(self, **kwargs)

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Gateway, "place_order", spy)
    monkeypatch.setattr(Gateway, "_send_execute_order", interrupted)
    result = tmgw("buy", "SOL", "25", "--chain", "solana")
    assert result.exit_code == 130, result.output
    line = one_error_line(result)
    assert created and f"tmgw order {created[0]}" in line and "interrupted" in line


def test_the_spinner_shows_each_status_the_gateway_reports(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.status import Status

    from truemarkets_gateway.client import Gateway

    shown: list[str] = []
    real_update = Status.update
    real_wait = Gateway.wait_for_order
    callbacks: list[Any] = []

    def update(self: Status, status: Any = None, **kwargs: Any) -> None:
        shown.append(str(status))
        real_update(self, status, **kwargs)

    def wait_for_order(self: Gateway, order_id: str, **kwargs: Any) -> Any:
        callbacks.append(kwargs.get("on_status"))
        return real_wait(self, order_id, **kwargs)

    monkeypatch.setattr(Status, "update", update)
    monkeypatch.setattr(Gateway, "wait_for_order", wait_for_order)
    result = tmgw("sell", "BTC", "0.01", "--price", "1", "--wait-for-fill", "--timeout", "20")
    assert result.exit_code == 0, result.output
    assert callbacks and callbacks[0] is not None  # the public on_status hook drives it
    assert any("complete" in text for text in shown), shown


# --- transfers -----------------------------------------------------------------------------


def test_defi_transfer_by_symbol_and_chain(tmgw: Run) -> None:
    data = doc(tmgw("--json", "transfer", "USDC", "12.5", SOLANA_ADDRESS, "--chain", "solana"))
    no_floats(data)
    assert data["signed"] is True
    assert data["transfer"]["status"] == "completed"
    assert data["transfer"]["qty"] == "12.5"

    one = doc(tmgw("--json", "transfers", data["transfer"]["id"]))
    assert one["id"] == data["transfer"]["id"]
    listed = doc(tmgw("--json", "transfers", "--status", "completed"))
    assert data["transfer"]["id"] in [t["id"] for t in listed["transfers"]]
    assert tmgw("transfers").exit_code == 0


def test_cefi_transfer_by_id_with_network(tmgw: Run) -> None:
    data = doc(
        tmgw(
            "--json",
            "transfer",
            BTC_CEFI_ID,
            "0.001",
            "bc1qexampleexampleexample",
            "--network",
            "bitcoin",
            "--no-wait",
        )
    )
    assert data["signed"] is False
    assert data["transfer"]["network"] == "bitcoin"


def test_ambiguous_transfer_symbol_is_refused(tmgw: Run) -> None:
    result = tmgw("transfer", "USDC", "1", SOLANA_ADDRESS)
    assert result.exit_code == 2
    assert "ambiguous" in one_error_line(result)


# --- auth --------------------------------------------------------------------------------------


def test_token_shows_expiry_and_caches_privately(tmgw: Run, clean_environment: Path) -> None:
    first = doc(tmgw("--json", "token"))
    assert first["source"] == "minted"
    assert first["expires_at"].endswith("Z")
    assert "access_token" not in first
    cache = Path(first["cache_file"])
    assert cache.is_relative_to(clean_environment / "truemarkets-gateway")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.parent.parent.stat().st_mode) == 0o700

    second = doc(tmgw("--json", "token"))
    assert second["source"] == "cached"
    assert second["expires_at"] == first["expires_at"]

    table = tmgw("token")
    assert "hidden" in table.stdout

    fresh = doc(tmgw("--json", "token", "--new"))
    assert fresh["source"] == "minted"


def test_token_show_secret_prints_only_the_access_token(tmgw: Run) -> None:
    shown = doc(tmgw("--json", "token", "--show-secret"))
    cached = json.loads(Path(shown["cache_file"]).read_text())
    assert shown["access_token"] == cached["access_token"]
    assert cached["refresh_token"] not in shown["access_token"]


def test_token_show_secret_table_does_not_claim_it_is_hidden(tmgw: Run) -> None:
    shown = tmgw("token", "--show-secret")
    assert shown.exit_code == 0, shown.output
    assert "hidden" not in shown.stdout and "printed below" in shown.stdout
    cached = json.loads(Path(doc(tmgw("--json", "token"))["cache_file"]).read_text())
    assert cached["access_token"] in shown.stdout.replace("\n", "")


def test_the_cli_reads_no_private_token_state() -> None:
    import truemarkets_gateway.cli as cli_package

    root = Path(cli_package.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "._tokens" not in text and "get_token_sync" not in text, path


def test_whoami_shows_claims_not_the_token(tmgw: Run, sandbox: Sandbox, key_file: Path) -> None:
    key_id = json.loads(key_file.read_text())["key_id"]
    data = doc(tmgw("--json", "whoami"))
    assert data["key_id"] == key_id
    assert data["claims"]["uid"] == sandbox.account_of(key_id)
    assert data["claims"]["exp"].endswith("Z")
    table = tmgw("whoami")
    assert table.exit_code == 0 and data["claims"]["uid"] in table.stdout


def test_no_token_cache_option(tmgw: Run, clean_environment: Path) -> None:
    data = doc(tmgw("--json", "token", pre=("--no-token-cache",)))
    assert data["cache_file"] == ""
    assert not (clean_environment / "truemarkets-gateway" / "tokens").exists() or not any(
        (clean_environment / "truemarkets-gateway" / "tokens").iterdir()
    )


# --- errors and exit codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("buy", "BTC", "abc"),
        ("buy", "BTC", "--", "-5"),
        ("buy", "BTC", "0"),
        ("buy", "BTC", "NaN"),
        ("sell", "BTC", "0.1", "--unit", "ounces"),
        ("buy", "BTC", "1", "--unit", "base"),  # market buys count quote units
        ("orders", "--venue", "moon"),
        ("assets", "--venue", "moon"),
        ("transfers", "--status", "reversed"),
        ("modify", "some-order"),
        ("buy", "SOL", "1", "--address", "So1111"),  # --address needs --chain
    ],
)
def test_validation_errors_exit_2_with_one_line(tmgw: Run, args: tuple[str, ...]) -> None:
    result = tmgw(*args)
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert result.stdout == ""


def test_click_usage_errors_exit_2(tmgw: Run) -> None:
    assert tmgw("buy").exit_code == 2
    assert tmgw("no-such-command").exit_code == 2


def test_unknown_env_is_a_usage_error(sandbox: Sandbox) -> None:
    result = CliRunner().invoke(app, ["--env", "moon", "quote", "BTC", "1"])
    assert result.exit_code == 2
    assert "prod, uat" in one_error_line(result)


def test_missing_key_is_a_usage_error_with_a_hint(sandbox: Sandbox, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--base-url", sandbox.base_url, "balances"])
    assert result.exit_code == 2
    assert "--key-file" in one_error_line(result)
    missing = runner.invoke(
        app, ["--base-url", sandbox.base_url, "--key-file", str(tmp_path / "nope.json"), "balances"]
    )
    assert missing.exit_code == 2
    assert "not found" in one_error_line(missing)


def test_api_error_exits_1_without_traceback(tmgw: Run) -> None:
    result = tmgw("order", "00000000-0000-4000-8000-000000000000")
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "404" in line and "hint" in line


def test_verbose_shows_the_traceback(tmgw: Run) -> None:
    result = tmgw("order", "00000000-0000-4000-8000-000000000000", pre=("-v",))
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


def test_json_error_document(tmgw: Run) -> None:
    result = tmgw("--json", "order", "00000000-0000-4000-8000-000000000000")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == 1 and "404" in error["message"]


def test_unreachable_service_exits_1(key_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["--base-url", "http://127.0.0.1:9", "--key-file", str(key_file), "quote", "BTC", "1"]
    )
    assert result.exit_code == 1
    assert "could not reach" in one_error_line(result)


def test_interrupt_exits_130(tmgw: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from truemarkets_gateway.client import Gateway

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Gateway, "get_balances", interrupted)
    result = tmgw("balances")
    assert result.exit_code == 130
    one_error_line(result)


def test_env_variables_configure_the_cli(
    sandbox: Sandbox, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TM_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("TM_KEY_FILE", str(key_file))
    data = doc(CliRunner().invoke(app, ["--json", "balances"]))
    assert data["balances"]


def test_key_id_and_private_key_variables(
    sandbox: Sandbox, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = json.loads(key_file.read_text())
    monkeypatch.setenv("TM_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("TM_KEY_ID", content["key_id"])
    monkeypatch.setenv("TM_PRIVATE_KEY", json.dumps(content["private_key"]))
    data = doc(CliRunner().invoke(app, ["--json", "whoami"]))
    assert data["key_id"] == content["key_id"]


def test_signer_key_file_is_used_for_defi(tmgw: Run, key_file: Path, tmp_path: Path) -> None:
    signer_file = tmp_path / "signer.json"
    signer_file.write_text(json.dumps(json.loads(key_file.read_text())["private_key"]))
    data = doc(
        tmgw(
            "--json", "buy", "SOL", "5", "--chain", "solana", pre=("--signer-key", str(signer_file))
        )
    )
    assert data["status"] == "complete"
    bad = tmgw("buy", "SOL", "5", "--chain", "solana", pre=("--signer-key", str(tmp_path / "x")))
    assert bad.exit_code == 2


# --- production safety -----------------------------------------------------------------------


def _order_count(tmgw: Run) -> int:
    return int(doc(tmgw("--json", "orders", "--all"))["count"])


def _requests(sandbox: Sandbox) -> int:
    return sum(sandbox.state.request_counts.values())


def _resting_order(tmgw: Run) -> str:
    placed = doc(tmgw("--json", "sell", "BTC", "0.01", "--price", "300000"))
    assert placed["status"] == "active"
    return str(placed["order_id"])


def test_production_refuses_without_terminal_or_yes(prod: Run, tmgw: Run, sandbox: Sandbox) -> None:
    resting = _resting_order(tmgw)
    before = _requests(sandbox)
    for args in (
        ("buy", "BTC", "100"),
        ("sell", "BTC", "0.01", "--price", "300000"),
        ("buy", "SOL", "5", "--chain", "solana"),
        ("cancel", resting),
        ("modify", resting, "--price", "310000"),
        ("transfer", "USDC", "1", SOLANA_ADDRESS, "--chain", "solana"),
    ):
        result = prod(*args)
        assert result.exit_code == 2, (args, result.output)
        line = one_error_line(result)
        assert "refusing" in line and "--yes" in line, line
        assert result.stdout == ""
    # Refused before anything was sent: no token, no asset lookup, no quote, no order read.
    assert _requests(sandbox) == before
    shown = doc(tmgw("--json", "order", resting))
    assert shown["status"] == "active" and shown["price"] == "300000"


@pytest.fixture
def anywhere(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, key_file: Path, outputs: list[Result]
) -> Callable[..., Result]:
    """Run tmgw with `--base-url URL`: the environment keeps the name and host that URL
    resolves to, but its traffic goes to the sandbox."""
    monkeypatch.setattr(Environment, "auth_url", property(lambda self: sandbox.auth_url))
    monkeypatch.setattr(Environment, "gateway_url", property(lambda self: sandbox.gateway_url))
    runner = CliRunner()

    def run(url: str, *args: str, input: str | None = None) -> Result:
        argv = ["--base-url", url, "--key-file", str(key_file), *args]
        result = runner.invoke(app, argv, input=input)
        outputs.append(result)
        return result

    return run


PRODUCTION_SPELLINGS = (
    "https://API.TrueMarkets.co",
    "https://api.truemarkets.co:443",
    "https://api.truemarkets.co.",
    "HTTPS://Api.TrueMarkets.Co.:443/",
)


@pytest.mark.parametrize("url", PRODUCTION_SPELLINGS)
def test_every_spelling_of_production_asks(
    anywhere: Callable[..., Result], sandbox: Sandbox, url: str
) -> None:
    before = _requests(sandbox)
    refused = anywhere(url, "buy", "BTC", "100")
    assert refused.exit_code == 2, refused.output
    assert "refusing to buy 100 USD worth of BTC on production" in one_error_line(refused)
    assert _requests(sandbox) == before

    confirmed = anywhere(url, "--yes", "--json", "buy", "BTC", "100")
    assert doc(confirmed)["status"] == "complete"
    assert "PRODUCTION: buy" in confirmed.stderr and "per BTC" in confirmed.stderr


def test_a_non_loopback_custom_host_asks(
    anywhere: Callable[..., Result], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://gateway.example.com"
    before = _requests(sandbox)
    refused = anywhere(url, "transfer", "USDC", "1", SOLANA_ADDRESS, "--chain", "solana")
    assert refused.exit_code == 2, refused.output
    assert f"on {url} without confirmation" in one_error_line(refused)
    assert _requests(sandbox) == before

    monkeypatch.setattr(confirm_module, "stdin_is_interactive", lambda: True)
    declined = anywhere(url, "buy", "BTC", "100", input="n\n")
    assert declined.exit_code == 1
    assert "NOT A LOCAL SANDBOX" in declined.stderr and url in declined.stderr


@pytest.mark.parametrize("url", ["--env uat", "http://localhost:1", "http://[::1]:1"])
def test_uat_and_loopback_hosts_do_not_ask(
    anywhere: Callable[..., Result], key_file: Path, sandbox: Sandbox, url: str
) -> None:
    if url.startswith("--env"):
        result = CliRunner().invoke(
            app, ["--env", "uat", "--key-file", str(key_file), "--json", "buy", "BTC", "10"]
        )
    else:
        result = anywhere(url, "--json", "buy", "BTC", "10")
    assert doc(result)["status"] == "complete"
    assert "refusing" not in result.stderr and "PRODUCTION" not in result.stderr


def test_production_buy_shows_quote_and_goes_ahead_with_yes(prod: Run) -> None:
    result = prod("--json", "--yes", "buy", "BTC", "100")
    data = doc(result)
    assert data["status"] == "complete"
    assert "PRODUCTION" in result.stderr and "per BTC" in result.stderr  # the quote preview


def test_production_prompt_declined_sends_nothing(
    prod: Run, tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(confirm_module, "stdin_is_interactive", lambda: True)
    before = _order_count(tmgw)
    result = prod("buy", "BTC", "100", input="n\n")
    assert result.exit_code == 1
    assert "nothing was sent" in one_error_line(result)
    assert _order_count(tmgw) == before


def test_production_prompt_accepted(prod: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(confirm_module, "stdin_is_interactive", lambda: True)
    placed = doc(prod("--json", "sell", "BTC", "0.01", "--price", "300000", input="y\n"))
    assert placed["status"] == "active"
    order_id = placed["order_id"]

    modified = prod("modify", order_id, "--qty", "0.02", input="y\n")
    assert modified.exit_code == 0, modified.output
    assert "0.01 -> 0.02" in modified.stderr

    monkeypatch.setattr(confirm_module, "stdin_is_interactive", lambda: False)
    refused = prod("cancel", order_id)
    assert refused.exit_code == 2

    canceled = prod("--yes", "cancel", order_id, "--wait")
    assert canceled.exit_code == 0, canceled.output


def test_production_transfer_preview(prod: Run) -> None:
    result = prod("--yes", "--json", "transfer", "USDC", "2", SOLANA_ADDRESS, "--chain", "solana")
    data = doc(result)
    assert data["transfer"]["status"] == "completed"
    assert "cannot be undone" in result.stderr


def test_reads_on_production_do_not_ask(prod: Run) -> None:
    assert prod("balances").exit_code == 0
    assert prod("quote", "BTC", "5").exit_code == 0


# --- sandbox and demo ----------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any, Any]]:
    """What `tmgw sandbox` would serve: (app, bound socket, its address); nothing serves."""
    from truemarkets_gateway.cli.commands import tools

    calls: list[tuple[Any, Any, Any]] = []

    def fake_serve(app_: Any, sock: Any) -> None:
        calls.append((app_, sock, sock.getsockname()[:2]))

    monkeypatch.setattr(tools, "_serve_app", fake_serve)
    return calls


def test_sandbox_command_serves(served: list[tuple[Any, Any, Any]]) -> None:
    import socket

    with socket.socket() as probe:  # a port that is free right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(app, ["sandbox", "--port", str(port), "--seed", "7"])
    assert result.exit_code == 0, result.output
    ((app_, sock, address),) = served
    assert app_.sandbox.config.seed == 7
    assert address == ("127.0.0.1", port)
    assert sock.fileno() == -1  # closed after serving
    assert f"http://127.0.0.1:{port} " in result.stderr


def test_sandbox_port_0_shows_the_bound_port(served: list[tuple[Any, Any, Any]]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "--port", "0"])
    assert result.exit_code == 0, result.output
    ((_app, _sock, (_host, port)),) = served
    assert port != 0
    assert f"http://127.0.0.1:{port} " in result.stderr and ":0 " not in result.stderr


def test_sandbox_port_in_use_is_one_line(
    served: list[tuple[Any, Any, Any]], tmp_path: Path
) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        path = tmp_path / "key.json"
        result = CliRunner().invoke(
            app, ["sandbox", "--port", str(port), "--new-key-file", str(path)]
        )
    assert result.exit_code == 2, result.output
    assert one_error_line(result).startswith(f"Error: port {port} is in use")
    assert result.stderr.count("\n") == 1  # no banner, no server log
    assert served == [] and not path.exists()


def test_sandbox_command_writes_a_key_file(
    served: list[tuple[Any, Any, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "sandbox-key.json"
    result = CliRunner().invoke(app, ["sandbox", "--port", "0", "--new-key-file", str(path)])
    assert result.exit_code == 0, result.output
    key_id = json.loads(path.read_text())["key_id"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert served[0][0].sandbox.account_of(key_id)
    again = CliRunner().invoke(app, ["sandbox", "--port", "0", "--new-key-file", str(path)])
    assert again.exit_code == 2


def test_demo_runs_the_demo_module(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    fake = types.ModuleType("truemarkets_gateway.demo")
    fake.run = lambda console: seen.append(console)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "truemarkets_gateway.demo", fake)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1


def test_demo_missing_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake_import(name: str, *args: Any) -> Any:
        if name == "truemarkets_gateway.demo":
            raise ModuleNotFoundError(name=name)
        return real(name, *args)

    monkeypatch.delitem(sys.modules, "truemarkets_gateway.demo", raising=False)
    monkeypatch.setattr(importlib, "import_module", fake_import)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 2
    assert "not available" in one_error_line(result)


# --- secrets -------------------------------------------------------------------------------------


def test_no_secret_is_ever_printed(
    tmgw: Run, key_file: Path, outputs: list[Result], clean_environment: Path
) -> None:
    cache_dir = clean_environment / "truemarkets-gateway" / "tokens"
    tokens: set[str] = set()

    def remember_tokens() -> None:
        for path in cache_dir.iterdir():
            cached = json.loads(path.read_text())
            tokens.update({cached["access_token"], cached["refresh_token"]})

    for args in (
        ("token",),
        ("--json", "token"),
        ("whoami",),
        ("--json", "whoami"),
        ("-v", "-v", "whoami"),
        ("-v", "balances"),
        ("--json", "buy", "SOL", "3", "--chain", "solana"),
        ("-v", "order", "00000000-0000-4000-8000-000000000000"),
        ("--json", "transfer", "USDC", "1", SOLANA_ADDRESS, "--chain", "solana"),
        ("-v", "-v", "--json", "token", "--new"),
        ("-v", "-v", "token", "--new"),
    ):
        tmgw(*args)
        remember_tokens()
    private_d = json.loads(key_file.read_text())["private_key"]["d"]
    assert len(tokens) >= 4 and all(tokens)
    for result in outputs:
        text = result.stdout + result.stderr
        assert private_d not in text, f"the private key printed by {result}"
        for token in tokens:
            assert token not in text, f"a token printed by {result}"

    with_secret = tmgw("--json", "token", "--show-secret")
    remember_tokens()
    shown = json.loads(with_secret.stdout)["access_token"]
    text = with_secret.stdout + with_secret.stderr
    assert private_d not in text
    assert [t for t in tokens if t in text] == [shown]  # the access token only, on request


# --- files -----------------------------------------------------------------------------------


def test_config_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from truemarkets_gateway.cli.paths import config_dir, token_cache_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_dir() == tmp_path / "truemarkets-gateway"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # invalid per the spec: ignored
    assert config_dir() == Path.home() / ".config" / "truemarkets-gateway"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config_dir() == Path.home() / ".config" / "truemarkets-gateway"

    key = "8f0c3d2e-5b7a-4c1e-9d3f-2a6b8c4e1f70"
    prod = token_cache_path("prod", "https://api.truemarkets.co", key)
    assert prod.name == f"prod-{key}.json"
    one = token_cache_path("custom", "http://127.0.0.1:1", key)
    two = token_cache_path("custom", "http://127.0.0.1:2", key)
    assert one != two and one.parent == prod.parent


def test_verbose_logs_to_stderr(tmgw: Run) -> None:
    result = tmgw("balances", pre=("-v", "-v"))
    assert result.exit_code == 0
    assert "DEBUG" in result.stderr
    quiet = tmgw("balances")
    assert "DEBUG" not in quiet.stderr


# --- shared options after the command ------------------------------------------------------


def test_json_yes_and_verbose_also_follow_the_command(tmgw: Run, prod: Run) -> None:
    listed = doc(tmgw("orders", "--json"))
    assert "orders" in listed
    moved = doc(tmgw("transfer", "USDC", "--json", "1", SOLANA_ADDRESS, "--chain", "solana"))
    assert moved["transfer"]["status"] == "completed"

    confirmed = prod("buy", "BTC", "100", "--yes", "--json")
    assert doc(confirmed)["status"] == "complete"
    assert "Confirmed by --yes" in confirmed.stderr
    assert prod("sell", "BTC", "0.01", "-y", "--no-wait").exit_code == 0

    verbose = tmgw("balances", "-vv")
    assert verbose.exit_code == 0 and "DEBUG" in verbose.stderr
    error = tmgw("order", "00000000-0000-4000-8000-000000000000", "-v")
    assert error.exit_code == 1 and "Traceback" in error.stderr

    shown = tmgw("orders", "--help")
    assert "--json" in shown.stdout and "--yes" in shown.stdout and "--verbose" in shown.stdout


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (("--status", "bogus"), "cancel_pending"),
        (("--status", "active,bogus"), "cancel_pending"),
        (("--status", ","), "cancel_pending"),
        (("--venue", "moon"), "cefi, defi"),
    ],
)
def test_orders_filters_are_checked_before_any_request(
    tmgw: Run, sandbox: Sandbox, args: tuple[str, ...], allowed: str
) -> None:
    before = _requests(sandbox)
    result = tmgw("orders", *args)
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert allowed in line and args[1] in line
    assert _requests(sandbox) == before


def test_transfers_status_is_checked_before_any_request(tmgw: Run, sandbox: Sandbox) -> None:
    before = _requests(sandbox)
    result = tmgw("transfers", "--status", "reversed")
    assert result.exit_code == 2, result.output
    assert "awaiting_signature" in one_error_line(result)
    assert _requests(sandbox) == before
    assert tmgw("--json", "transfers", "--status", "Completed").exit_code == 0


def test_sandbox_command_defaults_to_fresh_ids() -> None:
    import inspect

    from truemarkets_gateway.cli.commands import tools

    seed = inspect.signature(tools.sandbox).parameters["seed"].default
    assert seed is None  # a fixed default seed would repeat key ids across restarts


def test_orders_status_list_is_sent_as_given(tmgw: Run) -> None:
    _resting_order(tmgw)
    listed = doc(tmgw("--json", "orders", "--status", " Active , complete"))
    assert listed["count"] >= 1
    assert {o["status"] for o in listed["orders"]} <= {"active", "complete"}


# --- warnings ------------------------------------------------------------------------------


def test_key_file_permission_warning_is_one_line(tmgw: Run, key_file: Path) -> None:
    key_file.chmod(0o644)
    result = tmgw("--json", "balances")
    assert doc(result)["balances"]
    warnings_shown = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings_shown) == 1, result.stderr
    (line,) = warnings_shown
    assert line.startswith("Warning: ") and f"chmod 600 {key_file}" in line
    assert "KeyFilePermissionWarning" not in result.stderr and "warn(" not in result.stderr


# --- tables and messages -------------------------------------------------------------------


def test_orders_table_keeps_ids_whole_and_shows_symbols(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    defi = doc(tmgw("--json", "buy", "SOL", "2", "--chain", "solana"))
    cefi = _resting_order(tmgw)
    wide = tmgw("orders", "--limit", "2")
    row = next(line for line in wide.stdout.splitlines() if defi["order_id"] in line)
    assert " SOL " in row and " USDC " in row
    assert defi["order"]["quote_asset"] not in wide.stdout
    monkeypatch.setenv("COLUMNS", "100")
    narrow = tmgw("orders", "--limit", "2")
    assert narrow.exit_code == 0, narrow.output
    assert defi["order_id"] in narrow.stdout and cefi in narrow.stdout  # each on one line


def test_cancel_reports_the_status_it_left(tmgw: Run) -> None:
    resting = _resting_order(tmgw)
    result = tmgw("cancel", resting)
    assert result.exit_code == 0, result.output
    assert "submitted" not in result.stdout
    assert "status is now cancel_pending" in result.stdout
    assert doc(tmgw("--json", "cancel", _resting_order(tmgw)))["status"] == "cancel_pending"


def test_order_view_shows_the_requested_chain_when_the_server_omits_it(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attrs

    from truemarkets_gateway.client import Gateway

    real_get_order = Gateway.get_order

    def without_chain(self: Gateway, order_id: str, **kwargs: Any) -> Any:
        return attrs.evolve(real_get_order(self, order_id, **kwargs), chain=None)

    monkeypatch.setattr(Gateway, "get_order", without_chain)
    result = tmgw("buy", "SOL", "2", "--chain", "solana")
    assert result.exit_code == 0, result.output
    chain_row = next(
        line for line in result.stdout.splitlines() if line.strip().startswith("chain")
    )
    assert "solana" in chain_row
    base_row = next(
        line for line in result.stdout.splitlines() if line.strip().startswith("base_asset")
    )
    assert "SOL (So1111" in base_row


def test_sandbox_without_its_extra_says_how_to_install(
    tmgw: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "truemarkets_gateway.sandbox", None)
    result = tmgw("sandbox", "--port", "0")
    assert result.exit_code == 2
    assert "truemarkets-gateway[sandbox]" in one_error_line(result)


# --- organisation mode -----------------------------------------------------------------------


def _pem_signer(path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    return path


def test_organisation_users_portfolio_and_transactions(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, org_key = sandbox.create_org_key(tmp_path / "org.json")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(
            app, ["--base-url", sandbox.base_url, "--key-file", str(org_key), *args]
        )

    signers = [_pem_signer(tmp_path / f"signer{n}.pem") for n in (1, 2)]
    alice = doc(run("users", "create", "cust_a", "--signer-key", str(signers[0]), "--json"))
    again = doc(run("--json", "users", "create", "cust_a", "--signer-key", str(signers[0])))
    assert alice["user_id"] == again["user_id"] and alice["external_ref_id"] == "cust_a"
    assert {w["chain_family"] for w in alice["wallets"]} == {"solana", "evm"}
    table = run("users", "create", "cust_b", "--signer-key", str(signers[1]))
    assert table.exit_code == 0 and "wallet (solana)" in table.stdout
    bob = table.stdout.split("user_id")[1].split()[0]

    as_alice = ("--on-behalf-of", alice["user_id"], "--signer-key", str(signers[0]))
    bought = doc(
        run(*as_alice, "--json", "buy", "SOL", "20", "--unit", "quote", "--chain", "solana")
    )
    assert bought["status"] == "complete"
    folio = doc(run(*as_alice, "--json", "portfolio"))
    no_floats(folio)
    assert Decimal(folio["total_usd"]) > 0 and folio["balances"]
    feed = doc(run(*as_alice, "--json", "transactions"))
    assert [t["type"] for t in feed["transactions"]] == ["order"]
    assert feed["transactions"][0]["order"]["order_id"] == bought["order_id"]
    shown = run(*as_alice, "transactions")
    assert shown.exit_code == 0 and "solscan" in shown.stdout

    monkeypatch.setenv("TM_ON_BEHALF_OF", bob)
    assert doc(run("--json", "transactions"))["transactions"] == []  # bob sees none of alice's
    sandbox.faults.apply("GET /portfolio=503x3")
    fallback = run("portfolio")
    assert fallback.exit_code == 0 and "showing balances" in fallback.stderr
    assert "USDC" in fallback.stdout


def test_users_create_needs_an_organisation_key(tmgw: Run, tmp_path: Path) -> None:
    result = tmgw("users", "create", "cust_a", "--signer-key", str(_pem_signer(tmp_path / "s")))
    assert result.exit_code == 2 and "organisation API key" in one_error_line(result)
    assert tmgw("users", "create", "cust_a").exit_code == 2  # --signer-key is required
