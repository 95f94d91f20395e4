"""The full audit: finding fields and evidence, --fail-on, the planner, report formats."""

from __future__ import annotations

import json
from datetime import date
from itertools import permutations

import pytest
from openpyxl import load_workbook

from govgraph.findings import audit
from govgraph.ledger import read_ledger
from govgraph.mirror import build_mirror
from govgraph.planner import Candidate, Instructor, candidates, instructors, plan
from govgraph.profile import load_profile
from small_ledger import SMALL

from conftest import ACCEPTANCE

CORE = ACCEPTANCE / "core" / "ledger"


@pytest.fixture(scope="module")
def core_graph():
    return build_mirror(read_ledger(CORE).data)


def test_every_finding_has_the_contract_fields(core_graph):
    findings = audit(core_graph, date(2023, 6, 1), load_profile())
    assert findings
    for f in findings:
        row = f.as_row()
        assert row["severity"] in {"error", "warning", "info"}
        assert row["message"] and row["remedy"] and row["policy"]
        assert row["entity_kind"] == core_graph.nodes[f.entity_id]["kind"]
        for ev in row["evidence"]:
            assert set(ev) == {"type", "from_id", "to_id", "role", "since", "until", "source"}
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_should_build_single_evidence_names_the_residents(make_ledger):
    graph = build_mirror(read_ledger(make_ledger({**SMALL, "relations.csv": SMALL["relations.csv"] + (
        "        居住,U1,C2,,2020,,户籍台账\n        居住,U2,C2,,2020,,户籍台账\n"
        "        任职,U3,P1,委员,2021,,支部台账\n"
    ), "people.csv": SMALL["people.csv"] + "        U4,赵六,正式党员,,\n" + "", }
    )).data)
    findings = {(f.code, f.entity_id): f for f in audit(graph, date(2024, 6, 30), load_profile())}
    post = findings[("POST_NOT_FORMAL_MEMBER", "U3")]
    assert post.message == "“王五”（群众）担任“青特城小区党支部”委员"
    assert post.evidence == [{"type": "任职", "from_id": "U3", "to_id": "P1", "role": "委员",
                              "since": date(2021, 1, 1), "until": None, "source": "支部台账"}]


def test_audit_json_and_fail_on(run, make_ledger):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    result = run("audit", "--as-of", "2024-06-30", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"summary", "findings"}
    orphan = next(f for f in data["findings"] if f["code"] == "ORPHAN_COMPOUND" and f["entity_id"] == "C3")
    assert orphan["severity"] == "error" and orphan["entity_kind"] == "Compound"
    assert orphan["policy"].startswith("《武汉市“红色物业”工作实践研究》（2021）")
    failing = run("audit", "--as-of", "2024-06-30", "--fail-on", "ORPHAN_COMPOUND,TERM_EXPIRING")
    assert failing.exit_code == 3
    assert failing.stderr == "发现指定的问题：空白小区（ORPHAN_COMPOUND）\n"
    assert run("audit", "--as-of", "2024-06-30", "--fail-on", "TERM_EXPIRING").exit_code == 0
    # the Chinese title a user reads in the table works as well as the code
    by_title = run("audit", "--as-of", "2024-06-30", "--fail-on", "空白小区，任期届满")
    assert by_title.exit_code == 3 and by_title.stderr == failing.stderr
    bad = run("audit", "--fail-on", "NO_SUCH_CODE")
    assert bad.exit_code == 2 and "未知问题：NO_SUCH_CODE（可选：空白小区（ORPHAN_COMPOUND）、" in bad.stderr


def _greedy(ranked, available, reachable):
    """Compounds by score, each to the first instructor (by id) who can go and has room."""
    room = {i.id: i.spare for i in available}
    covered = []
    for c in ranked:
        for i in sorted(available, key=lambda i: i.id):
            if room[i.id] and reachable(i, c):
                room[i.id] -= 1
                covered.append(c.id)
                break
    return covered


def _candidate(cid, street, score):
    return Candidate(cid, cid, None, street, 0, None, False, 0,
                     {"households": score, "category": 0, "complex": 0, "members": 0})


def test_planner_beats_greedy_and_is_optimal():
    ranked = [_candidate("C1", "S1", 50), _candidate("C2", "S2", 10)]
    # A has no known home (may go anywhere); B lives in street S1 (only goes there).
    available = [Instructor("A", "甲", None, None, 1), Instructor("B", "乙", "M1", "S1", 1)]
    greedy = _greedy(ranked, available, lambda i, c: i.street_id in (None, c.street_id))
    assert greedy == ["C1"]  # A takes C1, and nobody left can reach C2
    result = plan(ranked, available)
    assert {a["id"]: a["instructor_id"] for a in result.assignments} == {"C1": "B", "C2": "A"}
    assert result.uncovered == []


def test_planner_respects_capacity_and_street_and_explains():
    ranked = [_candidate(f"C{n}", "S1", 50 - n) for n in range(1, 5)] + [_candidate("C9", "S2", 99)]
    available = [Instructor("B", "乙", "M1", "S1", 2)]
    result = plan(sorted(ranked, key=lambda c: -c.score), available)
    assert [a["id"] for a in result.assignments] == ["C1", "C2"]  # capacity 2, highest scores first
    assert {u["id"]: u["reason"] for u in result.uncovered} == {
        "C9": "本街道没有可选派的党建指导员",
        "C3": "可选派的党建指导员名额已用于其他小区",
        "C4": "可选派的党建指导员名额已用于其他小区",
    }


def test_planner_matches_brute_force_optimum():
    ranked = [_candidate(c, s, sc) for c, s, sc in
              [("C1", "S1", 90), ("C2", "S1", 80), ("C3", "S2", 70), ("C4", "S2", 60), ("C5", "S3", 50)]]
    available = [Instructor("A", "甲", None, None, 1), Instructor("B", "乙", "M1", "S1", 1),
                 Instructor("C", "丙", "M3", "S2", 1), Instructor("D", "丁", None, None, 1)]

    def ok(i, c):
        return i.street_id in (None, c.street_id)

    best = 0
    for order in permutations(ranked, len(available)):
        best = max(best, sum(1 for i, c in zip(available, order) if ok(i, c)))
    assert len(plan(ranked, available).assignments) == best == 4


def test_candidates_and_instructors_from_a_ledger(make_ledger):
    files = {**SMALL, "people.csv": SMALL["people.csv"] + "        U9,钱七,正式党员,,党建指导员\n",
             "relations.csv": SMALL["relations.csv"] + "        居住,U9,C4,,,,\n"}
    graph = build_mirror(read_ledger(make_ledger(files)).data)
    on = date(2024, 6, 30)
    ranked = candidates(graph, on, load_profile())
    assert [(c.id, c.score, c.parts) for c in ranked] == [
        ("C4", 42, {"households": 12, "category": 25, "complex": 0, "members": 5}),  # U9 lives there
    ]
    people = instructors(graph, on, load_profile())
    assert [(i.id, i.community_id, i.street_id, i.spare) for i in people] == [("U9", "M2", "S1", 3)]
    assert plan(ranked, people).assignments[0]["match"] == "同社区"


def test_markdown_and_xlsx_reports(run, make_ledger, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    md = run("coverage", "--as-of", "2024-06-30", "--format", "markdown", "--reporter", "城阳街道党工委")
    assert md.stdout.startswith("# 统计时点：2024-06-30\n\n填报单位：城阳街道党工委\n\n## 覆盖汇总\n\n| 序号 | 单位 |")
    assert md.stdout.endswith("\n|  | 合计 |  | 4 | 1 | 0 | 0 | 1 | 2 | 1 | 0 | 0 | 0 | 0 | 1 | 25.0% | 50.0% |\n")
    out = tmp_path / "审计.xlsx"
    result = run("audit", "--as-of", "2024-06-30", "--format", "xlsx", "-o", str(out), "--reporter", "城阳街道党工委")
    assert result.exit_code == 0 and result.stdout == f"已写入 {out}\n"
    book = load_workbook(out)
    # the workbook carries the states and the register (issue 11.4); with one submission it says so
    assert book.sheetnames == ["问题汇总", "整改情况（按街道）", "问题清单"]
    sheet = book["问题清单"]
    assert sheet["A1"].value.startswith("填报单位：城阳街道党工委　统计时点：2024-06-30　第 1 次导入之前没有报送可对照")
    assert [c.value for c in sheet[2]][:4] == ["序号", "严重程度", "问题代码", "问题"]
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["I"].width > 10
    assert any(c.value == "错误" for c in sheet["B"])


def test_xlsx_needs_an_output_file(run, make_ledger):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    result = run("coverage", "--format", "xlsx")
    assert result.exit_code == 1
    assert result.stderr == "xlsx 格式需要用 -o 指定输出文件，例如 -o 报表.xlsx\n"


def test_profile_targets_and_colours(tmp_path, core_graph):
    from govgraph.indicators import indicators

    profile_file = tmp_path / "p.toml"
    profile_file.write_text(
        'name = "测试口径"\n[[targets]]\nindicator = "org_coverage_rate"\nvalue = 0.6\ndeadline = 2022-06-30\n'
        '[[targets]]\nindicator = "org_coverage_rate"\nvalue = 0.9\ndeadline = 2023-12-31\n', encoding="utf-8")
    profile = load_profile(profile_file)
    rows = {(i.unit_id, i.indicator): i for i in indicators(core_graph, date(2022, 1, 1), profile, "street")}
    total = rows[("TOTAL", "org_coverage_rate")]
    assert (total.target, total.deadline) == (0.6, date(2022, 6, 30))
    assert total.color == ("green" if total.value >= 0.6 else "yellow" if total.value >= 0.5 else "red")
    later = {(i.unit_id, i.indicator): i for i in indicators(core_graph, date(2023, 1, 1), profile, "street")}
    assert later[("TOTAL", "org_coverage_rate")].last_deadline == date(2022, 6, 30)
    assert later[("TOTAL", "org_coverage_rate")].target == 0.9


def test_bad_profile_is_a_chinese_error(tmp_path):
    from govgraph.errors import GovgraphError

    bad = tmp_path / "bad.toml"
    bad.write_text("min_formal_members = -1\ncolour = 1\n", encoding="utf-8")
    with pytest.raises(GovgraphError) as exc:
        load_profile(bad)
    assert str(exc.value) == f"口径文件 {bad} 有误：min_formal_members（超出允许范围）；colour（未知设置项）"


def test_share_thresholds_are_exact():
    from govgraph.appointments import meets_share

    assert meets_share(1, 2, 0.5)  # exactly half passes
    assert not meets_share(4, 9, 0.5)
    assert meets_share(7, 10, 0.7)  # 0.7 * 10 is 7.000000000000001 in floating point
    assert not meets_share(6, 10, 0.7)


def test_an_org_covering_the_community_and_a_compound_is_not_a_subordination_mismatch(make_ledger):
    files = {**SMALL, "party_orgs.csv": SMALL["party_orgs.csv"] + "        P9,网格党支部,党支部,网格,5,,\n",
             "relations.csv": SMALL["relations.csv"].replace("        覆盖,P0,M1,,,,城阳区委组织部台账2024\n", "")
             + "        覆盖,P9,M1,,,,\n        覆盖,P9,C2,,,,\n"}
    graph = build_mirror(read_ledger(make_ledger(files)).data)
    keys = {(f.code, f.entity_id) for f in audit(graph, date(2024, 6, 30), load_profile())}
    assert ("SUBORDINATION_MISMATCH", "P9") not in keys
    assert ("SUBORDINATION_MISMATCH", "P1") in keys  # P1 sits under P0, which no longer covers M1


def test_show_json_to_a_file(run, make_ledger, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    out = tmp_path / "u1.json"  # (a folder that does not exist is refused: tests/test_cli_messages.py)
    result = run("show", "U1", "--format", "json", "-o", str(out))
    assert result.stdout == f"已写入 {out}\n"
    assert json.loads(out.read_text("utf-8"))["fields"]["phone"] == "138****1234"


def test_coverage_takes_the_profile_threshold(run, make_ledger, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    profile = tmp_path / "p.toml"
    profile.write_text("min_formal_members = 6\n", encoding="utf-8")
    rows = json.loads(run("coverage", "--level", "compound", "--as-of", "2024-06-30", "--format", "json",
                          "--profile", str(profile)).stdout)
    assert {r["id"]: r["eligible"] for r in rows}["C3"] is False  # 5 members, below 6


def test_a_user_profile_is_laid_over_the_default(tmp_path):
    """A profile that sets only the threshold keeps every other default (the instructor
    tags with 退休干部, the targets, the rectification days), and names itself."""
    profile = tmp_path / "p.toml"
    profile.write_text("min_formal_members = 5\nrectify_days = { error = 10 }\n", encoding="utf-8")
    mine, default = load_profile(profile), load_profile()
    assert mine.min_formal_members == 5
    assert mine.instructor_tags == ["党建指导员", "退休干部"] == default.instructor_tags
    assert mine.targets == default.targets and len(default.targets) > 0
    assert mine.rectify_days == {"error": 10, "warning": 60, "info": 90}
    assert mine.name == "自定义口径" != default.name


def test_remedies_name_the_profile_threshold(make_ledger, tmp_path):
    graph = build_mirror(read_ledger(make_ledger(SMALL)).data)
    profile = tmp_path / "p.toml"
    profile.write_text("min_formal_members = 4\n", encoding="utf-8")
    remedies = {f.code: f.remedy for f in audit(graph, date(2024, 6, 30), load_profile(profile))}
    assert "党员够4名的单独建支部" in remedies["ORPHAN_COMPOUND"]
    assert remedies["FIRM_UNCOVERED"].startswith("有4名以上正式党员的单独建")
