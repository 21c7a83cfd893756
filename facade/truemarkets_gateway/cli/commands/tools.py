"""Tool commands: sandbox (serve the local stand-in) and demo (the narrated tour)."""

from __future__ import annotations

import errno
import importlib
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from .._runtime import command
from ..errors import CliError

__all__ = ["demo", "register", "sandbox"]


def sandbox(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="PORT",
            min=0,
            max=65535,
            help="Port (0: any free port). A port in use is a usage error (exit 2).",
        ),
    ] = 8600,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help="Repeatable ids (default: fresh ids each run)."),
    ] = None,
    settle_delay: Annotated[
        float,
        typer.Option(
            "--settle-delay",
            metavar="SECONDS",
            min=0,
            help="Seconds an order or transfer stays pending.",
        ),
    ] = 1.0,
    new_key_file: Annotated[
        str | None,
        typer.Option(
            "--new-key-file",
            metavar="PATH",
            help="Also create a funded sandbox API key and write its key file (0600) here.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the local sandbox (auth + Gateway) until interrupted. No real money."""
    with command(ctx) as state:
        try:
            from ...sandbox import SandboxConfig, create_app
        except ImportError:
            raise CliError(
                "the sandbox needs the starlette and uvicorn packages",
                hint='pip install "truemarkets-gateway[sandbox]"',
            ) from None
        config = SandboxConfig(seed=seed, settle_delay=settle_delay)
        app = create_app(config)
        # Bind first: a busy port is one error line (and no key file is written for a
        # sandbox that never runs), and --port 0 learns its real port.
        sock = _bind(host, port)
        try:
            key_note: tuple[str, Path] | None = None
            if new_key_file is not None:
                key_note = _create_key_file(app.sandbox, Path(new_key_file))
            bound = sock.getsockname()[1]
            authority = f"[{host}]" if ":" in host else host
            url = f"http://{authority}:{bound}"
            state.output.note(f"True Markets sandbox on {url} (stop with Ctrl-C); no real money.")
            if key_note is None:
                state.output.note(f"Use it with: tmgw --base-url {url} --key-file KEY.json COMMAND")
            else:
                key_id, path = key_note
                state.output.note(f"API key {key_id} written to {path}")
                state.output.note(f"Use it with: tmgw --base-url {url} --key-file {path} COMMAND")
            _serve_app(app, sock)
        finally:
            sock.close()


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (not yet listening), or a one-line usage error (exit 2):
    the remedy is another --port or --host."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CliError(f"cannot listen on {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        # As uvicorn does: lets a restart reuse a port in TIME_WAIT, never a listening one.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {port} is in use", hint="pick another --port, or --port 0 for a free one"
            ) from None
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _create_key_file(sandbox_state: Any, path: Path) -> tuple[str, Path]:
    """Register a fresh P-256 key with the sandbox and write the vendor-format key file."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from ...credentials import write_key_file

    if path.exists():
        raise CliError(f"{path} exists already", hint="choose a new path; nothing was overwritten")
    private_key = ec.generate_private_key(ec.SECP256R1())
    key_id = sandbox_state.register_key(private_key.public_key())
    return key_id, write_key_file(path, key_id, private_key, label="sandbox")


def _serve_app(app: Any, sock: socket.socket) -> None:  # pragma: no cover - blocks
    """Serve `app` on the bound socket until Ctrl-C. The one use of the sandbox's private
    uvicorn settings (`serve()` binds its own socket and builds its own app)."""
    import uvicorn

    from ...sandbox.server import _uvicorn_config

    host, port = sock.getsockname()[:2]
    uvicorn.Server(_uvicorn_config(app, host, port, "info")).run(sockets=[sock])


def demo(ctx: typer.Context) -> None:
    """A narrated tour of the SDK against an in-process sandbox (or --base-url's sandbox)."""
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
        if state.base_url:
            # Your own sandbox (`tmgw sandbox`); the demo refuses anything but loopback.
            module.run(console=state.output.console, base_url=state.base_url)
        else:
            module.run(console=state.output.console)


def register(app: typer.Typer) -> None:
    app.command("sandbox")(sandbox)
    app.command("demo")(demo)
