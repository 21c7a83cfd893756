"""A client library for accessing True Markets Auth Service (API-key subset)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
