"""The hand-worked acceptance ledgers (tests/acceptance/): the code must give exactly the
answers worked out by hand from domain.md. The expectations are never edited to fit."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date

import pytest

from govgraph import appointments as ap
from govgraph.coverage import STATUSES, coverage, rollups
from govgraph.errors import LedgerError
from govgraph.findings import audit
from govgraph.ledger import read_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conftest import ACCEPTANCE

CORE = ACCEPTANCE / "core"
EXPECTED = tomllib.loads((CORE / "expected.toml").read_text("utf-8"))
DATES = [a["date"] for a in EXPECTED["asof"]]


@pytest.fixture(scope="module")
def graph():
    return build_mirror(read_ledger(CORE / "ledger").data)


def expected_on(day: str) -> dict:
    return next(a for a in EXPECTED["asof"] if a["date"] == day)


@pytest.mark.parametrize("day", DATES)
def test_statuses_eligibility_and_parents(graph, day):
    want = expected_on(day)
    rows = {r.id: r for r in coverage(graph, date.fromisoformat(day))}
    assert {i: r.status for i, r in rows.items() if r.kind == "Compound"} == want["compounds"]
    assert {i: r.status for i, r in rows.items() if r.kind == "Firm"} == want["firms"]
    assert sorted(i for i, r in rows.items() if r.eligible) == want["eligible"]
    assert {i: r.formal_members for i, r in rows.items()} == want["formal_members"]
    assert sorted(i for i, r in rows.items() if r.kind == "Compound" and r.status == "空白") == want["orphans"]
    assert {i: r.community_id for i, r in rows.items() if r.kind == "Compound" and r.community_id} == want["parents"]


@pytest.mark.parametrize("day", DATES)
def test_rollups(graph, day):
    want = expected_on(day)["rollup"]
    on = date.fromisoformat(day)
    rows = coverage(graph, on)
    got = {}
    for level in ("district", "street", "community"):
        for r in rollups(graph, on, rows, level):
            got[r.unit_id] = {
                "compounds": {s: r.compounds[s] for s in STATUSES},
                "firms": {s: r.firms[s] for s in STATUSES},
                "rates": {"组织覆盖率": [r.org_covered, r.compound_total],
                          "组织和工作覆盖率": [r.org_or_work_covered, r.compound_total]},
            }
    assert {u: got[u] for u in want} == want
    assert set(want) == set(got), "every unit and TOTAL has expected figures"


@pytest.mark.parametrize("day", DATES)
def test_cross_appointments_and_yijiantiao(graph, day):
    want = expected_on(day)
    snap = Snapshot(graph, date.fromisoformat(day))
    units = snap.nodes_of("Compound") + snap.nodes_of("Community")
    assert sorted(u for u in units if ap.yijiantiao_confirmed(snap, u)) == want["yijiantiao_confirmed"]
    crossed = {u: sorted(ap.cross_appointed(snap, u)) for u in units}
    assert {u: p for u, p in crossed.items() if p} == want["cross_appointed"]


@pytest.mark.parametrize("day", DATES)
def test_findings(graph, day):
    want = Counter((f["code"], f["entity_id"], f.get("unit_id")) for f in expected_on(day)["findings"])
    got = Counter((f.code, f.entity_id, f.unit_id) for f in audit(graph, date.fromisoformat(day), load_profile()))
    assert sorted(got - want) == [], "findings the hand audit does not have"
    assert sorted(want - got) == [], "findings the hand audit has and the code missed"


def test_every_finding_code_fires_somewhere():
    codes = {f["code"] for a in EXPECTED["asof"] for f in a["findings"]}
    from govgraph.findings import finding_texts

    assert codes == set(finding_texts())


def test_gb18030_chinese_headers_load_to_the_identical_graph():
    utf8 = read_ledger(CORE / "ledger").data
    gbk = read_ledger(ACCEPTANCE / "core_gb18030" / "ledger").data
    assert gbk.same_content(utf8)


ERRORS = tomllib.loads((ACCEPTANCE / "errors" / "expected.toml").read_text("utf-8"))["errors"]


def test_error_ledger_reports_every_error():
    with pytest.raises(LedgerError) as exc:
        read_ledger(ACCEPTANCE / "errors" / "ledger")
    got = [(i.file, i.row, i.column, i.value, i.code) for i in exc.value.issues]
    want = [(e["file"], e["row"], e["column"], e["value"], e["code"]) for e in ERRORS]
    assert sorted(got) == sorted(want)
    assert len({e["code"] for e in ERRORS}) >= 10


def test_error_ledger_through_the_cli_leaves_the_store_unchanged(run, db_path):
    assert run("load", str(CORE / "ledger")).exit_code == 0
    before = run("export", str(db_path.parent / "before")).exit_code
    result = run("load", str(ACCEPTANCE / "errors" / "ledger"))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if not line.startswith("提醒：")]  # warnings come first
    assert len(lines) == len(ERRORS) + 1
    assert lines[-1] == f"台账有 {len(ERRORS)} 处错误，未导入任何数据。"
    assert before == 0
    from govgraph.store.sqlite import SqliteStore

    store = SqliteStore(db_path)
    try:
        assert store.read().same_content(read_ledger(CORE / "ledger").data)
        assert len(store.load_records()) == 1
    finally:
        store.close()
