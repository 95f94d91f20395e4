"""The embedded store: whole-or-nothing loads, replace and merge, the load log, scoped
reads, and the export round trip."""

from __future__ import annotations

import sqlite3

import pytest

from govgraph.coverage import coverage
from govgraph.errors import LedgerError, StoreError
from govgraph.ledger import read_ledger, write_ledger
from govgraph.loading import load_ledger
from govgraph.mirror import build_mirror
from small_ledger import SMALL
from datetime import date


def test_load_twice_gives_same_graph(store, make_ledger):
    path = make_ledger(SMALL)
    load_ledger(store, path)
    first = store.read()
    second_load = load_ledger(store, path)
    assert store.read().same_content(first)
    r = second_load.record
    assert (r.entities_added, r.entities_changed, r.entities_removed) == (0, 0, 0)
    assert (r.relations_added, r.relations_changed, r.relations_removed) == (0, 0, 0)


def test_store_read_equals_ledger(store, make_ledger):
    ledger = read_ledger(make_ledger(SMALL)).data
    load_ledger(store, make_ledger(SMALL))
    assert store.read().same_content(ledger)


def test_replace_counts_changes(store, make_ledger):
    load_ledger(store, make_ledger(SMALL))
    changed = dict(SMALL)
    changed["compounds.csv"] = SMALL["compounds.csv"].replace("C4,城阳新苑,M2,300", "C4,城阳新苑,M2,301")
    changed["relations.csv"] = SMALL["relations.csv"].replace("        居住,U3,C1,,,,\n", "")
    record = load_ledger(store, make_ledger(changed)).record
    assert (record.entities_added, record.entities_changed, record.entities_removed) == (0, 1, 0)
    assert (record.relations_added, record.relations_changed, record.relations_removed) == (0, 0, 1)
    assert [r.mode for r in store.load_records()] == ["replace", "replace"]


def test_merge_keeps_what_the_ledger_does_not_mention(store, make_ledger):
    load_ledger(store, make_ledger(SMALL))
    extra = make_ledger({
        "compounds.csv": "id,name,community_id\nC5,海悦花园,M2\nC4,城阳新苑,M1",
        "relations.csv": "type,from_id,to_id,role\n派驻,U3,C5,观察员",
    })
    record = load_ledger(store, extra, mode="merge").record
    data = store.read()
    assert "C1" in data.entities and "C5" in data.entities
    # C4 was resubmitted with a new community: its undated parent is replaced, not doubled.
    assert [r.to_id for r in data.relations if r.from_id == "C4" and r.type == "隶属"] == ["M1"]
    assert data.entities["C4"].attrs == {}  # resubmitted rows replace the entity whole
    assert (record.entities_added, record.entities_changed, record.entities_removed) == (1, 1, 0)
    assert (record.relations_added, record.relations_changed, record.relations_removed) == (3, 0, 1)  # noqa


def test_merge_keeps_a_parent_written_in_relations(store, make_ledger):
    # A 隶属 with a source lives in relations.csv, not in the parent column (that is how
    # export writes it): resubmitting the compound's row to change its households must
    # not take it away.
    ledger = dict(SMALL)
    ledger["compounds.csv"] = SMALL["compounds.csv"] + "        C5,海悦花园,,200,商品房,否,\n"
    ledger["relations.csv"] = SMALL["relations.csv"] + "        隶属,C5,M2,,,,街道小区名册2024\n"
    load_ledger(store, make_ledger(ledger))
    record = load_ledger(store, make_ledger({"compounds.csv": "id,name,community_id,households\nC5,海悦花园,,250"}),
                         mode="merge").record
    data = store.read()
    assert [(r.to_id, r.source) for r in data.relations if r.from_id == "C5" and r.type == "隶属"] == [
        ("M2", "街道小区名册2024")]
    assert data.entities["C5"].attrs == {"households": 250}
    assert (record.relations_added, record.relations_changed, record.relations_removed) == (0, 0, 0)


def test_merge_validates_against_the_store(store, make_ledger):
    load_ledger(store, make_ledger(SMALL))
    before = store.read()
    with pytest.raises(LedgerError) as exc:
        load_ledger(store, make_ledger({"relations.csv": "type,from_id,to_id\n服务,F1,C9\n隶属,C1,M2"}), mode="merge")
    assert [str(i) for i in exc.value.issues] == [
        "relations.csv:2:to_id: C9: 没有这个编号或名称的小区",
        "relations.csv:3:to_id: M2: 与 compounds.csv:2 的上级 M1 同时有效，同一时间只能有一个上级",
    ]
    assert store.read().same_content(before)
    assert len(store.load_records()) == 1


def test_failed_write_rolls_back(store, make_ledger, monkeypatch):
    load_ledger(store, make_ledger(SMALL))
    before = store.read()
    data = read_ledger(make_ledger(SMALL)).data
    # A duplicate id makes the second INSERT fail after the DELETEs ran in the same transaction.
    data.entities["dup"] = data.entities["C1"]
    with pytest.raises(StoreError) as exc:
        store.replace_all(data, store.load_records()[0])
    assert "已回滚，库中数据未改变" in str(exc.value)
    assert store.read().same_content(before)
    assert len(store.load_records()) == 1


def test_unwritable_store_is_a_clear_error(tmp_path):
    from govgraph.store.sqlite import SqliteStore

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as exc:
        SqliteStore(blocker / "sub" / "db.sqlite")
    assert str(exc.value).startswith(f"无法打开本地数据库 {blocker / 'sub' / 'db.sqlite'}：请检查路径是否可写")


@pytest.mark.parametrize("scope", ["S1", "M1", "M2"])
@pytest.mark.parametrize("on", [date(2022, 1, 1), date(2024, 6, 30)])
def test_scoped_coverage_equals_whole(store, make_ledger, scope, on):
    load_ledger(store, make_ledger(SMALL))
    whole = {r.id: r for r in coverage(build_mirror(store.read()), on)}
    scoped = coverage(build_mirror(store.read(scope)), on)
    assert scoped, scope
    for row in scoped:
        assert row.as_row() == whole[row.id].as_row()
    communities = {"S1": {"M1", "M2"}, "M1": {"M1"}, "M2": {"M2"}}[scope]
    expected = {r.id for r in whole.values() if communities & set(r.communities)}
    assert {r.id for r in scoped} == expected


def test_scoped_read_reads_only_the_neighbourhood(store, make_ledger):
    load_ledger(store, make_ledger(SMALL))
    scoped = store.read("M2")
    assert {"C3", "C4", "M2", "P2", "F1"} <= set(scoped.entities)
    assert "C2" not in scoped.entities  # M1's compound, not reached from M2


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_export_round_trip(store, make_ledger, tmp_path, target):
    moved = {
        **SMALL,
        "compounds.csv": SMALL["compounds.csv"] + "        C5,苜卫路23号,,40,老旧小区,是,\n",
        "relations.csv": SMALL["relations.csv"] + "        隶属,C5,M1,,2015,2018-06,旧台账\n        隶属,C5,M2,,2018-07,,\n",
    }
    path = make_ledger(moved)
    load_ledger(store, path)
    original = store.read()
    out = write_ledger(original, tmp_path / target)
    again = read_ledger(out).data
    assert again.same_content(original)


def test_xlsx_numeric_ids_are_text(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "社区"
    sheet.append(["编号", "名称"])
    sheet.append([1001.0, "青特社区"])
    book.create_sheet("小区").append(["编号", "名称", "所属社区", "户数"])
    book["小区"].append([2001, "青特城", 1001, 1200.0])
    book.save(tmp_path / "book.xlsx")
    data = read_ledger(tmp_path / "book.xlsx").data
    assert set(data.entities) == {"1001", "2001"}
    assert data.entities["2001"].attrs["households"] == 1200


def test_xlsx_errors_name_the_sheet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "小区"
    book.active.append(["编号", "名称", "户数"])
    book.active.append(["C1", "青特城", -2])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(LedgerError) as exc:
        read_ledger(tmp_path / "book.xlsx")
    assert [str(i) for i in exc.value.issues] == ["book.xlsx[小区]:2:户数: -2: 应为非负整数"]


def test_mirror_keeps_the_label_apart_from_a_committee_kind(make_ledger):
    from govgraph.mirror import build_mirror

    data = read_ledger(make_ledger({**SMALL, "committees.csv": "id,name,kind,unit_id\nK1,青特城业委会,业委会,C1"})).data
    graph = build_mirror(data)
    assert graph.nodes["K1"]["kind"] == "Committee"
    assert graph.nodes["K1"]["committee_kind"] == "业委会"


def _finding_keys(graph, on):
    from govgraph.findings import audit
    from govgraph.profile import load_profile

    return {(f.code, f.entity_id, f.unit_id) for f in audit(graph, on, load_profile())}


@pytest.mark.parametrize("on", [date(2023, 6, 1), date(2026, 11, 23)])
def test_scoped_audits_add_up_to_the_whole(store, on):
    from govgraph.seeds import __file__ as seeds

    from pathlib import Path

    load_ledger(store, Path(seeds).parent / "demo")
    whole = _finding_keys(build_mirror(store.read()), on)
    streets = sorted(e.id for e in store.read().entities.values() if e.kind == "Street")
    union = set()
    for street in streets:
        scoped = _finding_keys(build_mirror(store.read(street)), on)
        assert scoped <= whole, street
        union |= scoped
    assert union == whole


def test_a_compound_that_moved_out_is_not_in_the_old_scope(store, make_ledger):
    moved = {**SMALL,
             "streets.csv": SMALL["streets.csv"] + "        S2,流亭街道,D1\n",
             "communities.csv": SMALL["communities.csv"] + "        M3,流亭社区,S2\n",
             "compounds.csv": SMALL["compounds.csv"] + "        C5,苜卫路25号,,40,老旧小区,是,\n",
             "relations.csv": SMALL["relations.csv"] + "        隶属,C5,M1,,2015,2020-12,\n        隶属,C5,M3,,2021-01,,\n"}
    load_ledger(store, make_ledger(moved))
    for on, inside in ((date(2019, 6, 1), True), (date(2024, 1, 1), False)):
        ids = {r.id for r in coverage(build_mirror(store.read("M1")), on)}
        assert ("C5" in ids) is inside, on
        assert ("ORPHAN_COMPOUND", "C5", None) in _finding_keys(build_mirror(store.read("M1")), on) if inside else \
            ("ORPHAN_COMPOUND", "C5", None) not in _finding_keys(build_mirror(store.read("M1")), on)
    rows = coverage(build_mirror(store.read("S2")), date(2024, 1, 1))
    assert [(r.id, r.community_id, r.street_id) for r in rows if r.kind == "Compound"] == [("C5", "M3", "S2")]
