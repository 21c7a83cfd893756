"""Lazy page iterators that follow `pagination.next_cursor` (sync and async).

Nothing is fetched until you iterate. Iterating a pager yields items across pages;
`pages()` yields whole `Page` objects; `first_page()` fetches just one; `to_list()` reads
every item (`await pager.to_list()` on the async pager).

The walk follows `next_cursor` until the server sends none, through empty pages too (a
server may send an empty page that still has more behind it). A cursor the walk already
followed raises `UnexpectedResponseError` after the items read so far: stopping silently
would hand back a truncated listing as if it were complete.
"""

from ._async_pager import AsyncPager
from ._sync_pager import SyncPager

__all__ = ["AsyncPager", "SyncPager"]
