"""`tmgw`, the command line of truemarkets-gateway (Typer + Rich).

Typer and Rich are imported only here, never by the library itself.
"""

from .app import app, main

__all__ = ["app", "main"]
