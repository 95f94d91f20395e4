"""The editable workbook at scale: export a synthetic tier to .xlsx, load it back, and
check the graph is the same. Prints figures; not a test.

    python benchmarks/xlsx_roundtrip.py [--tier city]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from govgraph.ledger import read_ledger, write_ledger
from govgraph.synth import write_synthetic


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", default="city")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "ledger"
        write_synthetic(folder, args.tier)
        data = read_ledger(folder).data
        print(f"{args.tier}: {len(data.entities)} entities, {len(data.relations)} relations")
        started = time.perf_counter()
        book = write_ledger(data, Path(work) / "export.xlsx")
        print(f"export .xlsx: {time.perf_counter() - started:.1f} s, {book.stat().st_size / 1e6:.1f} MB")
        started = time.perf_counter()
        again = read_ledger(book).data
        print(f"load .xlsx:   {time.perf_counter() - started:.1f} s")
        print(f"same graph:   {again.same_content(data)}")


if __name__ == "__main__":
    main()
