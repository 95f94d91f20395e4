"""What the concurrency and crash tests run in other processes (real processes, not
threads): a reader in a loop, and a loader that holds its write transaction open (so a
test can kill it, or start a second writer, at a known point).

Run as `python -c "import store_processes as p; p.reader(...)"` with `tests/` on the path.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path


def open_store(target: str):
    """`target`: a SQLite path, or a bolt:// URI (user and password from the environment)."""
    if target.startswith(("bolt://", "neo4j://")):
        from govgraph.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(target)
    from govgraph.store.sqlite import SqliteStore

    return SqliteStore(Path(target), create=False)


def digest(data) -> str:
    """The content of a graph, as one short text (equal graphs, equal digests)."""
    h = hashlib.sha256()
    for e in sorted(data.entities.values(), key=lambda e: e.id):
        h.update(repr((e.kind, e.id, e.name, sorted(e.attrs.items()))).encode())
    for r in sorted(data.relations, key=lambda r: (*r.identity, str(r.until), r.source or "")):
        h.update(repr((*r.identity, r.until, r.source)).encode())
    return f"{len(data.entities)}:{len(data.relations)}:{h.hexdigest()[:16]}"


def reader(target: str, out: str, stop: str) -> None:
    """Read the whole graph again and again until `stop` exists; one digest a line."""
    store = open_store(target)
    with open(out, "w") as f:
        while not os.path.exists(stop):
            f.write(digest(store.read()) + "\n")
            f.flush()
    store.close()


def held_load(target: str, ledger: str, marker: str, hold: float, mode: str = "replace",
              scope: str | None = None, release: str | None = None, after_batches: int | None = None,
              batch_size: int | None = None) -> None:
    """Load `ledger`, but once every row is written (before the commit; on Neo4j before
    the head switch) create `marker` and wait `hold` seconds (or, given `release`, until
    that file exists) with the writer lock held. Neo4j, given `after_batches`: hold after
    that many batch transactions have committed instead (`batch_size` rows each)."""
    from govgraph.loading import load_ledger
    from govgraph.store.neo4j import Neo4jStore
    from govgraph.store.sqlite import SqliteStore

    def hold_here():
        Path(marker).touch()
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline and not (release and os.path.exists(release)):
            time.sleep(0.02)

    def hold_after(original):
        def held(*args, **kwargs):
            result = original(*args, **kwargs)
            hold_here()
            return result
        return held

    def hold_after_batch(original):
        done = [0]

        def held(*args, **kwargs):
            result = original(*args, **kwargs)
            done[0] += 1
            if done[0] == after_batches:
                hold_here()
            return result
        return held

    SqliteStore._write_change = hold_after(SqliteStore._write_change)
    if after_batches is None:
        Neo4jStore._write_change = hold_after(Neo4jStore._write_change)
    else:
        Neo4jStore._write_batch = hold_after_batch(Neo4jStore._write_batch)
    store = open_store(target)
    if batch_size is not None:
        store.batch_size = batch_size
    record = load_ledger(store, ledger, mode=mode, scope=scope,
                         on_wait=lambda message: print(message, file=sys.stderr, flush=True)).record
    store.close()
    print(record.seq, record.entities_added, flush=True)
