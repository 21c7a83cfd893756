"""The safety net for actions that move money: show what will happen, then ask, or refuse.

Production asks, and so does any custom host that is not this machine (a `--base-url`
naming some other server may well be production under another name). UAT (test funds)
and a loopback sandbox do not ask. `--yes` answers for the user; with no terminal to ask
and no `--yes`, the command refuses (exit 2) before any request is sent: `refuse_early`
runs first, `confirm_action` shows the preview and asks.
"""

from __future__ import annotations

import sys

import typer
from rich.console import RenderableType
from rich.panel import Panel
from rich.text import Text

from ..environments import Environment
from .errors import CliError, ExitCode
from .output import Output

__all__ = [
    "confirm_action",
    "needs_confirmation",
    "refuse_early",
    "stdin_is_interactive",
    "target_name",
]


def stdin_is_interactive() -> bool:
    """Whether someone can answer a prompt (tests replace this)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def needs_confirmation(environment: Environment) -> bool:
    """Production, or a custom host that is not loopback: money may move for real."""
    if environment.name == "prod":
        return True
    if environment.name == "uat":
        return False
    return not environment.is_loopback


def target_name(environment: Environment) -> str:
    """How the preview and the prompt name the place: "production", or the host."""
    return "production" if environment.name == "prod" else environment.host


def refuse_early(environment: Environment, *, action: str, assume_yes: bool) -> None:
    """Refuse at once, before any request, when confirmation is needed but impossible."""
    if not needs_confirmation(environment) or assume_yes or stdin_is_interactive():
        return
    raise CliError(
        f"refusing to {action} on {target_name(environment)} without confirmation: "
        "no terminal to ask",
        hint="pass --yes to confirm non-interactively (or run it in a terminal to see "
        "a preview and be asked); nothing was sent",
        code=ExitCode.USAGE,
    )


def confirm_action(
    out: Output,
    *,
    environment: Environment,
    action: str,
    preview: RenderableType,
    assume_yes: bool,
) -> None:
    """Return when the action may go ahead; raise `CliError` when it must not.

    `action` completes "About to ..." and "Refusing to ...", e.g. "buy 0.1 BTC".
    """
    if not needs_confirmation(environment):
        return
    where = target_name(environment)
    title = "PRODUCTION" if environment.name == "prod" else f"NOT A LOCAL SANDBOX ({where})"
    out.err.print(
        Panel(preview, title=Text(f"{title}: {action}"), border_style="yellow", expand=False)
    )
    if assume_yes:
        out.note("Confirmed by --yes.")
        return
    refuse_early(environment, action=action, assume_yes=assume_yes)
    if not typer.confirm(f"Proceed to {action} on {where}?", default=False, err=True):
        raise CliError(
            "not confirmed; nothing was sent",
            hint="pass --yes to skip the question",
            code=ExitCode.API_ERROR,
        )
