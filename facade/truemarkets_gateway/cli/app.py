"""The `tmgw` application: global options (before the command) and the command table."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .._version import __version__
from ._shared import JSON_HELP, VERBOSE_HELP, YES_HELP, TmgwGroup, configure_logging
from .commands import account, auth, organisation, tools, trading
from .context import CliContext
from .errors import ExitCode
from .output import Output

__all__ = ["app", "main"]

app = typer.Typer(
    name="tmgw",
    cls=TmgwGroup,
    help=(
        "The True Markets Gateway from the terminal: quotes, CeFi and DeFi orders, "
        "balances, assets and transfers. Production asks before moving money."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tmgw {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            metavar="ENV",
            help="prod or uat (default: TM_ENV, else prod).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="A host root such as http://127.0.0.1:8080 (default: TM_BASE_URL).",
            show_default=False,
        ),
    ] = None,
    legacy_path: Annotated[
        bool, typer.Option("--legacy-path", help="Use the deprecated /v1/conductor path.")
    ] = False,
    key_file: Annotated[
        str | None,
        typer.Option(
            "--key-file",
            metavar="PATH",
            help="API key file (JSON from the API Keys page). Default: TM_KEY_FILE, or "
            "TM_KEY_ID with TM_PRIVATE_KEY.",
            show_default=False,
        ),
    ] = None,
    signer_key: Annotated[
        str | None,
        typer.Option(
            "--signer-key",
            metavar="PATH",
            help="File with a separate DeFi signer key (PEM, JWK or hex). Default: "
            "TM_SIGNER_KEY (the key itself), else the API key.",
            show_default=False,
        ),
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option(
            "--on-behalf-of",
            metavar="USER",
            envvar="TM_ON_BEHALF_OF",
            help="With an organisation key: act for this user id (give their --signer-key).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
    no_token_cache: Annotated[
        bool, typer.Option("--no-token-cache", help="Do not read or write the token cache.")
    ] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help=VERBOSE_HELP)] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options go before the command: tmgw [OPTIONS] COMMAND [ARGS]; --json, --yes
    and -v may also follow it."""
    output = Output(json_mode=json_output, verbose=verbose)
    configure_logging(output, verbose)
    if legacy_path:
        output.note("note: using the deprecated /v1/conductor Gateway path (--legacy-path)")
    ctx.obj = CliContext(
        output=output,
        env=env,
        base_url=base_url,
        legacy=legacy_path,
        key_file=key_file,
        signer_key=signer_key,
        assume_yes=yes,
        token_cache=not no_token_cache,
        on_behalf_of=on_behalf_of,
    )


trading.register(app)
account.register(app)
organisation.register(app)
auth.register(app)
tools.register(app)


def main() -> None:
    """The console script: exit codes 0 ok, 1 API error, 2 usage, 3 timeout, 130 interrupt."""
    try:
        app(prog_name="tmgw")
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
