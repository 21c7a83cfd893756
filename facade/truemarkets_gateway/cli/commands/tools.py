"""Tool commands: sandbox (serve the local stand-in) and demo (the narrated tour)."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from .._runtime import command
from ..errors import CliError

__all__ = ["demo", "register", "sandbox"]


def sandbox(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8080,
    seed: Annotated[int, typer.Option("--seed", help="Seed for prices and ids.")] = 0,
    settle_delay: Annotated[
        float,
        typer.Option("--settle-delay", min=0, help="Seconds an order or transfer stays pending."),
    ] = 1.0,
) -> None:
    """Serve the local sandbox (auth + Gateway) until interrupted. No real money."""
    with command(ctx) as state:
        try:
            from ...sandbox import serve
            from ...sandbox.config import SandboxConfig
        except ImportError as exc:
            raise CliError(
                f"the sandbox needs extra packages ({exc.name or exc})",
                hint='pip install "truemarkets-gateway[sandbox]"',
            ) from None
        url = f"http://{host}:{port}"
        state.output.note(f"Sandbox on {url}  (stop with Ctrl-C)")
        state.output.note(f"Use it with: tmgw --base-url {url} --key-file KEY.json COMMAND")
        serve(host, port, config=SandboxConfig(seed=seed, settle_delay=settle_delay))


def demo(ctx: typer.Context) -> None:
    """A narrated tour of the SDK against an in-process sandbox."""
    with command(ctx) as state:
        try:
            module = importlib.import_module("truemarkets_gateway.demo")
        except ModuleNotFoundError as exc:
            if exc.name not in ("truemarkets_gateway.demo",):
                raise CliError(
                    f"the demo needs a missing package ({exc.name})",
                    hint='pip install "truemarkets-gateway[sandbox]"',
                ) from None
            raise CliError(
                "the demo is not available in this installation",
                hint="reinstall truemarkets-gateway, or run `tmgw sandbox` to try commands",
            ) from None
        module.run(console=state.output.console)


def register(app: typer.Typer) -> None:
    app.command("sandbox")(sandbox)
    app.command("demo")(demo)
