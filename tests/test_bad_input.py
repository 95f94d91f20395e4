"""The bad-input suite: every class of broken ledger the project knows, each loaded through
the real CLI onto a store already holding a good ledger. Each must end with exit status 2
(bad input), its Chinese message, no traceback and no 内部错误, and the store's files
byte-for-byte as they were. The number of classes is printed at the end of the run
(tests/conftest.py).

The detailed wording of the older classes is tested beside their code
(tests/test_ledger_errors.py, tests/test_ledger_robustness.py); here every class goes
through one harness, so a new class is one entry in CLASSES.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import write_ledger_files
from small_ledger import SMALL

ID_NUMBER = "11010519491231002X"


@dataclass
class BadInput:
    name: str
    # Breaks the good ledger copied into the folder; returns the command's arguments
    # after `load` (by default the folder itself).
    make: Callable[[Path], list[str] | None]
    expected: list[str]  # what the message must say
    max_lines: int | None = None  # the message is this short (one line for a file-level problem)
    absent: list[str] = field(default_factory=list)  # what must not appear (English, details)
    exit_code: int = 2
    checked: bool = True  # `check` refuses it too (not so what only a replace of the store would lose)


def _replace(name: str, text: str):
    def make(folder: Path):
        write_ledger_files(folder, {name: text})

    return make


def _bytes(name: str, data: bytes):
    def make(folder: Path):
        (folder / name).write_bytes(data)

    return make


def _text_of(name: str) -> str:
    import textwrap

    return textwrap.dedent(SMALL[name]).strip("\n")


def _unclosed_quote(folder: Path):
    # relations.csv with Chinese headers, and a 来源 on row 4 that opens a quote and never closes.
    lines = _text_of("relations.csv").splitlines()
    lines[0] = "关系,起点,终点,职务,开始日期,结束日期,来源"
    lines[3] = '覆盖,P1,C1,,2021,,"区委组织部备案2024'
    (folder / "relations.csv").write_text("\n".join(lines) + "\n", "utf-8")


def _make_fifo(path: Path) -> Path:
    os.mkfifo(path)

    def unblock():  # were the FIFO opened for reading, the test would hang: let it end
        fd = os.open(path, os.O_WRONLY)
        os.close(fd)

    threading.Thread(target=unblock, daemon=True).start()
    return path


def _fifo(folder: Path):
    (folder / "people.csv").unlink()
    _make_fifo(folder / "people.csv")


def _symlink_loop(folder: Path):
    (folder / "firms.csv").unlink()
    (folder / "firms.csv").symlink_to("firms.csv")


def _without_firms(folder: Path):
    (folder / "firms.csv").unlink()
    kept = [line for line in _text_of("relations.csv").splitlines() if "F1" not in line]
    (folder / "relations.csv").write_text("\n".join(kept) + "\n", "utf-8")


def _both_names(folder: Path):
    (folder / "小区.csv").write_text("id,name,community_id\nC9,新小区,M1\n", "utf-8")


def _only_bom_then_gbk(folder: Path):
    (folder / "people.csv").write_bytes(codecs.BOM_UTF8 + (_text_of("people.csv") + "\n").encode("gbk"))


def _two_sheets(folder: Path):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in {"社区": [["id", "name"], ["M1", "青特社区"]], "compounds": [["id", "name"], ["C1", "青特城"]],
                        "小区": [["id", "name"], ["C2", "老院落"]]}.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(folder / "book.xlsx")
    return [str(folder / "book.xlsx")]


def _directory_csv(folder: Path):
    (folder / "备用.csv").mkdir()


def _empty_folder(folder: Path):
    for p in folder.iterdir():
        p.unlink()


def _path(name: str, data: bytes | None = None):
    """Load `name` inside the folder (a file written with `data`) instead of the folder."""
    def make(folder: Path):
        if data is not None:
            (folder / name).write_bytes(data)
        return [str(folder / name)]

    return make


def _mapping(text: str | None):
    def make(folder: Path):
        mapping = folder.parent / "mapping.toml"
        if text is None:
            _make_fifo(mapping)
        else:
            mapping.write_text(text, "utf-8")
        return [str(folder), "--mapping", str(mapping)]

    return make


CLASSES = [
    # -- the file cannot be read as a table --------------------------------------------
    BadInput("unclosed_quote", _unclosed_quote,
             ["relations.csv:4:来源: 区委组织部备案2024: 引号未闭合", "吞掉了其后"], max_lines=2),
    BadInput("empty_file", _bytes("people.csv", b""),
             ["people.csv: 是空文件（0 字节）", "另有 6 处引用因 people.csv 无法读取而失效", "台账有 7 处错误"], max_lines=3,
             absent=["没有这个编号或名称"]),
    BadInput("bom_then_gbk", _only_bom_then_gbk, ["people.csv 开头有 UTF-8 的编码标记（BOM），内容却是 GBK/GB18030 编码"],
             max_lines=1),
    BadInput("latin1_read_as_gb18030", _bytes("firms.csv", b"id,name\nF1,Soci\xe9t\xe9s\nF2,Caf\xe9s\n"),
             ["firms.csv 的编码无法识别", "乱码", "Latin-1"], max_lines=1),
    BadInput("utf16", _bytes("firms.csv", "id,name\nF1,泾华物业\n".encode("utf-16")), ["firms.csv 是 UTF-16"],
             max_lines=1),
    BadInput("undecodable", _bytes("firms.csv", b"id,name\nF1,\x81\x20\xff\n"), ["firms.csv 的编码无法识别"],
             max_lines=1),
    BadInput("workbook_named_csv", _bytes("firms.csv", b"PK\x03\x04" + b"\x00" * 40), ["firms.csv 实际是 Excel 工作簿"],
             max_lines=1),
    BadInput("cell_over_the_limit", _bytes("firms.csv", b'id,name\nF1,"' + b"x" * (1 << 20 | 1) + b'"\n'),
             ["firms.csv 第 2 行有超长的单元格"], max_lines=1),
    BadInput("fifo", _fifo, ["people.csv 不是普通文件"], max_lines=1),
    BadInput("symlink_loop", _symlink_loop, ["无法读取 firms.csv：符号链接循环"], max_lines=1,
             absent=["Too many levels", "symbolic"]),
    BadInput("directory_named_csv", _directory_csv, ["备用.csv 是文件夹"], max_lines=1),
    # -- which files and columns -------------------------------------------------------
    BadInput("no_ledger_file", _empty_folder, ["没有可识别的台账文件", "未导入任何数据"]),
    BadInput("both_compounds_and_小区", _both_names,
             ["compounds.csv: 与 小区.csv 是同一张表", "另有"], absent=["没有这个编号或名称"]),
    BadInput("duplicate_column", _replace("firms.csv", "id,name,ownership,ownership\nF1,泾华物业,市场化,国有"),
             ["firms.csv:1:ownership: : 列重复（第 3 列和第 4 列）"]),
    BadInput("duplicate_column_alias",
             _replace("compounds.csv", "id,name,community_id,households,户数\nC1,青特城,M1,1200,1300"),
             ["compounds.csv:1:households: : 列重复（第 4 列和第 5 列，“households”“户数”是同一列）"]),
    BadInput("missing_required_column", _replace("firms.csv", "id,ownership\nF1,市场化"), ["firms.csv:1:name: : 缺少必填列"]),
    # -- what a replace would silently delete -----------------------------------------
    BadInput("header_only_relations", _replace("relations.csv", _text_of("relations.csv").splitlines()[0]),
             ["本台账没有以下数据", "覆盖关系 3 条", "任职关系 2 条", "--merge", "--force"], max_lines=1, checked=False),
    BadInput("a_kind_missing", _without_firms, ["本台账没有以下数据：物业服务企业 1 个"], max_lines=1, checked=False),
    # -- cells ---------------------------------------------------------------------------
    BadInput("bad_count", _replace("firms.csv", "id,name,party_members\nF1,泾华物业,nan"),
             ["firms.csv:2:party_members: nan: 应为非负整数"]),
    BadInput("bad_enum", _replace("firms.csv", "id,name,ownership\nF1,泾华物业,外资"), ["firms.csv:2:ownership: 外资:"]),
    BadInput("bad_date", _replace("firms.csv", "id,name\nF1,泾华物业\n"), []),  # replaced below
    BadInput("id_number", _replace("firms.csv", f"id,name\nF1,泾华物业{ID_NUMBER}"),
             ["疑似身份证号", "110105********002X"], absent=[ID_NUMBER]),
    BadInput("duplicate_id", _replace("firms.csv", "id,name\nF1,泾华物业\nC1,重名"), ["firms.csv:3:id: C1: 编号重复"]),
    # -- relations ------------------------------------------------------------------------
    BadInput("dangling_reference", _replace("relations.csv", _text_of("relations.csv") + "\n任职,U9,P1,委员,,,"),
             ["relations.csv:13:from_id: U9:"]),
    BadInput("wrong_endpoint", _replace("relations.csv", _text_of("relations.csv") + "\n服务,F1,M1,专业物业,,,"),
             ["relations.csv:13:to_id: M1: 服务关系不能连接社区"]),
    BadInput("unknown_relation_type", _replace("relations.csv", _text_of("relations.csv") + "\n认识,U1,U2,,,,"),
             ["relations.csv:13:type: 认识:"]),
    BadInput("since_after_until", _replace("relations.csv", _text_of("relations.csv") + "\n任职,U3,P1,委员,2024,2020,"),
             ["relations.csv:13:until: 2020: 结束日期早于开始日期"]),
    BadInput("two_parents", _replace("relations.csv", _text_of("relations.csv") + "\n隶属,C1,M2,,,,"),
             ["同一时间只能有一个上级"]),
    BadInput("party_org_cycle", _replace("relations.csv", _text_of("relations.csv") + "\n隶属,P0,P1,,,,"),
             ["党组织隶属关系成环"]),
    BadInput("conflicting_relation",
             _replace("relations.csv", _text_of("relations.csv") + "\n任职,U2,P1,书记,2021-03,2024,"),
             ["是同一关系但内容不同"]),
    # -- what is named on the command line ------------------------------------------------
    BadInput("workbook_two_sheets_one_table", _two_sheets, ["book.xlsx[compounds]: 与 book.xlsx[小区] 是同一张表"]),
    BadInput("xls_file", _path("旧台账.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60), ["旧版 Excel（.xls）"], max_lines=1),
    BadInput("damaged_workbook", _path("台账.xlsx", b"not a workbook"), ["无法打开工作簿 台账.xlsx"], max_lines=1),
    BadInput("workbook_fifo", lambda folder: [str(_make_fifo(folder / "台账.xlsx"))],
             ["台账.xlsx 不是普通文件"], max_lines=1),
    BadInput("no_such_ledger", lambda folder: [str(folder / "没有这个文件夹")], ["不存在"]),
    BadInput("mapping_not_toml", _mapping("extends = \n"), ["映射文件 mapping.toml 不是有效的 TOML：第 1 行"],
             max_lines=1, absent=["Invalid", "line"]),
    BadInput("mapping_fifo", _mapping(None), ["mapping.toml 不是普通文件"], max_lines=1),
]
# A date a ledger cannot mean.
CLASSES[[c.name for c in CLASSES].index("bad_date")] = BadInput(
    "bad_date", _replace("party_orgs.csv", "id,name,org_type,scope,founded\nP0,青特社区党委,党委,社区,2010-13\n"
                         "P1,青特城小区党支部,党支部,小区,2021\nP2,城阳社区党委,党委,社区,"),
    ["party_orgs.csv:2:founded: 2010-13: 不是有效日期"])


def _store_bytes(db_path: Path) -> dict[str, str]:
    """A digest of every file of the store: the database and any journal or write-ahead
    log beside it (not SQLite's shared-memory index, which any reader may rewrite)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(db_path.parent.glob(db_path.name + "*")) if not p.name.endswith("-shm")}


@pytest.mark.parametrize("case", CLASSES, ids=[c.name for c in CLASSES])
def test_bad_input(case: BadInput, run, db_path, tmp_path):
    good = write_ledger_files(tmp_path / "good", SMALL)
    assert run("load", str(good)).exit_code == 0
    before = _store_bytes(db_path)
    folder = write_ledger_files(tmp_path / "bad", SMALL)
    args = case.make(folder) or [str(folder)]

    result = run("load", *args)

    assert result.exit_code == case.exit_code, result.output
    err = result.stderr
    assert "Traceback" not in err and "内部错误" not in err and "Error" not in err
    for part in case.expected:
        assert part in err, err
    for part in case.absent:
        assert part not in err, err
    if case.max_lines is not None:
        assert len(err.strip().splitlines()) <= case.max_lines, err
    assert result.stdout == ""
    assert _store_bytes(db_path) == before  # nothing written, not even a log line
    if case.checked and case.name not in ("fifo", "workbook_fifo", "mapping_fifo"):  # a FIFO is read once
        checked = run("check", *args)
        assert checked.exit_code == case.exit_code and checked.stderr.replace(" check ", " load ") == result.stderr, \
            checked.output


def test_the_suite_has_every_class_once():
    names = [c.name for c in CLASSES]
    assert len(names) == len(set(names)) and all(c.expected for c in CLASSES)


# -- what the new checks must not refuse --------------------------------------------------
def test_a_note_with_a_line_break_is_not_an_open_quote(make_ledger):
    from govgraph.ledger import read_ledger

    folder = make_ledger({**SMALL, "firms.csv": 'id,name,ownership\nF1,"泾华物业\n（原泾华，2019 年改名）",市场化'})
    assert read_ledger(folder).data.entities["F1"].name == "泾华物业\n（原泾华，2019 年改名）"


def test_gbk_text_with_a_few_rare_characters_is_chinese(make_ledger):
    from govgraph.ledger import read_ledger

    # 喆 and 堃 are outside GB2312 (GBK's extension), as in real names.
    people = "id,name,party_status\nU1,张三,中共党员\nU2,李四,正式党员\nU3,王五,群众\nU4,刘喆,群众\nU5,陈堃,群众"
    folder = make_ledger({**SMALL, "people.csv": people}, encoding="gbk")
    data = read_ledger(folder).data
    assert data.entities["U4"].name == "刘喆" and data.entities["U5"].name == "陈堃"


def test_a_profile_that_is_not_toml_is_one_chinese_line(run, tmp_path):
    assert run("load", str(write_ledger_files(tmp_path / "good", SMALL))).exit_code == 0
    (tmp_path / "bad.toml").write_text("a = \n", "utf-8")
    (tmp_path / "latin.toml").write_bytes(b"title = '\xe9'\n")
    for name, says in (("bad.toml", "不是有效的 TOML：第 1 行第 5 列附近"), ("latin.toml", "不是 UTF-8 编码")):
        result = run("coverage", "--profile", str(tmp_path / name))
        assert result.exit_code == 1 and says in result.stderr and "内部错误" not in result.stderr, result.stderr


@pytest.mark.parametrize("names", ["刘喆", "朱镕基", "王堃\n陈喆"])
def test_a_tiny_gbk_file_with_rare_names_is_chinese(make_ledger, names):
    from govgraph.ledger import read_ledger

    people = "id,name\n" + "\n".join(f"U{i},{n}" for i, n in enumerate(names.split("\n")))
    folder = make_ledger({**SMALL, "people.csv": people, "relations.csv": "type,from_id,to_id\n覆盖,P0,M1"},
                         encoding="gbk")
    assert {e.name for e in read_ledger(folder).data.entities.values() if e.kind == "Person"} == set(names.split("\n"))
