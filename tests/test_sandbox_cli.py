"""`tmgw sandbox` flags: faults, rate limit, token lifetime, state file, existing key files,
organisation keys; client disconnects and Ctrl-C in a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_sandbox_kit import LOOPBACK
from typer.testing import CliRunner

from truemarkets_gateway.cli import app
from truemarkets_gateway.sandbox.faults import FaultKind, Phase

pytestmark = LOOPBACK


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The apps `tmgw sandbox` would serve; nothing serves. `then` runs while "serving"."""
    from truemarkets_gateway.cli.commands import tools

    apps: list[Any] = []

    def fake_serve(app_: Any, sock: Any) -> None:
        apps.append(app_)
        if served_then:
            served_then.pop(0)(app_.sandbox)

    served_then: list[Any] = []
    monkeypatch.setattr(tools, "_serve_app", fake_serve)
    apps.append(served_then)  # apps[0]: actions to run while serving
    return apps


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["sandbox", "--port", "0", *args])


def test_flags_configure_the_sandbox(served: list[Any]) -> None:
    result = run(
        "--fault",
        "POST /orders=503x2",
        "--fault",
        "/quotes=429:5",
        "--fault",
        "POST /orders/*/execute=drop+after",
        "--fault",
        "clock=skew:45",
        "--fault",
        "tokens=expire:10",
        "--rate-limit",
        "5/2",
        "--token-ttl",
        "120",
        "--provision-delay",
        "3",
    )
    assert result.exit_code == 0, result.output
    sb = served[1].sandbox
    rules = sb.faults.rules
    assert [(r.method, r.path, r.times) for r in rules] == [
        ("POST", "/orders", 2),
        ("*", "/quotes", None),
        ("POST", "/orders/*/execute", None),
    ]
    assert rules[0].fault.status == 503
    assert rules[1].fault.kind is FaultKind.RATE_LIMITED and rules[1].fault.retry_after == 5
    assert rules[2].fault.kind is FaultKind.DROP and rules[2].fault.phase is Phase.AFTER
    assert sb.faults.clock_skew == 45 and sb.faults.token_expiry == 10
    config = sb.config
    assert (config.rate_limit, config.rate_limit_requests, config.rate_limit_window) == (
        True,
        5,
        2.0,
    )
    assert config.token_lifetime == 120 and config.provision_delay == 3
    assert "Fault: POST /orders=503x2" in result.stderr
    assert "Rate limit: 5 requests per 2 s per key" in result.stderr
    assert "Sandbox stopped." in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "POST /orders"], "--fault 'POST /orders': expected ROUTE=SPEC"),
        (["--fault", "/orders=teapot"], "unknown fault 'teapot'"),
        (["--fault", "/orders=503@2"], "probability"),
        (["--rate-limit", "lots"], "--rate-limit 'lots': expected N/SECONDS"),
        (["--rate-limit", "0/60"], "expected N/SECONDS"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(
    served: list[Any], args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert len(served) == 1  # nothing served


def test_ctrl_c_stops_cleanly_and_saves_state(served: list[Any], tmp_path: Path) -> None:
    def interrupt(_sb: Any) -> None:
        raise KeyboardInterrupt

    served[0].append(interrupt)
    state = tmp_path / "state.json"
    result = run("--state-file", str(state))
    assert result.exit_code == 0, result.output
    assert "interrupted" not in result.output
    assert "Sandbox stopped." in result.stderr and state.exists()


def test_state_file_keeps_a_key_file_working_across_restarts(
    served: list[Any], tmp_path: Path
) -> None:
    state, key = tmp_path / "state.json", tmp_path / "key.json"
    served[0].append(lambda sb: sb.fund(sb.account_of(key_id()).uid, "BTC", "5"))

    def key_id() -> str:
        return str(json.loads(key.read_text())["key_id"])

    first = run("--state-file", str(state), "--new-key-file", str(key))
    assert first.exit_code == 0, first.output
    uid = served[1].sandbox.account_of(key_id()).uid
    assert served[1].sandbox.balance(uid, "BTC") == Decimal(7)
    assert stat_mode(state) == 0o600
    assert "private" not in state.read_text() and '"d"' not in state.read_text()

    second = run("--state-file", str(state), "--key-file", str(key))
    assert second.exit_code == 0, second.output
    assert f"API key {key_id()} from {key} is known" in second.stderr
    sb = served[2].sandbox
    assert sb.account_of(key_id()).uid == uid
    assert sb.balance(uid, "BTC") == Decimal(7)


def test_key_file_registers_an_existing_key(served: list[Any], tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    assert run("--new-key-file", str(key)).exit_code == 0
    refused = run("--new-key-file", str(key))
    assert refused.exit_code == 2 and "--key-file" in refused.stderr
    again = run("--key-file", str(key))  # a fresh sandbox: the same key, a new funded account
    assert again.exit_code == 0, again.output
    key_id = json.loads(key.read_text())["key_id"]
    sb = served[-1].sandbox
    assert sb.balance(sb.account_of(key_id).uid, "USDC") == Decimal(100000)
    assert f"--key-file {key}" in again.stderr


def test_new_org_key_file_makes_an_organisation_key(served: list[Any], tmp_path: Path) -> None:
    key = tmp_path / "org.json"
    result = run("--new-org-key-file", str(key))
    assert result.exit_code == 0, result.output
    key_id = json.loads(key.read_text())["key_id"]
    api_key = served[1].sandbox.auth.key(key_id)
    assert api_key.org_id is not None
    assert f"Organisation {api_key.org_id}" in result.stderr


def test_a_damaged_state_file_is_a_usage_error(served: list[Any], tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")
    result = run("--state-file", str(state))
    assert result.exit_code == 2 and "cannot read sandbox state" in result.stderr
    state.write_text(json.dumps({"format": "tmgw-sandbox-state/1", "keys": [{}]}))
    assert "damaged" in run("--state-file", str(state)).stderr


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- a real process ---------------------------------------------------------------------------


def test_disconnects_log_one_line_and_ctrl_c_exits_0(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from truemarkets_gateway.cli import main; main()",
            "sandbox",
            "--port",
            "0",
            "--fault",
            "POST /quotes=latency:0.6",
            "--state-file",
            str(state),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        url = None
        deadline = time.monotonic() + 30
        seen = []
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            seen.append(line)
            found = re.search(r"sandbox on (http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url, "".join(seen)
        while time.monotonic() < deadline:  # the banner comes just before it listens
            try:
                httpx.get(f"{url}/v1/gateway/assets", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        body = {"base_asset": "BTC", "quote_asset": "USD", "qty": "1", "qty_unit": "base"}
        with pytest.raises(httpx.TimeoutException):
            httpx.post(f"{url}/v1/gateway/quotes", json={**body, "side": "buy"}, timeout=0.2)
        time.sleep(1.0)  # the server reaches the request after its latency
        ok = httpx.get(f"{url}/v1/gateway/assets", timeout=5)
        assert ok.status_code == 200
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    log = "".join(seen) + err
    assert proc.returncode == 0, log
    assert log.count("client disconnected before its answer: POST /v1/gateway/quotes") == 1, log
    assert "Traceback" not in log and "interrupted" not in log, log
    assert "Sandbox stopped." in log and state.exists()
