"""Where a batched Neo4j load spends its time: validate, then write, per kind of batch.

    python benchmarks/neo4j_write.py LEDGER --uri bolt://127.0.0.1:7687 [--server-pid PID]
                                     [--batch-size 20000]

Loads LEDGER (replace) into the Neo4j at --uri (NEO4J_PASSWORD from the environment) and
prints validation, the write's wall and client CPU seconds and, given the server's process
id on this machine, its CPU seconds (from /proc) — in total and per kind of batch
(marks, nodes per label, relationships, the submission node). CPU seconds are steadier
than wall time on a shared machine. Prints figures; not a test. docs/scale.md quotes it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path


def process_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger")
    parser.add_argument("--uri", required=True)
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--batch-size", type=int)
    args = parser.parse_args()

    from govgraph.ledger import read_ledger
    from govgraph.store.base import LoadRecord
    from govgraph.store.neo4j import Neo4jStore

    t, c = time.perf_counter(), time.process_time()
    data = read_ledger(args.ledger).data
    validate = (time.perf_counter() - t, time.process_time() - c)
    n = len(data.relations)
    store = Neo4jStore.from_settings(args.uri)
    if args.batch_size:
        store.batch_size = args.batch_size
    store.ensure_schema()
    wall, server = defaultdict(float), defaultdict(float)
    original = Neo4jStore._write_batch

    def timed(self, session, token, query, parameters):
        kind = next((line for line in query.splitlines() if line.startswith(("CREATE", "MATCH ("))), query)[:40]
        t0, s0 = time.perf_counter(), process_cpu(args.server_pid)
        result = original(self, session, token, query, parameters)
        wall[kind] += time.perf_counter() - t0
        server[kind] += process_cpu(args.server_pid) - s0
        return result

    Neo4jStore._write_batch = timed
    t, c, s = time.perf_counter(), time.process_time(), process_cpu(args.server_pid)
    store.replace_all(data, LoadRecord("bench", str(args.ledger), "replace", 0, 0, 0, 0, 0, 0))
    write = (time.perf_counter() - t, time.process_time() - c, process_cpu(args.server_pid) - s)
    store.close()
    print(f"validate {validate[0]:.2f} s ({validate[1]:.2f} cpu), {n:,} relations")
    print(f"write    {write[0]:.2f} s wall, client {write[1]:.2f} cpu, server {write[2]:.2f} cpu"
          f" = {n / write[0]:,.0f} rel/s; validate + write {n / (validate[0] + write[0]):,.0f} rel/s"
          f" (load average {os.getloadavg()[0]:.1f})")
    for kind in wall:
        print(f"  {wall[kind]:7.2f} s wall {server[kind]:7.2f} s server cpu  {kind}")


if __name__ == "__main__":
    main()
