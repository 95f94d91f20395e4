"""The compound roster (一表通, domain.md §3.2), mappings and references by name, against
the hand-worked acceptance cases in tests/acceptance/roster*/ (never edited to fit)."""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from datetime import date

import pytest

from govgraph import appointments as ap
from govgraph.coverage import coverage
from govgraph.errors import LedgerError, LedgerFileError
from govgraph.findings import audit
from govgraph.ledger import read_ledger, write_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conftest import ACCEPTANCE

CASE = ACCEPTANCE / "roster"
EXPECTED = tomllib.loads((CASE / "expected.toml").read_text("utf-8"))
DAY = date(2026, 6, 30)  # nothing in these rosters is dated: any day gives the same answers


def paths(data) -> dict[str, str]:
    """Each entity's path ("街道/社区/name"), worked out from the graph itself: an org,
    committee or person takes the community of the units it is linked to. A person
    linked into two communities would get two paths: the test then fails."""
    ents = data.entities
    parent = {r.from_id: r.to_id for r in data.relations if r.type == "隶属"}
    out: dict[str, str] = {}

    def community_path(cid):
        return f"{ents[parent[cid]].name}/{ents[cid].name}"

    def community_of(eid):
        kind = ents[eid].kind
        if kind == "Community":
            return {eid}
        if kind == "Compound":
            return {parent[eid]}
        if kind == "Committee":
            return community_of(parent[eid])
        found = set()
        for r in data.relations:
            if kind == "PartyOrg" and r.type == "覆盖" and r.from_id == eid:
                found |= community_of(r.to_id)
            elif kind == "PartyOrg" and r.type == "挂靠建" and r.to_id == eid:
                found |= community_of(r.from_id)
            elif kind == "Person" and r.from_id == eid:
                found |= community_of(r.to_id)
        return found

    for eid, e in ents.items():
        if e.kind in ("District", "Street", "Firm"):
            out[eid] = e.name
        elif e.kind == "Community":
            out[eid] = community_path(eid)
        else:
            homes = community_of(eid)
            assert len(homes) == 1, f"{e.kind} {e.name} belongs to {len(homes)} communities"
            out[eid] = f"{community_path(homes.pop())}/{e.name}"
    assert len(set(out.values())) == len(out), "paths name entities uniquely"
    return out


def check_case(read, want: dict, posts: list) -> None:
    data = read.data
    path = paths(data)
    assert Counter(e.kind for e in data.entities.values()) == want["counts"]
    assert Counter(r.type for r in data.relations) == want["relation_counts"]
    graph = build_mirror(data)
    statuses = {path[r.id]: r.status for r in coverage(graph, DAY)}
    assert {k: v for k, v in statuses.items() if k in want["compounds"]} == want["compounds"]
    assert len([r for r in coverage(graph, DAY) if r.kind == "Compound"]) == len(want["compounds"])
    snap = Snapshot(graph, DAY)
    units = snap.nodes_of("Compound") + snap.nodes_of("Community")
    assert sorted(path[u] for u in units if ap.yijiantiao_confirmed(snap, u)) == want["yijiantiao_confirmed"]
    mismatch = sorted([path[f.entity_id], f.severity] for f in audit(graph, DAY, load_profile())
                      if f.code == "YIJIANTIAO_MISMATCH")
    assert mismatch == sorted(want["yijiantiao_mismatch"])
    got_posts = sorted([r.type, path[r.from_id], path[r.to_id], r.role or ""] for r in data.relations
                       if r.type in ("任职", "派驻", "一肩挑", "兼职委员"))
    assert got_posts == sorted(posts)


def check_entities(data, path: dict, want: dict) -> None:
    """The communities, people (with their 政治面貌) and orgs (with their fields) a case lists."""
    assert sorted(path[e.id] for e in data.entities.values() if e.kind == "Community") == want["communities"]
    assert sorted(path[e.id] for e in data.entities.values() if e.kind == "Person") == want["people"]
    assert {path[e.id]: e.attrs["party_status"] for e in data.entities.values()
            if e.kind == "Person" and "party_status" in e.attrs} == want["party_status"]
    assert {path[e.id]: e.attrs for e in data.entities.values() if e.kind == "PartyOrg"} == want["orgs"]


def warnings_of(read, codes) -> list:
    return sorted([w.file, w.row, w.column, w.value, w.code] for w in read.warnings if w.code in codes)


def test_roster_alone():
    want = EXPECTED["alone"]
    read = read_ledger(CASE / "ledger" / "一表通.csv")
    check_case(read, want, want["posts"]["list"])
    data, path = read.data, paths(read.data)
    check_entities(data, path, want)
    ids = {path[e.id]: e.id for e in data.entities.values()}
    assert {p: ids[p] for p in want["compound_ids"]} == want["compound_ids"]
    statuses = {path[r.id]: r.status for r in coverage(build_mirror(data), DAY) if r.kind == "Firm"}
    assert statuses == want["firms"]
    assert warnings_of(read, want["warnings"]["codes"]) == sorted(want["warnings"]["list"])


def test_roster_beside_normalised_files_referring_by_name():
    want = EXPECTED["with_sheets"]
    read = read_ledger(CASE / "with_sheets")
    check_case(read, want, EXPECTED["alone"]["posts"]["list"] + want["posts"]["extra"])
    assert warnings_of(read, want["warnings"]["codes"]) == sorted(want["warnings"]["list"])


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _write(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_row_order_carries_no_meaning(tmp_path, seed):
    rows = _rows(CASE / "ledger" / "一表通.csv")
    head, body = rows[:2], rows[2:]
    random.Random(seed).shuffle(body)
    _write(tmp_path / "一表通.csv", head + body)
    original = read_ledger(CASE / "ledger" / "一表通.csv").data
    shuffled = read_ledger(tmp_path / "一表通.csv").data
    assert shuffled.same_content(original)  # same ids, fields and relations


def test_ids_stable_across_reimport_and_export(tmp_path):
    first = read_ledger(CASE / "ledger" / "一表通.csv").data
    write_ledger(first, tmp_path / "exported")
    assert read_ledger(tmp_path / "exported").data.same_content(first)
    # A later period's roster with one more compound: every earlier id stays.
    rows = _rows(CASE / "ledger" / "一表通.csv")
    extra = list(rows[-1])
    extra[0], extra[5] = "9", "新苑"
    _write(tmp_path / "一表通.csv", rows + [extra])
    later = read_ledger(tmp_path / "一表通.csv").data
    assert set(first.entities) <= set(later.entities)
    assert set(later.entities) - set(first.entities) == {
        e.id for e in later.entities.values() if e.name in ("新苑",)
    }


def test_roster_in_a_workbook_beside_normalised_sheets(tmp_path):
    """The same files as sheets of one workbook (the roster under a sheet-name variant)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, source in (("小区台账", "一表通.csv"), ("自治组织", "committees.csv"), ("关系", "relations.csv")):
        sheet = book.create_sheet(name)
        for row in _rows(CASE / "with_sheets" / source):
            sheet.append(row)
    book.save(tmp_path / "台账.xlsx")
    from_book = read_ledger(tmp_path / "台账.xlsx").data
    assert from_book.same_content(read_ledger(CASE / "with_sheets").data)


# ---------------------------------------------------------------------------
ERRORS = tomllib.loads((ACCEPTANCE / "roster_errors" / "expected.toml").read_text("utf-8"))


def test_roster_errors_every_one_and_nothing_loaded(run):
    with pytest.raises(LedgerError) as exc:
        read_ledger(ACCEPTANCE / "roster_errors" / "ledger")
    got = [(i.file, i.row, i.column, i.value, i.code) for i in exc.value.issues]
    want = [(e["file"], e["row"], e["column"], e["value"], e["code"]) for e in ERRORS["errors"]]
    assert sorted(got) == sorted(want)
    reasons = {(i.file, i.row, i.column): i.reason for i in exc.value.issues}
    for e in ERRORS["errors"]:
        for part in e.get("reason_has", []):
            assert part in reasons[(e["file"], e["row"], e["column"])]
    result = run("load", str(ACCEPTANCE / "roster_errors" / "ledger"))
    assert result.exit_code == 2
    assert run("history").output.count("roster_errors") == 0


# ---------------------------------------------------------------------------
MAPPED = ACCEPTANCE / "roster_mapping"
MAPPED_WANT = tomllib.loads((MAPPED / "expected.toml").read_text("utf-8"))


def test_mapping_with_other_headers_and_extra_columns():
    want = MAPPED_WANT
    read = read_ledger(MAPPED / "ledger" / "院落台账.csv", mapping=MAPPED / "mapping.toml")
    data, path = read.data, paths(read.data)
    assert Counter(e.kind for e in data.entities.values()) == want["counts"]
    statuses = {path[r.id]: r.status for r in coverage(build_mirror(data), DAY) if r.kind == "Compound"}
    assert statuses == want["compounds"]
    assert {path[e.id]: e.attrs.get("phone") for e in data.entities.values()
            if e.kind == "Person" and e.attrs.get("phone")} == want["phones"]
    got = sorted([r.type, path[r.from_id], path[r.to_id], r.role or ""] for r in data.relations if r.type == "派驻")
    assert got == sorted(want["instructors"])
    assert warnings_of(read, ["unknown_columns"]) == sorted(want["warnings"])


def test_without_its_mapping_the_sheet_is_not_a_ledger():
    with pytest.raises(LedgerFileError):
        read_ledger(MAPPED / "ledger" / "院落台账.csv")


def test_a_broken_mapping_is_one_chinese_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "一表通"\n[entities.x]\nkind = "Nobody"\nkeys = ["甲"]\nname = "甲"\n', "utf-8")
    with pytest.raises(LedgerFileError) as exc:
        read_ledger(CASE / "ledger" / "一表通.csv", mapping=bad)
    assert "映射文件 bad.toml 有误" in str(exc.value) and "Nobody" in str(exc.value)


def test_cli_load_and_check(run):
    check = run("check", str(CASE / "ledger" / "一表通.csv"))
    assert check.exit_code == 0 and "未写入数据库" in check.output
    assert run("history").output.count("一表通") == 0
    loaded = run("load", str(MAPPED / "ledger" / "院落台账.csv"), "--mapping", str(MAPPED / "mapping.toml"))
    assert loaded.exit_code == 0, loaded.output
    assert "已导入台账" in loaded.output
    assert run("check", str(ACCEPTANCE / "roster_errors" / "ledger")).exit_code == 2


def test_merged_group_header_and_a_header_written_twice(tmp_path):
    """A group heading (党组织情况) over its columns on a second header row, headers with line
    breaks and asterisks, and two columns both headed 党建指导员 (the second is 党建指导员#2)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "小区信息"
    sheet.append(["某街道小区台账"])
    sheet.append(["街道*", "社区", "小区\n名称", "党组织情况", None, "党建指导员", "党建指导员"])
    sheet.append([None, None, None, "名称", "书记", None, None])
    sheet.merge_cells("D2:E2")
    sheet.append(["城厢街道", "月湖社区", "幸福里", "幸福里党支部", "张伟", "陈静", "赵强"])
    book.save(tmp_path / "台账.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text('extends = "一表通"\n[columns]\n"党组织名称" = ["党组织情况/名称"]\n'
                       '"书记" = ["党组织情况/书记"]\n'
                       '[entities.instructor2]\nkind = "Person"\nkeys = ["@community", "党建指导员#2"]\n'
                       'name = "党建指导员#2"\n[[relations]]\ntype = "派驻"\nfrom = "instructor2"\n'
                       'to = "compound"\nrole = "党建指导员"\n', "utf-8")
    read = read_ledger(tmp_path / "台账.xlsx", mapping=mapping)
    data, path = read.data, paths(read.data)
    posts = sorted([r.type, path[r.from_id], path[r.to_id], r.role or ""] for r in data.relations
                   if r.type in ("任职", "派驻"))
    assert posts == [
        ["任职", "城厢街道/月湖社区/张伟", "城厢街道/月湖社区/幸福里党支部", "书记"],
        ["派驻", "城厢街道/月湖社区/赵强", "城厢街道/月湖社区/幸福里", "党建指导员"],
        ["派驻", "城厢街道/月湖社区/陈静", "城厢街道/月湖社区/幸福里", "党建指导员"],
    ]
    assert not [w for w in read.warnings if w.code == "unknown_columns"]


@pytest.mark.parametrize("text,value", [("1,200", 1200), ("1200户", 1200), ("36 人", 36), ("1，200", 1200)])
def test_counts_as_typed(text, value):
    from govgraph.values import parse_count

    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["12,34", "很多", "-3", "1.5"])
def test_not_counts(text):
    from pydantic_core import PydanticCustomError

    from govgraph.values import parse_count

    with pytest.raises(PydanticCustomError):
        parse_count(text)


@pytest.mark.parametrize("text,value", [("√", True), ("✓", True), ("×", False), ("✗", False), ("是", True)])
def test_booleans_as_typed(text, value):
    from govgraph.values import parse_bool

    assert parse_bool(text) is value


@pytest.mark.parametrize("text,value", [("138-0000-1111", "13800001111"), ("+86 138 0000 1111", "13800001111"),
                                        ("0816-2345678", "08162345678"), ("(0816)2345678", "08162345678")])
def test_phones_stored_normalised(text, value):
    from govgraph.values import parse_phone

    assert parse_phone(text) == value


def test_bad_phone_is_an_error(make_ledger):
    path = make_ledger({"people.csv": "id,name,phone\nU1,张三,打电话找居委会\n"})
    with pytest.raises(LedgerError) as exc:
        read_ledger(path)
    assert [(i.row, i.column, i.code) for i in exc.value.issues] == [(2, "phone", "bad_phone")]


# ---------------------------------------------------------------------------
TRAPS = ACCEPTANCE / "roster_traps"
TRAPS_WANT = tomllib.loads((TRAPS / "expected.toml").read_text("utf-8"))


def test_a_roster_written_by_someone_else_with_the_traps():
    want = TRAPS_WANT
    read = read_ledger(TRAPS / "ledger" / "小区台账.csv")
    check_case(read, want, want["posts"]["list"])
    data, path = read.data, paths(read.data)
    check_entities(data, path, want)
    compounds = [e for e in data.entities.values() if e.kind == "Compound"]
    assert {path[e.id]: e.attrs.get("households") for e in compounds} == want["households"]
    assert {path[e.id]: e.attrs["complex"] for e in compounds if "complex" in e.attrs} == want["complex"]
    statuses = {path[r.id]: r.status for r in coverage(build_mirror(data), DAY) if r.kind == "Firm"}
    assert statuses == want["firms"]
    assert warnings_of(read, want["warnings"]["codes"]) == sorted(want["warnings"]["list"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_traps_roster_shuffled_loads_to_the_same_graph(tmp_path, seed):
    rows = _rows(TRAPS / "ledger" / "小区台账.csv")
    head, body = rows[:2], rows[2:]
    random.Random(seed).shuffle(body)
    _write(tmp_path / "小区台账.csv", head + body)
    original = read_ledger(TRAPS / "ledger" / "小区台账.csv")
    shuffled = read_ledger(tmp_path / "小区台账.csv")
    assert shuffled.data.same_content(original.data)
    # The same warnings, each at the row it moved to.
    moved = {tuple(r): n for n, r in enumerate(head + body, start=1)}
    where = {n: moved[tuple(r)] for n, r in enumerate(rows, start=1)}
    codes = TRAPS_WANT["warnings"]["codes"]
    assert warnings_of(shuffled, codes) == sorted([f, where[r], c, v, k] for f, r, c, v, k in warnings_of(original, codes))


def test_errors_come_sorted_by_file_row_and_column():
    """In the order a user fixes them: file, row, then the column's place in the file."""
    with pytest.raises(LedgerError) as exc:
        read_ledger(ACCEPTANCE / "roster_errors" / "ledger")
    got = [(i.file, i.row, i.column) for i in exc.value.issues]
    headers = {}
    for e in ERRORS["errors"]:
        if e["file"] not in headers:
            headers[e["file"]] = _rows(ACCEPTANCE / "roster_errors" / "ledger" / e["file"])[0]
    want = sorted(((e["file"], e["row"], e["column"]) for e in ERRORS["errors"]),
                  key=lambda t: (t[0], t[1], headers[t[0]].index(t[2])))
    assert got == want


def test_errors_name_the_column_as_the_roster_wrote_it(make_ledger):
    path = make_ledger({"台账.csv": "街道名称,社区名称,小区（院落）名称,总户数,组建形式,是否一肩挑\n"
                                    "城厢街道,月湖社区,幸福里,很多,自建,不知道\n"
                                    "城厢街道,月湖社区,,300,,\n"})
    with pytest.raises(LedgerError) as exc:
        read_ledger(path)
    assert [(i.row, i.column, i.value, i.code) for i in exc.value.issues] == [
        (2, "总户数", "很多", "bad_count"),
        (2, "组建形式", "自建", "unknown_enum"),
        (2, "是否一肩挑", "不知道", "bad_boolean"),  # code as docs/design.md names it
        (3, "小区（院落）名称", "", "missing_value"),
    ]


def test_a_compound_with_no_community_is_a_warning(make_ledger):
    path = make_ledger({"communities.csv": "编号,名称\nM1,月湖社区\n",
                        "compounds.csv": "编号,名称,所属社区\nC1,幸福里,M1\nC2,阳光苑,\n"})
    read = read_ledger(path)  # loads: a warning, not an error
    assert [(w.file, w.row, w.column, w.value, w.code) for w in read.warnings if w.code == "compound_no_community"] == [
        ("compounds.csv", 3, "所属社区", "阳光苑", "compound_no_community")]
    assert set(read.data.entities) == {"M1", "C1", "C2"}


def test_a_parent_column_headed_with_the_parents_name(tmp_path):
    """A 小区信息 sheet whose community column is headed 社区名称 and holds the name (a
    reference by name), under a 社区信息 sheet whose street column is headed 街道名称."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "街道信息"
    book["街道信息"].append(["街道编号", "街道名称"])
    book["街道信息"].append(["S1", "城厢街道"])
    book.create_sheet("社区信息").append(["社区编号", "社区名称", "街道名称"])
    book["社区信息"].append(["M1", "月湖社区", "城厢街道"])
    book.create_sheet("小区信息").append(["小区编号", "小区名称", "社区名称"])
    book["小区信息"].append(["C1", "幸福里", "月湖社区"])
    book.save(tmp_path / "台账.xlsx")
    data = read_ledger(tmp_path / "台账.xlsx").data
    assert sorted((r.type, r.from_id, r.to_id) for r in data.relations) == [("隶属", "C1", "M1"), ("隶属", "M1", "S1")]


def test_total_rows_are_skipped_with_a_warning(make_ledger):
    """A 小计 under each community and a 合计 at the bottom, as rosters often end: they name
    no compound (no compound is called 小计), each is a warning at its cell."""
    path = make_ledger({"一表通.csv": "序号,街道,社区,小区名称,户数\n"
                                      "1,城厢街道,月湖社区,幸福里,420\n"
                                      ",城厢街道,月湖社区,小计,420\n"
                                      "2,城厢街道,江滨社区,滨江苑,260\n"
                                      "合计,,,,680\n"})
    read = read_ledger(path)
    assert sorted(e.name for e in read.data.entities.values() if e.kind == "Compound") == ["幸福里", "滨江苑"]
    assert [(w.row, w.column, w.value) for w in read.warnings if w.code == "total_row"] == [
        (3, "小区名称", "小计"), (5, "序号", "合计")]


def test_placeholder_cells_are_blank_and_a_list_of_names_is_a_warning(make_ledger):
    """/, —, 无 say "nothing here" (no person called 无, no 组建方式 error); two names in one
    cell are read as written, with a warning."""
    path = make_ledger({"一表通.csv": "街道,社区,小区名称,党组织名称,组建方式,书记,党建指导员,物业企业\n"
                                      "城厢街道,月湖社区,幸福里,幸福里党支部,单独建,张伟,/,无\n"
                                      "城厢街道,月湖社区,阳光苑,—,/,,张伟、李娜,暂无\n"})
    read = read_ledger(path)
    kinds = Counter(e.kind for e in read.data.entities.values())
    assert kinds["Firm"] == 0 and kinds["PartyOrg"] == 1
    assert sorted(e.name for e in read.data.entities.values() if e.kind == "Person") == ["张伟", "张伟、李娜"]
    assert [(w.row, w.column, w.value) for w in read.warnings if w.code == "name_list"] == [(3, "党建指导员", "张伟、李娜")]


@pytest.mark.parametrize("kind,field,text,word", [
    ("PartyOrg", "org_type", "联合党支部", "党支部"), ("PartyOrg", "org_type", "总支", "党总支"),
    ("PartyOrg", "org_type", "工作小组", "党的工作小组"), ("PartyOrg", "org_type", "临时支部", "临时党支部"),
    ("Compound", "category", "商品房小区", "商品房"), ("Compound", "category", "安置房", "安置小区"),
    ("Compound", "mgmt_mode", "业主自管", "居民自管"),
])
def test_enum_words_as_rosters_write_them(kind, field, text, word):
    from govgraph.ledger.rows import entity_parsers

    assert entity_parsers(kind)[field](text) == word


def test_a_mapping_with_a_role_the_relation_does_not_have_is_one_chinese_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "一表通"\n[[relations]]\ntype = "派驻"\nfrom = "secretary"\nto = "compound"\n'
                   'role = "监督员"\n', "utf-8")
    with pytest.raises(LedgerFileError) as exc:
        read_ledger(CASE / "ledger" / "一表通.csv", mapping=bad)
    assert str(exc.value).startswith("映射文件 bad.toml 有误：关系 派驻（from = secretary，to = compound）的 role“监督员”")
