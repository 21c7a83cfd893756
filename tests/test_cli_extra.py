"""`tmgw` without the [cli] extra: one line saying what to install, exit 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A finder that refuses typer and rich stands in for an install without the extra.
WITHOUT_CLI_EXTRA = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class NoCliExtra(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"typer", "rich"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoCliExtra())
    """
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    script = WITHOUT_CLI_EXTRA + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


def test_tmgw_without_typer_and_rich_says_to_install_the_cli_extra() -> None:
    done = _run("from truemarkets_gateway.cli import main\nmain()\n")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == ["tmgw needs the [cli] extra: pip install 'truemarkets-gateway[cli]'"]


def test_the_library_imports_without_the_cli_extra() -> None:
    done = _run(
        "from truemarkets_gateway import AsyncGateway, Gateway, errors, models\n"
        "Gateway(environ={}).close()\nprint('ok')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
