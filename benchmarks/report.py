"""The audit report at city scale (issues 11.4 and 15.6): wall time, CPU time and page count
of `report -o` as PDF, HTML and Word, each in a fresh process as a user runs it, on a tier
loaded as one, two or three submissions (each later one withdraws a share of the 覆盖 and
挂靠建 relations, so findings are new, fixed and come back). The report audits every kept
submission up to the audited one, so its cost grows with them.

    python benchmarks/report.py [--tier city] [--periods 3]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govgraph.synth import write_synthetic
from ledger_copy import edited_copy

# Each later period keeps the 覆盖/挂靠建 rows these tests let through (the k-th such row).
KEEP = (lambda k: True, lambda k: k % 20 != 0, lambda k: k % 40 != 0 and k % 23 != 0)


def period_copy(src: Path, dst: Path, keep) -> None:
    """A copy of the ledger without the 覆盖/挂靠建 rows `keep` does not let through."""
    def edit(rows):
        counted = 0
        kept = []
        for row in rows:
            if row["type"] in ("覆盖", "挂靠建"):
                counted += 1
                if not keep(counted):
                    continue
            kept.append(row)
        return kept

    edited_copy(src, dst, edit)


def run(db: Path, *args: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from govgraph.cli.main import main; main()", "--db", str(db), *args],
                          check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="city", choices=["demo", "city"])
    parser.add_argument("--periods", type=int, default=3, choices=[1, 2, 3])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first = root / "p1"
        write_synthetic(first, tier=options.tier, seed=1)
        db = root / "store.sqlite"
        for n in range(1, options.periods + 1):
            folder = first if n == 1 else root / f"p{n}"
            if n > 1:
                period_copy(first, folder, KEEP[n - 1])
            wall, _, _ = run(db, "load", "--force", "--period", f"P{n}", str(folder))
            print(f"tier {options.tier}: load {n} {wall:.1f} s")
            for suffix in ("pdf", "html", "docx"):
                wall, cpu, said = run(db, "report", "-o", str(root / f"报告.{suffix}"), "--as-of", "2026-06-30")
                pages = re.search(r"共 (\d+) 页", said)
                print(f"  {n} submission(s), report .{suffix:<4} {wall:6.1f} s wall {cpu:6.1f} s CPU"
                      + (f", {pages.group(1)} pages" if pages else ""))


if __name__ == "__main__":
    main()
