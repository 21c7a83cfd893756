"""The bounded soak (issue 8, part 2): about 200 mixed operations, fixed seed, ~10 % faults,
short-lived tokens, then the sandbox's records reconciled with the client's.

The full run is `make soak` (scripts/soak, 1,000 operations, 30 s tokens).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from benchlib.soak import run_soak

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])


def test_bounded_soak_reconciles_to_zero() -> None:
    report = run_soak(200, seed=8, token_lifetime=6.0, refresh_margin=2.0)
    print(report.render())
    assert report.faults_injected >= 10, "the faults did not fire"
    assert sum(report.errors.values()) > 0, "no failure reached the client: nothing was tested"
    assert report.mints + report.refreshes >= 2, "tokens were never renewed"
    assert report.unhandled == [], report.unhandled[0]
    assert report.interrupted > 0, "Ctrl-C never struck"
    assert report.validation_errors == 0
    assert report.duplicates == 0
    assert report.lost == 0
    assert report.unaccounted == 0
    assert report.sandbox_orders > 0 and report.sandbox_transfers > 0


def test_soak_detects_duplicates_from_blind_resends() -> None:
    """Negative control: a client that turns reconciling off and resends after a failure
    makes duplicates, and the soak counts them (so its zeros above mean something)."""
    report = run_soak(120, seed=8, token_lifetime=6.0, refresh_margin=2.0, blind_resend=True)
    assert report.resent > 0
    assert report.duplicates > 0, report.render()
