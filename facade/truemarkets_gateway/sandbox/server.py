"""Running the sandbox: `serve()` blocks (the CLI), `Sandbox` runs it in a background thread
on a free loopback port for tests and scripts.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
import types
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway.sandbox.app import SandboxApp, create_app
from truemarkets_gateway.sandbox.config import SandboxConfig
from truemarkets_gateway.sandbox.faults import FaultController
from truemarkets_gateway.sandbox.keyfile import key_file_document, write_key_file
from truemarkets_gateway.sandbox.persist import load_state, save_state
from truemarkets_gateway.sandbox.state import SandboxState, load_public_key

__all__ = ["PortInUseError", "Sandbox", "SandboxBindError", "serve"]

_START_TIMEOUT = 10.0


def _uvicorn_config(app: SandboxApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    # h11 is the protocol the dropped-connection fault is built for; the Date header is
    # written by the sandbox from its own (skewable) clock.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=1,
    )


class SandboxBindError(OSError):
    """`serve()` could not listen on the address (bad host, no permission...).

    `str()` is one line fit to show a user; `host`, `port` and `errno` say what failed.
    """

    def __init__(self, host: str, port: int, reason: str, code: int | None = None) -> None:
        super().__init__(code, f"cannot listen on {_host_port(host, port)}: {reason}")
        self.host = host
        self.port = port

    def __str__(self) -> str:
        return str(self.strerror)


class PortInUseError(SandboxBindError):
    """`serve()` found the port taken by another process."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            host, port, "the port is already in use (choose another, or --port 0)", errno.EADDRINUSE
        )


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) TCP socket, or a `SandboxBindError` saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(host, port) from exc
        reason = exc.strerror or str(exc)
        raise SandboxBindError(host, port, reason, exc.errno) from exc
    return sock


class _ReadyServer(uvicorn.Server):
    """uvicorn's server, telling `on_ready` its URL once it listens."""

    def __init__(
        self, config: uvicorn.Config, url: str, on_ready: Callable[[str], None] | None
    ) -> None:
        super().__init__(config)
        self._url = url
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.started:
            return
        if self._on_ready is not None:
            self._on_ready(self._url)
        else:
            logging.getLogger("uvicorn.error").info(
                "True Markets sandbox running on %s (Press CTRL+C to quit)", self._url
            )


def serve(
    host: str = "127.0.0.1",
    port: int = 8600,
    config: SandboxConfig | None = None,
    *,
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve a sandbox until interrupted (Ctrl-C). Auth at `/v1/auth`, gateway at
    `/v1/gateway` and `/v1/conductor`.

    The port is bound before anything else: a taken port raises `PortInUseError`, any other
    failure to bind `SandboxBindError` (both `OSError`, with a one-line `str()`), instead of
    uvicorn's log line and exit. Once listening, `on_ready(base_url)` is called once with
    the host root actually served, e.g. "http://127.0.0.1:54321" for `port=0`. It runs on
    the serving thread: keep it short, and do not call the sandbox from it. On Ctrl-C (in
    the main thread) uvicorn shuts down, then re-raises the signal: `KeyboardInterrupt`.
    """
    sock = _bind(host, port)
    try:
        bound_port = int(sock.getsockname()[1])
        url = f"http://{_host_port(host, bound_port)}"
        uv_config = _uvicorn_config(create_app(config), host, bound_port, log_level)
        _ReadyServer(uv_config, url, on_ready).run(sockets=[sock])
    finally:
        sock.close()


class Sandbox:
    """A sandbox on a free 127.0.0.1 port in a background thread.

    ```
    with Sandbox() as sb:
        key_id, key_file = sb.create_api_key(tmp_path / "key.json")
        ...  # point a client at sb.base_url
    ```
    """

    def __init__(self, config: SandboxConfig | None = None, *, log_level: str = "warning") -> None:
        self.app = create_app(config)
        self.state: SandboxState = self.app.sandbox
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The host root, e.g. "http://127.0.0.1:54321"."""
        if not self.port:
            raise RuntimeError("the sandbox is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/v1/auth"

    @property
    def gateway_url(self) -> str:
        return f"{self.base_url}/v1/gateway"

    def start(self) -> Sandbox:
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._socket = sock
        server = uvicorn.Server(_uvicorn_config(self.app, "127.0.0.1", self.port, self._log_level))
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="tm-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and free the port. Safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self.port = 0

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self.stop()

    # --- helpers for tests and scripts ---------------------------------------------------------

    @property
    def faults(self) -> FaultController:
        return self.state.faults

    def register_key(
        self,
        public_key: ec.EllipticCurvePublicKey | str | bytes,
        *,
        fund: bool | None = None,
        fund_defi: bool = True,
    ) -> str:
        """Register a P-256 public key (object, PEM or SEC1 hex) as a new funded account."""
        return self.state.register_key(public_key, fund=fund, fund_defi=fund_defi)

    def create_api_key(
        self,
        path: str | Path | None = None,
        *,
        label: str = "sandbox",
        fund: bool | None = None,
        fund_defi: bool = True,
    ) -> tuple[str, Path | ec.EllipticCurvePrivateKey]:
        """Make a P-256 key, register it and return `(key_id, path)` after writing the key
        file (0600) to `path`, or `(key_id, private_key)` when no path is given."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        key_id = self.register_key(private_key.public_key(), fund=fund, fund_defi=fund_defi)
        if path is None:
            return key_id, private_key
        document = key_file_document(key_id, private_key, self.state.now(), label)
        return key_id, write_key_file(path, document)

    def create_org_key(
        self, path: str | Path | None = None, *, org_id: str | None = None, label: str = "org"
    ) -> tuple[str, str, Path | ec.EllipticCurvePrivateKey]:
        """Make and register an organisation API key: `(key_id, organization_id, path)` after
        writing its key file (0600) to `path`, or `(key_id, organization_id, private_key)`.
        Its tokens carry `tm.organization_id`; a new organisation is made unless `org_id`
        names one."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        key_id, org = self.state.register_org_key(private_key.public_key(), org_id=org_id)
        if path is None:
            return key_id, org, private_key
        document = key_file_document(key_id, private_key, self.state.now(), label)
        return key_id, org, write_key_file(path, document)

    def create_user(
        self,
        org_id: str,
        external_ref_id: str,
        signer: ec.EllipticCurvePublicKey | str | bytes | None = None,
        *,
        fund: bool | None = None,
    ) -> tuple[str, ec.EllipticCurvePrivateKey | None]:
        """Add a ready (provisioned) user to an organisation without going through HTTP:
        `(user_id, signer private key)`, the key made here unless `signer` is given (then
        None). Funded like a new account unless `fund` is False."""
        private_key = None
        if signer is None:
            private_key = ec.generate_private_key(ec.SECP256R1())
            signer = private_key.public_key()
        public = load_public_key(signer)
        user = self.state.add_user(org_id, external_ref_id, public, fund=fund, provision_delay=0.0)
        return user.user_id, private_key

    def configure(self, **changes: Any) -> SandboxConfig:
        """Change settings while running: `settle_delay`, `token_lifetime`, `rate_limit`,
        `rate_limit_requests`, `rate_limit_window`, `provision_delay`... (see
        `SandboxState.reconfigure`). Faults: `faults`."""
        return self.state.reconfigure(**changes)

    def set_rate_limit(self, requests: int | None, window: float = 60.0) -> None:
        """Limit each key (or client address) to `requests` per `window` seconds; None: off."""
        if requests is None:
            self.configure(rate_limit=False)
        else:
            self.configure(rate_limit=True, rate_limit_requests=requests, rate_limit_window=window)

    def save_state(self, path: str | Path) -> Path:
        """Write keys, accounts, organisations, users and balances to `path` (see persist)."""
        return save_state(self.state, path)

    def load_state(self, path: str | Path) -> None:
        """Load a file written by `save_state` (before or after `start`)."""
        load_state(self.state, path)

    def account_of(self, key_id: str) -> str:
        """The account (uid) a key belongs to."""
        return self.state.account_of(key_id).uid

    def fund(
        self,
        symbol: str,
        amount: Decimal | str | int,
        chain: str | None = None,
        *,
        key_id: str | None = None,
    ) -> None:
        """Add `amount` of `symbol` to one custody bucket (chain None: exchange-held) of the
        account of `key_id`, by default the most recently registered account."""
        if key_id is not None:
            uid = self.account_of(key_id)
        elif self.state.accounts:
            uid = list(self.state.accounts)[-1]
        else:
            raise RuntimeError("no account yet: register a key first")
        self.state.fund(uid, symbol, amount, chain)

    def set_mid(self, symbol: str, price: Decimal | str | int, *, pin: bool = True) -> None:
        """Set the simulated mid of `symbol` (limit orders fill when it crosses). Pinned, it
        stays put; `pin=False` lets the seeded walk carry on from there."""
        self.state.set_mid(symbol, price, pin=pin)
