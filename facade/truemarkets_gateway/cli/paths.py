"""Where `tmgw` keeps its files: one 0600 token cache per environment host and API key.

The folder follows XDG: `$XDG_CONFIG_HOME/truemarkets-gateway`, else
`~/.config/truemarkets-gateway`.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

__all__ = ["config_dir", "token_cache_path"]

APP_DIR_NAME = "truemarkets-gateway"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def config_dir() -> Path:
    """The user's configuration folder for this tool (not created here)."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / APP_DIR_NAME


def token_cache_path(env_name: str, host: str, key_id: str) -> Path:
    """`tokens/<env>-<key_id>.json`; custom hosts add a short hash of the host, so two
    sandboxes on different ports never share (or fight over) one file."""
    name = env_name if env_name in ("prod", "uat") else "custom-" + _host_tag(host)
    return config_dir() / "tokens" / _UNSAFE.sub("_", f"{name}-{key_id}.json")


def _host_tag(host: str) -> str:
    return hashlib.sha256(host.encode("utf-8")).hexdigest()[:12]
