"""Lazy page iterators (sync and async) following `next_cursor`, through empty pages."""

from ._async_pager import AsyncPager
from ._sync_pager import SyncPager

__all__ = ["AsyncPager", "SyncPager"]
