"""Rectification counts per code, street, district and 责任单位 (domain.md §7), on the three
hand-worked periods of tests/periods_ledger.py, and the audit workbook that carries them
with each finding's state and the register's columns."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from periods_ledger import period

COUNTS = ("present", "新增", "持续", "回潮", "已整改", "超期", "已豁免")


@pytest.fixture
def periods(run, make_ledger):
    for n in (1, 2, 3):
        result = run("load", "--force", "--period", f"2026Q{n}", str(make_ledger(period(n))))
        assert result.exit_code == 0, result.output
    submitted = datetime.fromisoformat(json.loads(run("history", "--format", "json").stdout)[0]["at"]).date()
    return run, submitted + timedelta(days=45)  # every open error (30 days) overdue, no info (90)


def _tracked(db_path, on: date, current=None, baseline="previous"):
    from govgraph.profile import load_profile
    from govgraph.rectify import track_store
    from govgraph.store.sqlite import SqliteStore

    store = SqliteStore(db_path, create=False)
    try:
        return track_store(store, on, load_profile(), current=current, baseline=baseline)
    finally:
        store.close()


def _counts(rows, key="unit_id"):
    return {r[key]: tuple(r[k] for k in COUNTS) for r in rows}


def test_counts_per_street_district_unit_and_code(periods, db_path):
    from govgraph.rectify import progress_counts

    _, on = periods
    audited = _tracked(db_path, on)
    assert (audited.current, audited.baseline) == (3, 2)
    #                    present 新增 持续 回潮 已整改 超期 已豁免
    assert _counts(progress_counts(audited.tracked, audited.units, "street")) == {
        "S1": (4, 2, 0, 2, 2, 2, 0),  # C11 回潮, C13 新增, C12 已整改; ORPHAN of C11 and C13 overdue
        "S2": (2, 0, 2, 0, 2, 1, 0),  # C22 持续, C21 已整改
        "S3": (2, 0, 0, 2, 0, 1, 0),  # C31 回潮
        "TOTAL": (8, 2, 2, 4, 4, 4, 0)}
    assert [r["unit_name"] for r in progress_counts(audited.tracked, audited.units, "street")] == [
        "城阳街道", "夏庄街道", "李村街道", "合计"]
    assert _counts(progress_counts(audited.tracked, audited.units, "district")) == {
        "D1": (6, 2, 2, 2, 4, 3, 0), "D2": (2, 0, 0, 2, 0, 1, 0), "TOTAL": (8, 2, 2, 4, 4, 4, 0)}
    assert _counts(progress_counts(audited.tracked, audited.units, "unit")) == {
        "M1": (4, 2, 0, 2, 2, 2, 0), "M2": (2, 0, 2, 0, 2, 1, 0), "M3": (2, 0, 0, 2, 0, 1, 0),
        "TOTAL": (8, 2, 2, 4, 4, 4, 0)}
    by_code = progress_counts(audited.tracked, audited.units, "code")
    assert _counts(by_code, "title") == {"空白小区": (4, 1, 1, 2, 2, 4, 0), "需选派党建指导员": (4, 1, 1, 2, 2, 0, 0),
                                         "合计": (8, 2, 2, 4, 4, 4, 0)}
    assert by_code[-1]["unit_id"] == "TOTAL"

    second = _tracked(db_path, on, current=2)  # period 2 against period 1
    assert _counts(progress_counts(second.tracked, second.units, "street")) == {
        "S1": (2, 2, 0, 0, 2, 1, 0), "S2": (4, 2, 2, 0, 0, 2, 0), "S3": (0, 0, 0, 0, 2, 0, 0),
        "TOTAL": (6, 4, 2, 0, 4, 3, 0)}
    first = _tracked(db_path, on, current=1)  # nothing to compare: everything is new
    assert first.baseline is None and "之前没有报送可对照" in first.against_words()
    assert _counts(progress_counts(first.tracked, first.units, "street"))["TOTAL"] == (6, 6, 0, 0, 0, 3, 0)


def test_a_waiver_counts_apart_from_overdue(periods, db_path):
    from govgraph.profile import load_profile
    from govgraph.rectify import RegisterEntry, entry_to_row, progress_counts
    from govgraph.store.sqlite import SqliteStore

    _, on = periods
    waiver = RegisterEntry(("ORPHAN_COMPOUND", "C22", ""), progress="申请豁免",
                           waiver_reason=load_profile().waiver_reasons[0], approver="区委组织部",
                           waiver_expires=on + timedelta(days=1), reported_in=3)
    store = SqliteStore(db_path, create=False)
    try:
        store.write_register([entry_to_row(waiver)])
    finally:
        store.close()
    audited = _tracked(db_path, on)
    streets = _counts(progress_counts(audited.tracked, audited.units, "street"))
    assert streets["S2"] == (2, 0, 2, 0, 2, 0, 1) and streets["TOTAL"] == (8, 2, 2, 4, 4, 3, 1)
    expired = _tracked(db_path, on + timedelta(days=2))  # the waiver has run out: overdue again
    assert _counts(progress_counts(expired.tracked, expired.units, "street"))["S2"] == (2, 0, 2, 0, 2, 1, 0)


def test_audit_baseline_json_counts_per_street(periods):
    run, on = periods
    result = json.loads(run("audit", "--baseline", "--as-of", str(on), "--format", "json").stdout)
    assert [(s["unit_id"], s["新增"], s["回潮"], s["已整改"], s["超期"]) for s in result["states_by_street"]] == [
        ("S1", 2, 2, 2, 2), ("S2", 0, 0, 2, 1), ("S3", 0, 2, 0, 1)]


def _sheet(book, name):
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    return rows[0][0], rows[1], rows[2:]


def test_audit_workbook_has_states_and_register_columns(periods, tmp_path):
    from openpyxl import load_workbook

    run, on = periods
    out = tmp_path / "问题清单.xlsx"
    result = run("audit", "--as-of", str(on), "--format", "xlsx", "-o", str(out))  # no --baseline: the previous
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["问题汇总", "整改情况（按区县）", "整改情况（按街道）", "问题清单"]
    meta, header, rows = _sheet(book, "整改情况（按街道）")
    assert "第 3 次导入（2026Q3）对照第 2 次导入（2026Q2）" in meta
    assert header == ["序号", "单位编号", "单位名称", "本期问题", "新增", "持续", "回潮", "已整改", "超期", "已豁免"]
    assert [r[1:] for r in rows] == [["S1", "城阳街道", 4, 2, 0, 2, 2, 2, 0], ["S2", "夏庄街道", 2, 0, 2, 0, 2, 1, 0],
                                     ["S3", "李村街道", 2, 0, 0, 2, 0, 1, 0], [None, "合计", 8, 2, 2, 4, 4, 4, 0]]
    _, header, rows = _sheet(book, "整改情况（按区县）")
    assert [r[1:4] + r[7:9] for r in rows] == [["D1", "城阳区", 6, 4, 3], ["D2", "李沧区", 2, 0, 1],
                                              [None, "合计", 8, 4, 4]]
    _, header, rows = _sheet(book, "问题清单")
    assert header[:6] == ["序号", "严重程度", "问题代码", "问题", "对象编号", "对象名称"]
    for column in ("问题状态", "首次出现（报送序号）", "销号（报送序号）", "责任单位", "整改时限", "整改状态",
                   "整改措施", "责任人", "进展", "豁免理由", "审批人", "豁免到期"):
        assert column in header
    col = {h: i for i, h in enumerate(header)}
    got = {(r[col["问题代码"]], r[col["对象编号"]]): (r[col["问题状态"]], r[col["首次出现（报送序号）"]],
                                                   r[col["责任单位"]], r[col["整改状态"]]) for r in rows}
    assert got[("ORPHAN_COMPOUND", "C11")] == ("回潮", 3, "青特社区", "超期")
    assert got[("ORPHAN_COMPOUND", "C22")] == ("持续", 2, "夏庄社区", "超期")
    assert got[("NEEDS_INSTRUCTOR", "C13")] == ("新增", 3, "青特社区", "待整改")
    assert got[("ORPHAN_COMPOUND", "C12")] == ("已整改", 2, "青特社区", "已销号")
    assert len(rows) == 12  # 8 present, 4 fixed


def test_audit_workbook_of_a_first_submission_says_there_is_nothing_to_compare(periods, tmp_path):
    from openpyxl import load_workbook

    run, on = periods
    out = tmp_path / "第一期.xlsx"
    assert run("audit", "--load", "1", "--as-of", str(on), "--format", "xlsx", "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    meta, header, rows = _sheet(book, "整改情况（按街道）")
    assert "第 1 次导入（2026Q1）之前没有报送可对照" in meta
    assert header == ["序号", "单位编号", "单位名称", "本期问题", "超期", "已豁免"]  # no empty state columns
    assert rows[-1][2:] == ["合计", 6, 3, 0]
    _, header, rows = _sheet(book, "问题清单")
    assert "问题状态" not in header and "整改时限" in header and len(rows) == 6


# -- the report presents the same counts -------------------------------------------------------
def _report(db_path, on, scope=None, current=None, baseline="previous", full=False):
    from govgraph.charts.report import build_report
    from govgraph.profile import load_profile
    from govgraph.reading import read_mirror
    from govgraph.store.sqlite import SqliteStore

    tracking = _tracked(db_path, on, current=current, baseline=baseline) if scope is None else None
    store = SqliteStore(db_path, create=False)
    try:
        if scope is not None:
            from govgraph.rectify import track_store

            tracking = track_store(store, on, load_profile(), current=current, baseline=baseline, scope=scope)
        graph = read_mirror(store, scope, current)
    finally:
        store.close()
    return build_report(graph, on, load_profile(), scope, with_chart=False, full=full, tracking=tracking)


def _section(report, title):
    return next(s for s in report.sections if s.title.endswith(title))


def _table(table):
    return [table.headers] + [[c.text for c in row] for row in table.rows]


def test_report_shows_new_fixed_overdue_and_recurring_per_district_and_street(periods, db_path):
    _, on = periods
    report = _report(db_path, on)
    assert [s.title for s in report.sections] == ["一、核心指标", "二、党的组织和工作覆盖情况", "三、问题清单",
                                                  "四、问题整改情况", "五、党建指导员选派名单"]
    assert "第 3 次导入（2026Q3）对照第 2 次导入（2026Q2）" in report.meta
    districts, streets = _section(report, "问题整改情况").tables
    head = ["序号", "区县", "本期问题", "新增", "持续", "回潮", "已整改", "超期", "已豁免"]
    assert _table(districts) == [head, ["1", "城阳区", "6", "2", "2", "2", "4", "3", "0"],
                                 ["2", "李沧区", "2", "0", "0", "2", "0", "1", "0"],
                                 ["", "合计", "8", "2", "2", "4", "4", "4", "0"]]
    assert _table(streets) == [["序号", "街道", *head[2:]], ["1", "城阳街道", "4", "2", "0", "2", "2", "2", "0"],
                               ["2", "夏庄街道", "2", "0", "2", "0", "2", "1", "0"],
                               ["3", "李村街道", "2", "0", "0", "2", "0", "1", "0"],
                               ["", "合计", "8", "2", "2", "4", "4", "4", "0"]]
    summary = _table(_section(report, "问题清单").tables[0])
    assert summary[0] == ["序号", "严重程度", "问题", *head[2:]]
    assert summary[1:] == [["1", "错误", "空白小区", "4", "1", "1", "2", "2", "4", "0"],
                           ["2", "提示", "需选派党建指导员", "4", "1", "1", "2", "2", "0", "0"],
                           ["", "", "合计", "8", "2", "2", "4", "4", "4", "0"]]


def test_full_report_lists_each_finding_with_its_state_and_register(periods, db_path):
    _, on = periods
    detail = _table(_section(_report(db_path, on, full=True), "问题清单").tables[1])
    assert detail[0][-4:] == ["状态", "责任单位", "整改时限", "单位反馈"]
    rows = {(r[2], r[3]): r[-4:] for r in detail[1:]}
    assert len(rows) == 12  # 8 present, then the 4 fixed
    day = on - timedelta(days=45)
    assert rows[("空白小区", "小区 青城苑")] == ["回潮（第 3 次导入起）", "青特社区",
                                               f"{day + timedelta(days=30)}（超期）", "（未反馈）"]
    assert rows[("需选派党建指导员", "小区 夏庄花园")] == ["持续（第 2 次导入起）", "夏庄社区",
                                                   f"{day + timedelta(days=90)}（待整改）", "（未反馈）"]
    assert rows[("空白小区", "小区 夏庄新村")][:2] == ["已整改（第 3 次导入销号）", "夏庄社区"]
    assert [r[2] for r in detail[-4:]] == ["需选派党建指导员", "需选派党建指导员", "空白小区", "空白小区"]


def test_report_of_a_street_counts_per_responsible_unit(periods, db_path):
    _, on = periods
    (units,) = _section(_report(db_path, on, scope="S1"), "问题整改情况").tables
    assert _table(units)[1:] == [["1", "青特社区", "4", "2", "0", "2", "2", "2", "0"],
                                 ["", "合计", "4", "2", "0", "2", "2", "2", "0"]]


def test_report_of_a_first_submission_says_there_is_nothing_to_compare(periods, db_path):
    _, on = periods
    report = _report(db_path, on, current=1)
    section = _section(report, "问题整改情况")
    assert "第 1 次导入（2026Q1）之前没有报送可对照" in section.notes[0]
    districts, streets = section.tables
    assert _table(streets)[0] == ["序号", "街道", "本期问题", "超期", "已豁免"]  # no empty state columns
    assert _table(streets)[-1] == ["", "合计", "6", "3", "0"]
    assert "问题状态：第 1 次导入（2026Q1），尚无上一期可对照" in report.meta


def test_report_command_writes_every_format_with_the_states(periods, tmp_path):
    from docx import Document

    run, on = periods
    for suffix in ("html", "pdf", "docx"):
        out = tmp_path / f"报告.{suffix}"
        result = run("report", "-o", str(out), "--as-of", str(on))
        assert result.exit_code == 0, result.output
    html = (tmp_path / "报告.html").read_text(encoding="utf-8")
    assert "四、问题整改情况" in html and "第 3 次导入（2026Q3）对照第 2 次导入（2026Q2）" in html
    doc = Document(str(tmp_path / "报告.docx"))
    assert "四、问题整改情况" in [p.text for p in doc.paragraphs]
    street = next(t for t in doc.tables if t.rows[0].cells[1].text == "街道")
    assert [c.text for c in street.rows[1].cells] == ["1", "城阳街道", "4", "2", "0", "2", "2", "2", "0"]
    assert "共 " in run("report", "-o", str(tmp_path / "r.pdf"), "--as-of", str(on)).stdout
    against_first = run("report", "-o", str(tmp_path / "r1.html"), "--as-of", str(on), "--baseline", "2026Q1")
    assert against_first.exit_code == 0
    assert "第 3 次导入（2026Q3）对照第 1 次导入（2026Q1）" in (tmp_path / "r1.html").read_text(encoding="utf-8")
    bad = run("report", "-o", str(tmp_path / "r2.html"), "--baseline", "9")
    assert bad.exit_code != 0 and "Traceback" not in bad.output and not (tmp_path / "r2.html").exists()


def test_unit_names_of_a_mirror_are_those_of_its_graph(periods, db_path):
    from govgraph.mirror import build_mirror
    from govgraph.rectify import UnitNames
    from govgraph.store.sqlite import SqliteStore

    store = SqliteStore(db_path, create=False)
    try:
        data = store.read(None)
    finally:
        store.close()
    assert UnitNames.of_mirror(build_mirror(data)) == UnitNames.of(data)
    assert UnitNames.of(data).districts == {"S1": "D1", "S2": "D1", "S3": "D2"}
