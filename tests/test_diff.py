"""§7 Diff on two hand-made periods. Every expected answer below was worked out by hand
from domain.md §4.1/§4.6/§7 (the reasoning is in the comments), not copied from output."""

from __future__ import annotations

from datetime import date

import pytest

from govgraph.diff import diff, status_change
from govgraph.ledger import read_ledger
from govgraph.profile import load_profile

ON = date(2025, 6, 30)

PERIOD_1 = {
    "districts.csv": """
        id,name
        D1,城阳区
    """,
    "streets.csv": """
        id,name,district_id
        S1,城阳街道,D1
        S2,流亭街道,D1
    """,
    "communities.csv": """
        id,name,street_id
        M1,青特社区,S1
        M2,双埠社区,S2
    """,
    "compounds.csv": """
        id,name,community_id,households,party_members
        C1,青特城,M1,100,
        C2,万科城,M1,,
        C3,双埠新苑,M2,,4
    """,
    "party_orgs.csv": """
        id,name,org_type,scope,parent_id
        P0,青特社区党委,党委,社区,
        P1,青特联合党支部,党支部,小区,P0
    """,
    "firms.csv": """
        id,name
        F1,泾华物业
    """,
    "relations.csv": """
        type,from_id,to_id,role,since,until,source
        覆盖,P0,M1,,,,
        覆盖,P1,C1,,,,
        覆盖,P1,C2,,,,
        服务,F1,C1,专业物业,2020,,合同
    """,
}

# Period 2, changed by hand:
#  - C1 households 100 -> 120 (an entity field changed);
#  - P1 no longer covers C2 (覆盖 P1->C2 removed): C1 joint -> single (improved);
#  - a new person U1 is posted to C2 as 党建指导员: C2 joint -> work coverage (worsened);
#  - C3 now affiliates to P0 (挂靠建 added): blank -> affiliated (improved);
#  - a new compound C4 in M2 with nothing: added, blank;
#  - the 服务 F1->C1 relation's source changes (same identity, other field).
PERIOD_2 = {
    **PERIOD_1,
    "compounds.csv": """
        id,name,community_id,households,party_members
        C1,青特城,M1,120,
        C2,万科城,M1,,
        C3,双埠新苑,M2,,4
        C4,流亭花园,M2,,
    """,
    "people.csv": """
        id,name,party_status
        U1,王指导,正式党员
    """,
    "relations.csv": """
        type,from_id,to_id,role,since,until,source
        覆盖,P0,M1,,,,
        覆盖,P1,C1,,,,
        派驻,U1,C2,党建指导员,,,
        挂靠建,C3,P0,,,,
        服务,F1,C1,专业物业,2020,,合同2025
    """,
}


@pytest.fixture
def periods(make_ledger):
    return read_ledger(make_ledger(PERIOD_1)).data, read_ledger(make_ledger(PERIOD_2)).data


@pytest.fixture
def result(periods):
    return diff(*periods, ON, load_profile(), from_seq=1, to_seq=2)


def test_entities_added_and_changed(result):
    rows = {(r["change"], r["id"]): r for r in result.entities}
    assert set(rows) == {("added", "C4"), ("added", "U1"), ("changed", "C1")}
    assert rows[("changed", "C1")]["fields"] == {"households": [100, 120]}
    assert rows[("added", "U1")]["kind"] == "Person"


def test_relations_added_removed_changed(result):
    rows = {(r["change"], r["type"], r["from_id"], r["to_id"]): r for r in result.relations}
    assert set(rows) == {
        ("removed", "覆盖", "P1", "C2"),
        ("added", "派驻", "U1", "C2"),
        ("added", "挂靠建", "C3", "P0"),
        ("added", "隶属", "C4", "M2"),  # C4's community_id is an undated 隶属
        ("changed", "服务", "F1", "C1"),
    }
    assert rows[("changed", "服务", "F1", "C1")]["fields"] == {"source": ["合同", "合同2025"]}
    assert rows[("changed", "服务", "F1", "C1")]["since"] == date(2020, 1, 1)


def test_statuses_that_moved(result):
    got = [(r["id"], r["before"], r["after"], r["change"]) for r in result.statuses]
    # F1 serves C1 in both periods and has no party org: 空白 both times, not listed.
    assert got == [
        ("C1", "联合建", "单独建", "improved"),
        ("C2", "联合建", "工作覆盖", "worsened"),
        ("C3", "空白", "挂靠建", "improved"),
        ("C4", None, "空白", "added"),
    ]


def test_every_indicator_before_and_after(result):
    by = {(r["unit_id"], r["indicator"]): r for r in result.indicators}
    # 2 streets + 合计, every §4.6 indicator each, moved or not.
    assert len(result.indicators) == 3 * 8
    assert [r["unit_id"] for r in result.indicators][::8] == ["S1", "S2", "TOTAL"]
    # S1: C1, C2 both 联合建 (2/2); then C1 单独建, C2 工作覆盖 (1/2).
    assert (by["S1", "org_coverage_rate"]["before"], by["S1", "org_coverage_rate"]["after"]) == (1.0, 0.5)
    assert (by["S1", "org_and_work_coverage_rate"]["before"], by["S1", "org_and_work_coverage_rate"]["after"]) == (1.0, 1.0)
    # S2: C3 空白 (0/1); then C3 挂靠建, C4 空白 (1/2).
    assert (by["S2", "org_coverage_rate"]["before"], by["S2", "org_coverage_rate"]["after"]) == (0.0, 0.5)
    assert (by["S2", "org_coverage_rate"]["after_numerator"], by["S2", "org_coverage_rate"]["after_denominator"]) == (1, 2)
    # Whole ledger: 2/3, then 2/4.
    assert (by["TOTAL", "org_coverage_rate"]["before"], by["TOTAL", "org_coverage_rate"]["after"]) == (0.6667, 0.5)
    assert by["TOTAL", "org_coverage_rate"]["delta"] == pytest.approx(-0.1667)
    # C3 is eligible (4 members) and affiliated, not single: 0/1 both times.
    assert (by["TOTAL", "should_build_rate"]["before"], by["TOTAL", "should_build_rate"]["after"]) == (0.0, 0.0)
    # F1 serves C1 in S1 only, blank: 0/1 in S1, no firm in S2.
    assert by["S1", "firm_org_coverage_rate"]["before_denominator"] == 1
    assert by["S2", "firm_org_coverage_rate"]["before"] is None


def test_json_shape(result):
    data = result.as_dict()
    assert (data["from"], data["to"]) == (1, 2)
    assert set(data) >= {"from", "to", "entities", "relations", "statuses", "indicators"}


def test_same_graph_has_no_changes(periods):
    same = diff(periods[0], periods[0], ON, load_profile())
    assert same.entities == [] and same.relations == [] and same.statuses == []
    assert all(r["before"] == r["after"] for r in same.indicators)


@pytest.mark.parametrize("before, after, expected", [
    ("空白", "工作覆盖", "improved"),
    ("单独建", "联合建", "worsened"),
    ("挂靠建", "联合建", "improved"),
    ("工作覆盖", "空白", "worsened"),
    ("挂靠建", "挂靠建", None),
    (None, "单独建", "added"),
    ("空白", None, "removed"),
])
def test_status_change_follows_the_order_of_precedence(before, after, expected):
    assert status_change(before, after) == expected
