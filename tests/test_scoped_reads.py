"""A read around one street or community (`store.read(scope=…)`, used by every `--scope`
command, the charts and the web's unit pages) must give each unit it lists the answer the
whole graph gives. Checked on every street and community of the synthetic demo tier,
whose firms serve compounds of several communities and whose joint party organisations
(联合建) cover firms of several communities."""

from __future__ import annotations

from datetime import date

import pytest

from govgraph.coverage import coverage
from govgraph.findings import audit
from govgraph.loading import load_ledger
from govgraph.mirror import build_mirror
from govgraph.profile import default_profile
from govgraph.store.sqlite import SqliteStore
from govgraph.synth import REFERENCE_DATE, write_synthetic

ON = REFERENCE_DATE


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoped_reads")
    write_synthetic(root / "ledger", "demo", 1)
    store = SqliteStore(root / "db.sqlite")
    load_ledger(store, root / "ledger")
    yield store
    store.close()


def _units(store):
    data = store.read()
    return sorted(i for i, e in data.entities.items() if e.kind in ("Street", "Community"))


def test_a_scoped_read_gives_each_listed_unit_its_whole_graph_coverage(store):
    whole = {r.id: r for r in coverage(build_mirror(store.read()), ON)}
    joint_seen = False
    for unit in _units(store):
        part = coverage(build_mirror(store.read(unit)), ON)
        assert part, unit
        for row in part:
            assert row.as_row() == whole[row.id].as_row(), (unit, row.id)  # `communities` is what the scope sees
            joint_seen |= row.status == "联合建" and row.kind == "Firm"
    assert joint_seen  # the case that went wrong: a firm read only as context, covered jointly


def test_a_scoped_read_gives_each_listed_unit_its_whole_graph_findings(store):
    profile = default_profile()
    whole = {(f.code, f.entity_id): f for f in audit(build_mirror(store.read()), ON, profile)}
    compared = 0
    for unit in _units(store):
        graph = build_mirror(store.read(unit))
        listed = {row.id for row in coverage(graph, ON)}
        for f in audit(graph, ON, profile):
            if f.entity_id in listed:
                assert f == whole[(f.code, f.entity_id)], (unit, f.code, f.entity_id)
                compared += 1
    assert compared > 20
