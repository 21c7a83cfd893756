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
    key_file: Annotated[
        list[str] | None,
        typer.Option(
            "--key-file",
            metavar="PATH",
            help="Register an existing key file's key (a new funded account unless the "
            "--state-file knows it). Repeatable.",
            show_default=False,
        ),
    ] = None,
    new_org_key_file: Annotated[
        str | None,
        typer.Option(
            "--new-org-key-file",
            metavar="PATH",
            help="Also create an organisation API key (tokens carry tm.organization_id) "
            "and write its key file (0600) here.",
            show_default=False,
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            metavar="ROUTE=SPEC",
            help="Inject a fault; repeatable. E.g. 'POST /orders=503x2' (the next 2 fail), "
            "'/quotes=429:5' (Retry-After 5), '*=latency:0.5@0.1', "
            "'POST /orders/*/execute=drop+after', 'clock=skew:45', 'tokens=expire:10'.",
            show_default=False,
        ),
    ] = None,
    rate_limit: Annotated[
        str | None,
        typer.Option(
            "--rate-limit",
            metavar="N/SECONDS",
            help="Allow each key N requests per SECONDS (e.g. 100/60), then 429.",
            show_default=False,
        ),
    ] = None,
    token_ttl: Annotated[
        float | None,
        typer.Option(
            "--token-ttl",
            metavar="SECONDS",
            min=1,
            help="Access token lifetime (default 3600).",
            show_default=False,
        ),
    ] = None,
    provision_delay: Annotated[
        float,
        typer.Option(
            "--provision-delay",
            metavar="SECONDS",
            min=0,
            help="Seconds a new organisation user's wallets take (503 until then).",
        ),
    ] = 0.0,
    state_file: Annotated[
        str | None,
        typer.Option(
            "--state-file",
            metavar="PATH",
            help="Load keys, accounts, users and balances from PATH at start (if it exists) "
            "and save them there on exit, so key files keep working across restarts.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the local sandbox (auth + Gateway) until Ctrl-C. No real money."""
    with command(ctx) as state:
        try:
            from ...sandbox import SandboxConfig, create_app
            from ...sandbox.faults import parse_fault
            from ...sandbox.persist import load_state, save_state
        except ImportError:
            raise CliError(
                "the sandbox needs the starlette and uvicorn packages",
                hint='pip install "truemarkets-gateway[sandbox]"',
            ) from None
        for spec in fault or ():
            try:
                parse_fault(spec)
            except ValueError as exc:
                raise CliError(f"--fault {exc}", hint="see tmgw sandbox --help") from None
        limits = _rate_limit(rate_limit)
        config = SandboxConfig(
            seed=seed,
            settle_delay=settle_delay,
            token_lifetime=3600.0 if token_ttl is None else token_ttl,
            provision_delay=provision_delay,
            **limits,
        )
        app = create_app(config)
        sb = app.sandbox
        for spec in fault or ():
            sb.faults.apply(spec)
        saved = Path(state_file) if state_file is not None else None
        if saved is not None and saved.exists():
            try:
                load_state(sb, saved)
            except ValueError as exc:
                hint = "pass another --state-file, or move this one away"
                raise CliError(str(exc), hint=hint) from None
        # Bind first: a busy port is one error line (and no key file is written for a
        # sandbox that never runs), and --port 0 learns its real port.
        sock = _bind(host, port)
        try:
            notes = [_register_key_file(sb, Path(p)) for p in key_file or ()]
            if new_key_file is not None:
                notes.append(_create_key_file(sb, Path(new_key_file)))
            if new_org_key_file is not None:
                notes.append(_create_key_file(sb, Path(new_org_key_file), org=True))
            bound = sock.getsockname()[1]
            authority = f"[{host}]" if ":" in host else host
            url = f"http://{authority}:{bound}"
            out = state.output
            out.note(f"True Markets sandbox on {url} (stop with Ctrl-C); no real money.")
            for line in notes:
                out.note(line)
            for spec in fault or ():
                out.note(f"Fault: {spec}")
            if limits:
                requests, window = limits["rate_limit_requests"], limits["rate_limit_window"]
                out.note(f"Rate limit: {requests} requests per {window:g} s per key")
            if saved is not None:
                out.note(f"State is saved to {saved} on exit.")
            path = (key_file or [new_key_file or new_org_key_file or "KEY.json"])[0]
            out.note(f"Use it with: tmgw --base-url {url} --key-file {path} COMMAND")
            try:
                _serve_app(app, sock)
            except KeyboardInterrupt:
                pass  # Ctrl-C is how a sandbox is meant to stop: exit 0
            if saved is not None:
                save_state(sb, saved)
                out.note(f"Sandbox state saved to {saved}.")
            out.note("Sandbox stopped.")
        finally:
            sock.close()


def _rate_limit(text: str | None) -> dict[str, Any]:
    """SandboxConfig settings for `--rate-limit N/SECONDS` (none without the option)."""
    if text is None:
        return {}
    count, _, window = text.partition("/")
    try:
        requests, seconds = int(count), float(window or "60")
    except ValueError:
        requests = seconds = 0
    if requests < 1 or seconds <= 0:
        raise CliError(f"--rate-limit {text!r}: expected N/SECONDS, e.g. 100/60")
    return {"rate_limit": True, "rate_limit_requests": requests, "rate_limit_window": seconds}


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


def _create_key_file(sandbox_state: Any, path: Path, *, org: bool = False) -> str:
    """Register a fresh P-256 key (an organisation key with `org`) and write the
    vendor-format key file; the note to show."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from ...credentials import write_key_file

    if path.exists():
        raise CliError(
            f"{path} exists already",
            hint="nothing was overwritten; choose a new path, or register it with --key-file",
        )
    private_key = ec.generate_private_key(ec.SECP256R1())
    if org:
        key_id, org_id = sandbox_state.register_org_key(private_key.public_key())
        write_key_file(path, key_id, private_key, label="sandbox-org")
        return f"Organisation {org_id}: API key {key_id} written to {path}"
    key_id = sandbox_state.register_key(private_key.public_key())
    write_key_file(path, key_id, private_key, label="sandbox")
    return f"API key {key_id} written to {path}"


def _register_key_file(sandbox_state: Any, path: Path) -> str:
    """Register the key of an existing key file (kept as is if the state knows it already)."""
    from ...credentials import Credentials

    credentials = Credentials.from_key_file(path)
    public = credentials.private_key.public_key()
    known = sandbox_state.auth.key(credentials.key_id)
    if known is None:
        sandbox_state.register_key(public, key_id=credentials.key_id)
        return f"API key {credentials.key_id} from {path} registered (new funded account)"
    if known.public_key.public_numbers() != public.public_numbers():
        raise CliError(
            f"{path}: key id {credentials.key_id} is registered with another public key",
            hint="use another --state-file, or a key file of its own",
        )
    return f"API key {credentials.key_id} from {path} is known (its account is kept)"


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
