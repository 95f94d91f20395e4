"""Helpers for building many objects at once (reading a ledger, a store, a mirror).

CPython's cyclic garbage collector runs every few hundred allocations and, as the heap
grows, re-examines every live container: building a few hundred thousand relations
spends about 40% of its time there, finding nothing (these objects hold no cycles).
`paused_gc()` switches it off for the duration of such a build and back on after.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """No cyclic garbage collection inside the block (reference counting still frees
    memory as usual); restores the previous setting, also when nested or on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def memoised(parser):
    """`parser` remembering its result per distinct text cell. Only for parsers that are
    pure and return immutable values (dates, numbers, enum words): a ledger repeats the
    same few thousand dates and words hundreds of thousands of times. Errors are not
    remembered: a failing cell raises every time, as before."""
    cache: dict[str, object] = {}

    def parse(value):
        if value.__class__ is not str:
            return parser(value)
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = parser(value)
            return result

    return parse
