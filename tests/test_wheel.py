"""The built wheel, installed (not editable) into a fresh venv, runs the demo and `tmgw`.

Every other test imports the editable checkout, so a module or data file left out of the
wheel would pass them all; this one fails. It builds with the dev venv's hatchling (no
build-backend download) and installs the dependencies through pip's configured index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> str:
    env = {**os.environ, "TM_TELEMETRY": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "TM_API_KEY", "TM_KEY_FILE", "TM_SIGNER_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{args[:3]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def test_installed_wheel_runs_the_demo_and_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--wheel-dir", out, ROOT, cwd=tmp_path)  # fmt: skip
    (wheel,) = out.glob("truemarkets_gateway-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "truemarkets_gateway/py.typed",
        "truemarkets_gateway/_transport/ratelimit.py",
        "truemarkets_gateway/sandbox/__init__.py",
        "truemarkets_gateway_client/client.py",
        "truemarkets_auth_client/client.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert not [n for n in names if n.startswith(("tests/", "facade/", "generated/"))]

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", f"{wheel}[sandbox,cli]", cwd=tmp_path)

    # Imported from the installed wheel, never from this checkout.
    where = run(python, "-c", "import truemarkets_gateway as m; print(m.__file__)", cwd=tmp_path)
    assert str(env_dir) in where and str(ROOT) not in where

    demo = run(python, "-m", "truemarkets_gateway", "demo", cwd=tmp_path)
    assert "Finished in" in demo
    assert "Traceback" not in demo
    help_text = run(env_dir / "bin" / "tmgw", "--help", cwd=tmp_path)
    assert "Usage" in help_text and "quote" in help_text
