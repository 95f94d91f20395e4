"""The synthetic ledger generator (govgraph/synth.py, `govgraph synth`), and checks that
the fast paths added for scale read and index exactly what the plain code does."""

from __future__ import annotations

from datetime import date

import hashlib
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from govgraph import appointments as ap
from govgraph.coverage import STATUSES, coverage, organisations
from govgraph.errors import LedgerError
from govgraph.ledger import read_ledger
from govgraph.mirror import Snapshot, build_mirror, node_attrs
from govgraph.synth import MIX, REFERENCE_DATE, Tier, write_synthetic

ROOT = Path(__file__).resolve().parent.parent
DEMO_SEED = ROOT / "seeds" / "demo"
ACCEPTANCE = ROOT / "tests" / "acceptance"
# A tier between demo and city: large enough for the shares to show, quick to read.
SHARES_TIER = Tier("test", 1, 2, 12, 120, 600, 260, (3, 9))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "demo"
    write_synthetic(out, "demo", 1)
    return out


@pytest.fixture(scope="module")
def shares(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "shares"
    write_synthetic(out, "city", 5, spec=SHARES_TIER)
    graph = build_mirror(read_ledger(out).data)
    return graph, coverage(graph, REFERENCE_DATE)


def test_same_seed_same_bytes(demo, tmp_path):
    again = tmp_path / "again"
    write_synthetic(again, "demo", 1)
    assert _digest(again) == _digest(demo)
    assert len(_digest(demo)) == 9
    other = tmp_path / "other"
    write_synthetic(other, "demo", 2)
    assert _digest(other) != _digest(demo)


def test_cli_writes_the_same_ledger(demo, tmp_path):
    from govgraph.cli.main import cli

    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["synth", "--tier", "demo", "--seed", "1", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成合成台账" in result.output
    assert _digest(out) == _digest(demo)


def test_loads_cleanly_in_the_ledger_format(demo):
    read = read_ledger(demo)
    assert read.data.relations and read.data.entities
    assert {w.code for w in read.warnings} <= {"community_no_party_org"}
    header = (demo / "relations.csv").read_bytes().splitlines()[0]
    assert header == "\ufefftype,from_id,to_id,role,since,until,source".encode("utf-8")
    kinds = Counter(e.kind for e in read.data.entities.values())
    assert kinds["Compound"] == 20 and kinds["Street"] == 2 and kinds["Community"] == 6


def test_every_coverage_status_for_compounds_and_firms(demo):
    rows = coverage(build_mirror(read_ledger(demo).data), REFERENCE_DATE)
    for kind in ("Compound", "Firm"):
        assert {r.status for r in rows if r.kind == kind} == set(STATUSES), kind


def test_relations_in_and_out_of_force(demo):
    relations = read_ledger(demo).data.relations
    assert any(r.until and r.until < REFERENCE_DATE for r in relations)  # history
    assert any(r.since and r.since > REFERENCE_DATE for r in relations)  # not yet started
    assert any(r.since is None and r.until is None for r in relations)


def test_shares_roughly_as_configured(shares):
    graph, rows = shares
    compounds = [r for r in rows if r.kind == "Compound"]
    counts = Counter(r.status for r in compounds)
    for status, share in MIX["compound_status"].items():
        assert counts[status] / len(compounds) == pytest.approx(share, abs=0.03), status

    active = [r for r in rows if r.kind == "Firm" and r.communities]
    organised = sum(1 for r in active if r.status in ("单独建", "联合建", "挂靠建"))
    instructed = sum(1 for r in active if r.status == "工作覆盖")
    assert organised / len(active) == pytest.approx(712 / 1462, abs=0.08)
    assert instructed / len(active) == pytest.approx(750 / 1462 * 0.96, abs=0.08)

    snap = Snapshot(graph, REFERENCE_DATE)
    old = [c for c in snap.nodes_of("Compound") if snap.node(c).get("category") == "老旧小区"]
    assert len(old) / len(compounds) == pytest.approx(MIX["old_compound_share"], abs=0.02)
    modes = Counter(snap.node(c)["mgmt_mode"] for c in old)
    total = sum(MIX["old_mgmt_mode"].values())
    for mode, n in MIX["old_mgmt_mode"].items():
        assert modes[mode] / len(old) == pytest.approx(n / total, abs=0.03), mode

    branches = {o for c in snap.nodes_of("Compound") for o in organisations(snap, c)}
    confirmed = sum(1 for c in snap.nodes_of("Compound") if ap.yijiantiao_confirmed(snap, c))
    cross = sum(len(ap.cross_appointed(snap, c)) for c in snap.nodes_of("Compound"))
    assert confirmed / len(branches) == pytest.approx(MIX["yijiantiao_share"], abs=0.12)
    assert cross / len(branches) == pytest.approx(MIX["cross_appointed_per_branch"], abs=0.35)

    owners = [k for k in snap.nodes_of("Committee") if snap.node(k).get("committee_kind") == "业委会"]
    majority = 0
    for k in owners:
        members = {p for p, _ in snap.into("任职", k)}
        party = sum(1 for p in members if snap.node(p).get("party_status") in ("正式党员", "预备党员"))
        majority += party >= len(members) / 2
    assert majority / len(owners) == pytest.approx(MIX["owners_committee_party_majority"], abs=0.08)


# -- the fast paths read and index exactly what the plain code does -------------------------------
def _full(data) -> tuple:
    entities = {i: (e, e.origin, dict(e.origin.cells), dict(e.origin.headers)) for i, e in data.entities.items()}
    relations = [(r, r.origin, dict(r.origin.cells), dict(r.origin.headers)) for r in data.relations]
    return entities, relations


@pytest.mark.parametrize("ledger", ["synth", "seed", "gb18030"])
def test_quick_and_careful_reading_agree(ledger, demo):
    path = {"synth": demo, "seed": DEMO_SEED, "gb18030": ACCEPTANCE / "core_gb18030" / "ledger"}[ledger]
    quick = read_ledger(path)
    careful = read_ledger(path, quick=False)
    assert _full(quick.data) == _full(careful.data)
    assert [str(w) for w in quick.warnings] == [str(w) for w in careful.warnings]


def test_quick_and_careful_reading_report_the_same_errors():
    path = ACCEPTANCE / "errors" / "ledger"
    with pytest.raises(LedgerError) as quick:
        read_ledger(path)
    with pytest.raises(LedgerError) as careful:
        read_ledger(path, quick=False)
    assert [str(i) for i in quick.value.issues] == [str(i) for i in careful.value.issues]
    assert quick.value.issues


def test_quick_reading_takes_clean_rows_and_leaves_the_rest(demo, monkeypatch, make_ledger):
    """The comparisons above mean something only if the quick way is taken: a clean
    ledger never goes the careful way, and a row in error always does."""
    from govgraph.ledger.read import _Reader

    careful = []
    validate = _Reader._validate
    monkeypatch.setattr(_Reader, "_validate", lambda self, model, parsers, origin, *a: (
        careful.append(origin.row), validate(self, model, parsers, origin, *a))[1])
    read_ledger(demo)
    assert careful == []
    with pytest.raises(LedgerError) as bad:
        read_ledger(make_ledger({"relations.csv": "type,from_id,to_id,role,since,until\n"
                                 "任职,U1,P1,书记,2020,2021\n任职,U1,P1,书记,2022-13,\n任职,U1,P1,,2024,2023"}))
    assert careful == [3]
    # (errors come sorted by row: the unknown U1/P1 of every row are among them)
    assert [(i.row, i.code) for i in bad.value.issues if i.code != "unknown_reference"] == [
        (3, "bad_date"), (4, "since_after_until")]


def _networkx_mirror(data) -> nx.MultiDiGraph:
    """The mirror as the networkx API builds it (what build_mirror must equal), in the
    mirror's canonical order: entities by id, relations by identity."""
    graph = nx.MultiDiGraph()
    entities = sorted(data.entities.values(), key=lambda e: e.id)
    graph.add_nodes_from((e.id, node_attrs(e, e.id in data.context)) for e in entities)
    relations = sorted(data.relations, key=lambda r: (r.type, r.from_id, r.to_id, r.role or "", r.since or date.min))
    graph.add_edges_from(
        (r.from_id, r.to_id, {"type": r.type, "role": r.role, "since": r.since, "until": r.until, "source": r.source})
        for r in relations
    )
    return graph


@pytest.mark.parametrize("ledger", ["synth", "seed"])
def test_mirror_and_snapshot_match_networkx(ledger, demo):
    data = read_ledger(demo if ledger == "synth" else DEMO_SEED).data
    fast, plain = build_mirror(data), _networkx_mirror(data)
    assert list(fast.nodes(data=True)) == list(plain.nodes(data=True))
    assert list(fast.edges(keys=True, data=True)) == list(plain.edges(keys=True, data=True))
    assert all(list(fast.pred[n]) == list(plain.pred[n]) for n in plain)
    # A snapshot lists each node's relations in the order graph.edges() visits them.
    for day in (REFERENCE_DATE, REFERENCE_DATE.replace(year=2020)):
        snap = Snapshot(fast, day)
        out, into = {}, {}
        for u, v, attrs in plain.edges(data=True):
            if (attrs["since"] is None or attrs["since"] <= day) and (attrs["until"] is None or attrs["until"] >= day):
                out.setdefault((attrs["type"], u), []).append((v, attrs))
                into.setdefault((attrs["type"], v), []).append((u, attrs))
        types = {attrs["type"] for _, _, attrs in plain.edges(data=True)}
        for n in plain:
            for t in types:
                assert snap.out(t, n) == out.get((t, n), [])
                assert snap.into(t, n) == into.get((t, n), [])
