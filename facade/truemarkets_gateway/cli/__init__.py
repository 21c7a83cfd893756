"""`tmgw`, the command line of truemarkets-gateway (Typer + Rich, from the `[cli]` extra).

Typer and Rich are imported only here, never by the library itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["app", "main"]

app: Any = None  # the Typer app, when the extra is installed
_run: Callable[[], None] | None = None
try:
    _app = importlib.import_module(f"{__name__}.app")
except ImportError as exc:  # the [cli] extra is missing
    if str(exc.name).split(".")[0] not in {"typer", "rich", "click"}:
        raise
else:
    app, _run = _app.app, _app.main


def main() -> None:
    """The `tmgw` entry point: one line and exit 2 when the [cli] extra is missing."""
    if _run is None:
        print("tmgw needs the [cli] extra: pip install 'truemarkets-gateway[cli]'", file=sys.stderr)
        raise SystemExit(2)
    _run()
