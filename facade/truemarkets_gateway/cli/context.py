"""The state of one `tmgw` invocation: global options, output, and the Gateway they open.

Global options come before the command and fall back to the facade's environment
variables (TM_ENV, TM_BASE_URL, TM_KEY_FILE, TM_KEY_ID + TM_PRIVATE_KEY, TM_SIGNER_KEY).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import typer

from .._transport.options import DEFAULT_USER_AGENT
from .._version import __version__
from ..credentials import Credentials, load_private_key
from ..environments import Environment
from ..errors import CredentialsError
from . import confirm as _confirm
from .errors import CliError
from .output import Output
from .paths import token_cache_path

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..client import Gateway
    from ..signing import PayloadSigner

__all__ = ["CliContext", "get_context", "load_signer"]

_MAX_SIGNER_FILE_BYTES = 64 * 1024


@attrs.define
class CliContext:
    """What the global options asked for; the Gateway is opened on first use."""

    output: Output
    env: str | None = None
    base_url: str | None = None
    legacy: bool = False
    key_file: str | None = None
    signer_key: str | None = None
    assume_yes: bool = False
    token_cache: bool = True
    on_behalf_of: str | None = None
    _environment: Environment | None = attrs.field(default=None, init=False)
    _credentials: Credentials | None = attrs.field(default=None, init=False)
    _credentials_loaded: bool = attrs.field(default=False, init=False)
    _gateway: Gateway | None = attrs.field(default=None, init=False)

    @property
    def environment(self) -> Environment:
        if self._environment is None:
            with warnings.catch_warnings():
                # --legacy-path was asked for explicitly; the callback printed a note.
                warnings.simplefilter("ignore", DeprecationWarning)
                self._environment = Environment.resolve(
                    env=self.env, base_url=self.base_url, legacy=self.legacy or None
                )
        return self._environment

    @property
    def needs_confirmation(self) -> bool:
        """Whether actions that move money ask first (production, or a non-loopback host)."""
        return _confirm.needs_confirmation(self.environment)

    def refuse_early(self, action: str) -> None:
        """Before any request: refuse if confirmation is needed but nobody can give it."""
        _confirm.refuse_early(self.environment, action=action, assume_yes=self.assume_yes)

    def confirm(self, action: str, preview: RenderableType) -> None:
        """Show the preview and ask (or accept --yes); raise `CliError` if not confirmed."""
        _confirm.confirm_action(
            self.output,
            environment=self.environment,
            action=action,
            preview=preview,
            assume_yes=self.assume_yes,
        )

    def credentials(self, *, required: bool) -> Credentials | None:
        """The API key from --key-file, else TM_KEY_FILE / TM_KEY_ID + TM_PRIVATE_KEY."""
        if not self._credentials_loaded:
            self._credentials_loaded = True
            if self.key_file:
                self._credentials = Credentials.from_key_file(self.key_file)
            else:
                self._credentials = Credentials.from_env()
        if required and self._credentials is None:
            raise CliError(
                "no API key given",
                hint="pass --key-file PATH (the JSON key file from the API Keys page), "
                "or set TM_KEY_FILE, or TM_KEY_ID with TM_PRIVATE_KEY",
            )
        return self._credentials

    def signer(self) -> PayloadSigner | None:
        """The separate payload-stamp key from --signer-key FILE, if given.

        Without it the Gateway applies its own default (TM_SIGNER_KEY, else the API key),
        and only when something must be signed.
        """
        return load_signer(self.signer_key) if self.signer_key else None

    def cache_path(self, credentials: Credentials) -> Path | None:
        if not self.token_cache:
            return None
        environment = self.environment
        path = token_cache_path(environment.name, environment.host, credentials.key_id)
        # Both folders private: the file names reveal key ids and hosts.
        path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        return path

    def gateway(self, *, auth: bool = True) -> Gateway:
        """The Gateway for this invocation; `auth` requires an API key."""
        if self._gateway is not None:
            if auth:
                self.credentials(required=True)
            return self._gateway
        from .. import Gateway

        credentials = self.credentials(required=auth)
        self._gateway = Gateway(
            env=self.environment,
            credentials=credentials,
            signer=self.signer(),
            on_behalf_of=self.on_behalf_of,
            token_cache=self.cache_path(credentials) if credentials is not None else None,
            user_agent=f"{DEFAULT_USER_AGENT} tmgw/{__version__}",
        )
        return self._gateway

    def close(self) -> None:
        if self._gateway is not None:
            self._gateway.close()
            self._gateway = None


def load_signer(file: str) -> PayloadSigner:
    """A signer key file (PEM, JWK or hex), with errors that name the file."""
    from ..signing import PayloadSigner

    path = Path(file).expanduser()
    try:
        if path.stat().st_size > _MAX_SIGNER_FILE_BYTES:
            raise CredentialsError(f"{path}: too large to be a signer key file")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CredentialsError(f"{path}: signer key file not found") from None
    except (OSError, UnicodeDecodeError):
        raise CredentialsError(f"{path}: cannot read the signer key file") from None
    return PayloadSigner(load_private_key(text, source=str(path)))


def get_context(ctx: typer.Context) -> CliContext:
    """The invocation state the global callback stored."""
    state = ctx.find_root().obj
    if not isinstance(state, CliContext):  # pragma: no cover - the callback always sets it
        raise CliError("internal error: the global options were not processed")
    return state
