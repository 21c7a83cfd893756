"""Options every command also accepts after its name: --json, --yes/-y, -v/--verbose.

`tmgw --json orders` and `tmgw orders --json` mean the same. The group callback reads them
before the command name; `TmgwGroup` gives each command the same three options, whose
callbacks update the invocation state the group callback created (Click parses a
command's options after running the group callback).
"""

from __future__ import annotations

import logging
from typing import Any

import typer
from typer.core import TyperGroup

from .context import CliContext
from .output import Output

__all__ = ["TmgwGroup", "configure_logging"]

JSON_HELP = "Print one JSON document (money as strings)."
YES_HELP = "Confirm production actions without asking."
VERBOSE_HELP = "More detail; tracebacks on errors."


def configure_logging(output: Output, verbose: int) -> None:
    """-v: INFO, -vv: DEBUG from the SDK's logger (which never logs secrets) to stderr.
    A handler from an earlier invocation in the same process is replaced."""
    logger = logging.getLogger("truemarkets_gateway")
    for handler in list(logger.handlers):
        if getattr(handler, "_tmgw", False):
            logger.removeHandler(handler)
    if verbose <= 0:
        return
    from rich.logging import RichHandler

    handler = RichHandler(console=output.err, show_path=False, markup=False)
    handler._tmgw = True  # type: ignore[attr-defined]
    logger.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    logger.addHandler(handler)


def _state(ctx: typer.Context) -> CliContext | None:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliContext) else None


def _set_json(ctx: typer.Context, value: bool) -> None:
    state = _state(ctx)
    if value and state is not None:
        state.output.json_mode = True


def _set_yes(ctx: typer.Context, value: bool) -> None:
    state = _state(ctx)
    if value and state is not None:
        state.assume_yes = True


def _add_verbose(ctx: typer.Context, value: int) -> None:
    state = _state(ctx)
    if value and state is not None:
        state.output.verbose += value
        configure_logging(state.output, state.output.verbose)


def _shared_options() -> list[Any]:
    """Fresh click options, declared with typer's public API (its option class's
    constructor changes between releases)."""
    probe = typer.Typer(add_completion=False)

    @probe.command()
    def shared(
        json: bool = typer.Option(
            False, "--json", callback=_set_json, expose_value=False, help=JSON_HELP
        ),
        yes: bool = typer.Option(
            False, "--yes", "-y", callback=_set_yes, expose_value=False, help=YES_HELP
        ),
        verbose: int = typer.Option(
            0,
            "--verbose",
            "-v",
            count=True,
            callback=_add_verbose,
            expose_value=False,
            help=VERBOSE_HELP,
        ),
    ) -> None:  # pragma: no cover - never run, only read
        pass

    return list(typer.main.get_command(probe).params)


class TmgwGroup(TyperGroup):
    """The `tmgw` group: each command also takes the shared options after its name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for command in self.commands.values():
            command.params.extend(_shared_options())
