"""Each loader error class, on small ledgers written here, with the exact line a user sees."""

from __future__ import annotations

import pytest

from govgraph.errors import LedgerError
from govgraph.ledger import read_ledger

BASE = {
    "streets.csv": """
        id,name
        S1,城阳街道
    """,
    "communities.csv": """
        id,name,street_id
        M1,青特社区,S1
        M2,城阳社区,S1
    """,
    "party_orgs.csv": """
        id,name,org_type,scope,parent_id
        P0,青特社区党委,党委,社区,
        P1,青特城党支部,党支部,小区,P0
    """,
}


def errors_of(make_ledger, files) -> list[str]:
    with pytest.raises(LedgerError) as exc:
        read_ledger(make_ledger({**BASE, **files}))
    return [str(i) for i in exc.value.issues]


def codes_of(make_ledger, files) -> list[str]:
    with pytest.raises(LedgerError) as exc:
        read_ledger(make_ledger({**BASE, **files}))
    return [i.code for i in exc.value.issues]


def test_valid_base_loads(make_ledger):
    result = read_ledger(make_ledger(BASE))
    assert set(result.data.entities) == {"S1", "M1", "M2", "P0", "P1"}


def test_missing_required_column(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,households\nC1,100"}) == [
        "compounds.csv:1:name: : 缺少必填列"
    ]


def test_missing_value(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,name\nC1,"}) == ["compounds.csv:2:name: : 必填项为空"]


def test_duplicate_id_across_files(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,name\nM1,重名小区"}) == [
        "compounds.csv:2:id: M1: 编号重复（已在 communities.csv:2 使用）"
    ]


def test_dangling_reference(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "编号,名称,所属社区\nC1,青特城,M9"}) == [
        "compounds.csv:2:所属社区: M9: 没有这个编号或名称的社区"
    ]


def test_wrong_endpoint_kind(make_ledger):
    lines = errors_of(make_ledger, {
        "compounds.csv": "id,name,community_id\nC1,青特城,M1",
        "relations.csv": "type,from_id,to_id\n服务,P1,C1\n服务,C1,M1",
    })
    assert lines[0].startswith("relations.csv:2:from_id: P1: 服务关系不能连接党组织")
    assert lines[1].startswith("relations.csv:3:from_id: C1: 服务关系不能连接小区")
    assert len(lines) == 2


def test_wrong_endpoint_reports_to_side(make_ledger):
    lines = errors_of(make_ledger, {
        "firms.csv": "id,name\nF1,泾华物业",
        "relations.csv": "type,from_id,to_id\n服务,F1,M1",
    })
    assert len(lines) == 1 and lines[0].startswith("relations.csv:2:to_id: M1: 服务关系不能连接社区")


def test_two_parents_at_once(make_ledger):
    assert errors_of(make_ledger, {
        "compounds.csv": "id,name,community_id\nC1,青特城,M1",
        "relations.csv": "type,from_id,to_id,since\n隶属,C1,M2,2024",
    }) == ["relations.csv:2:to_id: M2: 与 compounds.csv:2 的上级 M1 同时有效，同一时间只能有一个上级"]


def test_parent_history_is_fine(make_ledger):
    read_ledger(make_ledger({**BASE, "compounds.csv": "id,name\nC1,青特城",
                             "relations.csv": "type,from_id,to_id,since,until\n隶属,C1,M1,2019,2023\n隶属,C1,M2,2024,"}))


def test_party_org_cycle(make_ledger):
    lines = errors_of(make_ledger, {"relations.csv": "type,from_id,to_id\n隶属,P0,P1"})
    # told from the row that closes it: that row's from_id first
    assert lines == ["relations.csv:2:to_id: P1: 党组织隶属关系成环：P0 → P1 → P0"]


def test_party_org_cycle_told_the_same_in_every_process():
    """networkx starts a cycle where set order happens to, which the hash seed changes."""
    import subprocess
    import sys

    from conftest import ACCEPTANCE

    code = ("import sys\nfrom govgraph.errors import LedgerError\nfrom govgraph.ledger import read_ledger\n"
            "try:\n    read_ledger(sys.argv[1])\nexcept LedgerError as e:\n"
            "    print([str(i) for i in e.issues if i.code == 'party_org_cycle'])\n")
    told = {subprocess.run([sys.executable, "-c", code, str(ACCEPTANCE / "errors" / "ledger")], check=True,
                           capture_output=True, text=True, env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}
                           ).stdout for seed in range(4)}
    assert len(told) == 1, told


def test_unknown_enum_and_variants(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,name,category\nC1,青特城,别墅区"}) == [
        "compounds.csv:2:category: 别墅区: 不是可选值（可选：商品房、老旧小区、安置小区、城中村、单位院落、商圈楼宇、产业园区、其他）"
    ]
    ok = read_ledger(make_ledger({**BASE, "people.csv": "id,name,party_status\nU1,张三,中共党员\nU2,李四,非党员"}))
    assert ok.data.entities["U1"].attrs["party_status"] == "正式党员"
    assert ok.data.entities["U2"].attrs["party_status"] == "群众"


def test_negative_and_non_numeric_counts(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,name,households,party_members\nC1,青特城,-3,三"}) == [
        "compounds.csv:2:households: -3: 应为非负整数",
        "compounds.csv:2:party_members: 三: 应为非负整数",
    ]


def test_bad_date_and_since_after_until(make_ledger):
    lines = errors_of(make_ledger, {
        "compounds.csv": "id,name\nC1,青特城",
        "relations.csv": "type,from_id,to_id,since,until\n覆盖,P1,C1,2024-02-30,\n覆盖,P1,C1,2024-06,2024-05",
    })
    assert lines == [
        "relations.csv:2:since: 2024-02-30: 不是有效日期（可写 2024-05-01、2024/5/1、2024年5月1日、2024 或 2024-05）",
        "relations.csv:3:until: 2024-05: 结束日期早于开始日期",
    ]


def test_bad_boolean(make_ledger):
    assert errors_of(make_ledger, {"compounds.csv": "id,name,complex\nC1,青特城,可能"}) == [
        "compounds.csv:2:complex: 可能: 应填 是/否、√/×、true/false 或 1/0"
    ]


def test_bad_credit_code(make_ledger):
    assert errors_of(make_ledger, {"firms.csv": "id,name,credit_code\nF1,泾华物业,91110000600037341M"}) == [
        "firms.csv:2:credit_code: 91110000600037341M: 统一社会信用代码无效（应为18位且校验码正确）"
    ]


def test_id_card_number_refused_and_masked(make_ledger):
    files = {"people.csv": "id,name,phone,备注\nU1,张三,13800001234,11010519491231002X"}
    assert errors_of(make_ledger, files) == [
        "people.csv:2:备注: 110105********002X: 疑似身份证号，默认不收录（如确需导入，请加 --allow-id-numbers）"
    ]
    read_ledger(make_ledger({**BASE, **files}), allow_id_numbers=True)


def test_id_card_number_as_id(make_ledger):
    assert codes_of(make_ledger, {"people.csv": "id,name\n11010519491231002X,张三"}) == ["id_card_number"]


def test_unknown_relation_type_and_role(make_ledger):
    assert errors_of(make_ledger, {
        "compounds.csv": "id,name\nC1,青特城",
        "people.csv": "id,name\nU1,张三",
        "relations.csv": "type,from_id,to_id,role\n管理,U1,C1,\n派驻,U1,C1,保安",
    }) == [
        "relations.csv:2:type: 管理: 不是关系类型（可选：隶属、覆盖、挂靠建、派驻、任职、兼职委员、一肩挑、双报到、服务、居住）",
        "relations.csv:3:role: 保安: 派驻关系的职务应为：党建指导员、领航员、观察员、义务质量总监、项目负责人",
    ]


def test_conflicting_relation_rows(make_ledger):
    lines = errors_of(make_ledger, {
        "compounds.csv": "id,name\nC1,青特城",
        "relations.csv": "type,from_id,to_id,since,until,source\n覆盖,P1,C1,2020,,台账A\n覆盖,P1,C1,2020,,台账B\n覆盖,P1,C1,2020,,台账A",
    })
    assert lines == ["relations.csv:3:source: 台账B: 与 relations.csv:2 是同一关系但内容不同"]


def test_every_error_reported_at_once(make_ledger):
    with pytest.raises(LedgerError) as exc:
        read_ledger(make_ledger({**BASE,
            "compounds.csv": "id,name,community_id,households,category,complex\nC1,青特城,M9,-1,别墅区,可能\nM1,重复,M1,,,",
            "firms.csv": "id,name,credit_code\nF1,泾华物业,123",
            "relations.csv": "type,from_id,to_id,role,since,until\n服务,F1,M1,,,\n派驻,P1,C1,,,\n覆盖,P1,C1,,2024-13-01,\n覆盖,P1,C1,,2024,2023",
        }))
    # Sorted by file, row and column (as the file has them), whichever check found them.
    assert [i.code for i in exc.value.issues] == [
        "unknown_reference", "bad_count", "unknown_enum", "bad_boolean", "duplicate_id", "bad_credit_code",
        "wrong_endpoint", "wrong_endpoint", "bad_date", "since_after_until",
    ]
    assert str(exc.value).endswith("台账有 10 处错误，未导入任何数据。")


def test_title_row_and_unknown_columns_are_skipped_with_warning(make_ledger):
    result = read_ledger(make_ledger({**BASE, "compounds.csv": "城阳街道小区台账,,,\n序号,编号,名称,备注\n1,C1,青特城,无"}))
    assert result.data.entities["C1"].name == "青特城"
    assert [str(w) for w in result.warnings if w.code == "unknown_columns"] == ["compounds.csv:2:序号、备注: : 未识别的列，已忽略"]


def test_uncovered_community_is_a_warning(make_ledger):
    result = read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,community_id\nC1,青特城,M2"}))
    assert [w.code for w in result.warnings] == ["community_no_party_org"]


def test_uncovered_community_warned_once_with_its_compounds(make_ledger):
    from govgraph.errors import warning_lines

    result = read_ledger(make_ledger({**BASE, "compounds.csv": "id,name,community_id\nC1,青特城,M2\nC2,城阳新苑,M2\nC3,万科城,M2"}))
    assert warning_lines(result.warnings) == [
        "compounds.csv:2:community_id: M2: 所属社区“城阳社区”没有党组织覆盖，该社区共 3 个小区（提醒，不影响导入）"]


def test_unknown_columns_named_once_for_every_file_that_has_them(make_ledger):
    from govgraph.errors import warning_lines

    result = read_ledger(make_ledger({**BASE, "communities.csv": "序号,id,name,street_id\n1,M1,青特社区,S1\n2,M2,城阳社区,S1",
                                      "compounds.csv": "序号,id,name,community_id,备注\n1,C1,青特城,M1,"}))
    assert [line for line in warning_lines(result.warnings) if "未识别" in line] == [
        "communities.csv:1: 未识别的列 序号，已忽略",
        "compounds.csv:1: 未识别的列 序号、备注，已忽略",
    ]
    files = {f"{n}.csv": "序号,id,name\n" for n in ("districts", "firms", "people")}
    result = read_ledger(make_ledger({**BASE, **files, "communities.csv": "序号,id,name,street_id\n1,M1,青特社区,S1"}))
    assert [line for line in warning_lines(result.warnings) if "序号" in line] == [
        "districts.csv:1、communities.csv:1、firms.csv:1 等 4 个表: 未识别的列 序号，已忽略"]
