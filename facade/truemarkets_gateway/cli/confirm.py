"""The production safety net: show what will happen, then ask, or refuse without a terminal.

Only production asks. `--yes` answers for the user; with no terminal to ask and no
`--yes`, the command refuses (exit 2) before anything is sent.
"""

from __future__ import annotations

import sys

import typer
from rich.console import RenderableType
from rich.panel import Panel
from rich.text import Text

from .errors import CliError, ExitCode
from .output import Output

__all__ = ["confirm_action", "stdin_is_interactive"]


def stdin_is_interactive() -> bool:
    """Whether someone can answer a prompt (tests replace this)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_action(
    out: Output,
    *,
    env_name: str,
    action: str,
    preview: RenderableType,
    assume_yes: bool,
) -> None:
    """Return when the action may go ahead; raise `CliError` when it must not.

    `action` completes "About to ..." and "Refusing to ...", e.g. "buy 0.1 BTC".
    """
    if env_name != "prod":
        return
    out.err.print(
        Panel(preview, title=Text(f"PRODUCTION: {action}"), border_style="yellow", expand=False)
    )
    if assume_yes:
        out.note("Confirmed by --yes.")
        return
    if not stdin_is_interactive():
        raise CliError(
            f"refusing to {action} on production without confirmation: no terminal to ask",
            hint="review the preview above and pass --yes to confirm non-interactively",
            code=ExitCode.USAGE,
        )
    if not typer.confirm(f"Proceed to {action} on production?", default=False, err=True):
        raise CliError(
            "not confirmed; nothing was sent",
            hint="pass --yes to skip the question",
            code=ExitCode.API_ERROR,
        )
