"""Ledgers that are broken as files, not as cells: nothing recognised, unreadable files,
odd workbooks, odd values; and what the user sees for each (one Chinese line, exit 2,
the store untouched)."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic_core import PydanticCustomError

from govgraph.errors import GovgraphError, LedgerError, LedgerFileError, LedgerIssue
from govgraph.ledger import read_ledger, write_ledger
from govgraph.ledger import sources
from govgraph.values import find_id_numbers, parse_count

BASE = {
    "streets.csv": """
        id,name
        S1,城阳街道
    """,
    "communities.csv": """
        id,name,street_id
        M1,青特社区,S1
    """,
    "party_orgs.csv": """
        id,name,org_type,scope
        P0,青特社区党委,党委,社区
    """,
    "relations.csv": """
        type,from_id,to_id
        覆盖,P0,M1
    """,
}

ID_NUMBER = "11010519491231002X"  # the textbook example: valid check digit and birth date
MASKED = "110105********002X"
BOTH = "11010519491231037X"  # a valid 统一社会信用代码 and a valid 身份证号 at once


def _book(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def loaded_base(run, make_ledger):
    """The CLI with BASE loaded; returns a function telling whether the store still holds it."""
    assert run("load", str(make_ledger(BASE))).exit_code == 0

    def unchanged() -> bool:
        history = json.loads(run("history", "--format", "json").stdout)
        shown = run("show", "M1")
        return len(history) == 1 and shown.exit_code == 0 and "青特社区" in shown.stdout

    return unchanged


def _one_line_failure(result, *parts: str) -> str:
    assert result.exit_code == 2, result.output
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    for part in parts:
        assert part in result.stderr
    return result.stderr


# -- 1. nothing recognised --------------------------------------------------------------
def test_empty_folder_is_refused_not_loaded_as_empty(run, tmp_path, loaded_base):
    (tmp_path / "empty").mkdir()
    err = _one_line_failure(run("load", str(tmp_path / "empty")),
                            "没有可识别的台账文件", "未导入任何数据", "没有 CSV 文件", "compounds.csv 或 小区.csv")
    assert "relations.csv 或 关系.csv" in err
    assert loaded_base()


def test_folder_of_other_csvs_names_them(run, make_ledger, loaded_base):
    folder = make_ledger({"小区资料汇总.csv": "id,name\nC1,青特城", "备注.csv": "a,b\n1,2"})
    err = _one_line_failure(run("load", str(folder)), "找到的文件：备注.csv、小区资料汇总.csv", "compounds.csv 或 小区.csv")
    assert loaded_base()
    with pytest.raises(LedgerFileError):
        read_ledger(folder)


def test_empty_folder_beside_a_workbook_points_at_it(tmp_path):
    (tmp_path / "ledger").mkdir()
    _book(tmp_path / "ledger" / "台账.xlsx", {"小区": [["id", "name"]]})
    with pytest.raises(LedgerFileError) as exc:
        read_ledger(tmp_path / "ledger")
    assert "台账.xlsx" in str(exc.value) and exc.value.exit_code == 2


def test_workbook_with_only_sheet1_is_refused(run, tmp_path, loaded_base):
    book = _book(tmp_path / "book.xlsx", {"Sheet1": [["id", "name"], ["C1", "青特城"]]})
    _one_line_failure(run("load", str(book)), "工作簿 book.xlsx 中没有可识别的工作表", "“Sheet1”", "小区（compounds）",
                      "关系（relations）")
    assert loaded_base()


# -- 2. warnings shown with errors, file-level warnings read naturally ---------------------
def test_warnings_come_before_errors(run, make_ledger):
    ledger = make_ledger({**BASE,
                          "小区资料汇总.csv": "id,name\nC1,青特城",
                          "compounds.csv": "id,name,households,备注\nC1,青特城,abc,"})
    result = run("load", str(ledger))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "提醒：小区资料汇总.csv: 不是台账文件，已忽略（台账文件名应为 compounds.csv 或 小区.csv 等）",
        "提醒：compounds.csv:1: 未识别的列 备注，已忽略",
        "compounds.csv:2:households: abc: 应为非负整数",
        "台账有 1 处错误，未导入任何数据。",
    ]


def test_unknown_file_and_sheet_warnings(make_ledger, tmp_path):
    result = read_ledger(make_ledger({**BASE, "人员花名册.csv": "a\n1", "notes.csv": "a\n1"}))
    assert [str(w) for w in result.warnings if w.code == "unknown_file"] == [
        "notes.csv: 不是台账文件，已忽略（台账文件名应为 compounds.csv 或 小区.csv 等）",
        "人员花名册.csv: 不是台账文件，已忽略（台账文件名应为 people.csv 或 人员.csv 等）",
    ]
    book = _book(tmp_path / "b.xlsx", {"社区": [["id", "name"], ["M1", "青特社区"]], "Sheet1": [["x"]]})
    assert [str(w) for w in read_ledger(book).warnings] == [
        "b.xlsx[Sheet1]: 不是台账工作表，已忽略（工作表名应为 小区 或 compounds 等）"
    ]


def test_ledger_error_text_lists_warnings_first():
    cell = LedgerIssue("compounds.csv", 2, "户数", "abc", "bad_count", "应为非负整数")
    whole = LedgerIssue(f"张三{ID_NUMBER}.csv", 0, "", "", "unknown_file", "不是台账文件，已忽略", whole_file=True)
    assert str(LedgerError([cell], [whole])).splitlines() == [
        f"提醒：张三{MASKED}.csv: 不是台账文件，已忽略",
        "compounds.csv:2:户数: abc: 应为非负整数",
        "台账有 1 处错误，未导入任何数据。",
    ]


# -- 3. files that cannot be read ------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_file_is_one_chinese_line(run, make_ledger, encoding, loaded_base):
    ledger = make_ledger({**BASE, "compounds.csv": "id,name\nC1,青特城"})
    (ledger / "compounds.csv").write_bytes("id,name\nC1,青特城\n".encode(encoding))
    err = _one_line_failure(run("load", str(ledger)), "compounds.csv", "UTF-16", "另存为“CSV UTF-8”或“CSV（逗号分隔）”")
    assert len(err.splitlines()) == 1
    assert loaded_base()


def test_undecodable_file(make_ledger):
    ledger = make_ledger(BASE)
    (ledger / "compounds.csv").write_bytes(b"id,name\nC1,\x81\x20\xff\n")
    with pytest.raises(LedgerFileError, match=r"compounds.csv 的编码无法识别.*另存为“CSV UTF-8”"):
        read_ledger(ledger)


def test_workbook_saved_as_csv_name(make_ledger, tmp_path):
    book = _book(tmp_path / "b.xlsx", {"小区": [["id", "name"]]})
    ledger = make_ledger(BASE)
    (ledger / "compounds.csv").write_bytes(book.read_bytes())
    with pytest.raises(LedgerFileError, match="compounds.csv 实际是 Excel 工作簿"):
        read_ledger(ledger)


def test_field_larger_than_the_limit(run, make_ledger):
    ledger = make_ledger(BASE)
    (ledger / "compounds.csv").write_text('id,name\nC1,"' + "长" * (sources.FIELD_SIZE_LIMIT + 1) + '"\n', "utf-8")
    err = _one_line_failure(run("load", str(ledger)), "compounds.csv 第 2 行有超长的单元格", "双引号")
    assert len(err.splitlines()) == 1


def test_long_cell_under_the_limit_is_read(make_ledger):
    name = "长" * 200_000  # above csv's default limit (131,072), below ours
    data = read_ledger(make_ledger({**BASE, "compounds.csv": f"id,name\nC1,{name}"})).data
    assert data.entities["C1"].name == name


def test_directory_named_like_a_csv(run, make_ledger):
    ledger = make_ledger(BASE)
    (ledger / "x.csv").mkdir()
    err = _one_line_failure(run("load", str(ledger)), "x.csv 是文件夹，不是 CSV 文件")
    assert len(err.splitlines()) == 1


def test_permission_denied(run, make_ledger, monkeypatch):
    ledger = make_ledger(BASE)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "communities.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    err = _one_line_failure(run("load", str(ledger)), "无法读取 communities.csv：没有读取权限")
    assert len(err.splitlines()) == 1


def test_excel_lock_files_are_skipped(make_ledger):
    ledger = make_ledger(BASE)
    (ledger / "~$communities.csv").write_bytes(b"\x05\xff\xfe\x00" * 40)
    result = read_ledger(ledger)
    assert set(result.data.entities) == {"S1", "M1", "P0"}
    assert [w.code for w in result.warnings] == []


# -- 4. a workbook whose stored dimension is wrong --------------------------------------
def test_workbook_with_wrong_dimension_is_read_fully(tmp_path):
    good = _book(tmp_path / "good.xlsx", {
        "社区": [["id", "name"], ["M1", "青特社区"], ["M2", "城阳社区"], [], ["M3", "后桃林社区"]],
    })
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
                assert n == 1
            out.writestr(item, data)
    assert set(read_ledger(bad).data.entities) == {"M1", "M2", "M3"}
    assert read_ledger(bad).data.same_content(read_ledger(good).data)


# -- 5. counts that float() accepts but are not counts -----------------------------------
@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "1e400", "1" * 5000, "99999999999999999999", "1.5", "-1"])
def test_parse_count_refuses_non_counts(text):
    with pytest.raises(PydanticCustomError) as exc:
        parse_count(text)
    assert exc.value.type == "bad_count" and exc.value.message() == "应为非负整数"


@pytest.mark.parametrize("text, number", [("0", 0), ("1200", 1200), ("1200.0", 1200), ("12345678901234567", 12345678901234567)])
def test_parse_count_reads_counts(text, number):
    assert parse_count(text) == number


def test_nan_households_is_a_ledger_error(make_ledger):
    with pytest.raises(LedgerError) as exc:
        read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,户数\nC1,青特城,nan\nC2,青特二期,1e400"}))
    assert [str(i) for i in exc.value.issues] == [
        "compounds.csv:2:户数: nan: 应为非负整数",
        "compounds.csv:3:户数: 1e400: 应为非负整数",
    ]


# -- 6. control characters; text that looks like a formula -------------------------------
def test_control_characters_are_stripped(make_ledger, tmp_path):
    data = read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,community_id\nC1,青特\x0b城\x00,M1\x07"})).data
    assert data.entities["C1"].name == "青特城"
    assert data.relations and any(r.to_id == "M1" and r.from_id == "C1" for r in data.relations)
    assert sources._xlsx_cell("青特\x0b城\x1f") == "青特城"
    assert sources._xlsx_cell("第一行\n第二行\t") == "第一行\n第二行\t"
    # Round trip through a workbook, which cannot hold them at all.
    write_ledger(data, tmp_path / "out.xlsx")
    assert read_ledger(tmp_path / "out.xlsx").data.same_content(data)


def test_export_of_stored_control_characters_does_not_fail(make_ledger, tmp_path):
    data = read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,community_id\nC1,青特城,M1"})).data
    data.entities["C1"] = replace(data.entities["C1"], name="青特\x0b城")  # stored by an older version
    write_ledger(data, tmp_path / "out.xlsx")
    assert read_ledger(tmp_path / "out.xlsx").data.entities["C1"].name == "青特城"


def test_formula_like_text_survives_the_xlsx_round_trip(make_ledger, tmp_path):
    from openpyxl import load_workbook

    ledger = make_ledger({**BASE,
                          "compounds.csv": 'id,name,community_id\nC1,=A1+1,M1\nC2,#N/A,M1\n=C3,"=SUM(A1:A2)",M1'})
    data = read_ledger(ledger).data
    assert data.entities["C1"].name == "=A1+1"
    out = write_ledger(data, tmp_path / "out.xlsx")
    sheet = load_workbook(out)["小区"]
    assert [[c.data_type for c in row[:2]] for row in sheet.iter_rows(min_row=2)] == [["s", "s"]] * 3
    again = read_ledger(out).data
    assert again.same_content(data)
    assert again.entities["=C3"].name == "=SUM(A1:A2)"


def test_export_refuses_a_cell_excel_cannot_hold(make_ledger, tmp_path):
    data = read_ledger(make_ledger({**BASE, "compounds.csv": "id,name\nC1," + "长" * 40_000})).data
    with pytest.raises(GovgraphError, match="32767"):
        write_ledger(data, tmp_path / "out.xlsx")
    write_ledger(data, tmp_path / "out")  # CSV has no such limit
    assert read_ledger(tmp_path / "out").data.same_content(data)


# -- 7. the later row of a duplicate id is not read further ------------------------------
def test_duplicate_row_reports_only_duplicate_id(make_ledger):
    with pytest.raises(LedgerError) as exc:
        read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,户数,类型\nC1,青特城,100,商品房\nC1,,abc,别墅区\nM1,重名,-1,"}))
    assert [str(i) for i in exc.value.issues] == [
        "compounds.csv:3:id: C1: 编号重复（已在 compounds.csv:2 使用）",
        "compounds.csv:4:id: M1: 编号重复（已在 communities.csv:2 使用）",
    ]


# -- 8. 身份证号 inside text ------------------------------------------------------------
def test_find_id_numbers():
    assert find_id_numbers(f"退休干部；身份证号{ID_NUMBER}") == [ID_NUMBER]
    assert find_id_numbers(f"身份证{ID_NUMBER.lower()}，电话13800001234") == [ID_NUMBER.lower()]
    assert find_id_numbers("旧证110105491231002号") == ["110105491231002"]
    assert find_id_numbers(f"9{ID_NUMBER}") == []  # part of a longer run of digits
    assert find_id_numbers(f"{ID_NUMBER[:-1]}01") == []
    assert find_id_numbers("电话13800001234，账号6222020200112233445") == []
    assert find_id_numbers("110105194912310021") == []  # wrong check digit


def test_id_number_inside_text_cells_is_refused(run, make_ledger, loaded_base):
    ledger = make_ledger({**BASE,
        "compounds.csv": f"id,name,community_id\nC1,青特城（业主{ID_NUMBER}）,M1",
        "people.csv": f"id,name,标签\nU1,张三,退休干部；身份证号{ID_NUMBER}\nU2,李四,电话13800001234",
        # A valid credit code that also reads as a 身份证号: not one in its own column.
        "firms.csv": f"id,name,credit_code\nF1,泾华物业,{BOTH}\nF2,泾华二期,91370214MA3CEXYT8Q",
        "relations.csv": f"type,from_id,to_id,source\n覆盖,P0,M1,\n居住,U1,C1,张三 110105491231002 登记",
    })
    with pytest.raises(LedgerError) as exc:
        read_ledger(ledger)
    assert [(i.file, i.row, i.column, i.code) for i in exc.value.issues] == [
        ("compounds.csv", 2, "name", "id_card_number"),
        ("people.csv", 2, "标签", "id_card_number"),
        ("relations.csv", 3, "source", "id_card_number"),
    ]
    result = run("load", str(ledger))
    assert result.exit_code == 2
    assert ID_NUMBER not in result.stderr and "110105491231002" not in result.stderr
    assert f"people.csv:2:标签: 退休干部；身份证号{MASKED}: 疑似身份证号" in result.stderr
    assert "110105*****1002" in result.stderr
    assert loaded_base()
    # Opting in loads them.
    allowed = read_ledger(ledger, allow_id_numbers=True).data
    assert allowed.entities["U1"].attrs["tags"] == ["退休干部", f"身份证号{ID_NUMBER}"]
