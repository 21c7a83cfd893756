"""scripts/regenerate --check fails, with a readable diff, when generated/ drifts from the
specs (a hand edit, a stray file), and passes on the tree as committed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the script reads and checks: it locates the repo from its own path."""
    for part in ("openapi", "generated"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "regenerate", tmp_path / "scripts" / "regenerate")
    return tmp_path


def _check(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tree / "scripts" / "regenerate"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_passes_on_the_committed_tree(tree: Path) -> None:
    result = _check(tree)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_on_a_hand_edit_and_shows_the_diff(tree: Path) -> None:
    target = tree / "generated" / "truemarkets_gateway_client" / "models" / "order_detail.py"
    target.write_text(target.read_text() + "\nHAND_EDITED = True\n")
    result = _check(tree)
    assert result.returncode == 1
    assert "does not match the specs" in result.stdout
    # Diffed from the repo's file to what the spec makes: the hand-added line is a removal.
    assert "-HAND_EDITED = True" in result.stdout and "order_detail.py" in result.stdout


def test_check_fails_on_a_stray_file(tree: Path) -> None:
    (tree / "generated" / "truemarkets_auth_client" / "extra.py").write_text("x = 1\n")
    result = _check(tree)
    assert result.returncode == 1
    assert "not produced by the generator" in result.stdout and "extra.py" in result.stdout
