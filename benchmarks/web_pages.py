"""Page times of the web workbench (`govgraph serve`) on a synthetic tier.

    python benchmarks/web_pages.py                 # city tier
    python benchmarks/web_pages.py --tier demo --requests 10

Loads the tier's ledger (`govgraph synth`, cached under --work) into an embedded store as
two submissions (2026Q1 and 2026Q2, each without another tenth of the 派驻 rows, so the
second has 新增, 持续 and 已整改 findings against the first), starts the app in-process (the framework's test client: the app's own time, no network)
and prints, per page type: the first request (which computes the whole-graph answers for
the date, once per date) and the median and slowest of the following requests, each on
another unit. The issue's target is a median of at most 300 ms for every page type after
start-up. This is not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"  # govgraph.synth.REFERENCE_DATE
TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="city", choices=["demo", "city"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=15, help="requests per page type after the first")
    parser.add_argument("--work", type=Path, default=Path("/tmp/govgraph-bench-web"))
    args = parser.parse_args()

    from govgraph.loading import load_ledger
    from govgraph.profile import load_profile
    from govgraph.store import open_store
    from govgraph.synth import write_synthetic
    from govgraph.web.app import create_app
    from govgraph.web.state import Workbench

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    ledger = args.work / f"{args.tier}-{args.seed}"
    db = args.work / f"{args.tier}-{args.seed}-2periods.sqlite"
    if not ledger.exists():
        print(f"generating the {args.tier} ledger …", flush=True)
        write_synthetic(ledger, args.tier, args.seed)
    if not db.exists():
        print("loading it into the embedded store as two submissions …", flush=True)
        store = open_store(str(db), None, create=True)
        try:
            for n, left_out in ((1, 0), (2, 5)):
                load_ledger(store, _period(ledger, n, left_out), period=f"2026Q{n}", force=True)
        finally:
            store.close()

    start = time.perf_counter()
    bench = Workbench(lambda create=False: open_store(str(db), None, create=create), load_profile())
    client = TestClient(create_app(bench), raise_server_exceptions=True)
    started = time.perf_counter() - start
    start = time.perf_counter()
    bench.warm(date.fromisoformat(AS_OF))  # what `govgraph serve` computes in the background at start-up
    warmed = time.perf_counter() - start
    start = time.perf_counter()
    bench.latest.history(date.fromisoformat(AS_OF))  # kept by warm(): how long its part took, again
    history_again = time.perf_counter() - start
    kinds: dict[str, list[str]] = {}
    for e in bench.data.entities.values():
        kinds.setdefault(e.kind, []).append(e.id)
    rng = random.Random(args.seed)
    n = args.requests

    def sample(kind: str) -> list[str]:
        ids = sorted(kinds.get(kind, []))
        return rng.sample(ids, min(n + 1, len(ids)))

    streets, communities = sample("Street"), sample("Community")
    pages = {
        "总览 /": ["/"] * (n + 1),
        "区县 /unit/D": [f"/unit/{u}" for u in sample("District")],
        "街道 /unit/S": [f"/unit/{u}" for u in streets],
        "社区 /unit/M": [f"/unit/{u}" for u in communities],
        "小区 /unit/C": [f"/unit/{u}" for u in sample("Compound")],
        "问题清单 /findings": [f"/findings?page={i + 1}" for i in range(n + 1)],
        "问题清单·按街道": [f"/findings?unit={u}" for u in streets],
        "问题清单·按状态": [f"/findings?state={s}" for s in ("新增", "持续", "已整改") * (n // 3 + 1)][:n + 1],
        "问题清单·状态+街道": [f"/findings?state={('新增', '已整改')[i % 2]}&unit={u}" for i, u in enumerate(streets)],
        "问题清单 .xlsx·按状态": [f"/findings.xlsx?state=新增&unit={u}" for u in streets],
        "问题清单·搜索": [f"/findings?q={q}" for q in "小区 党支部 物业 社区 业委会 1 2 3 4 5 6 7 8 9 0 A".split()[:n + 1]],
        "空白小区 /orphans": ["/orphans"] * (n + 1),
        "空白小区·按社区": [f"/orphans?unit={u}" for u in communities],
        "指导员选派 /plan": ["/plan"] * (n + 1),
        "人员 /person": [f"/person?id={u}" for u in sample("Person")],
        "导入 /upload": ["/upload"] * (n + 1),
        "下载 /downloads": ["/downloads"] * (n + 1),
        "实体 /entity": [f"/entity/{u}" for u in sample("Firm")],
    }
    images = {
        "小区架构图 .svg": [f"/chart/{u}.svg" for u in sample("Compound")[:5]],
        "社区覆盖图 .svg": [f"/chart/coverage.svg?unit={u}" for u in communities[:5]],
        "历次报送趋势图 .svg": ["/chart/trend.svg"] * 5,
    }
    print(f"{args.tier} tier: {len(bench.data.entities):,} entities, {len(bench.data.relations):,} relations; "
          f"{len(bench.records)} submissions; start-up: read and mirror {started:.1f} s, whole-graph answers, "
          f"finding states and trend {warmed:.1f} s (kept: {history_again * 1000:.0f} ms when asked again); "
          f"as of {AS_OF}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it; "
          "CPU is what the page cost this process)")
    print(f"{'page type':<22}{'first (ms)':>12}{'median (ms)':>13}{'slowest (ms)':>14}{'median CPU (ms)':>17}"
          f"  target ≤ {TARGET_MS:.0f} ms")
    failures = []
    for group, table in (("pages", pages), ("images", images)):
        for name, urls in table.items():
            if not urls:
                continue
            times, cpu = [], []
            for url in urls:
                sep = "&" if "?" in url else "?"
                t, c = time.perf_counter(), time.process_time()
                response = client.get(f"{url}{sep}as_of={AS_OF}")
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
            rest = times[1:] or times
            median = statistics.median(rest)
            verdict = "" if group == "images" else ("ok" if median <= TARGET_MS else "OVER")
            if verdict == "OVER":
                failures.append(name)
            print(f"{name:<22}{times[0]:>12.0f}{median:>13.0f}{max(rest):>14.0f}"
                  f"{statistics.median(cpu[1:] or cpu):>17.0f}  {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("every page type within the target" if not failures else f"over the target: {', '.join(failures)}")
    sys.exit(0)


def _period(ledger: Path, n: int, left_out: int) -> Path:
    """The ledger without every tenth 派驻 row counted from `left_out` (cached beside it)."""
    import shutil

    folder = ledger.with_name(f"{ledger.name}-period{n}")
    if folder.exists():
        return folder
    shutil.copytree(ledger, folder)
    lines = (ledger / "relations.csv").read_text("utf-8").splitlines(keepends=True)
    kept, seen = [lines[0]], 0
    for line in lines[1:]:
        if line.startswith("派驻,"):
            seen += 1
            if seen % 10 == left_out:
                continue
        kept.append(line)
    (folder / "relations.csv").write_text("".join(kept), "utf-8")
    return folder


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
