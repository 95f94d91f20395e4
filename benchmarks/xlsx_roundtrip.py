"""The editable workbook at scale: export a synthetic tier to .xlsx, load it back, and
check the graph is the same; then the same tier as a 一表通 (export --roster, which reads
its file back to list what it left out), loaded again and exported again. Prints figures;
not a test.

    python benchmarks/xlsx_roundtrip.py [--tier city]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from datetime import date

from govgraph.ledger import read_ledger, write_ledger
from govgraph.ledger.roster_write import write_roster
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
        day = date(2026, 6, 30)  # the day the synthetic tiers are set for
        started = time.perf_counter()
        roster = write_roster(data, Path(work) / "roster.xlsx", day)
        print(f"export --roster: {time.perf_counter() - started:.1f} s (with its read-back), {roster.rows} rows, "
              f"{roster.path.stat().st_size / 1e6:.1f} MB, {len(roster.left_out)} kinds of loss listed")
        started = time.perf_counter()
        shaped = read_ledger(roster.path).data
        print(f"load roster:  {time.perf_counter() - started:.1f} s")
        second = write_roster(shaped, Path(work) / "roster2.xlsx", day)
        print(f"roster of the loaded roster: {len(second.left_out)} kinds of loss, "
              f"same graph back: {read_ledger(second.path).data.same_content(shaped)}")


if __name__ == "__main__":
    main()
