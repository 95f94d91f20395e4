"""Helpers for building many objects at once (reading a ledger or a store, building a
mirror).

CPython's cyclic garbage collector runs every few hundred allocations and re-examines
the young objects, and now and then every live container: building a few hundred
thousand relations spends about 40% of its time there, finding nothing (ledgers,
stores and mirrors hold no reference cycles; reference counting frees them).

`paused_gc()` switches the collector off while such a structure is built. When the
block created many objects (a city-sized ledger or mirror), it also *freezes* them
(`gc.freeze()`): they move to the collector's permanent generation, so later
collections do not walk them again. Frozen objects are still freed as usual when their
last reference goes; only a reference cycle that becomes garbage among them would stay
until the process ends, and these structures have none. Small builds (tests, a street,
a community) are left exactly as they were.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

# Tracked objects created inside one paused block from which they are frozen.
FREEZE_AFTER = 200_000


@contextmanager
def paused_gc(freeze: bool = True):
    """No cyclic garbage collection inside the block; restores the previous setting,
    also when nested (only the outermost block decides) or on error. `freeze=False` for
    a block whose objects are garbage soon after (a part of partition.py): networkx's
    cached edge views hold their graph in a cycle, which a frozen graph would never leave."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze and gc.get_count()[0] >= FREEZE_AFTER:
                gc.freeze()
            gc.enable()
