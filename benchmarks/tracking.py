"""Tracking across submissions (issues 10 and 11): the time of `diff`, `trend --periods`,
`audit --baseline` and `rectify` on a tier loaded twice (the second submission changes
1% of the relations' sources), each in a fresh process as a user runs it, beside plain
`audit` for scale.

    python benchmarks/tracking.py [--tier city]

Prints figures; asserts nothing. `audit --baseline` and `rectify` audit every submission
up to the audited one, so they cost about one audit per submission.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govgraph.synth import write_synthetic
from ledger_copy import edited_copy

COMMANDS = (["audit"], ["diff"], ["trend", "--periods"], ["audit", "--baseline"], ["rectify"])


def change_sources(src: Path, dst: Path, every: int = 100) -> int:
    """A copy of the ledger in which one relation in `every` gets a new source."""
    changed = 0

    def edit(rows):
        nonlocal changed
        for i, row in enumerate(rows):
            if i % every == 0:
                row["source"] = f"第二期复核{i}"
                changed += 1
        return rows

    edited_copy(src, dst, edit)
    return changed


def run(db: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from govgraph.cli.main import main; main()", "--db", str(db), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="city", choices=["demo", "city"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first = root / "first"
        write_synthetic(first, tier=options.tier, seed=1)
        changed = change_sources(first, root / "second")
        db = root / "store.sqlite"
        print(f"tier {options.tier}: load 1 {run(db, 'load', str(first)):.1f} s, "
              f"load 2 ({changed} relations changed) {run(db, 'load', str(root / 'second')):.1f} s")
        for command in COMMANDS:
            seconds = run(db, *command, "--as-of", "2026-06-30", "--format", "json")
            print(f"{' '.join(command):<18} {seconds:6.1f} s")


if __name__ == "__main__":
    main()
