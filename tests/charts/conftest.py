"""Graphs for the chart tests: the demo ledger and a generated community of 60 compounds."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import matplotlib as mpl
import pytest

from govgraph.graph import Entity, GraphData, Relation
from govgraph.ledger import read_ledger
from govgraph.mirror import build_mirror

mpl.use("Agg")

DEMO = Path(__file__).resolve().parents[2] / "seeds" / "demo"
AS_OF = date(2025, 6, 30)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅琳鹏飞斌波宇浩凯健俊帆帅旭宁龙林欣"
PLACES = "锦绣金桂翠湖阳光幸福和平春晖香榭碧水枫林紫荆银河东方南山北辰西城海棠丽景华庭雅苑"
SUFFIXES = ["花园", "小区", "家园", "苑", "新村", "名邸", "公寓", "嘉园"]


def _person_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)]


@pytest.fixture(scope="session")
def ledger_path() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_graph(ledger_path):
    """The demo ledger's graph; a demo that does not load fails every test using it."""
    return build_mirror(read_ledger(ledger_path).data)


def big_community(n: int = 60) -> GraphData:
    """One street, one community of `n` compounds with every kind of coverage."""
    entities: dict[str, Entity] = {}
    relations: list[Relation] = []
    person_count = [0]

    def add(label, id_, name, **attrs):
        entities[id_] = Entity(label, id_, name, attrs)

    def person(status="正式党员"):
        person_count[0] += 1
        i = person_count[0]
        pid = f"U{i:03d}"
        add("Person", pid, _person_name(i), party_status=status, phone=f"139{i:08d}")
        return pid

    def rel(type_, a, b, role=None):
        relations.append(Relation(type_, a, b, role, date(2020, 1, 1)))

    add("District", "D1", "示范区")
    add("Street", "S1", "示范街道")
    add("Community", "M1", "幸福社区")
    rel("隶属", "S1", "D1")
    rel("隶属", "M1", "S1")
    add("PartyOrg", "P0", "幸福社区党委", org_type="党委", scope="社区", formal_members=160)
    add("PartyOrg", "PS", "示范街道党工委", org_type="党委", scope="街道", formal_members=300)
    rel("覆盖", "PS", "S1")
    rel("覆盖", "P0", "M1")
    secretary = person()
    rel("任职", secretary, "P0", "书记")
    for _ in range(4):
        rel("任职", person(), "P0", "委员")
    add("Committee", "K0", "幸福社区居民委员会", kind="居委会")
    rel("隶属", "K0", "M1")
    rel("任职", secretary, "K0", "主任")
    rel("任职", person("群众"), "K0", "副主任")
    firms = []
    for f in range(10):
        fid = f"F{f}"
        add("Firm", fid, f"{PLACES[2 * f:2 * f + 2]}物业服务有限公司", ownership="市场化", party_members=f % 5)
        firms.append(fid)
        if f % 3 == 0:
            add("PartyOrg", f"PF{f}", f"{PLACES[2 * f:2 * f + 2]}物业党支部", org_type="党支部", scope="企业")
            rel("覆盖", f"PF{f}", fid)
            rel("隶属", f"PF{f}", "P0")
        elif f % 3 == 1:
            rel("挂靠建", fid, "P0")
    for i in range(n):
        cid = f"C{i:02d}"
        name = PLACES[(2 * i) % len(PLACES):(2 * i) % len(PLACES) + 2] + SUFFIXES[i % len(SUFFIXES)] + (
            f"{i // 20 + 1}期" if i >= 20 else "")
        add("Compound", cid, name, households=200 + 37 * i, category="商品房", mgmt_mode="专业物业")
        rel("隶属", cid, "M1")
        firm = firms[i % len(firms)]
        rel("服务", firm, cid, "专业物业")
        manager = person("群众" if i % 2 else "正式党员")
        rel("派驻", manager, cid, "项目负责人")
        if i % 4 == 0:
            rel("兼职委员", manager, "P0")
        kind = i % 10
        if kind < 6:  # its own branch
            org = f"P{i:02d}"
            add("PartyOrg", org, f"{name}党支部", org_type="党支部", scope="小区", formal_members=5)
            rel("覆盖", org, cid)
            rel("隶属", org, "P0")
            lead = person()
            rel("任职", lead, org, "书记")
            rel("任职", person(), org, "委员")
            if i % 3 == 0:  # owners' committee chaired by the branch secretary: 一肩挑
                add("Committee", f"K{i:02d}", f"{name}业主委员会", kind="业委会")
                rel("隶属", f"K{i:02d}", cid)
                rel("任职", lead, f"K{i:02d}", "主任")
        elif kind == 6 and i + 1 < n:  # joint branch with the next compound
            org = f"PJ{i:02d}"
            add("PartyOrg", org, f"{name}联合党支部", org_type="党支部", scope="小区", formal_members=4)
            rel("覆盖", org, cid)
            rel("覆盖", org, f"C{i + 1:02d}")
            rel("隶属", org, "P0")
            rel("任职", person(), org, "书记")
        elif kind == 8:
            rel("挂靠建", cid, "P0")
        elif kind == 9 and i % 20 == 9:
            rel("派驻", person(), cid, "党建指导员")
    return GraphData(entities, relations)


@pytest.fixture(scope="session")
def big_graph():
    return build_mirror(big_community(60))


@pytest.fixture
def strict_glyphs():
    """Any missing-glyph warning fails the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*missing.*")
        warnings.filterwarnings("error", message=".*missing from font.*")
        yield
