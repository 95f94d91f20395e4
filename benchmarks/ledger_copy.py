"""A copy of a normalised ledger folder with its relations.csv rows edited: the later
submissions of the benchmarks (tracking.py, report.py) are made this way."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path


def edited_copy(src: Path, dst: Path, edit: Callable[[list[dict]], list[dict]]) -> None:
    """Every file of `src` copied to `dst`, relations.csv through `edit(rows)`."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.name != "relations.csv":
            dst.joinpath(f.name).write_bytes(f.read_bytes())
            continue
        with f.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        fields = list(rows[0])
        with dst.joinpath(f.name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(edit(rows))
