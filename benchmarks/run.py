"""govgraph benchmarks: what every command costs as the network grows (domain.md §5).

    python benchmarks/run.py                     # demo and city tiers
    python benchmarks/run.py --province          # and the province tier (takes many minutes)
    python benchmarks/run.py --tiers city --no-neo4j --repeat 3

Per tier and per store it prints: ledger validation and load time and throughput,
mirror build time and peak memory, coverage and full-audit time, one chart's time, the
same coverage computed by a plain pandas script over the CSV files (the baseline, with
the ratio), scoped work on one community and one street, and whether each target of the
scale issue holds. Every measurement runs in its own Python process, so the peak memory
printed (the process's maximum resident set size) is that measurement's alone. Times are
wall-clock seconds (CPU seconds in brackets); with `--repeat N` the best of N runs.

Synthetic ledgers (`govgraph synth`) are cached under --work (default
/tmp/govgraph-bench) and rebuilt only when missing. The Neo4j figures use the project's
own server (`scripts/neo4j_server.py`, Java 17 and Maven needed); pass --no-neo4j to skip
them. Needs pandas for the baseline (`pip install -e .[bench]`).

This is not a test: it prints figures. docs/scale.md records a run and reads the curve.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"  # govgraph.synth.REFERENCE_DATE
TARGETS = {
    "city_load_s": 10.0,  # city tier: load into the embedded store
    "city_coverage_s": 1.0,  # city tier: coverage after load
    "e2e_ratio": 3.0,  # city tier: ledger -> coverage, against pandas
    "neo4j_rel_per_s": 30_000,  # Neo4j load throughput
    "province_audit_gib": 4.0,  # province tier: full audit in one process, peak memory
    "cold_cli_s": 2.0,  # city tier: a cold `govgraph coverage` / `audit` (from the snapshot)
    "province_cold_audit_s": 20.0,  # province tier: a cold `govgraph audit`, embedded store
    "neo4j_audit_gib": 1.0,  # province tier: `govgraph audit` on Neo4j, peak of the Python process
    "neo4j_audit_ratio": 2.0,  # province tier: that audit's wall time against the SQLite path's
}
_UNITS = {"city_load_s": " s", "city_coverage_s": " s", "e2e_ratio": "x", "neo4j_rel_per_s": " rel/s",
          "province_audit_gib": " GiB", "cold_cli_s": " s", "province_cold_audit_s": " s", "neo4j_audit_gib": " GiB",
          "neo4j_audit_ratio": "x"}


# ================================================================================================
# Measurements: each runs in a child process (`run.py --measure NAME ARGS_JSON`) and prints
# one JSON line with its figures and the process's peak memory.
# ================================================================================================
def _clock():
    return time.perf_counter(), time.process_time()


def _since(start) -> dict:
    wall, cpu = _clock()
    return {"wall": wall - start[0], "cpu": cpu - start[1]}


def m_synth(a: dict) -> dict:
    from govgraph.synth import write_synthetic

    t = _clock()
    counts = write_synthetic(a["out"], a["tier"], a["seed"])
    return {"synth": _since(t), "rows": counts}


def m_validate(a: dict) -> dict:
    from govgraph.ledger import read_ledger

    t = _clock()
    data = read_ledger(a["ledger"]).data
    return {"validate": _since(t), "relations": len(data.relations), "entities": len(data.entities)}


def m_load_sqlite(a: dict) -> dict:
    from govgraph.loading import load_ledger
    from govgraph.store.sqlite import SqliteStore

    db = Path(a["db"])
    if a.get("fresh", True):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    store = SqliteStore(db)
    t = _clock()
    result = load_ledger(store, a["ledger"])
    out = {"load": _since(t), "relations": len(result.data.relations), "entities": len(result.data.entities)}
    store.close()
    return out


def _mirror_from(store, scope=None):
    from govgraph.mirror import build_mirror

    t = _clock()
    data = store.read(scope)
    read = _since(t)
    t = _clock()
    graph = build_mirror(data)
    return graph, read, _since(t), len(data.relations)


def _store(a: dict):
    if a.get("neo4j"):
        from govgraph.store.neo4j import Neo4jStore

        return Neo4jStore(a["neo4j"], ("neo4j", a["password"]))
    from govgraph.store.sqlite import SqliteStore

    return SqliteStore(Path(a["db"]))


def m_coverage(a: dict) -> dict:
    from datetime import date

    from govgraph.coverage import coverage, rollups

    on = date.fromisoformat(a["as_of"])
    store = _store(a)
    start = _clock()
    graph, read, build, relations = _mirror_from(store, a.get("scope"))
    store.close()
    t = _clock()
    rows = coverage(graph, on)
    # Around a community the street is context, not a unit: roll up by community there.
    rollups(graph, on, rows, "community" if a.get("scope") else "street")
    return {"read": read, "build": build, "coverage": _since(t), "total": _since(start), "relations": relations,
            "units": len(rows)}


def m_audit(a: dict) -> dict:
    from datetime import date

    from govgraph.coverage import coverage
    from govgraph.findings import audit
    from govgraph.indicators import indicators
    from govgraph.profile import load_profile

    on = date.fromisoformat(a["as_of"])
    profile = load_profile(None)
    store = _store(a)
    start = _clock()
    graph, read, build, relations = _mirror_from(store, a.get("scope"))
    store.close()
    t = _clock()
    rows = coverage(graph, on)
    cov = _since(t)
    t = _clock()
    findings = audit(graph, on, profile, rows)
    found = _since(t)
    t = _clock()
    indicators(graph, on, profile, "street", rows)
    return {"read": read, "build": build, "coverage": cov, "findings": found, "indicators": _since(t),
            "total": _since(start), "relations": relations, "findings_n": len(findings)}


def m_e2e(a: dict) -> dict:
    """Ledger -> validated graph -> mirror -> coverage and street roll-up, in one process."""
    from datetime import date

    from govgraph.coverage import coverage, rollups
    from govgraph.ledger import read_ledger
    from govgraph.mirror import build_mirror

    on = date.fromisoformat(a["as_of"])
    t = _clock()
    graph = build_mirror(read_ledger(a["ledger"]).data)
    rows = coverage(graph, on)
    streets = rollups(graph, on, rows, "street")
    took = _since(t)
    if a.get("dump"):
        Path(a["dump"]).write_text(json.dumps({
            "units": {r.id: [r.status, r.eligible, r.formal_members] for r in rows},
            "streets": {s.unit_id: [dict(s.compounds), dict(s.firms)] for s in streets if s.unit_kind == "Street"},
        }, ensure_ascii=False))
    return {"e2e": took}


def m_pandas(a: dict) -> dict:
    from datetime import date

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pandas_baseline

    on = date.fromisoformat(a["as_of"])
    t = _clock()
    units, streets = pandas_baseline.coverage(a["ledger"], on)
    took = _since(t)
    if a.get("dump"):
        statuses = pandas_baseline.STATUSES
        Path(a["dump"]).write_text(json.dumps({
            "units": {r.id: [r.status, bool(r.eligible), int(r.formal_members)] for r in units.itertuples()},
            "streets": {sid: [{s: int(row[s]) for s in statuses if row[s]},
                              {s: int(row["firm_" + s]) for s in statuses if row["firm_" + s]}]
                        for sid, row in streets.iterrows()},
        }, ensure_ascii=False))
    return {"pandas": took}


def _process_cpu(pid) -> float | None:
    """User + system CPU seconds of a process so far, from /proc; None where unknown."""
    try:
        fields = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (TypeError, ValueError, OSError):
        return None


def m_neo4j_load(a: dict) -> dict:
    from govgraph.ledger import read_ledger
    from govgraph.loading import load_ledger

    store = _store(a)
    t = _clock()
    data = read_ledger(a["ledger"]).data
    validate = _since(t)
    from govgraph.store.base import LoadRecord

    record = LoadRecord("bench", str(a["ledger"]), "replace", len(data.entities), 0, 0, len(data.relations), 0, 0)
    t, server = _clock(), _process_cpu(a.get("server_pid"))
    store.replace_all(data, record)
    write = _since(t)
    if server is not None:  # the server's CPU seconds meanwhile (Linux /proc), less noisy than wall
        write["server_cpu"] = _process_cpu(a["server_pid"]) - server
    t = _clock()
    load_ledger(store, a["ledger"])  # the whole `load`: read the stored graph, validate, diff, replace
    full = _since(t)
    store.close()
    return {"validate": validate, "write": write, "load": full, "relations": len(data.relations),
            "entities": len(data.entities)}


def _import_csv(data, out: Path) -> tuple[list[str], list[str]]:
    """The validated graph as neo4j-admin import CSV files, with the properties govgraph
    stores (docs/design.md, "Neo4j representation", as submission 1): one node file per
    kind, one relationship file per type. Returns the --nodes and --relationships args."""
    import csv
    from datetime import date

    def kind_of(values):
        v = next((x for x in values if x is not None), "")
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "int"
        if isinstance(v, date):
            return "date"
        if isinstance(v, list):
            return "string[]"
        return "string"

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, list):
            return ";".join(v)
        return str(v)

    out.mkdir(parents=True, exist_ok=True)
    nodes, rels = [], []
    by_kind: dict = {}
    for e in data.entities.values():
        by_kind.setdefault(e.kind, []).append(e)
    for kind, items in by_kind.items():
        keys = sorted({k for e in items for k, v in e.attrs.items() if v is not None})
        types = {k: kind_of([e.attrs.get(k) for e in items]) for k in keys}
        path = out / f"nodes-{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", "name", *(f"{k}:{types[k]}" for k in keys), "ledger_file", "ledger_row:int",
                        "added:int", ":LABEL"])
            for e in items:
                o = e.origin
                w.writerow([e.id, e.name, *(cell(e.attrs.get(k)) for k in keys), o.file if o else "",
                            o.row if o else "", 1, f"Entity;{kind}"])
        nodes.append(f"--nodes={path}")
    by_type: dict = {}
    for r in data.relations:
        by_type.setdefault(r.type, []).append(r)
    for rtype, items in by_type.items():
        path = out / f"rels-{len(rels)}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", "role", "since:date", "until:date", "source", "ledger_file",
                        "ledger_row:int", "added:int", ":TYPE"])
            for r in items:
                o = r.origin
                w.writerow([r.from_id, r.to_id, cell(r.role), cell(r.since), cell(r.until), cell(r.source),
                            o.file if o else "", o.row if o else "", 1, rtype])
        rels.append(f"--relationships={path}")
    return nodes, rels


def m_neo4j_import(a: dict) -> dict:
    """`neo4j-admin database import full` (the bulk importer, from the launcher's own Neo4j
    jars: org.neo4j.cli.AdminTool) of the same validated graph into an empty database of a
    throwaway home: the physical limit a transactional load is compared with."""
    from govgraph.ledger import read_ledger

    data = read_ledger(a["ledger"]).data
    home = Path(a["home"])
    shutil.rmtree(home, ignore_errors=True)
    (home / "conf").mkdir(parents=True)
    (home / "conf" / "neo4j.conf").write_text(f"server.directories.data={home / 'data'}\n", encoding="utf-8")
    nodes, rels = _import_csv(data, home / "csv")
    command = ["java", "-Xmx2g", "-cp", str(ROOT / "neo4j-launcher" / "target" / "lib" / "*"), "org.neo4j.cli.AdminTool",
               "database", "import", "full", "neo4j", "--overwrite-destination", "--ignore-empty-strings=true",
               "--array-delimiter=;", "--threads=2", f"--report-file={home / 'import.report'}", *nodes, *rels]
    t = _clock()
    proc = subprocess.run(command, env={**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")},
                          capture_output=True, text=True)
    took = _since(t)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-2000:])
    done = [x for x in proc.stdout.splitlines() if "IMPORT DONE" in x or "Imported:" in x or "relationships" in x]
    (Path(a.get("log") or home.parent / "neo4j-import.log")).write_text(proc.stdout + proc.stderr, encoding="utf-8")
    shutil.rmtree(home, ignore_errors=True)
    return {"import": took, "relations": len(data.relations), "entities": len(data.entities),
            "report": done[-4:]}


def m_neo4j_cypher(a: dict) -> dict:
    from datetime import date

    from govgraph import cypher_audits

    on = date.fromisoformat(a["as_of"])
    store = _store(a)
    out = {}
    for name in ("compound_coverage", "firm_coverage", "coverage_rollup"):
        t = _clock()
        if name == "coverage_rollup":
            rows = cypher_audits.coverage_rollup(store, on, "street")
        else:
            rows = getattr(cypher_audits, name)(store, on, scope=a.get("scope"))
        out[name] = {**_since(t), "rows": len(rows)}
    store.close()
    return out


def m_cli(a: dict) -> dict:
    """A govgraph command as a user runs it: a fresh process, imports included; on Neo4j
    when `neo4j` is given. `digest`: what it printed, hashed (to compare the stores)."""
    env = {**os.environ, "GOVGRAPH_DB": a.get("db") or ""}
    if a.get("neo4j"):
        env.update(NEO4J_URI=a["neo4j"], NEO4J_PASSWORD=a["password"])
    else:
        env.pop("NEO4J_URI", None)
    t = _clock()
    import resource

    command = [sys.executable, "-c", "from govgraph.cli.main import main; main()", *a["args"]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(command, env=env, cwd=a.get("cwd"),
                          stdout=subprocess.PIPE if a.get("digest") else subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = {"wall": _since(t)["wall"], "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}
    out = {"cli": took, "ok": proc.returncode == 0, "stderr": proc.stderr.decode("utf-8", "replace")[-500:]}
    if a.get("digest"):
        import hashlib

        out["digest"] = hashlib.sha256(proc.stdout).hexdigest()
    return out


MEASURES = {name[2:]: fn for name, fn in globals().items() if name.startswith("m_")}


def _child(name: str, args_json: str) -> None:
    import resource

    result = MEASURES[name](json.loads(args_json))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if name == "cli":
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("RESULT " + json.dumps(result, ensure_ascii=False))


# ================================================================================================
# The driver
# ================================================================================================
class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.summary: dict[str, dict] = {}
        self.progress = None  # progress(what, done, total) on a terminal (see main)
        self.done = 0  # measurements run so far
        self.per_tier: int | None = None  # measurements a tier takes, once the first tier has run
        self.tiers = 1

    def _tell(self, what: str) -> None:
        if self.progress is not None:
            total = self.per_tier * self.tiers if self.per_tier else None
            self.progress(f"测量 {what}", self.done, total)

    def measure(self, name: str, repeat: int | None = None, **kwargs) -> dict:
        """Run a measurement in fresh processes; the best (lowest wall total) of `repeat`."""
        best = None
        self._tell(name)
        for _ in range(repeat or self.args.repeat):
            proc = subprocess.run([sys.executable, __file__, "--measure", name, json.dumps(kwargs, default=str)],
                                  capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"measurement {name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
            result = json.loads(lines[-1][7:])
            if best is None or _key(result) < _key(best):
                best = result
        self.done += 1
        self._tell(name)
        return best

    def ledger(self, tier: str) -> Path:
        out = self.work / f"{tier}-seed{self.args.seed}"
        if not (out / "relations.csv").exists():
            print(f"  generating the {tier} ledger (govgraph synth --tier {tier} --seed {self.args.seed}) …", flush=True)
            r = self.measure("synth", repeat=1, out=str(out), tier=tier, seed=self.args.seed)
            print(f"  synth: {_t(r['synth'])}, {sum(r['rows'].values()):,} rows", flush=True)
        return out

    def run_tier(self, tier: str, neo4j) -> None:
        ledger = self.ledger(tier)
        db = str(self.work / f"{tier}.sqlite")
        s: dict = {}
        self.summary[tier] = s
        size = sum(p.stat().st_size for p in ledger.glob("*.csv")) / 1e6
        print(f"\n== {tier} tier (seed {self.args.seed}; ledger {size:.1f} MB) ==", flush=True)

        if "sqlite" in self.args.stores:
            self.sqlite(tier, ledger, db, s)
        if neo4j is not None:
            self.neo4j(tier, ledger, neo4j, s)

    def sqlite(self, tier, ledger, db, s) -> None:
        v = self.measure("validate", ledger=str(ledger))
        n = v["relations"]
        s.update(relations=n, entities=v["entities"])
        print(f"  ledger: {v['entities']:,} entities, {n:,} relations")
        line("sqlite", "validate (parse + check)", v["validate"], f"{n / v['validate']['wall']:,.0f} rel/s", v)

        ld = self.measure("load_sqlite", ledger=str(ledger), db=db)
        s["load"] = ld["load"]["wall"]
        line("sqlite", "load (validate + write)", ld["load"], f"{n / ld['load']['wall']:,.0f} rel/s", ld,
             target=("city_load_s", ld["load"]["wall"]) if tier == "city" else None)
        rl = self.measure("load_sqlite", ledger=str(ledger), db=db, fresh=False)
        line("sqlite", "reload (replace, with diff)", rl["load"], f"{n / rl['load']['wall']:,.0f} rel/s", rl)

        cv = self.measure("coverage", db=db, as_of=AS_OF)
        s["coverage"] = cv["coverage"]["wall"]
        s["mirror_peak_mb"] = cv["peak_mb"]
        line("sqlite", "store read", cv["read"], "", None)
        line("sqlite", "mirror build", cv["build"], f"{cv['relations']:,} edges", cv)
        line("sqlite", "coverage + roll-up (on mirror)", cv["coverage"], f"{cv['units']:,} units", None,
             target=("city_coverage_s", cv["coverage"]["wall"]) if tier == "city" else None)
        line("sqlite", "coverage from store (read+mirror+cov)", cv["total"], "", None)

        au = self.measure("audit", db=db, as_of=AS_OF)
        s["audit"] = au["total"]["wall"]
        s["audit_peak_mb"] = au["peak_mb"]
        line("sqlite", "full audit: findings", au["findings"], f"{au['findings_n']:,} findings", None)
        line("sqlite", "full audit: indicators (street)", au["indicators"], "", None)
        line("sqlite", "full audit, one process (total)", au["total"], "", au,
             target=("province_audit_gib", au["peak_mb"] / 1024) if tier == "province" else None)

        # A cold command: a fresh process, imports included. The first after a load builds the
        # mirror and writes its snapshot (govgraph/snapshot.py); the next ones load that. An
        # `audit` also keeps its answer: asked again (same submission, date and profile) it
        # loads that; "from the snapshot" is measured with the kept answers removed, so it
        # computes the audit (and is what Neo4j is compared with).
        snapshots = Path(f"{db}.snapshots")
        for name, args in (("coverage", COVERAGE_ARGS), ("audit", AUDIT_ARGS)):
            label = f"CLI `{name}`"
            shutil.rmtree(snapshots, ignore_errors=True)
            c = self.measure("cli", repeat=1, db=db, args=args)
            line("sqlite", label + " (first after a load)", c["cli"], "" if c["ok"] else "FAILED " + c["stderr"], c)
            for kept in snapshots.glob("answer-*.pickle"):
                kept.unlink()
            c = self.measure("cli", db=db, args=args, digest=True, repeat=1 if name == "audit" else None)
            s[f"cli_{name}"], s[f"cli_{name}_digest"] = c["cli"]["wall"], c.get("digest") if c["ok"] else None
            target = {"city": ("cold_cli_s", c["cli"]["wall"])}
            if name == "audit":
                target["province"] = ("province_cold_audit_s", c["cli"]["wall"])
            line("sqlite", label + " (from the snapshot)", c["cli"], "" if c["ok"] else "FAILED " + c["stderr"], c,
                 target=target.get(tier))
            if name == "audit":  # beside the target, not in its place: the first ask computes
                c = self.measure("cli", db=db, args=args, digest=True)
                same = c.get("digest") == s["cli_audit_digest"]
                line("sqlite", label + " (asked again: its kept answer)", c["cli"],
                     ("same output" if same else "OUTPUT DIFFERS") if c["ok"] else "FAILED " + c["stderr"], c)

        self.scoped(tier, ledger, db, s)
        self.chart(tier, ledger, db, s)
        self.baseline(tier, ledger, s)

    def scoped(self, tier, ledger, db, s) -> None:
        community, street = _first_ids(ledger)
        for kind, unit in (("community", community), ("street", street)):
            c = self.measure("coverage", db=db, as_of=AS_OF, scope=unit)
            s[f"scope_{kind}"] = c["total"]["wall"]
            line("sqlite", f"scoped coverage: one {kind} ({unit})", c["total"],
                 f"{c['relations']:,} relations read", c)

    def chart(self, tier, ledger, db, s) -> None:
        if importlib.util.find_spec("govgraph.charts") is None:
            print("  chart: skipped (govgraph.charts not available)")
            return
        community, _ = _first_ids(ledger)
        with tempfile.TemporaryDirectory() as tmp:
            args = ["chart", community, "-o", str(Path(tmp) / "chart.svg"), "--as-of", AS_OF]
            c = self.measure("cli", db=db, args=args)
            if not c["ok"]:
                print(f"  chart: skipped (the chart command failed: {c['stderr'].strip()[-200:]})")
                return
            s["chart"] = c["cli"]["wall"]
            line("sqlite", f"CLI `chart` one community ({community})", c["cli"], "fresh process", c)

    def baseline(self, tier, ledger, s) -> None:
        if importlib.util.find_spec("pandas") is None:
            print("  pandas baseline: skipped (pip install pandas)")
            return
        with tempfile.TemporaryDirectory() as tmp:
            ours, theirs = Path(tmp) / "ours.json", Path(tmp) / "pandas.json"
            e = self.measure("e2e", ledger=str(ledger), as_of=AS_OF, dump=str(ours))
            p = self.measure("pandas", ledger=str(ledger), as_of=AS_OF, dump=str(theirs))
            same = json.loads(ours.read_text()) == json.loads(theirs.read_text())
        ratio = e["e2e"]["wall"] / p["pandas"]["wall"]
        s.update(e2e=e["e2e"]["wall"], pandas=p["pandas"]["wall"], ratio=ratio)
        line("pandas", "baseline coverage + street roll-up", p["pandas"],
             "same answers as govgraph" if same else "ANSWERS DIFFER", p)
        line("sqlite", "end to end ledger -> coverage", e["e2e"], f"{ratio:.1f}x pandas", e,
             target=("e2e_ratio", ratio) if tier == "city" else None)

    def neo4j(self, tier, ledger, server, s) -> None:
        args = {"neo4j": server.uri, "password": server.password}
        try:
            ld = self.measure("neo4j_load", repeat=1, ledger=str(ledger), server_pid=getattr(server, "pid", None),
                              **args)
        except RuntimeError as exc:
            print(f"  neo4j: load failed ({str(exc).strip().splitlines()[-1][:200]})")
            return
        n = ld["relations"]
        write_rate = n / ld["write"]["wall"]
        e2e = {k: ld["validate"][k] + ld["write"][k] for k in ("wall", "cpu")}
        rate = n / e2e["wall"]
        s["neo4j_rate"] = rate
        line("neo4j", "validate", ld["validate"], f"{n / ld['validate']['wall']:,.0f} rel/s", None)
        server_cpu = f", server {ld['write']['server_cpu']:.2f} cpu" if "server_cpu" in ld["write"] else ""
        line("neo4j", "write (batched replace_all)", ld["write"], f"{write_rate:,.0f} rel/s{server_cpu}", None)
        line("neo4j", "validate + write (end to end)", e2e, f"{rate:,.0f} rel/s", ld,
             target=("neo4j_rel_per_s", rate) if tier != "demo" else None)
        line("neo4j", "load (read stored + validate + write)", ld["load"], f"{n / ld['load']['wall']:,.0f} rel/s", ld)
        if "import" in self.args.neo4j_import:
            try:
                im = self.measure("neo4j_import", repeat=1, ledger=str(ledger), home=str(self.work / "import-home"))
            except RuntimeError as exc:
                print(f"  neo4j: neo4j-admin database import failed ({str(exc).strip().splitlines()[-1][:200]})")
            else:
                import_rate = n / im["import"]["wall"]
                reported = next((x.strip() for x in im["report"] if "IMPORT DONE" in x), "")
                line("neo4j", "neo4j-admin database import full (same data)", im["import"],
                     f"{import_rate:,.0f} rel/s", None)
                print(f"         write / import: {ld['write']['wall'] / im['import']['wall']:.2f}x the importer's "
                      f"wall time (JVM start included; the tool itself: {reported})", flush=True)
        cv = self.measure("coverage", as_of=AS_OF, **args)
        line("neo4j", "store read", cv["read"], "", None)
        line("neo4j", "coverage + roll-up (on mirror)", cv["coverage"], "", None)
        line("neo4j", "coverage from store (read+mirror+cov)", cv["total"], "", cv)
        cy = self.measure("neo4j_cypher", as_of=AS_OF, **args)
        for name, r in cy.items():
            if isinstance(r, dict):
                line("neo4j", f"server-side Cypher: {name}", r, f"{r['rows']:,} rows", None)
        community, street = _first_ids(ledger)
        for kind, unit in (("community", community), ("street", street)):
            c = self.measure("coverage", as_of=AS_OF, scope=unit, **args)
            line("neo4j", f"scoped coverage: one {kind} ({unit})", c["total"], f"{c['relations']:,} relations read", c)
        cy = self.measure("neo4j_cypher", as_of=AS_OF, scope=community, **args)
        line("neo4j", f"server-side Cypher: compound_coverage of {community}", cy["compound_coverage"],
             f"{cy['compound_coverage']['rows']} rows", None)
        # The commands as a user runs them on Neo4j: above partition.PARTS_ABOVE entities
        # street by street, else one whole read; what they print must equal the SQLite path's.
        for name, cli_args in (("coverage", COVERAGE_ARGS), ("audit", AUDIT_ARGS)):
            c = self.measure("cli", repeat=1, args=cli_args, digest=True, **args)
            theirs = s.get(f"cli_{name}_digest")
            same = "" if not c["ok"] else "same output as SQLite" if c.get("digest") == theirs else (
                "OUTPUT DIFFERS FROM SQLITE" if theirs else "(SQLite not run)")
            ratio = c["cli"]["wall"] / s[f"cli_{name}"] if s.get(f"cli_{name}") else None
            shown = f"{same}; {ratio:.1f}x SQLite" if ratio else same
            s[f"neo4j_cli_{name}_same"] = bool(c["ok"] and theirs and c.get("digest") == theirs)
            line("neo4j", f"CLI `{name}` (fresh process)", c["cli"], shown if c["ok"] else "FAILED " + c["stderr"], c,
                 target=("neo4j_audit_gib", c["peak_mb"] / 1024) if name == "audit" and tier == "province" else None)
            if name == "audit" and tier == "province" and ratio:
                line("neo4j", "CLI `audit`: wall time against SQLite's", c["cli"], "", None,
                     target=("neo4j_audit_ratio", ratio))


COVERAGE_ARGS = ["coverage", "--as-of", AS_OF, "--format", "json"]
AUDIT_ARGS = ["audit", "--as-of", AS_OF, "--format", "json"]


def _key(result: dict) -> float:
    for k in ("total", "load", "e2e", "pandas", "validate", "cli", "write", "import", "synth"):
        if k in result and isinstance(result[k], dict):
            return result[k]["wall"]
    return 0.0


def _first_ids(ledger: Path) -> tuple[str, str]:
    """The first community and the first street of a ledger (the scoped measurements)."""
    import csv

    def first(name: str) -> str:
        with open(ledger / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f)
            next(rows)
            return next(rows)[0]

    return first("communities"), first("streets")


def _t(x: dict) -> str:
    return f"{x['wall']:.2f} s ({x['cpu']:.2f} cpu)"


def line(store: str, what: str, took: dict, extra: str, mem: dict | None, target=None) -> None:
    peak = f"peak {mem['peak_mb']:,.0f} MB" if mem else ""
    verdict = ""
    if target is not None:
        verdict = "[" + _verdict(*target) + "]"
        VERDICTS.append((store, what, _verdict(*target)))
    print(f"  {store:6s} {what:42s} {_t(took):24s} {extra:28s} {peak:15s} {verdict}".rstrip(), flush=True)


VERDICTS: list[tuple[str, str, str]] = []  # (store, measurement, verdict), printed again at the end


def _verdict(name: str, value: float) -> str:
    limit, unit = TARGETS[name], _UNITS[name]
    at_least = name == "neo4j_rel_per_s"
    ok = value >= limit if at_least else value <= limit
    shown = f"{value:,.0f}" if at_least else f"{value:.2f}"
    return f"target {'≥' if at_least else '≤'} {limit:,g}{unit}: {'OK' if ok else 'MISSED'} ({shown}{unit})"


def start_neo4j(args):
    if args.no_neo4j or "neo4j" not in args.stores:
        print("neo4j: skipped (not asked for)")
        return None
    if importlib.util.find_spec("govgraph.store.neo4j") is None:
        print("neo4j: skipped (store not available)")
        return None
    if not shutil.which("java") or not shutil.which("mvn"):
        print("neo4j: skipped (java and mvn are needed to run the project's server)")
        return None
    spec = importlib.util.spec_from_file_location("neo4j_server", ROOT / "scripts" / "neo4j_server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    data = Path(args.work) / "neo4j-home"
    shutil.rmtree(data, ignore_errors=True)
    port = server.free_port()
    print(f"neo4j: starting the project's server on port {port} (heap {args.neo4j_heap}) …", flush=True)
    handle = server.start(port, data, heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)
    os.environ.setdefault("NEO4J_PASSWORD", handle.password)
    return handle


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure"]:
        _child(argv[1], argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default="demo,city", help="comma-separated: demo, city, province")
    parser.add_argument("--province", action="store_true", help="add the province tier (minutes, ~8 GB disk/RAM)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each measurement")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "govgraph-bench"))
    parser.add_argument("--stores", default="sqlite,neo4j", help="comma-separated: sqlite, neo4j")
    parser.add_argument("--no-neo4j", action="store_true", help="the same as --stores sqlite")
    parser.add_argument("--neo4j-heap", default="3g")
    parser.add_argument("--neo4j-import", default="import", choices=["import", "no"],
                        help="also time neo4j-admin database import on the same data (default: import)")
    parser.add_argument("--neo4j-pagecache", default="1g")
    args = parser.parse_args(argv)
    tiers = [t for t in args.tiers.split(",") if t]
    if args.province and "province" not in tiers:
        tiers.append("province")
    print(f"govgraph benchmarks: tiers {', '.join(tiers)}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; "
          f"as of {AS_OF}; work dir {args.work}", flush=True)
    bench = Bench(args)
    bench.tiers = len(tiers)
    neo4j = start_neo4j(args)
    from govgraph.cli.progress import terminal_progress

    try:
        with terminal_progress() as progress:  # on a terminal only: measurements done, time, estimate
            bench.progress = progress
            for tier in tiers:
                before = bench.done
                bench.run_tier(tier, neo4j)
                bench.per_tier = bench.per_tier or bench.done - before
    finally:
        if neo4j is not None:
            neo4j.stop()
    print("\n== growth (wall seconds) ==")
    keys = ["relations", "load", "coverage", "audit", "audit_peak_mb", "e2e", "pandas", "ratio", "scope_community",
            "scope_street", "chart", "neo4j_rate"]
    print("  " + " ".join(f"{k:>15s}" for k in ["tier", *keys]))
    for tier, s in bench.summary.items():
        cells = [f"{s[k]:>15,.2f}" if isinstance(s.get(k), float) else f"{s.get(k, '-'):>15,}" if isinstance(
            s.get(k), int) else f"{'-':>15s}" for k in keys]
        print("  " + f"{tier:>15s} " + " ".join(cells))
    print("\n== the scale issue's targets, as measured in this run ==")
    for store, what, verdict in VERDICTS:
        print(f"  {store:6s} {what:48s} {verdict}")
    for tier, s in bench.summary.items():
        for name in ("coverage", "audit"):
            if f"neo4j_cli_{name}_same" in s:
                print(f"  {tier:8s} `{name}` output on Neo4j and SQLite: "
                      f"{'equal' if s[f'neo4j_cli_{name}_same'] else 'NOT EQUAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
