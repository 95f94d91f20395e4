"""`govgraph export --roster`: the graph written as the 一表通 (domain.md §3.2), and what it
could not say. Expected answers are worked out by hand from the acceptance ledgers."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from govgraph.ledger import read_ledger
from govgraph.ledger.roster_write import write_roster

from conftest import ACCEPTANCE

ROSTER = ACCEPTANCE / "roster"
DAY = date(2026, 6, 30)


def _cells(path):
    book = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_roster_shaped_ledger_loads_back_to_the_same_graph(tmp_path, suffix):
    data = read_ledger(ROSTER / "ledger" / "一表通.csv").data
    first = write_roster(data, tmp_path / f"a{suffix}", DAY)
    assert first.rows == 8 and first.left_out == []
    again = read_ledger(first.path).data
    assert again.same_content(data)  # same ids (derived ones too), fields and relations
    second = write_roster(again, tmp_path / f"b{suffix}", DAY)
    assert second.left_out == []
    if suffix == ".xlsx":  # export → load → export: the same workbook
        assert _cells(first.path) == _cells(second.path)
    else:
        assert first.path.read_bytes() == second.path.read_bytes()


def test_the_roster_workbook_is_the_template_form(tmp_path):
    data = read_ledger(ROSTER / "ledger" / "一表通.csv").data
    out = write_roster(data, tmp_path / "一表通.xlsx", DAY).path
    book = load_workbook(out)
    assert book.sheetnames == ["一表通"]
    ws = book["一表通"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[0]
    assert header[:5] == ["区县", "街道", "社区", "小区编号", "小区名称"]
    by_name = {r[header.index("小区名称")]: dict(zip(header, r)) for r in rows[1:]}
    # Hand-worked from ledger/一表通.csv: the cells a worker sees.
    row = by_name["幸福里"]
    assert row["小区编号"] == "C-XFL" and row["户数"] == 420  # a number, not text
    assert (row["党组织名称"], row["组建方式"], row["书记"], row["业委会主任"], row["一肩挑"]) == \
        ("幸福里党支部", "单独建", "张伟", "张伟", "是")
    assert by_name["和平小区"]["组建方式"] == "联合建" and by_name["和平小区"]["书记"] == "李娜"  # spaces gone
    assert by_name["滨江苑"]["组建方式"] == "挂靠建" and by_name["滨江苑"]["书记"] == "孙涛"
    # 单独建 was written for a 党的工作小组: the export writes what §4.1 derives (nothing to claim)
    assert by_name["临江小区"]["组建方式"] is None and by_name["临江小区"]["书记"] == "吴刚"
    assert by_name["北苑"]["党组织名称"] is None
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    lists = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert f"{chr(ord('A') + header.index('组建方式'))}2:{chr(ord('A') + header.index('组建方式'))}1048576" in lists


def test_what_the_roster_cannot_say_is_listed_and_the_rest_loads_back(tmp_path):
    """with_sheets/ is the roster of ledger/ plus normalised files: a 居委会 (with its 隶属),
    the 党委 covering 江滨社区, two 任职 at the 居委会 and one 兼职委员. Those, exactly, are
    left out, and what loads back is the roster alone."""
    data = read_ledger(ROSTER / "with_sheets").data
    result = write_roster(data, tmp_path / "一表通.xlsx", DAY)
    assert result.left_out == [
        "没有写进任何小区行的实体：自治组织 1 个（江滨社区居委会）",
        "写不进一表通的关系：隶属 1 条（隶属 江滨社区居委会→江滨社区）；覆盖 1 条（覆盖 江滨社区党委→江滨社区）；"
        "任职 2 条（任职 孙涛→江滨社区居委会（主任）、任职 张伟→江滨社区居委会（委员））；"
        "兼职委员 1 条（兼职委员 张伟→江滨社区党委）",
    ]
    assert read_ledger(result.path).data.same_content(read_ledger(ROSTER / "ledger" / "一表通.csv").data)


def test_a_normalised_ledger_exports_what_fits_and_says_the_rest(tmp_path):
    """core/: ids like M1 (the roster keeps only compound ids), dated relations, 双报到 (2),
    兼职委员 (4), 居住 (6 in force, 1 ended 2021), a 领航员 at 秋韵苑 (its only cover on the
    day: the roster has no column for it, so 秋韵苑 goes from 工作覆盖 to 空白)."""
    data = read_ledger(ACCEPTANCE / "core" / "ledger").data
    result = write_roster(data, tmp_path / "一表通.csv", DAY)
    assert result.rows == 12  # every compound has a community in force on the day
    again = read_ledger(result.path).data  # it loads
    assert sorted(e.id for e in again.entities.values() if e.kind == "Compound") == \
        sorted(e.id for e in data.entities.values() if e.kind == "Compound")
    text = "\n".join(result.left_out)
    assert "一表通只写小区编号" in text and "（如 D1 → D-城阳区）" in text  # D1 城阳区: a name alone
    assert "双报到 2 条" in text and "兼职委员 4 条" in text and "居住 6 条" in text
    assert "居住 1 条（居住 宋伟→春阳花园（至 2021-12-31））" in text
    assert "小区“秋韵苑”工作覆盖→空白" in text
    # Exported again from what it loaded: the same roster (a roster is a fixed point).
    assert write_roster(again, tmp_path / "again.csv", DAY).path.read_bytes() == result.path.read_bytes()


def test_cli_export_roster(run, tmp_path):
    assert run("load", str(ROSTER / "with_sheets")).exit_code == 0
    result = run("export", "--roster", str(tmp_path / "一表通.xlsx"))
    assert result.exit_code == 0, result.output
    assert "已导出一表通" in result.output and "8 个小区" in result.output
    assert "写不下" in result.output and "兼职委员 1 条" in result.output
    assert "govgraph export 台账.xlsx" in result.output  # where the rest goes
    wrong = run("export", "--roster", str(tmp_path / "一表通.txt"))
    assert wrong.exit_code != 0 and ".xlsx 或 .csv" in wrong.stderr and "Traceback" not in wrong.output
    assert not (tmp_path / "一表通.txt").exists()


def test_cli_export_roster_of_a_roster_says_nothing_is_lost(run, tmp_path):
    assert run("load", str(ROSTER / "ledger" / "一表通.csv")).exit_code == 0
    result = run("export", "--roster", str(tmp_path / "一表通.xlsx"))
    assert result.exit_code == 0 and "写下了全部数据" in result.output


def test_what_a_roster_cannot_tell_apart_still_loads(tmp_path, make_ledger):
    """Two compounds named 幸福里 in one community, and two people named 张伟 there (正式党员
    and 群众): a roster names them by name, so one 幸福里 row is written (C1, the first by
    id), the two 张伟 become one on re-import, and the second 张伟's 政治面貌 is left empty
    rather than contradict the first (which would be an error on re-import)."""
    ledger = make_ledger({
        "streets.csv": "id,name\nS1,城厢街道\n",
        "communities.csv": "id,name,street_id\nM1,月湖社区,S1\n",
        "compounds.csv": "id,name,community_id\nC1,幸福里,M1\nC2,幸福里,M1\nC3,阳光苑,M1\n",
        "party_orgs.csv": "id,name,org_type,scope\nP1,幸福里党支部,党支部,小区\nP2,阳光苑党支部,党支部,小区\n",
        "people.csv": "id,name,party_status\nU1,张伟,正式党员\nU2,张伟,群众\n",
        "relations.csv": "type,from_id,to_id,role\n覆盖,P1,C1,\n覆盖,P2,C3,\n任职,U1,P1,书记\n任职,U2,P2,书记\n",
    })
    result = write_roster(read_ledger(ledger).data, tmp_path / "一表通.csv", DAY)
    again = read_ledger(result.path).data  # no error
    assert result.rows == 2
    rows = [[c.value for c in r] for r in load_workbook(write_roster(again, tmp_path / "x.xlsx", DAY).path)["一表通"].iter_rows()]
    header = rows[0]
    got = [(r[header.index("小区编号")], r[header.index("书记")], r[header.index("书记政治面貌")]) for r in rows[1:]]
    assert got == [("C1", "张伟", "正式党员"), ("C3", "张伟", "正式党员")]  # one person now
    assert sorted(e.id for e in again.entities.values() if e.kind == "Compound") == ["C1", "C3"]
    assert [e.attrs for e in again.entities.values() if e.kind == "Person"] == [{"party_status": "正式党员"}]
    text = "\n".join(result.left_out)
    assert "只写了其中一个（其余 1 个没有写入）：“幸福里”（写了 C1，未写 C2）" in text
    assert "人员“张伟”（U1、U2）" in text


def test_cli_export_roster_as_of_a_date(run, tmp_path):
    """core/: 秋韵苑's 领航员 starts 2023-06-01; before, 青年路第一网格党支部 covered it (to
    2023-05-31). As of 2023-05-31 the roster names that org on 秋韵苑's row; as of today none."""
    assert run("load", str(ACCEPTANCE / "core" / "ledger")).exit_code == 0
    for day, org in (("2023-05-31", "青年路第一网格党支部"), (None, None)):
        out = tmp_path / f"{day}.xlsx"
        result = run("export", "--roster", str(out), *(["--as-of", day] if day else []))
        assert result.exit_code == 0, result.output
        rows = [[c.value for c in r] for r in load_workbook(out)["一表通"].iter_rows()]
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("小区名称")] == "秋韵苑")
        assert row[header.index("党组织名称")] == org


def test_cli_export_roster_of_one_community(run, tmp_path):
    """--scope 江滨社区: its three compounds (江畔花园, 滨江苑, 临江小区), each row naming the
    street and district above the scope; what with_sheets/ adds there (the 居委会 and its
    posts, the 党委's 覆盖 of the community, the 兼职委员) is listed, nothing else."""
    assert run("load", str(ROSTER / "with_sheets")).exit_code == 0
    data = read_ledger(ROSTER / "with_sheets").data
    community = next(e.id for e in data.entities.values() if e.name == "江滨社区")
    out = tmp_path / "江滨社区.xlsx"
    result = run("export", "--roster", "--scope", community, str(out))
    assert result.exit_code == 0, result.output
    rows = [[c.value for c in r] for r in load_workbook(out)["一表通"].iter_rows()]
    assert sorted(r[:3] + [r[4]] for r in rows[1:]) == [
        ["涪城区", "城厢街道", "江滨社区", "临江小区"], ["涪城区", "城厢街道", "江滨社区", "江畔花园"],
        ["涪城区", "城厢街道", "江滨社区", "滨江苑"]]
    assert "自治组织 1 个（江滨社区居委会）" in result.output and "兼职委员 1 条" in result.output
    assert "社区 " not in result.output.split("没有写进任何小区行的实体：")[1].split("\n")[0]


def test_cli_export_roster_of_an_empty_store(run, tmp_path):
    """A first load that failed leaves a store with nothing in it."""
    assert run("load", str(ACCEPTANCE / "roster_errors" / "ledger")).exit_code == 2
    result = run("export", "--roster", str(tmp_path / "一表通.xlsx"))
    assert result.exit_code == 0 and "0 个小区" in result.output and "还没有数据" in result.output
    assert "写下了全部数据" not in result.output


def test_a_synthetic_city_roster_is_a_fixed_point(tmp_path):
    """A synthetic city (a fiftieth of the city tier, benchmarks/xlsx_roundtrip.py runs the
    whole tier): its roster loses much (dates, history, 双报到 …) and says so; the roster of
    the loaded roster loses nothing, loads back to the same graph and is the same workbook."""
    from govgraph.synth import Tier, write_synthetic

    write_synthetic(tmp_path / "city", spec=Tier("test", 1, 2, 4, 30, 100, 44, (3, 9)))
    data = read_ledger(tmp_path / "city").data
    first = write_roster(data, tmp_path / "a.xlsx", DAY)
    assert first.left_out and any("双报到" in line for line in first.left_out)
    shaped = read_ledger(first.path).data
    second = write_roster(shaped, tmp_path / "b.xlsx", DAY)
    assert second.left_out == []
    assert read_ledger(second.path).data.same_content(shaped)
    assert _cells(second.path) == _cells(first.path)


def test_cli_export_to_a_csv_name_without_roster_is_refused(run, tmp_path):
    """A folder called 台账.csv is not what someone asking for 台账.csv meant."""
    assert run("load", str(ROSTER / "ledger" / "一表通.csv")).exit_code == 0
    result = run("export", str(tmp_path / "台账.csv"))
    assert result.exit_code != 0 and "--roster" in result.stderr and "台账.xlsx" in result.stderr
    assert not (tmp_path / "台账.csv").exists()
    assert run("export", "--roster", str(tmp_path / "台账.csv")).exit_code == 0
    assert (tmp_path / "台账.csv").is_file()


def test_of_two_organisations_the_one_that_makes_the_status_is_written(tmp_path, make_ledger):
    """幸福里 is covered by P1 (which also covers 阳光苑) and P2 (only 幸福里): §4.1 says 单独建
    (an organisation covering no other compound). The row names P2's 幸福里党支部 with
    单独建; P1 is on 阳光苑's row, written 联合建 as the graph has it; re-imported without
    P1's 覆盖 of 幸福里 (one org per row), 阳光苑 is 单独建, and the export says both."""
    ledger = make_ledger({
        "streets.csv": "id,name\nS1,城厢街道\n",
        "communities.csv": "id,name,street_id\nM1,月湖社区,S1\n",
        "compounds.csv": "id,name,community_id\nC1,幸福里,M1\nC2,阳光苑,M1\n",
        "party_orgs.csv": "id,name,org_type,scope\nP1,联合党支部,党支部,小区\nP2,幸福里党支部,党支部,小区\n",
        "relations.csv": "type,from_id,to_id\n覆盖,P1,C1\n覆盖,P1,C2\n覆盖,P2,C1\n",
    })
    result = write_roster(read_ledger(ledger).data, tmp_path / "一表通.xlsx", DAY)
    rows = [[c.value for c in r] for r in load_workbook(result.path)["一表通"].iter_rows()]
    header = rows[0]
    got = {r[header.index("小区名称")]: (r[header.index("党组织名称")], r[header.index("组建方式")]) for r in rows[1:]}
    assert got == {"幸福里": ("幸福里党支部", "单独建"), "阳光苑": ("联合党支部", "联合建")}
    assert any("覆盖 1 条（覆盖 联合党支部→幸福里）" in line for line in result.left_out)
    assert any("小区“阳光苑”联合建→单独建" in line for line in result.left_out)
