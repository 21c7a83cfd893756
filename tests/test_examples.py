"""examples/: each program runs to completion against an in-process sandbox (`--sandbox`),
and the DCA bot stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("TM_")} | {"PYTHONUNBUFFERED": "1"}


def run_example(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--sandbox", *args],
        env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_dca_bot_buys_then_stops_by_itself() -> None:
    out = run_example("dca_bot.py", "--interval", "0.1", "--max-iterations", "3")
    assert out.count("bought ") == 3
    assert "stopped after 3 buys" in out


def test_dca_bot_stops_cleanly_on_ctrl_c() -> None:
    bot = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "dca_bot.py"), "--sandbox", "--interval", "0.2"],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert bot.stdout is not None
        deadline = time.monotonic() + 60
        first = bot.stdout.readline()
        while not first.startswith("bought ") and time.monotonic() < deadline:
            first = bot.stdout.readline()
        assert first.startswith("bought "), first
        bot.send_signal(signal.SIGINT)
        out, err = bot.communicate(timeout=60)
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    assert bot.returncode == 0, out + err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "stopping after the current step" in out
    assert "stopped after" in out and "buys:" in out


def test_portfolio_monitor_values_the_holdings() -> None:
    out = run_example("portfolio_monitor.py", "--interval", "0.1", "--iterations", "2")
    assert out.count("refresh ") == 2
    assert out.count(" total ") == 2 and "BTC" in out and "no quote" not in out


def test_limit_order_manager_ladders_takes_profit_and_cleans_up() -> None:
    out = run_example("limit_order_manager.py", "--interval", "0.1", "--max-iterations", "6")
    assert out.count("buy 0.001 BTC at") == 3
    assert out.count("sell 0.001 BTC at") == 3
    assert out.count("take-profit") == 3
    assert "done: realised profit" in out and "profit 0.00" not in out


def test_limit_order_manager_cancels_what_is_open() -> None:
    out = run_example("limit_order_manager.py", "--interval", "0.1", "--max-iterations", "1")
    assert "cancelled" in out and "could not cancel" not in out


def test_neobank_flow() -> None:
    out = run_example("neobank.py", "--customer", "cust_test")
    assert "customer cust_test is user" in out
    assert "bought SOL for 20 USDC: complete" in out
    assert "portfolio: " in out and " USD" in out
    assert "order completed: " in out and " SOL" in out
