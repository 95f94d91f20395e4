"""The 整改台账 rules (§7) on hand-worked cases: 责任单位, 整改时限, 超期, waivers, 报而未改,
the register state, tracking across submissions, and the register workbook read back."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from govgraph.cli.output import Table, write_xlsx
from govgraph.errors import LedgerError
from govgraph.findings import Finding
from govgraph.ledger import read_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile
from govgraph.rectify import (
    EXPORT_KEYS, Audited, RegisterEntry, UnitNames, audit_submission, export_rows, is_overdue,
    read_register_workbook, rectify_deadline, register_status, reported_not_fixed, responsible_unit, track,
    waiver_in_force,
)
from small_ledger import SMALL

ON = date(2024, 6, 30)
PROFILE = load_profile()
REASON = PROFILE.waiver_reasons[0]


@pytest.fixture
def small(make_ledger):
    return read_ledger(make_ledger(SMALL)).data


def _finding(code, entity, kind, unit_id=None, evidence=()):
    return Finding(code, "warning", entity, kind, "m", "r", list(evidence), unit_id)


def test_responsible_unit_for_each_kind(small):
    snap = Snapshot(build_mirror(small), ON)
    # compound -> its community; community -> its street
    assert responsible_unit(snap, _finding("ORPHAN_COMPOUND", "C3", "Compound")) == "M2"
    assert responsible_unit(snap, _finding("COMMUNITY_UNCOVERED", "M1", "Community")) == "S1"
    # firm -> community of the compound it serves first by id on ON: C1 (C3's service ended 2023-06)
    assert responsible_unit(snap, _finding("FIRM_UNCOVERED", "F1", "Firm")) == "M1"
    # a compound's org (P1 covers C1) -> C1's community; a community's org (P0 covers M1) -> the street
    assert responsible_unit(snap, _finding("ORG_SIZE_MISMATCH", "P1", "PartyOrg")) == "M1"
    assert responsible_unit(snap, _finding("ORG_NO_SECRETARY", "P0", "PartyOrg")) == "S1"
    # a person about a unit -> that unit's community; a person's post -> where the org is
    assert responsible_unit(snap, _finding("MISSING_PART_TIME_MEMBER", "U1", "Person", unit_id="C2")) == "M1"
    post = {"type": "任职", "from_id": "U2", "to_id": "P1", "role": "书记", "since": None, "until": None, "source": None}
    assert responsible_unit(snap, _finding("POST_NOT_FORMAL_MEMBER", "U2", "Person", evidence=[post])) == "M1"


def test_audited_findings_carry_the_responsible_unit(small):
    got = {k: (a.responsible_unit, a.street_id) for k, a in audit_submission(small, ON, PROFILE).items()}
    assert got[("ORPHAN_COMPOUND", "C4", "")] == ("M2", "S1")
    assert got[("FIRM_UNCOVERED", "F1", "")] == ("M1", "S1")
    assert got[("COMMUNITY_UNCOVERED", "M2", "")] == ("S1", "S1")


def test_deadline_by_severity():
    audited_on = date(2026, 1, 10)
    assert rectify_deadline(audited_on, "error", PROFILE) == date(2026, 2, 9)     # +30
    assert rectify_deadline(audited_on, "warning", PROFILE) == date(2026, 3, 11)  # +60
    assert rectify_deadline(audited_on, "info", PROFILE) == date(2026, 4, 10)     # +90


KEY = ("ORPHAN_COMPOUND", "C3", "")
DEADLINE = date(2026, 2, 9)
WAIVED = RegisterEntry(KEY, progress="申请豁免", waiver_reason=REASON, approver="区委组织部",
                       waiver_expires=date(2026, 3, 1), reported_in=1)


def test_overdue_is_strictly_after_the_deadline():
    assert not is_overdue(DEADLINE, DEADLINE)
    assert is_overdue(DEADLINE, date(2026, 2, 10))


@pytest.mark.parametrize("entry, on, closed, expected", [
    (None, date(2026, 2, 1), False, "待整改"),
    (None, date(2026, 2, 10), False, "超期"),
    (RegisterEntry(KEY, progress="整改中"), date(2026, 2, 9), False, "整改中"),
    (RegisterEntry(KEY, progress="整改中"), date(2026, 2, 10), False, "超期"),
    (RegisterEntry(KEY, progress="已整改", reported_in=1), date(2026, 2, 1), False, "整改中"),
    (WAIVED, date(2026, 3, 1), False, "已豁免"),   # until the expiry, inclusive
    (WAIVED, date(2026, 3, 2), False, "超期"),     # expired: reopened, and past its deadline
    (WAIVED, date(2026, 1, 20), True, "已销号"),   # gone from the submission: closed whatever the register says
    (RegisterEntry(KEY, progress="整改中"), date(2026, 5, 1), True, "已销号"),
])
def test_register_status(entry, on, closed, expected):
    assert register_status(entry, DEADLINE, on, closed) == expected


def test_waiver_and_reported_not_fixed():
    assert waiver_in_force(WAIVED, date(2026, 3, 1)) and not waiver_in_force(WAIVED, date(2026, 3, 2))
    assert not waiver_in_force(RegisterEntry(KEY, progress="整改中"), date(2026, 1, 1))
    fixed = RegisterEntry(KEY, progress="已整改", reported_in=2)
    assert not reported_not_fixed(fixed, 2)  # no submission since the report yet
    assert reported_not_fixed(fixed, 3)      # a later submission still has it
    assert not reported_not_fixed(RegisterEntry(KEY, progress="整改中", reported_in=2), 3)


def _audited(code, entity, severity="error", unit="M1"):
    return Audited(Finding(code, severity, entity, "Compound", "m", "r"), entity, unit, "青特社区", "S1")


def test_track_combines_states_deadlines_and_the_register():
    a, b, c = (_audited("ORPHAN_COMPOUND", x) for x in ("CA", "CB", "CC"))
    history = {1: {a.finding and ("ORPHAN_COMPOUND", "CA", ""): a, ("ORPHAN_COMPOUND", "CB", ""): b},
               2: {("ORPHAN_COMPOUND", "CB", ""): b, ("ORPHAN_COMPOUND", "CC", ""): c}}
    submitted = {1: date(2026, 1, 10), 2: date(2026, 4, 1)}
    register = {("ORPHAN_COMPOUND", "CB", ""): RegisterEntry(("ORPHAN_COMPOUND", "CB", ""), progress="已整改",
                                                            reported_in=1, responsible_unit="M2")}
    units = UnitNames({"M1": "青特社区", "M2": "城阳社区"}, {"M1": "S1", "M2": "S1"})
    rows = {t.key[1]: t for t in track(history, 2, 1, submitted, register, date(2026, 4, 15), PROFILE, units)}
    # CB: in 1 and 2 -> 持续, first seen 1, deadline 2026-02-09 passed -> 超期; reported fixed in 1 and
    # still present in 2 -> 报而未改; its 责任单位 was edited to M2.
    assert (rows["CB"].state.state, rows["CB"].state.first_seen, rows["CB"].status) == ("持续", 1, "超期")
    assert rows["CB"].overdue and rows["CB"].reported_not_fixed
    assert (rows["CB"].responsible_unit, rows["CB"].responsible_unit_name) == ("M2", "城阳社区")
    # CC: new in 2 (2026-04-01) -> deadline 2026-05-01, open.
    assert (rows["CC"].state.state, rows["CC"].deadline, rows["CC"].status) == ("新增", date(2026, 5, 1), "待整改")
    # CA: in 1, gone in 2 -> 已整改, closed in 2.
    assert (rows["CA"].state.state, rows["CA"].state.closed_in, rows["CA"].status) == ("已整改", 2, "已销号")
    assert not rows["CA"].overdue
    row = rows["CB"].as_row()
    assert row["key"] == ["ORPHAN_COMPOUND", "CB", None] and row["deadline"] == date(2026, 2, 9)
    assert row["waiver"] is None and row["progress"] == "已整改"


def _export(tmp_path, small):
    history = {1: audit_submission(small, ON, PROFILE)}
    units = UnitNames.of(small)
    tracked = track(history, 1, None, {1: ON}, {}, ON, PROFILE, units)
    path = tmp_path / "整改台账.xlsx"
    write_xlsx(path, [Table("register", "整改台账", export_rows(tracked), EXPORT_KEYS)], as_of=ON)
    return path, set(history[1]), units


def _columns(sheet):
    return {c.value: c.column for c in sheet[2]}


def test_register_workbook_round_trip_with_errors_then_fixed(tmp_path, small):
    path, known, units = _export(tmp_path, small)
    book = load_workbook(path)
    sheet = book.active
    col = _columns(sheet)
    rows = {(sheet.cell(r, col["问题代码"]).value, sheet.cell(r, col["对象编号"]).value): r
            for r in range(3, sheet.max_row + 1)}
    assert len(rows) == len(known)
    r_waive, r_bad, r_work = rows["ORPHAN_COMPOUND", "C4"], rows["ORPHAN_COMPOUND", "C3"], rows["FIRM_UNCOVERED", "F1"]
    sheet.cell(r_waive, col["进展"], "申请豁免")
    sheet.cell(r_waive, col["豁免理由"], REASON)
    sheet.cell(r_waive, col["审批人"], "城阳区委组织部")
    sheet.cell(r_waive, col["豁免到期"], "2024-12-31")
    sheet.cell(r_bad, col["进展"], "申请豁免")
    sheet.cell(r_bad, col["豁免理由"], REASON)
    sheet.cell(r_bad, col["审批人"], "城阳区委组织部")
    sheet.cell(r_bad, col["豁免到期"], "2024-13-45")
    sheet.cell(r_work, col["进展"], "整改中")
    sheet.cell(r_work, col["整改措施"], "物业企业联合组建党支部")
    sheet.cell(r_work, col["责任人"], "张三")
    sheet.delete_rows(rows["NO_SELF_GOVERNANCE", "C1"])  # deleting a row is safe
    sheet.move_range(f"A3:{sheet.cell(3, sheet.max_column).column_letter}3", rows=sheet.max_row - 1)  # reorder
    book.save(path)
    with pytest.raises(LedgerError) as err:
        read_register_workbook(path, known, PROFILE, units, 1)
    assert [str(i) for i in err.value.issues] == [
        f"整改台账.xlsx[整改台账]:{_row_of(path, 'C3', 'ORPHAN_COMPOUND')}:豁免到期: 2024-13-45: "
        "不是有效日期（可写 2024-05-01、2024/5/1、2024年5月1日、2024 或 2024-05）"
    ]
    book = load_workbook(path)
    book.active.cell(_row_of(path, "C3", "ORPHAN_COMPOUND"), col["豁免到期"], "2024-09-30")
    book.save(path)
    entries = {e.key: e for e in read_register_workbook(path, known, PROFILE, units, 1)}
    assert entries[("ORPHAN_COMPOUND", "C4", "")].waiver == {"reason": REASON, "approver": "城阳区委组织部",
                                                             "expires": date(2024, 12, 31)}
    assert entries[("ORPHAN_COMPOUND", "C3", "")].waiver_expires == date(2024, 9, 30)
    work = entries[("FIRM_UNCOVERED", "F1", "")]
    assert (work.progress, work.measures, work.person, work.reported_in) == ("整改中", "物业企业联合组建党支部", "张三", 1)
    assert ("NO_SELF_GOVERNANCE", "C1", "") not in entries
    assert len(entries) == len(known) - 1


def _row_of(path, entity, code):
    sheet = load_workbook(path).active
    col = _columns(sheet)
    return next(r for r in range(3, sheet.max_row + 1)
                if sheet.cell(r, col["对象编号"]).value == entity and sheet.cell(r, col["问题代码"]).value == code)


@pytest.mark.parametrize("edits, expected", [
    ({"进展": "申请豁免", "豁免理由": "领导同意", "审批人": "X", "豁免到期": "2025-01-01"},
     ["豁免理由: 领导同意: 豁免理由应为口径文件所列之一"]),
    ({"进展": "申请豁免", "豁免理由": REASON}, ["审批人: : 申请豁免须填写审批人", "豁免到期: : 申请豁免须填写豁免到期日期"]),
    ({"进展": "做完了"}, ["进展: 做完了: 进展应为：待整改、整改中、已整改、申请豁免"]),
    ({"豁免到期": "2025-01-01"}, ["豁免到期: 2025-01-01: 填写了豁免信息，但进展不是“申请豁免”"]),
    ({"责任单位编号": "M9"}, ["责任单位编号: M9: 责任单位应为库中某个社区或街道的编号"]),
    ({"对象编号": "C99"}, ["对象编号: C99: 库中没有这个问题"]),
])
def test_register_workbook_errors(tmp_path, small, edits, expected):
    path, known, units = _export(tmp_path, small)
    book = load_workbook(path)
    sheet = book.active
    col = _columns(sheet)
    for header, value in edits.items():
        sheet.cell(3, col[header], value)
    book.save(path)
    with pytest.raises(LedgerError) as err:
        read_register_workbook(path, known, PROFILE, units, 1)
    got = [str(i).split(":", 2)[2].strip() for i in err.value.issues]
    assert len(got) == len(expected)
    for line, want in zip(got, expected):
        assert line.startswith(want)
