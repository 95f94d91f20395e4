"""Audits on Neo4j, whole graph against street by street (govgraph/partition.py).

    python benchmarks/audit_parts.py                 # city tier
    python benchmarks/audit_parts.py --tier demo

Starts the project's Neo4j server (scripts/neo4j_server.py) on a fresh data directory,
loads a synthetic ledger (`govgraph synth --tier TIER`, cached under --work), then runs,
each in its own Python process: coverage, roll-ups, orphans and street indicators, then
the findings (`audit`), then compound cross-appointments (`cross`), read whole into one
mirror, and the same read street by street. It prints wall time, CPU time and the
process's peak resident memory for each, the wall time of each step, and whether the
answers are equal (a digest of every row). Not a test: it prints figures
(docs/scale.md records a run).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 6, 30)  # govgraph.synth.REFERENCE_DATE


def _answers(*answers) -> str:
    text = json.dumps(answers, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def measure(mode: str, uri: str, password: str) -> dict:
    from govgraph.profile import load_profile
    from govgraph.store.neo4j import Neo4jStore

    profile = load_profile(None)
    minimum = profile.min_formal_members
    store = Neo4jStore(uri, ("neo4j", password))
    wall, cpu = time.perf_counter(), time.process_time()
    steps = {}
    if mode == "whole":
        from govgraph.appointments import cross_rows
        from govgraph.coverage import coverage, orphan_row, rollups
        from govgraph.findings import audit
        from govgraph.indicators import indicators
        from govgraph.mirror import Snapshot, build_mirror

        graph = build_mirror(store.read(None))
        rows = coverage(graph, AS_OF, minimum)
        rollup = [r.as_row() for r in rollups(graph, AS_OF, rows, "street")]
        orphans = [orphan_row(graph, u, AS_OF) for u in rows if u.kind == "Compound" and u.status == "空白"]
        found = [i.as_row() for i in indicators(graph, AS_OF, profile, "street")]
        steps["coverage+orphans+indicators"] = time.perf_counter() - wall
        findings = [f.as_row() for f in audit(graph, AS_OF, profile, rows)]
        steps["findings"] = time.perf_counter() - wall - sum(steps.values())
        snap = Snapshot(graph, AS_OF)
        cross = cross_rows(snap, "Compound", snap.nodes_of("Compound"))
        steps["cross"] = time.perf_counter() - wall - sum(steps.values())
        parts_read = 1
    else:
        from govgraph import partition

        parts = partition.Parts(store, None)
        rows = partition.coverage_rows(parts, AS_OF, minimum)
        rollup = [r.as_row() for r in partition.coverage_rollups(parts, AS_OF, rows, "street")]
        orphans = partition.orphans(parts, AS_OF, minimum)
        found = [i.as_row() for i in partition.indicators(parts, AS_OF, profile, "street")]
        steps["coverage+orphans+indicators"] = time.perf_counter() - wall
        findings = [f.as_row() for f in partition.findings(parts, AS_OF, profile)[0]]
        steps["findings"] = time.perf_counter() - wall - sum(steps.values())
        cross = partition.cross(parts, AS_OF, "Compound")
        steps["cross"] = time.perf_counter() - wall - sum(steps.values())
        parts_read = parts.parts_read
    result = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "parts_read": parts_read,
              "digest": _answers([r.as_row() for r in rows], rollup, orphans, found, findings,
                                 [cross[0], cross[1], [c.__dict__ for c in cross[2]]]),
              "units": len(rows), "findings": len(findings), "steps": steps}
    store.close()
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _child(mode: str, uri: str, password: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--measure", mode, uri, password],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{mode} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="city")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default="/tmp/govgraph-bench")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print("RESULT " + json.dumps(measure(*args.measure)))
        return

    from govgraph.ledger import read_ledger
    from govgraph.store.base import LoadRecord
    from govgraph.store.neo4j import Neo4jStore
    from govgraph.synth import write_synthetic

    ledger = Path(args.work) / f"{args.tier}-seed{args.seed}"
    if not (ledger / "relations.csv").exists():
        print(f"generating {ledger} (govgraph synth --tier {args.tier} --seed {args.seed}) …", flush=True)
        write_synthetic(ledger, args.tier, args.seed)
    spec = importlib.util.spec_from_file_location("neo4j_server", ROOT / "scripts" / "neo4j_server.py")
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    with tempfile.TemporaryDirectory(prefix="govgraph-parts-") as home:
        server = launcher.start(launcher.free_port(), Path(home), heap=args.heap, pagecache="512m", timeout=300)
        try:
            data = read_ledger(ledger).data
            store = Neo4jStore(server.uri, ("neo4j", server.password))
            t = time.perf_counter()
            store.replace_all(data, LoadRecord("bench", str(ledger), "replace", 0, 0, 0, 0, 0, 0))
            store.close()
            print(f"{args.tier} tier: {len(data.entities):,} entities, {len(data.relations):,} relations "
                  f"(loaded in {time.perf_counter() - t:.1f} s)", flush=True)
            del data
            whole = _child("whole", server.uri, server.password)
            parts = _child("parts", server.uri, server.password)
        finally:
            server.stop()
    print(f"as of {AS_OF}: coverage + street roll-up + orphans + street indicators, findings, compound "
          "cross-appointments, one Python process each")
    for name, r in (("whole graph", whole), ("street by street", parts)):
        print(f"  {name:17} {r['wall']:7.1f} s wall ({r['cpu']:.1f} s CPU)  peak RSS {r['peak_mb']:7.0f} MB"
              f"  ({r['parts_read']} reads, {r['units']:,} units, {r['findings']:,} findings)")
        print("    " + ", ".join(f"{step} {t:.1f} s" for step, t in r["steps"].items()))
    print(f"  time ratio parts/whole {parts['wall'] / whole['wall']:.2f}, "
          f"peak ratio {parts['peak_mb'] / whole['peak_mb']:.2f}")
    print(f"  answers equal: {'yes' if whole['digest'] == parts['digest'] else 'NO'}")


if __name__ == "__main__":
    main()
