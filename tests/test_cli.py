"""The CLI through CliRunner, with exact output checks."""

from __future__ import annotations

import json

import pytest

from small_ledger import SMALL


@pytest.fixture
def loaded(run, make_ledger):
    result = run("load", str(make_ledger(SMALL)))
    assert result.exit_code == 0, result.output
    return run


def test_load_summary(run, make_ledger):
    path = make_ledger(SMALL)
    result = run("load", str(path))
    assert result.exit_code == 0
    assert result.stdout == (
        f"已导入台账 {path}（替换）：实体新增 15、变更 0、删除 0；关系新增 19、变更 0、删除 0。"
        "现有实体 15 个，关系 19 条。\n"
    )


def test_coverage_by_street(loaded):
    result = loaded("coverage", "--as-of", "2024-06-30")
    assert result.exit_code == 0
    assert result.stdout == (
        "统计时点：2024-06-30\n"
        "单位            小区数  单独建  联合建  挂靠建  工作覆盖  空白  组织覆盖率  组织和工作覆盖率  物业企业数  企业空白\n"
        "──────────────────────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "城阳街道（S1）  4       1       0       0       1         2     25.0%       50.0%             1           1\n"
        "合计            4       1       0       0       1         2     25.0%       50.0%             1           1\n"
    )


def test_coverage_compound_rows_json(loaded):
    result = loaded("coverage", "--level", "compound", "--as-of", "2024-04-30", "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["status"], r["eligible"], r["formal_members"]) for r in rows] == [
        ("C1", "单独建", False, 2),  # U1 and U2 are 正式党员 living there; U3 is 群众
        ("C2", "空白", False, 0),  # the instructor only starts 2024-05
        ("C3", "空白", True, 5),  # party_members given
        ("C4", "空白", False, 0),
        ("F1", "空白", False, 1),  # one 正式党员 (U1) holds a post at the firm
    ]
    assert rows[0] == {
        "id": "C1", "name": "青特城", "kind": "Compound", "district_id": "D1", "street_id": "S1",
        "community_id": "M1", "status": "单独建", "eligible": False, "formal_members": 2,
    }
    assert rows[4]["community_id"] is None


def test_coverage_by_community_csv(loaded):
    result = loaded("coverage", "--level", "community", "--as-of", "2024-06-30", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "单位编号,单位类别,单位名称,小区数,单独建,联合建,挂靠建,工作覆盖,空白,物业企业数,企业单独建,企业联合建,"
        "企业挂靠建,企业工作覆盖,企业空白,组织覆盖率,组织和工作覆盖率"
    )
    # F1 served C1 (M1) and, until 2023-06, C3 (M2): on 2024-06-30 it counts in M1 only.
    assert lines[1:] == [
        "M1,社区,青特社区,2,1,0,0,1,0,1,0,0,0,0,1,0.5000,1.0000",
        "M2,社区,城阳社区,2,0,0,0,0,2,0,0,0,0,0,0,0.0000,0.0000",
        ",,合计,4,1,0,0,1,2,1,0,0,0,0,1,0.2500,0.5000",
    ]


def test_orphans_with_reason(loaded):
    result = loaded("orphans", "--as-of", "2024-04-30", "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["eligible"], r["reason"], r["suggestion"]) for r in rows] == [
        ("C2", False, "无党组织覆盖、未挂靠建、无党的工作小组或党建指导员；派驻“张三”自2024-05-01起才生效",
         "选派党建指导员或组建党的工作小组"),
        ("C3", True, "无党组织覆盖、未挂靠建、无党的工作小组或党建指导员", "有正式党员5名，应单独组建党组织（应建尽建）"),
        ("C4", False, "无党组织覆盖、未挂靠建、无党的工作小组或党建指导员", "选派党建指导员或组建党的工作小组"),
    ]


def test_orphans_table_heading(loaded):
    result = loaded("orphans", "--as-of", "2024-06-30", "--scope", "M1")
    assert result.stdout == "统计时点：2024-06-30；空白小区 0 个\n（无）\n"


def test_scope_limits_rows(loaded):
    result = loaded("coverage", "--level", "compound", "--scope", "M2", "--as-of", "2022-01-01", "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["status"]) for r in rows] == [("C3", "空白"), ("C4", "空白"), ("F1", "空白")]


def test_show_masks_phone_and_lists_sources(loaded):
    result = loaded("show", "U1", "--as-of", "2024-06-30")
    assert result.exit_code == 0
    assert result.stdout == (
        "人员 U1 张三\n"
        "  政治面貌：正式党员\n"
        "  电话：138****1234\n"
        "  标签：退役军人；在职党员\n"
        "\n"
        "在 2024-06-30 有效的关系：\n"
        "方向  关系  对方                职务        开始日期    结束日期  来源          台账位置\n"
        "────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "→     任职  泾华物业（F1）      负责人                                          relations.csv:9\n"
        "→     居住  青特城（C1）                                                        relations.csv:11\n"
        "→     派驻  万科魅力之城（C2）  党建指导员  2024-05-01            街道选派名单  relations.csv:5\n"
    )


def test_show_hidden_relations_hint(loaded):
    result = loaded("show", "C3", "--as-of", "2024-06-30")
    assert result.stdout.endswith("\n另有 1 条关系在该日不在有效期（历史或尚未生效），加 --all 查看。\n")
    assert "服务" in loaded("show", "C3", "--as-of", "2024-06-30", "--all").stdout


def test_show_unknown_id(loaded):
    result = loaded("show", "X9")
    assert result.exit_code == 1
    assert result.stderr == "找不到编号为 X9 的实体\n"


def test_bad_ledger_exit_2_and_store_unchanged(loaded, make_ledger):
    compounds = SMALL["compounds.csv"].replace("C1,青特城,M1,1200", "C1,青特城,M1,-5") + "C9,新小区,M9,,,,\n"
    bad = make_ledger({**SMALL, "compounds.csv": compounds})
    result = loaded("load", str(bad))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "compounds.csv:2:户数: -5: 应为非负整数",
        "compounds.csv:6:所属社区: M9: 没有这个编号或名称的社区",
        "台账有 2 处错误，未导入任何数据。",
    ]
    history = json.loads(loaded("history", "--format", "json").stdout)
    assert len(history) == 1  # the failed load left no trace


def test_bad_option_value_is_chinese(run):
    result = run("coverage", "--as-of", "昨天")
    assert result.exit_code == 2
    assert "错误：'--as-of' 的值无效：“昨天”不是有效日期（例如 2024-06-30）" in result.stderr
    assert "Error" not in result.stderr


def test_every_command_has_chinese_help(run):
    from govgraph.cli.main import cli

    for name, command in cli.commands.items():
        assert command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "用法：" in result.stdout and "选项" in result.stdout
        for param in command.params:
            if param.name != "help" and hasattr(param, "help") and param.param_type_name == "option":
                assert param.help, f"{name} {param.name}"


def test_a_missing_database_is_an_error_not_an_empty_ledger(run, db_path):
    result = run("coverage", "--as-of", "2024-01-01")
    assert result.exit_code == 1
    assert result.stderr == f"本地数据库 {db_path} 不存在：请先用 govgraph load 导入台账，或用 --db 指定已有的数据库\n"
    assert not db_path.exists()


def test_replace_refuses_to_wipe_a_kind_of_data(loaded, make_ledger):
    only_people = make_ledger({"people.csv": SMALL["people.csv"]})
    result = loaded("load", str(only_people))
    assert result.exit_code == 2
    assert result.stderr == (
        "本台账没有以下数据：社区 2 个、小区 4 个、区/县 1 个、物业服务企业 1 个、党组织 3 个、街道/乡镇 1 个（库中现有）。"
        "整体替换会把它们全部删除，已停止。如只想更新部分表，请加 --merge；确需整体替换，请加 --force。\n"
    )
    assert loaded("load", str(only_people), "--merge").exit_code == 0
    forced = loaded("load", str(only_people), "--force")
    assert forced.exit_code == 0 and "现有实体 3 个" in forced.stdout


def test_demo_ignores_store_settings_from_the_environment(run, db_path, make_ledger, monkeypatch, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    result = CliRunner(env={"GOVGRAPH_DB": str(db_path)}).invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"数据库：{db_path.with_name('demo.sqlite')}\n" in result.stdout  # beside, never the user's file
    assert "现有实体 15 个" in run("load", str(make_ledger(SMALL))).stdout  # the user's store untouched


def test_scope_below_the_level_counts_the_scope_only(loaded):
    result = loaded("coverage", "--scope", "M1", "--level", "street", "--as-of", "2024-06-30", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["unit_id"], r["compounds"], r["single"], r["work"]) for r in rows] == [("S1", 2, 1, 1), ("TOTAL", 2, 1, 1)]
    district = loaded("indicators", "--scope", "M1", "--level", "district", "--as-of", "2024-06-30", "--format", "json")
    assert district.exit_code == 0
    assert {r["unit_id"] for r in json.loads(district.stdout)} == {"D1", "TOTAL"}


def test_person_path_and_trend(loaded):
    person = json.loads(loaded("person", "U1", "--as-of", "2024-04-30", "--format", "json").stdout)
    assert [(r["type"], r["other_id"]) for r in person["current"]] == [("任职", "F1"), ("居住", "C1")]
    assert [(r["type"], r["other_id"], r["since"]) for r in person["history"]] == [("派驻", "C2", "2024-05-01")]
    path = json.loads(loaded("path", "U2", "F1", "--as-of", "2024-06-30", "--format", "json").stdout)
    assert path[:2] == [  # shortest first: U2 lives in C1, which F1 serves
        {"length": 2, "path": "李四 →居住→ 青特城 ←服务（专业物业）← 泾华物业"},
        {"length": 3, "path": "李四 →任职（书记）→ 青特城小区党支部 →覆盖→ 青特城 ←服务（专业物业）← 泾华物业"},
    ]
    trend = json.loads(loaded("trend", "--year-ends", "2020-2021", "--format", "json").stdout)
    work = [(r["date"], r["numerator"], r["denominator"], r["target"], r["color"])
            for r in trend if r["indicator"] == "org_and_work_coverage_rate"]
    # 2020: nothing covers any compound yet (P1 from 2021); 2021: C1 only. Targets 50% and 70%.
    assert work == [("2020-12-31", 0, 4, 0.5, "red"), ("2021-12-31", 1, 4, 0.7, "red")]
    assert loaded("trend", "--year-ends", "2024-2020").stderr == "--year-ends 的起始年应不晚于结束年，例如 2020-2024\n"


def test_parttime_and_cross_on_the_demo(run):
    from govgraph.seeds import __file__ as seeds

    from pathlib import Path

    assert run("load", str(Path(seeds).parent / "demo")).exit_code == 0
    rows = {r["unit_id"]: r for r in json.loads(run("parttime", "--as-of", "2026-11-23", "--format", "json").stdout)}
    # seeds/demo/README.md: U-GAOF chairs 青特城's 业委会 without a post in the 青特社区党委;
    # U-ZHOUP (in-service member) and P-SJJ (a unit's party org) 双报到 in 青特社区.
    assert rows["M-QT"]["missing"] == ["高峰"]
    assert (rows["M-QT"]["dual_people"], rows["M-QT"]["dual_units"]) == (1, 1)
    cross = json.loads(run("cross", "--as-of", "2026-11-23", "--format", "json").stdout)
    qtc = {(r["person_id"]) for r in cross["people"] if r["unit_id"] == "C-QTC"}
    # the demo's 交叉任职 examples, and 吴倩: 委员 of the branch and 副主任 of the 业委会
    assert qtc == {"U-MAYL", "U-LINF", "U-WUQ"}
    # 交叉任职率 and 一肩挑率 of `cross --level compound` are the 合计 of `indicators`
    # (one rule, appointments.appointment_rates): 6 compounds with a branch and a
    # committee, 5 of them with a cross-appointed person, 2 confirmed 一肩挑 of 6.
    assert {k: cross["rates"][0][k] for k in ("units_with_both", "units_cross", "units_confirmed")} == {
        "units_with_both": 6, "units_cross": 5, "units_confirmed": 2}
    totals = {r["indicator"]: (r["numerator"], r["denominator"], r["value"])
              for r in json.loads(run("indicators", "--as-of", "2026-11-23", "--format", "json").stdout)
              if r["unit_id"] == "TOTAL"}
    assert totals["cross_appointment_rate"] == (5, 6, cross["rates"][0]["cross_appointment_rate"])
    assert totals["yijiantiao_rate"] == (2, 6, cross["rates"][0]["yijiantiao_rate"])


def test_tables_fit_the_terminal_width(loaded, monkeypatch):
    from govgraph.cli.output import width

    monkeypatch.setenv("COLUMNS", "80")
    result = loaded("orphans", "--as-of", "2024-04-30")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(width(line) for line in lines) <= 80
    # long cells wrap onto more lines instead of widening the table
    assert len(lines) > 2 + 3 + 1
    assert "老旧院落（C3）" in result.stdout  # the compound by name, with its id
    monkeypatch.delenv("COLUMNS")
    unlimited = loaded("orphans", "--as-of", "2024-04-30").stdout.splitlines()
    assert len(unlimited) == 1 + 2 + 3  # to a pipe or a file: one line per row


def test_names_beside_ids_and_titles_for_codes(loaded, tmp_path):
    from openpyxl import load_workbook

    rows = loaded("coverage", "--level", "compound", "--as-of", "2024-06-30", "--format", "csv").stdout.splitlines()
    assert rows[0] == "编号,名称,类别,所属社区,社区名称,所属街道,街道名称,覆盖状态,应单独建,正式党员数"
    assert rows[1] == "C1,青特城,小区,M1,青特社区,S1,城阳街道,单独建,否,2"
    table = loaded("coverage", "--level", "compound", "--as-of", "2024-06-30").stdout
    assert table.splitlines()[3].split() == ["青特城（C1）", "小区", "青特社区", "城阳街道", "单独建", "否", "2"]
    findings = loaded("audit", "--as-of", "2024-06-30", "--format", "csv").stdout
    assert "ORPHAN_COMPOUND" not in findings and "错误,空白小区,C3,老旧院落," in findings
    # evidence by name, with its dates and source
    assert "张三 任职（负责人） 泾华物业" in findings
    out = tmp_path / "问题.xlsx"
    assert loaded("audit", "--as-of", "2024-06-30", "--format", "xlsx", "-o", str(out)).exit_code == 0
    sheet = load_workbook(out)["问题清单"]
    header = [c.value for c in sheet[2]]
    assert header[:6] == ["序号", "严重程度", "问题代码", "问题", "对象编号", "对象名称"]
    assert ("ORPHAN_COMPOUND", "空白小区") in {(r[2].value, r[3].value) for r in sheet.iter_rows(min_row=3)}


def test_evidence_by_name_with_dates_and_source(run):
    from govgraph.seeds import __file__ as seeds

    from pathlib import Path

    assert run("load", str(Path(seeds).parent / "demo")).exit_code == 0
    table = run("audit", "--as-of", "2026-11-23").stdout
    assert "吴倩 任职（委员） 青特城小区党支部，自2024-04-01起，来源：城阳区委组织部台账2024" in table


def test_choices_take_the_chinese_words(loaded):
    by_word = loaded("coverage", "--level", "社区", "--as-of", "2024-06-30", "--format", "json").stdout
    assert by_word == loaded("coverage", "--level", "community", "--as-of", "2024-06-30", "--format", "json").stdout
    assert loaded("indicators", "--level", "区县", "--as-of", "2024-06-30", "--format", "json").exit_code == 0
    assert loaded("coverage", "--format", "表格", "--as-of", "2024-06-30").stdout.startswith("统计时点")


def test_dates_as_auditors_write_them(loaded):
    june = loaded("coverage", "--as-of", "2024-06-30", "--format", "json").stdout
    assert loaded("coverage", "--as-of", "2024.6", "--format", "json").stdout == june  # a month: its last day
    assert loaded("coverage", "--as-of", "2024年6月", "--format", "json").stdout == june
    year = json.loads(loaded("trend", "--dates", "2021", "--format", "json").stdout)
    assert {r["date"] for r in year} == {"2021-12-31"}


def test_trend_without_dates_shows_the_year_ends_up_to_the_as_of_date(loaded):
    rows = json.loads(loaded("trend", "--as-of", "2024-06-30", "--format", "json").stdout)
    assert sorted({r["date"] for r in rows}) == ["2019-12-31", "2020-12-31", "2021-12-31", "2022-12-31",
                                                 "2023-12-31", "2024-06-30"]


def test_person_shows_party_status_and_tags(loaded):
    head = loaded("person", "U1", "--as-of", "2024-06-30").stdout.splitlines()[:3]
    assert head == ["人员 U1 张三（统计时点：2024-06-30）", "  政治面貌：正式党员", "  标签：退役军人；在职党员"]


def test_demo_flag_reads_the_demo_database(run, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("GOVGRAPH_DB", raising=False)
    runner = CliRunner()
    demo = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert "接着可以试试：govgraph --demo show C-JCY" in demo.stdout
    # the command the demo (and the README) suggests works as shown
    shown = runner.invoke(cli, ["--demo", "coverage", "--level", "compound"], catch_exceptions=False)
    assert shown.exit_code == 0 and "锦城苑（C-JCY）" in shown.stdout
    assert runner.invoke(cli, ["--demo", "--db", "x.sqlite", "coverage"]).exit_code == 2


def test_progress_reported_to_a_callback_and_silent_off_a_terminal(run, make_ledger, store, tmp_path):
    from govgraph.loading import load_ledger
    from govgraph.synth import write_synthetic

    heard = []
    load_ledger(store, make_ledger(SMALL), progress=lambda what, done, total: heard.append((what, done, total)))
    assert heard[0] == ("读取库中现有数据", 0, 3) and heard[-1] == ("写入数据库", 3, 3)
    streets = []
    write_synthetic(tmp_path / "synth", "demo", progress=lambda what, done, total: streets.append((done, total)))
    assert streets and streets[-1][0] == streets[-1][1]
    result = run("load", str(make_ledger(SMALL)))
    assert result.exit_code == 0 and result.stderr == ""  # CliRunner is no terminal: no progress line


def test_demo_is_two_periods_and_each_can_be_read_again(tmp_path, monkeypatch):
    """seeds/demo-2026Q3 differs from seeds/demo (2026Q4) by hand: in Q3 苜卫路23号 had no
    挂靠建 yet (空白), 苜卫路27号 still had 方磊 as its 党建指导员 (工作覆盖), and 万科魅力之城
    had 3180 households; running the demo twice starts its own file afresh."""
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("GOVGRAPH_DB", raising=False)
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(cli, ["demo"], catch_exceptions=False).exit_code == 0
    history = json.loads(runner.invoke(cli, ["--demo", "history", "--format", "json"]).stdout)
    assert [(h["seq"], h["period"]) for h in history] == [(1, "2026Q3"), (2, "2026Q4")]
    assert (history[1]["entities_changed"], history[1]["relations_added"], history[1]["relations_removed"]) == (1, 1, 1)

    def statuses(*options):
        out = runner.invoke(cli, ["--demo", "coverage", "--level", "compound", "--as-of", "2026-11-23",
                                  "--format", "json", *options])
        return {r["id"]: r["status"] for r in json.loads(out.stdout)}

    earlier, now = statuses("--period", "2026Q3"), statuses()
    assert (earlier["C-MW23"], earlier["C-MW27"]) == ("空白", "工作覆盖")
    assert (now["C-MW23"], now["C-MW27"]) == ("挂靠建", "空白")
    assert {k for k in now if now[k] != earlier[k]} == {"C-MW23", "C-MW27"}
    assert statuses("--load", "1") == earlier
