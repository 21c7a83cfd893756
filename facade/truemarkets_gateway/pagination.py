"""Lazy page iterators (sync and async) following `next_cursor` through empty pages; a
cursor seen twice raises `UnexpectedResponseError` rather than end a listing early."""

from ._async_pager import AsyncPager
from ._sync_pager import SyncPager

__all__ = ["AsyncPager", "SyncPager"]
