"""The ledger reader and the SQLite store read on one tier, best of N runs in CPU seconds
(process time, so that other work on a shared machine counts less than in wall time).

    python benchmarks/read_path.py [--tier city] [--seed 1] [--repeat 5]

Prints figures; asserts nothing. To compare two versions of the code, run it once in each
checkout on the same tier, one after the other, more than once.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

from govgraph.ledger import read_ledger
from govgraph.store.base import LoadRecord
from govgraph.store.sqlite import SqliteStore
from govgraph.synth import write_synthetic


def _best(repeat: int, work) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    times.sort()
    return times[0], times[len(times) // 2], result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "ledger"
        write_synthetic(ledger, args.tier, args.seed)
        best, median, data = _best(args.repeat, lambda: read_ledger(ledger).data)
        n = len(data.relations)
        print(f"read_ledger {args.tier}: best {best:.2f} s, median {median:.2f} s CPU, {n} relations, "
              f"{best / n * 1e6:.1f} µs per relation (best)")
        store = SqliteStore(Path(tmp) / "store.sqlite")
        store.replace_all(data, LoadRecord("2026-01-01T00:00:00+08:00", "bench", "replace", 0, 0, 0, 0, 0, 0))
        del data
        best, median, _ = _best(max(3, args.repeat // 2), store.read)
        print(f"SQLite read {args.tier}: best {best:.2f} s, median {median:.2f} s CPU")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
