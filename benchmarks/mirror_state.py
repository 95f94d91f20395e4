"""What the mirror's two departures from networkx's public API buy (issue 14, item 7), on
one tier, best of N runs in CPU seconds:

- `build_mirror` writes the MultiDiGraph's adjacency dicts (`_node`, `_succ`, `_pred`)
  directly, against `add_nodes_from` + `add_edges_from` for the same graph;
- the Snapshots of one mirror share its edges grouped by type and each date's indexes
  (`mirror._SHARED`, a WeakKeyDictionary), against every Snapshot building its own, for
  what `govgraph audit` computes (coverage, roll-ups, findings, indicators) on one date.

    python benchmarks/mirror_state.py [--tier city] [--repeat 3]

Prints figures; asserts nothing. tests/test_synth.py holds the two mirrors equal.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import networkx as nx

from govgraph import mirror
from govgraph.coverage import coverage, rollups
from govgraph.findings import audit
from govgraph.indicators import indicators
from govgraph.ledger import read_ledger
from govgraph.profile import default_profile
from govgraph.synth import write_synthetic

ON = date(2026, 6, 30)


def _best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def _public_api(data) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(scope=data.scope)
    graph.add_nodes_from((e.id, mirror.node_attrs(e, e.id in data.context))
                         for e in sorted(data.entities.values(), key=lambda e: e.id))
    graph.add_edges_from((r.from_id, r.to_id, {"type": r.type, "role": r.role, "since": r.since, "until": r.until,
                                               "source": r.source})
                         for r in sorted(data.relations, key=mirror._relation_order))
    return graph


def _audit(graph) -> None:
    profile = default_profile()
    rows = coverage(graph, ON, profile.min_formal_members)
    rollups(graph, ON, rows, "street")
    audit(graph, ON, profile, rows)
    indicators(graph, ON, profile, "street")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic(Path(tmp), args.tier, args.seed)
        data = read_ledger(Path(tmp)).data
    direct = _best(args.repeat, lambda: mirror.build_mirror(data))
    public = _best(args.repeat, lambda: _public_api(data))
    print(f"{args.tier}: build_mirror {direct:.2f} s CPU; add_nodes_from + add_edges_from {public:.2f} s "
          f"({public / direct:.1f}x)")
    graph = mirror.build_mirror(data)
    shared = _best(args.repeat, lambda: (mirror._SHARED.clear(), _audit(graph)))
    kept = mirror._shared

    def unshared(g, on):  # every Snapshot groups the edges and indexes the date afresh
        return mirror._group_edges(g), {}, {}

    mirror._shared = unshared
    try:
        alone = _best(args.repeat, lambda: _audit(graph))
    finally:
        mirror._shared = kept
    print(f"{args.tier}: coverage + roll-ups + findings + indicators on {ON}: Snapshots sharing {shared:.2f} s CPU; "
          f"each on its own {alone:.2f} s ({alone / shared:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
