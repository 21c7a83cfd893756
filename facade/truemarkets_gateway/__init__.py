"""Python SDK for the True Markets Gateway API."""

from ._version import __version__

__all__ = ["__version__"]
