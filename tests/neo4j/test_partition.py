"""Audits street by street (govgraph/partition.py) on the real server give exactly the
whole graph's answers: coverage rows (with the communities each firm counts in), roll-ups
at every level, orphans with their reasons, and indicators at every level with their
last-deadline verdicts, on every as-of date of the acceptance and generated ledgers."""

from __future__ import annotations

import pytest

from govgraph import partition
from govgraph.coverage import coverage, orphan_row, rollups
from govgraph.indicators import indicators
from govgraph.mirror import build_mirror
from govgraph.profile import load_profile
from govgraph.store.neo4j import Neo4jStore

PROFILE = load_profile()


def _sample(name, days):
    return days[::3] if name == "gen2" else days


def test_parts_equal_whole(loaded, ledgers, dates, ledger_name, monkeypatch):
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


def test_streets_read_one_at_a_time(loaded, ledgers):
    """Each part read is smaller than the whole: every street, then (gen2 has some) the
    compounds under no street."""
    store = loaded("gen2")
    whole = len(ledgers("gen2").relations)
    parts = partition.Parts(store, None)
    sizes = []
    parts.each_street(lambda graph: sizes.append(graph.number_of_edges()))
    assert len(sizes) == parts.parts_read > len(parts.ids["Street"]) > 1
    assert max(sizes) < whole


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
