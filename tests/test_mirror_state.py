"""The mirror's two departures from networkx's public API stay, for measured reasons
(benchmarks/mirror_state.py, docs/scale.md); these tests pin what they rely on.

- `build_mirror` writes a MultiDiGraph's `_node`, `_succ` and `_pred` directly: networkx's
  own views must read those same dicts (tests/test_synth.py holds the result equal to
  `add_nodes_from` + `add_edges_from`).
- `mirror._SHARED` keeps, per mirror, what its Snapshots share: it must change no answer,
  must go with the mirror, and must not serve a mirror changed since."""

from __future__ import annotations

import gc
from datetime import date

import networkx as nx

from govgraph import mirror
from govgraph.coverage import coverage, rollups
from govgraph.findings import audit
from govgraph.indicators import indicators
from govgraph.ledger import read_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import default_profile

from conftest import TESTS

SEED = TESTS.parent / "seeds" / "demo"
ON = date(2026, 6, 30)


def test_networkx_reads_the_dicts_build_mirror_writes():
    graph = nx.MultiDiGraph()
    assert graph._adj is graph._succ  # a MultiDiGraph's successors are its adjacency
    graph._node["a"], graph._succ["a"], graph._pred["a"] = {"kind": "X"}, {}, {}
    graph._node["b"], graph._succ["b"], graph._pred["b"] = {}, {}, {}
    graph._succ["a"]["b"] = graph._pred["b"]["a"] = {0: {"type": "T"}}
    assert list(graph.nodes(data=True)) == [("a", {"kind": "X"}), ("b", {})]
    assert list(graph.edges(keys=True, data=True)) == [("a", "b", 0, {"type": "T"})]
    assert list(graph.predecessors("b")) == ["a"] and graph.number_of_edges() == 1
    assert graph.in_degree("b") == 1 and graph.has_edge("a", "b", key=0)
    graph.add_edge("a", "b", type="U")  # the public API goes on from there: the next key
    assert sorted(graph["a"]["b"]) == [0, 1]


def _answers(graph) -> tuple:
    profile = default_profile()
    rows = coverage(graph, ON, profile.min_formal_members)
    return (rows, rollups(graph, ON, rows, "street"), audit(graph, ON, profile, rows),
            indicators(graph, ON, profile, "street"))


def test_sharing_changes_no_answer(monkeypatch):
    graph = build_mirror(read_ledger(SEED).data)
    shared = _answers(graph)
    assert graph in mirror._SHARED
    monkeypatch.setattr(mirror, "_shared", lambda g, on: (mirror._group_edges(g), {}, {}, {}))
    assert _answers(graph) == shared


def test_what_is_shared_goes_with_the_mirror():
    graph = build_mirror(read_ledger(SEED).data)
    Snapshot(graph, ON).out("隶属", "C-JCY")
    before = len(mirror._SHARED)
    del graph
    gc.collect()
    assert len(mirror._SHARED) == before - 1


def test_a_changed_mirror_is_grouped_again():
    graph = build_mirror(read_ledger(SEED).data)
    assert Snapshot(graph, ON).out("隶属", "new") == []
    graph.add_edge("new", "M-QT", type="隶属", role=None, since=None, until=None, source=None)
    assert [v for v, _ in Snapshot(graph, ON).out("隶属", "new")] == ["M-QT"]


def test_a_mirror_is_freed_by_reference_counting_alone():
    """Every audit on a mirror leaves it free of reference cycles (networkx's cached edge
    views would make one: mirror.edges), so a mirror the web workbench replaces, or a
    part of partition.py, is freed when dropped, even if it was frozen out of the
    collector's reach (bulk.paused_gc)."""
    import weakref

    from govgraph.coverage import orphan_row
    from govgraph.paths import in_force_graph
    from govgraph.rectify import UnitNames

    graph = build_mirror(read_ledger(SEED).data)
    rows = coverage(graph, ON, default_profile().min_formal_members)
    blanks = [orphan_row(graph, u, ON) for u in rows if u.status == "空白"]
    assert blanks  # orphan_reason was asked
    _answers(graph)
    UnitNames.of_mirror(graph)
    in_force_graph(graph, ON)
    freed = weakref.ref(graph)
    gc.disable()
    try:
        del graph
        assert freed() is None
    finally:
        gc.enable()
