"""Audits street by street (govgraph/partition.py) on the real server give exactly the
whole graph's answers: coverage rows (with the communities each firm counts in), roll-ups
at every level, orphans with their reasons, indicators at every level with their
last-deadline verdicts, findings with their evidence and order, and cross-appointments,
on every as-of date of the acceptance and generated ledgers."""

from __future__ import annotations

import gc
import weakref

import pytest

from govgraph import appointments as ap
from govgraph import bulk, partition
from govgraph.coverage import coverage, orphan_row, rollups
from govgraph.findings import audit
from govgraph.indicators import indicators
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile
from govgraph.store.neo4j import Neo4jStore

PROFILE = load_profile()


def _sample(name, days):
    return days[::3] if name == "gen2" else days


@pytest.fixture(params=[1, 2], ids=["street-per-part", "two-streets-per-part"])
def streets_per_part(request, monkeypatch):
    """Parts of one street, and of two read as one scope (a unit of one part and its
    neighbour's in the other, or in the same part)."""
    monkeypatch.setattr(partition, "STREETS_PER_PART", request.param)
    return request.param


def test_parts_equal_whole(loaded, ledgers, dates, ledger_name, monkeypatch, streets_per_part):
    store = loaded(ledger_name)
    assert not partition.by_parts(store)  # small graphs are read whole …
    monkeypatch.setattr(partition, "PARTS_ABOVE", 0)
    assert partition.by_parts(store)  # … larger ones street by street
    graph = build_mirror(ledgers(ledger_name))
    parts = partition.Parts(store, None)
    assert len(parts.ids["Street"]) >= 1
    seen_firms_in_several = 0
    for on in _sample(ledger_name, dates(ledger_name)):
        want = coverage(graph, on, PROFILE.min_formal_members)
        got = partition.coverage_rows(parts, on, PROFILE.min_formal_members)
        assert got == want, on  # UnitCoverage equality: status, parents and the firms' communities
        seen_firms_in_several += sum(1 for r in want if r.kind == "Firm" and len(r.communities) > 1)
        for level in ("district", "street", "community"):
            assert [r.as_row() for r in partition.coverage_rollups(parts, on, got, level)] == \
                [r.as_row() for r in rollups(graph, on, want, level)], (on, level)
        want_orphans = [orphan_row(graph, u, on) for u in want if u.kind == "Compound" and u.status == "空白"]
        assert partition.orphans(parts, on, PROFILE.min_formal_members) == want_orphans, on
        for level in ("district", "street", "community"):
            assert partition.indicators(parts, on, PROFILE, level) == indicators(graph, on, PROFILE, level), (on, level)
    if ledger_name.startswith("gen"):  # the combination that could double-count was exercised
        assert seen_firms_in_several


def _streets(graph, on, ids):
    """The streets the units of `ids` are under on `on` (a person, firm or party org: none)."""
    snap, found = Snapshot(graph, on), set()
    for unit in ids:
        for _ in range(4):  # committee → compound → community → street
            if unit is None or snap.kind(unit) == "Street":
                break
            unit = next((p for p, _ in snap.out("隶属", unit)), None)
        if unit is not None and snap.kind(unit) == "Street":
            found.add(unit)
    return found


def test_findings_and_cross_by_parts_equal_whole(loaded, ledgers, dates, ledger_name, monkeypatch, streets_per_part):
    """Findings (with their evidence, in the whole's order, and the names they refer to)
    and cross-appointments at both levels; on the generated ledgers, the cases that
    span streets are exercised: a finding whose evidence reaches units of two streets,
    and a person whose posts are in party orgs or firms of two streets."""
    store = loaded(ledger_name)
    monkeypatch.setattr(partition, "PARTS_ABOVE", 0)
    graph = build_mirror(ledgers(ledger_name))
    parts = partition.Parts(store, None)
    spanning_codes, spanning_people = set(), 0
    for on in _sample(ledger_name, dates(ledger_name))[::2]:
        want = audit(graph, on, PROFILE)
        got, names = partition.findings(parts, on, PROFILE)
        assert [f.as_row() for f in got] == [f.as_row() for f in want], on
        for f in want:
            assert names[f.entity_id] == graph.nodes[f.entity_id]["name"]
            for e in f.evidence:
                assert names[e["from_id"]] == graph.nodes[e["from_id"]]["name"]
                assert names[e["to_id"]] == graph.nodes[e["to_id"]]["name"]
        snap = Snapshot(graph, on)
        for f in want:  # the units it refers to, and those its firms serve and its orgs cover
            ids = partition._referred(f)
            around = ids | {u for i in ids for u, _ in snap.out("服务", i) + snap.out("覆盖", i)}
            if len(_streets(graph, on, around)) > 1:
                spanning_codes.add(f.code)
        for kind in ("Compound", "Community"):
            whole = ap.cross_rows(snap, kind, snap.nodes_of(kind))
            assert partition.cross(parts, on, kind) == whole, (on, kind)
        by_person: dict[str, set] = {}
        for org in snap.nodes_of("PartyOrg") + snap.nodes_of("Firm"):
            for person, _ in snap.into("任职", org) + snap.into("兼职委员", org):
                by_person.setdefault(person, set()).update(
                    _streets(graph, on, [u for u, _ in snap.out("覆盖", org) + snap.out("服务", org)]))
        spanning_people += sum(1 for streets in by_person.values() if len(streets) > 1)
    if ledger_name.startswith("gen"):
        assert {"FIRM_UNCOVERED", "POST_NOT_FORMAL_MEMBER", "SUBORDINATION_MISMATCH"} <= spanning_codes
        assert spanning_people


def test_streets_read_one_part_at_a_time(loaded, ledgers, monkeypatch):
    """Each part read is smaller than the whole: every two streets, then (gen2 has some)
    the compounds under no street."""
    monkeypatch.setattr(partition, "STREETS_PER_PART", 2)
    store = loaded("gen2")
    whole = len(ledgers("gen2").relations)
    parts = partition.Parts(store, None)
    streets = len(parts.ids["Street"])
    assert streets > 2
    sizes = []
    parts.each_part(lambda graph: sizes.append(graph.number_of_edges()))
    assert len(sizes) == parts.parts_read > (streets + 1) // 2
    assert max(sizes) < whole


def test_no_part_outlives_its_turn(loaded, monkeypatch):
    """A part's mirror is freed once its work is done, though networkx's cached edge views
    hold it in a reference cycle: the parts are never frozen out of the collector's reach
    (a province reads a hundred parts)."""
    monkeypatch.setattr(partition, "STREETS_PER_PART", 1)
    parts = partition.Parts(loaded("gen2"), None)
    monkeypatch.setattr(bulk, "FREEZE_AFTER", 0)  # a block of any size would freeze
    earlier = []
    frozen = gc.get_freeze_count()

    def work(graph):
        graph.in_edges  # the cached view: graph -> view -> graph
        gc.collect()  # frees cycles, but never frozen objects
        assert all(ref() is None for ref in earlier)
        earlier.append(weakref.ref(graph))

    parts.each_part(work)
    assert len(earlier) > 2 and gc.get_freeze_count() == frozen


def test_cli_uses_parts_on_neo4j(loaded, neo4j_env, monkeypatch):
    """The CLI's coverage on Neo4j goes through the parts (and not the whole read)."""
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    loaded("gen1")
    monkeypatch.setattr(partition, "PARTS_ABOVE", 0)  # gen1 is small: make it count as large
    calls = []
    original = Neo4jStore.read

    def read(self, scope=None, load=None):
        calls.append(scope)
        return original(self, scope, load)

    monkeypatch.setattr(Neo4jStore, "read", read)
    result = CliRunner().invoke(cli, ["--neo4j-uri", neo4j_env.uri, "coverage", "--as-of", "2024-01-01",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert calls and None not in calls


def test_cli_audit_and_cross_by_parts(loaded, neo4j_env, monkeypatch):
    """`audit` and `cross` on Neo4j print the same through the parts as through the whole
    read (tables with names, and JSON), and the parts are what is read."""
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    loaded("gen1")
    calls = []
    original = Neo4jStore.read

    def read(self, scope=None, load=None):
        calls.append(scope)
        return original(self, scope, load)

    monkeypatch.setattr(Neo4jStore, "read", read)
    commands = [["audit", "--as-of", "2023-12-31"], ["cross", "--as-of", "2023-12-31"],
                ["cross", "--as-of", "2023-12-31", "--level", "community"]]
    for command in commands:
        for fmt in ("json", "table"):
            args = ["--neo4j-uri", neo4j_env.uri, *command, "--format", fmt]
            monkeypatch.setattr(partition, "PARTS_ABOVE", 10**9)
            whole = CliRunner().invoke(cli, args)
            assert whole.exit_code == 0, whole.output
            monkeypatch.setattr(partition, "PARTS_ABOVE", 0)
            calls.clear()
            parts = CliRunner().invoke(cli, args)
            assert parts.exit_code == 0, parts.output
            assert calls and None not in calls
            assert parts.output == whole.output, command
