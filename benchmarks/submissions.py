"""Submissions on the embedded store (issue 10): storage after ten submissions of the city
tier, each changing 1% of its relations, against one submission (target: at most 1.5×);
and the time of a scoped load of one community (target: at most 1 s).

    python benchmarks/submissions.py [--tier city] [--submissions 10]

Prints figures; asserts nothing (docs/scale.md records them).
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from govgraph.ledger import write_ledger
from govgraph.loading import load_ledger
from govgraph.store.scope import scoped_ledger
from govgraph.store.sqlite import SqliteStore
from govgraph.synth import write_synthetic


def file_size(db: Path) -> int:
    """The database's bytes once the write-ahead log is folded into it."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def change_relations(src: Path, dst: Path, share: float, rng: random.Random, label: str) -> int:
    """A copy of the ledger in which `share` of relations.csv's rows get a new source."""
    dst.mkdir(parents=True, exist_ok=True)
    changed = 0
    for f in src.iterdir():
        text = f.read_text("utf-8-sig")
        if f.name == "relations.csv":
            rows = list(csv.reader(text.splitlines()))
            source = rows[0].index("source")
            for row in rows[1:]:
                if rng.random() < share:
                    row[source] = label
                    changed += 1
            with open(dst / f.name, "w", encoding="utf-8-sig", newline="") as out:
                csv.writer(out).writerows(rows)
        else:
            (dst / f.name).write_text(text, "utf-8-sig")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", default="city")
    parser.add_argument("--submissions", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ledger = root / "ledger"
        write_synthetic(ledger, args.tier, seed=1)
        db = root / "one" / "s.sqlite"
        db.parent.mkdir()
        store = SqliteStore(db)
        t = time.perf_counter()
        first = load_ledger(store, ledger)
        print(f"{args.tier}: {len(first.data.entities)} entities, {len(first.data.relations)} relations; "
              f"first load {time.perf_counter() - t:.1f} s")
        store.close()
        one = file_size(db)
        many_db = root / "many" / "s.sqlite"
        many_db.parent.mkdir()
        store = SqliteStore(many_db)
        load_ledger(store, ledger)
        current = ledger
        for i in range(2, args.submissions + 1):
            nxt = root / f"ledger{i}"
            changed = change_relations(current, nxt, 0.01, rng, f"第{i}期核对")
            t = time.perf_counter()
            record = load_ledger(store, nxt).record
            print(f"submission {i}: {changed} relation rows changed, {record.relations_changed} counted, "
                  f"load {time.perf_counter() - t:.1f} s")
            current = nxt
        data = store.read()
        community = sorted(e.id for e in data.entities.values() if e.kind == "Community")[0]
        scoped = root / "scoped"
        write_ledger(scoped_ledger(store.read(community), community, date.today()), scoped)
        t = time.perf_counter()
        record = load_ledger(store, scoped, scope=community).record
        scoped_s = time.perf_counter() - t
        # the same community edited: one compound's households changed, so one entity is written
        compounds = (scoped / "compounds.csv").read_text("utf-8-sig").splitlines()
        header, first = compounds[0].split(","), compounds[1].split(",")
        column = header.index("households")
        first[column] = str(int(first[column] or 0) + 1)
        (scoped / "compounds.csv").write_text("\n".join([compounds[0], ",".join(first), *compounds[2:]]) + "\n",
                                              "utf-8-sig")
        t = time.perf_counter()
        edited = load_ledger(store, scoped, scope=community).record
        edited_s = time.perf_counter() - t
        street = sorted(e.id for e in data.entities.values() if e.kind == "Street")[0]
        street_dir = root / "street"
        write_ledger(scoped_ledger(store.read(street), street, date.today()), street_dir)
        t = time.perf_counter()
        load_ledger(store, street_dir, scope=street)
        street_s = time.perf_counter() - t
        store.close()
        many = file_size(many_db)
        print(f"file after 1 submission: {one / 1e6:.1f} MB; after {args.submissions}: {many / 1e6:.1f} MB; "
              f"ratio {many / one:.2f} (target ≤ 1.5)")
        print(f"scoped load of community {community}: {scoped_s:.2f} s (target ≤ 1 s), "
              f"counts {[getattr(record, k) for k in ('entities_added', 'entities_changed', 'entities_removed')]}")
        print(f"scoped load of community {community} with one compound changed: {edited_s:.2f} s, "
              f"entities changed {edited.entities_changed}")
        print(f"scoped load of street {street} (unchanged export): {street_s:.2f} s")


if __name__ == "__main__":
    main()
