"""A local, stateful stand-in for the True Markets Gateway API and its Auth Service.

`Sandbox` runs it on a free loopback port (`with Sandbox() as sb: ... sb.base_url`),
`serve()` runs it in the foreground (`python -m truemarkets_gateway.sandbox --port 8600`),
`create_app()` gives the bare ASGI application. Needs the `sandbox` extra.

It also plays the Account API's organisation users (`Sandbox.create_org_key`,
`Sandbox.create_user`, `TM-On-Behalf-Of`), and takes faults as Python objects or as
"ROUTE=SPEC" text (`Sandbox.faults.apply`, `FAULT_SPEC_HELP`), like `tmgw sandbox --fault`.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "truemarkets_gateway.sandbox needs the sandbox extra: "
        'pip install "truemarkets-gateway[sandbox]"'
    ) from missing

from truemarkets_gateway.sandbox.app import SandboxApp, create_app
from truemarkets_gateway.sandbox.config import SandboxConfig
from truemarkets_gateway.sandbox.faults import (
    FAULT_SPEC_HELP,
    Fault,
    FaultController,
    FaultKind,
    FaultRule,
    parse_fault,
)
from truemarkets_gateway.sandbox.persist import load_state, save_state
from truemarkets_gateway.sandbox.server import PortInUseError, Sandbox, SandboxBindError, serve
from truemarkets_gateway.sandbox.state import SandboxState

__all__ = [
    "FAULT_SPEC_HELP",
    "Fault",
    "FaultController",
    "FaultKind",
    "FaultRule",
    "PortInUseError",
    "Sandbox",
    "SandboxApp",
    "SandboxBindError",
    "SandboxConfig",
    "SandboxState",
    "create_app",
    "load_state",
    "parse_fault",
    "save_state",
    "serve",
]
