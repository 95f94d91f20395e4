"""The workbook a worker edits: `govgraph template` and the typed `export x.xlsx`."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from govgraph.ledger import read_ledger, write_ledger
from govgraph.ledger.workbook import write_template
from govgraph.schema import load_schema

from conftest import ACCEPTANCE


def _cells(path):
    book = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_template_sheets_headers_lists_and_guide(tmp_path):
    out = write_template(tmp_path / "台账.xlsx")
    book = load_workbook(out)
    schema = load_schema()
    names = [k.sheet for k in schema.entities.values()] + [schema.relations_sheet, "填表说明"]
    assert book.sheetnames == names
    compounds = book["小区"]
    assert [c.value for c in compounds[1]] == [c.zh for c in schema.entities["Compound"].columns]
    assert compounds.freeze_panes == "A2" and compounds["A1"].font.b
    # Typed into an empty cell: a date column shows dates, ids and phones stay text.
    orgs, people = book["党组织"], book["人员"]
    formats = {c.value: orgs.column_dimensions[c.column_letter].number_format for c in orgs[1]}
    assert formats["成立日期"] == "yyyy-mm-dd" and formats["编号"] == "@" and formats["上级党组织"] == "@"
    assert {c.value: people.column_dimensions[c.column_letter].number_format for c in people[1]}["电话"] == "@"
    assert str(compounds["A2"].value).startswith("示例：")
    lists = {str(dv.sqref): dv.formula1 for dv in compounds.data_validations.dataValidation}
    assert lists["E2:E1048576"] == '"' + ",".join(schema.enum_values["category"]) + '"'
    assert lists["H2:H1048576"] == '"是,否"'
    guide = [[c.value for c in row] for row in book["填表说明"].iter_rows()]
    assert ["小区", "类型", None, "从下拉列表中选", "、".join(schema.enum_values["category"])] in guide
    assert any("日期" in str(row[3]) for row in guide if row[1] == "成立日期")
    # Printed one page wide; a row as tall as its longest wrapped note.
    assert book["填表说明"].page_setup.fitToWidth == 1 and book["填表说明"].sheet_properties.pageSetUpPr.fitToPage
    long_note = next(i for i, row in enumerate(guide, start=1) if len(str(row[3] or "")) > 40)
    assert book["填表说明"].row_dimensions[long_note].height >= 30


def test_template_filled_in_with_openpyxl_loads_with_no_edits(tmp_path):
    out = write_template(tmp_path / "台账.xlsx")
    book = load_workbook(out)
    book["社区"].append(["M1", "青特社区", ""])
    book["小区"].append(["C1", "青特城", "M1", 1200, "商品房", "专业物业", 4, "否"])
    book["党组织"].append(["P1", "青特城小区党支部", "党支部", "小区", 4, None, datetime(2021, 3, 1), None])
    book["人员"].append(["U1", "王建国", "正式党员", "138-0000-1234", None])
    book["关系"].append(["覆盖", "P1", "C1", None, date(2021, 3, 1), None, None])
    book["关系"].append(["任职", "王建国", "青特城小区党支部", "书记", "2021", "至今", None])
    book.save(out)
    data = read_ledger(out).data
    assert sorted(data.entities) == ["C1", "M1", "P1", "U1"]
    assert data.entities["C1"].attrs["households"] == 1200
    assert data.entities["U1"].attrs["phone"] == "13800001234"
    assert {(r.type, r.from_id, r.to_id, r.role) for r in data.relations} == {
        ("隶属", "C1", "M1", None), ("覆盖", "P1", "C1", None), ("任职", "U1", "P1", "书记")}


def test_roster_template_loads_when_filled(tmp_path):
    out = write_template(tmp_path / "一表通.xlsx", roster=True)
    book = load_workbook(out)
    assert book.sheetnames == ["一表通", "填表说明"]
    ws = book["一表通"]
    header = [c.value for c in ws[1]]
    row = dict.fromkeys(header, None)
    row.update({"街道": "城阳街道", "社区": "青特社区", "小区名称": "青特城", "户数": "1,200户", "党组织名称": "青特城党支部",
                "组建方式": "单独建", "书记": "王建国", "业委会主任": "王建国", "一肩挑": "√"})
    ws.append([row[h] for h in header])
    book.save(out)
    data = read_ledger(out).data
    kinds = sorted(e.kind for e in data.entities.values())
    assert kinds == ["Committee", "Community", "Compound", "PartyOrg", "Person", "Street"]
    assert [e.attrs["households"] for e in data.entities.values() if e.kind == "Compound"] == [1200]


DEMO = ACCEPTANCE.parent.parent / "seeds" / "demo"  # the ledger `govgraph demo` loads


@pytest.mark.parametrize("ledger", [ACCEPTANCE / "core" / "ledger", ACCEPTANCE / "roster" / "with_sheets", DEMO])
def test_export_is_typed_and_round_trips(tmp_path, ledger):
    data = read_ledger(ledger).data
    first = write_ledger(data, tmp_path / "a.xlsx")
    again = read_ledger(first).data
    assert again.same_content(data)
    second = write_ledger(again, tmp_path / "b.xlsx")
    assert _cells(first) == _cells(second)  # export → load → export: the same workbook
    book = load_workbook(first)
    compounds = [[c.value for c in row] for row in book["小区"].iter_rows()]
    assert compounds[0][:3] == ["编号", "名称", "所属社区"]
    assert any(isinstance(row[3], int) for row in compounds[1:])  # 户数 a number
    assert {row[7] for row in compounds[1:]} <= {"是", "否", None}
    dated = any(r.since or r.until for r in data.relations)
    cells = [v for ws in book.worksheets for row in ws.iter_rows(min_row=2, values_only=True) for v in row]
    assert any(isinstance(v, datetime) for v in cells) == dated  # dates as Excel dates
    assert not any(isinstance(v, str) and v[:1].isdigit() and v[4:5] == "-" for v in cells)  # no date as text
    assert book["小区"].freeze_panes == "A2"
    assert book["小区"].data_validations.dataValidation


def test_export_of_a_synthetic_city_round_trips(tmp_path):
    """A synthetic city, a fiftieth of the city tier's size with every kind and relation of
    it (benchmarks/xlsx_roundtrip.py measures the full tier): export → load gives the same
    graph, and exporting again the same workbook."""
    from govgraph.synth import Tier, write_synthetic

    write_synthetic(tmp_path / "city", spec=Tier("test", 1, 2, 4, 30, 100, 44, (3, 9)))
    data = read_ledger(tmp_path / "city").data
    first = write_ledger(data, tmp_path / "city.xlsx")
    again = read_ledger(first).data
    assert again.same_content(data)
    assert _cells(write_ledger(again, tmp_path / "again.xlsx")) == _cells(first)


def test_cli_template(run, tmp_path):
    result = run("template", str(tmp_path / "台账.xlsx"))
    assert result.exit_code == 0 and "填表说明" in result.output
    assert run("template", "--roster", str(tmp_path / "一表通.xlsx")).exit_code == 0
    assert load_workbook(tmp_path / "一表通.xlsx").sheetnames == ["一表通", "填表说明"]
    wrong = run("template", str(tmp_path / "台账.csv"))
    assert wrong.exit_code != 0 and ".xlsx" in wrong.stderr
    # The blank template loads: nothing in it but examples, which are skipped, and the
    # 填表说明 sheet, which is passed over without a word.
    for book in ("台账.xlsx", "一表通.xlsx"):
        checked = run("check", str(tmp_path / book))
        assert checked.exit_code == 0 and "填表说明" not in checked.output
