"""Tracking across submissions on the embedded store (domain.md §7): `diff`, `trend
--periods`, `audit --baseline` and the rectification register (`rectify`, export, import).

Three hand-made periods from tests/small_ledger.py (answers worked by hand from §4.1/§7,
audited on a day after U1's 派驻 to C2 began, so C2 is 工作覆盖 throughout):
1. SMALL: C1 单独建 (P1 覆盖), C2 工作覆盖, C3 and C4 空白.
2. P1's 覆盖 of C1 withdrawn (C1 空白), C4 挂靠建 P2 (no longer 空白) and its households
   300 → 301, C5 added to M2 (空白).
3. P1's 覆盖 of C1 back (单独建), C4's 挂靠建 withdrawn (空白 again).
ORPHAN_COMPOUND: 1 {C3, C4}; 2 {C1, C3, C5}; 3 {C3, C4, C5}.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from small_ledger import SMALL

COVER_C1 = "        覆盖,P1,C1,,2021,,城阳党建〔2021〕3号\n"
ATTACH_C4 = "        挂靠建,C4,P2,,2022,,街道备案\n"
SECOND = {
    **SMALL,
    "compounds.csv": SMALL["compounds.csv"].replace("C4,城阳新苑,M2,300", "C4,城阳新苑,M2,301")
    + "        C5,海悦花园,M2,200,商品房,否,\n",
    "relations.csv": SMALL["relations.csv"].replace(COVER_C1, "") + ATTACH_C4,
}
THIRD = {**SECOND, "relations.csv": SMALL["relations.csv"]}


@pytest.fixture
def periods(run, make_ledger):
    for period, files in (("2026Q1", SMALL), ("2026Q2", SECOND), ("2026Q3", THIRD)):
        result = run("load", "--force", "--period", period, str(make_ledger(files)))
        assert result.exit_code == 0, result.output
    submitted = datetime.fromisoformat(json.loads(run("history", "--format", "json").stdout)[0]["at"]).date()
    return run, submitted


def _json(run, *args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_diff_reports_exactly_what_changed(periods):
    run, day = periods
    d = _json(run, "diff", "--from", "1", "--to", "2", "--as-of", str(day))
    assert (d["from"], d["to"]) == (1, 2)
    assert [(s["id"], s["before"], s["after"], s["change"]) for s in d["statuses"]] == [
        ("C1", "单独建", "空白", "worsened"), ("C4", "空白", "挂靠建", "improved"), ("C5", None, "空白", "added")]
    assert [(e["change"], e["id"], e["fields"]) for e in d["entities"]] == [
        ("changed", "C4", {"households": [300, 301]}), ("added", "C5", {})]
    assert [(r["change"], r["type"], r["from_id"], r["to_id"]) for r in d["relations"]] == [
        ("added", "挂靠建", "C4", "P2"), ("removed", "覆盖", "P1", "C1"), ("added", "隶属", "C5", "M2")]
    total = {i["indicator"]: (i["before"], i["after"]) for i in d["indicators"] if i["unit_id"] == "TOTAL"}
    assert total["org_coverage_rate"] == (0.25, 0.2)  # 单独建+联合建+挂靠建: C1 of 4 compounds; C4 of 5
    assert total["org_and_work_coverage_rate"] == (0.5, 0.4)  # C1, C2 of 4; C2, C4 of 5
    streets = {i["unit_id"] for i in d["indicators"]}
    assert streets == {"S1", "TOTAL"}
    # the default is the last two submissions
    latest = _json(run, "diff", "--as-of", str(day))
    assert (latest["from"], latest["to"]) == (2, 3)
    assert [(s["id"], s["change"]) for s in latest["statuses"]] == [("C1", "improved"), ("C4", "worsened")]
    table = run("diff", "--as-of", str(day)).stdout
    assert "改善" in table and "退步" in table
    for fmt in ("csv", "markdown"):
        assert "退步" in run("diff", "--as-of", str(day), "--format", fmt).stdout
    # a relation's two ends are named, not only numbered
    relations_part = table.split("【关系变化】")[1]
    assert "城阳新苑（C4）" in relations_part and "城阳社区党委（P2）" in relations_part
    csv_text = run("diff", "--as-of", str(day), "--format", "csv").stdout
    assert "起点,起点名称,终点,终点名称" in csv_text and ",C4,城阳新苑," in csv_text


def test_diff_needs_two_submissions(run, make_ledger):
    run("load", str(make_ledger(SMALL)))
    result = run("diff")
    assert result.exit_code != 0 and "至少要两次" in result.output
    assert run("diff", "--from", "7").exit_code != 0
    run("load", str(make_ledger(SMALL)))
    result = run("diff", "--to", "1")
    assert result.exit_code != 0 and "第 1 次导入之前没有导入可比较" in result.output
    assert json.loads(run("diff", "--from", "2", "--to", "1", "--format", "json").stdout)["from"] == 2


def test_trend_by_period_puts_the_submissions_side_by_side(periods):
    run, day = periods
    rows = _json(run, "trend", "--periods", "--as-of", str(day))
    org = [(r["seq"], r["period"], r["value"]) for r in rows if r["indicator"] == "org_coverage_rate"]
    assert org == [(1, "2026Q1", 0.25), (2, "2026Q2", 0.2), (3, "2026Q3", 0.2)]  # C1 of 4, C4 of 5, C1 of 5
    table = run("trend", "--periods", "--as-of", str(day)).stdout
    assert "第 1 次（2026Q1）" in table and "第 3 次（2026Q3）" in table


def _orphans(rows):
    return {r["entity_id"]: (r["state"], r["first_seen"]) for r in rows if r["code"] == "ORPHAN_COMPOUND"}


def test_audit_baseline_states(periods):
    run, day = periods
    on = str(day)
    latest = _json(run, "audit", "--baseline", "--as-of", on)  # the latest (3) against the one before (2)
    assert _orphans(latest["findings"]) == {"C1": ("已整改", 2), "C3": ("持续", 1), "C4": ("回潮", 3),
                                            "C5": ("持续", 2)}
    fixed = next(r for r in latest["findings"] if r["key"] == ["ORPHAN_COMPOUND", "C1", None])
    assert fixed["closed_in"] == 3
    assert _orphans(_json(run, "audit", "--load", "2", "--baseline", "1", "--as-of", on)["findings"]) == {
        "C1": ("新增", 2), "C3": ("持续", 1), "C4": ("已整改", 1), "C5": ("新增", 2)}
    # against 1: C4 is in 1 and in 3, so 持续, its current run beginning in 3; C1 is in neither
    assert _orphans(_json(run, "audit", "--baseline", "1", "--as-of", on)["findings"]) == {
        "C3": ("持续", 1), "C4": ("持续", 3), "C5": ("新增", 2)}
    assert _orphans(_json(run, "audit", "--baseline", "2026Q2", "--as-of", on)["findings"]) == _orphans(
        latest["findings"])
    code = next(r for r in latest["states_by_code"] if r["code"] == "ORPHAN_COMPOUND")
    assert (code["新增"], code["持续"], code["回潮"], code["已整改"]) == (0, 2, 1, 1)
    assert [s["unit_id"] for s in latest["states_by_street"]] == ["S1"]
    assert run("audit", "--baseline", "3", "--as-of", on).exit_code != 0  # not earlier than the audited one
    table = run("audit", "--baseline", "--as-of", on).stdout
    assert "回潮" in table and "对照第 2 次导入" in table


REASON = "小区列入拆迁或征收计划"  # in the default profile's waiver_reasons


def _register_rows(db_path):
    from govgraph.store.sqlite import SqliteStore

    store = SqliteStore(db_path, create=False)
    try:
        return store.register_rows()
    finally:
        store.close()


def _by_key(rows):
    return {(r["code"], r["entity_id"]): r for r in rows}


def test_register_export_edit_import_and_rectify(periods, tmp_path, db_path):
    from openpyxl import load_workbook

    run, day = periods
    on, later = str(day + timedelta(days=45)), str(day + timedelta(days=61))
    path = tmp_path / "整改台账.xlsx"
    result = run("rectify", "export", str(path), "--as-of", on)
    assert result.exit_code == 0, result.output
    open_keys = {(r["code"], r["entity_id"]) for r in _json(run, "audit", "--baseline", "--as-of", on)["findings"]
                 if r["state"] != "已整改"}
    book = load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[2]}

    def rows():
        return {(sheet.cell(r, col["问题代码"]).value, sheet.cell(r, col["对象编号"]).value): r
                for r in range(3, sheet.max_row + 1) if sheet.cell(r, col["问题代码"]).value}

    assert set(rows()) == open_keys  # every open finding, once
    assert sheet.cell(rows()["ORPHAN_COMPOUND", "C3"], col["责任单位"]).value == "城阳社区"
    evidence = [sheet.cell(r, col["依据"]).value for r in rows().values() if sheet.cell(r, col["依据"]).value]
    assert evidence == ["张三 任职（负责人） 泾华物业"]  # by name, as the audit's own xlsx gives it
    # edits: a waiver with a bad date, work in progress, one row deleted, the first row moved last
    waive = rows()["ORPHAN_COMPOUND", "C3"]
    for header, value in (("进展", "申请豁免"), ("豁免理由", REASON), ("审批人", "城阳区委组织部"), ("豁免到期", "2024-13-01")):
        sheet.cell(waive, col[header], value)
    work = rows()["NO_SELF_GOVERNANCE", "C5"]
    for header, value in (("进展", "整改中"), ("整改措施", "筹备业主大会"), ("责任人", "李四")):
        sheet.cell(work, col[header], value)
    sheet.delete_rows(rows()["NEEDS_INSTRUCTOR", "C4"])
    last = sheet.max_row
    sheet.move_range(f"A3:{sheet.cell(3, sheet.max_column).column_letter}3", rows=last - 2)
    sheet.delete_rows(3)
    book.save(path)
    bad_row = rows()["ORPHAN_COMPOUND", "C3"]
    refused = run("rectify", "import", str(path))
    assert refused.exit_code == 2
    assert f"整改台账.xlsx[整改台账]:{bad_row}:豁免到期: 2024-13-01: 不是有效日期" in refused.output
    assert _register_rows(db_path) == []  # nothing written

    sheet.cell(bad_row, col["豁免到期"], str(day + timedelta(days=60)))
    book.save(path)
    result = run("rectify", "import", str(path))
    assert result.exit_code == 0, result.output
    stored = _by_key(_register_rows(db_path))
    assert set(stored) == open_keys - {("NEEDS_INSTRUCTOR", "C4")}  # matched by key; the deleted row untouched
    assert stored["ORPHAN_COMPOUND", "C3"]["waiver_expires"] == str(day + timedelta(days=60))
    assert (stored["NO_SELF_GOVERNANCE", "C5"]["measures"], stored["NO_SELF_GOVERNANCE", "C5"]["person"]) == (
        "筹备业主大会", "李四")

    # 45 days on: errors (30 days) are 超期 unless waived; warnings (60 days) are not yet
    findings = _by_key(_json(run, "audit", "--baseline", "--as-of", on)["findings"])
    c3 = findings["ORPHAN_COMPOUND", "C3"]
    assert (c3["register_status"], c3["overdue"], c3["progress"]) == ("已豁免", False, "申请豁免")
    assert c3["waiver"] == {"reason": REASON, "approver": "城阳区委组织部", "expires": str(day + timedelta(days=60))}
    assert (findings["ORPHAN_COMPOUND", "C4"]["register_status"], findings["ORPHAN_COMPOUND", "C4"]["overdue"]) == (
        "超期", True)  # 回潮 in 3: its deadline counts from 3
    assert findings["ORPHAN_COMPOUND", "C5"]["register_status"] == "超期"
    nsg = findings["NO_SELF_GOVERNANCE", "C5"]
    assert (nsg["register_status"], nsg["progress"], nsg["overdue"]) == ("整改中", "整改中", False)
    assert nsg["deadline"] == str(day + timedelta(days=60))
    assert findings["ORPHAN_COMPOUND", "C1"]["register_status"] == "已销号"
    assert findings["NEEDS_INSTRUCTOR", "C4"]["progress"] == "待整改"

    units = {r["unit_id"]: r for r in _json(run, "rectify", "--as-of", on)["units"]}
    assert (units["M2"]["已豁免"], units["M2"]["整改中"]) == (1, 1)
    closed_m1 = sum(1 for f in findings.values() if f["register_status"] == "已销号" and f["responsible_unit"] == "M1")
    assert units["M1"]["已销号"] == closed_m1 >= 1
    assert units["TOTAL"]["超期"] == sum(1 for f in findings.values() if f["overdue"])
    table = run("rectify", "--as-of", on).stdout
    assert "城阳社区（M2）" in table and "超期" in table

    # 61 days on: the waiver has expired (超期 again) and the warning is past its deadline
    findings = _by_key(_json(run, "audit", "--baseline", "--as-of", later)["findings"])
    assert (findings["ORPHAN_COMPOUND", "C3"]["register_status"], findings["ORPHAN_COMPOUND", "C3"]["overdue"]) == (
        "超期", True)
    assert findings["NO_SELF_GOVERNANCE", "C5"]["register_status"] == "超期"
    assert _json(run, "rectify", "--as-of", later)["units"][-1]["已豁免"] == 0


def test_register_export_of_one_scope(periods, tmp_path):
    from openpyxl import load_workbook

    run, day = periods
    path = tmp_path / "M2.xlsx"
    assert run("rectify", "export", str(path), "--scope", "M2", "--as-of", str(day)).exit_code == 0
    sheet = load_workbook(path).active
    col = {c.value: c.column for c in sheet[2]}
    units = {sheet.cell(r, col["责任单位编号"]).value for r in range(3, sheet.max_row + 1)}
    assert units == {"M2"}
    assert run("rectify", "export", str(tmp_path / "x.csv")).exit_code != 0


def test_demo_diff_and_states_as_its_readme_says(tmp_path, monkeypatch):
    """seeds/demo/README.md ("The earlier period", hand-worked by its author): 苜卫路23号
    空白 → 挂靠建 (改善, its ORPHAN_COMPOUND 已整改), 苜卫路27号 工作覆盖 → 空白 (退步, a 新增
    ORPHAN_COMPOUND), 万科魅力之城 one entity changed; 锦城苑 空白 in both (持续)."""
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("GOVGRAPH_DB", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"], catch_exceptions=False).exit_code == 0

    def as_json(*args):
        result = runner.invoke(cli, ["--demo", *args, "--as-of", "2026-11-23", "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    d = as_json("diff")
    assert [(s["id"], s["before"], s["after"], s["change"]) for s in d["statuses"]] == [
        ("C-MW23", "空白", "挂靠建", "improved"), ("C-MW27", "工作覆盖", "空白", "worsened")]
    assert [(e["change"], e["name"]) for e in d["entities"]] == [("changed", "万科魅力之城")]
    assert sorted(d["entities"][0]["fields"]) == ["households", "party_members"]
    orphans = _orphans(as_json("audit", "--baseline")["findings"])
    assert orphans == {"C-MW23": ("已整改", 1), "C-MW27": ("新增", 2), "C-JCY": ("持续", 1)}


def test_closing_by_evidence_and_reported_not_fixed(periods, tmp_path, make_ledger):
    """§7 / issue 11 item 3: a unit reports ORPHAN C5 已整改 and C4 整改中 on submission 3;
    submission 4 still has C5 (报而未改) and no longer has C4 (挂靠建 again): C4 is closed
    (已销号, closed in 4) whatever the register said."""
    from openpyxl import load_workbook

    run, day = periods
    on = str(day + timedelta(days=10))  # before every deadline
    path = tmp_path / "整改台账.xlsx"
    assert run("rectify", "export", str(path), "--as-of", on).exit_code == 0
    book = load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[2]}
    row = {(sheet.cell(r, col["问题代码"]).value, sheet.cell(r, col["对象编号"]).value): r
           for r in range(3, sheet.max_row + 1)}
    sheet.cell(row["ORPHAN_COMPOUND", "C5"], col["进展"], "已整改")
    sheet.cell(row["ORPHAN_COMPOUND", "C4"], col["进展"], "整改中")
    book.save(path)
    assert run("rectify", "import", str(path)).exit_code == 0
    before = _by_key(_json(run, "audit", "--baseline", "--as-of", on)["findings"])
    assert (before["ORPHAN_COMPOUND", "C5"]["register_status"], before["ORPHAN_COMPOUND", "C5"]["reported_not_fixed"]) == (
        "整改中", False)  # reported, not yet checked by a later submission
    fourth = {**THIRD, "relations.csv": SMALL["relations.csv"] + ATTACH_C4}
    assert run("load", "--period", "2026Q4", str(make_ledger(fourth))).exit_code == 0
    after = _by_key(_json(run, "audit", "--baseline", "--as-of", on)["findings"])
    c5, c4 = after["ORPHAN_COMPOUND", "C5"], after["ORPHAN_COMPOUND", "C4"]
    assert (c5["state"], c5["reported_not_fixed"], c5["progress"]) == ("持续", True, "已整改")
    assert (c4["state"], c4["closed_in"], c4["register_status"]) == ("已整改", 4, "已销号")
    units = {r["unit_id"]: r for r in _json(run, "rectify", "--as-of", on)["units"]}
    assert units["M2"]["reported_not_fixed"] == 1
