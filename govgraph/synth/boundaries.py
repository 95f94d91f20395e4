"""A deterministic generator of valid ledgers (domain.md §3) for differential tests.

`generate(seed, scale)` returns {file name: rows}; `write_ledger_folder(folder, seed,
scale)` writes them as CSV. The same seed always gives the same ledger. Relations
start and end on a few boundary dates (and their eves), so audits on those dates
exercise the inclusive `since`/`until` edges; dates are written in several of the
accepted spellings (2022-07-01, 2022/7/1, 2022年7月1日, 2022-06 as an `until`, 至今 …).

What a generated ledger contains, per community: a community party committee and a
居委会, compounds with every kind of coverage (own branch, joint branch, branch of the
wrong scope or type, work group, affiliation, instructor, observer), dated moves of
compounds between communities, residents with mixed party status, owners' committees
with chairs (some of them also branch secretaries: 一肩挑), firms serving compounds with
dated contracts, firm party orgs and staff. Nothing in it is invalid: `read_ledger`
accepts it.

Run it by hand: python -m govgraph.synth.boundaries OUT_DIR [SEED] [SCALE]
(tests/neo4j uses it as the fixture `generator`).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from .tiers import ledger_headers

# Relations change on these days; audits are run on them and on the day before.
BOUNDARIES = (date(2019, 1, 1), date(2020, 7, 1), date(2021, 1, 1), date(2022, 7, 1), date(2023, 3, 15),
              date(2024, 1, 1))
AS_OF_DATES = tuple(sorted({d for b in BOUNDARIES[1:] for d in (b, b - timedelta(days=1))} | {date(2025, 6, 30)}))

COLUMNS = ledger_headers()  # {file: the schema's canonical header}

CATEGORIES = ["商品房", "老旧小区", "安置小区", "城中村", "单位院落", "商圈楼宇", "产业园区", "其他"]
MGMT_MODES = ["专业物业", "公益托管", "社区共管", "居民自管", "无物业"]
COMPOUND_SCOPES = ["小区", "网格", "业委会", "项目"]
OTHER_SCOPES = ["街道", "社区", "行业", "机关单位", "企业"]
ORG_TYPES = ["党支部", "党支部", "党支部", "党总支", "临时党支部", "党委"]
WORK_TYPES = ["党的工作小组", "党小组"]
STATUSES = ["正式党员", "正式党员", "中共党员", "预备党员", "群众", "群众", "非党员", None]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华"


class _Ledger:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict]] = {name: [] for name in COLUMNS}
        self.identities: set[tuple] = set()
        self.owners_committees: dict[str, list[str]] = {}  # compound -> its 业委会
        self.counter = 0

    # -- helpers --------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:06d}"

    def person(self, status: str | None = "random", tags: str = "") -> str:
        pid = self.new_id("P")
        rng = self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        party = rng.choice(STATUSES) if status == "random" else status
        phone = f"13{rng.randrange(10**9):09d}" if rng.random() < 0.3 else ""
        self.rows["people"].append({"id": pid, "name": name, "party_status": party or "", "phone": phone,
                                    "tags": tags})
        return pid

    def period(self, p_dated: float = 0.5) -> tuple[date | None, date | None]:
        """A random validity period made of boundary dates (or open ends)."""
        rng = self.rng
        if rng.random() >= p_dated:
            return None, None
        since = rng.choice((None, *BOUNDARIES))
        later = [b for b in BOUNDARIES if since is None or b > since]
        until = rng.choice(later) - timedelta(days=1) if later and rng.random() < 0.5 else None
        return since, until

    def fmt(self, d: date | None, end: bool) -> str:
        rng = self.rng
        if d is None:
            return rng.choice(("", "", "至今")) if end else ""
        choices = [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日",
                   f"{d.year}.{d.month}.{d.day}"]
        next_day = d + timedelta(days=1)
        if end and next_day.day == 1:
            choices.append(f"{d.year}-{d.month:02d}")
            if next_day.month == 1:
                choices.append(f"{d.year}")
        if not end and d.day == 1:
            choices.append(f"{d.year}年{d.month}月")
            if d.month == 1:
                choices.append(f"{d.year}")
        return rng.choice(choices)

    def relate(self, rtype: str, from_id: str, to_id: str, role: str | None = None,
               since: date | None = None, until: date | None = None, source: str | None = None) -> None:
        identity = (rtype, from_id, to_id, role or "", since)
        if identity in self.identities:
            return
        self.identities.add(identity)
        self.rows["relations"].append({
            "type": rtype, "from_id": from_id, "to_id": to_id, "role": role or "",
            "since": self.fmt(since, end=False), "until": self.fmt(until, end=True),
            "source": source if source is not None else self.rng.choice(("", "", "街道台账2024", "组织部备案")),
        })

    def relate_period(self, rtype: str, from_id: str, to_id: str, role: str | None = None,
                      p_dated: float = 0.5) -> None:
        self.relate(rtype, from_id, to_id, role, *self.period(p_dated))

    def party_org(self, name: str, org_type: str | None, scope: str | None, parent: str = "") -> str:
        oid = self.new_id("O")
        rng = self.rng
        founded = rng.choice(BOUNDARIES) if rng.random() < 0.5 else None
        self.rows["party_orgs"].append({
            "id": oid, "name": name, "org_type": org_type or "", "scope": scope or "",
            "formal_members": str(rng.randrange(0, 12)) if rng.random() < 0.7 else "",
            "parent_id": parent, "founded": self.fmt(founded, end=False),
            "term_end": self.fmt(date(rng.choice((2023, 2025, 2026)), 12, 31), end=True) if rng.random() < 0.5 else "",
        })
        return oid

    def committee(self, name: str, kind: str, unit: str) -> str:
        cid = self.new_id("W")
        self.rows["committees"].append({"id": cid, "name": name, "kind": kind, "unit_id": unit,
                                        "term_start": "", "term_end": ""})
        if kind in ("业委会", "业主委员会"):
            self.owners_committees.setdefault(unit, []).append(cid)
        return cid


def generate(seed: int = 1, scale: int = 1) -> dict[str, list[dict]]:
    """A valid ledger; `scale` multiplies the number of streets (about 5,000 entities
    and 12,000 relations per unit of scale)."""
    g = _Ledger(seed)
    rng = g.rng
    districts = []
    for d in range(2):
        did = g.new_id("D")
        g.rows["districts"].append({"id": did, "name": f"第{d + 1}区"})
        districts.append(did)

    all_compounds: list[str] = []
    community_orgs: dict[str, str] = {}
    compound_community: dict[str, str] = {}
    for s in range(6 * scale):
        sid = g.new_id("S")
        g.rows["streets"].append({"id": sid, "name": f"{s + 1}号街道", "district_id": rng.choice(districts)})
        street_org = g.party_org(f"{s + 1}号街道党工委", "党委", "街道")
        g.relate("覆盖", street_org, sid)
        for m in range(rng.randrange(4, 7)):
            mid = g.new_id("M")
            if rng.random() < 0.1:  # moved between streets on a boundary date
                g.rows["communities"].append({"id": mid, "name": f"{s + 1}-{m + 1}社区", "street_id": ""})
                other = g.rows["streets"][rng.randrange(len(g.rows["streets"]))]["id"]
                cut = rng.choice(BOUNDARIES[1:])
                g.relate("隶属", mid, other, until=cut - timedelta(days=1))
                g.relate("隶属", mid, sid, since=cut)
            else:
                g.rows["communities"].append({"id": mid, "name": f"{s + 1}-{m + 1}社区", "street_id": sid})
            if rng.random() < 0.9:
                org = g.party_org(f"{s + 1}-{m + 1}社区党委", rng.choice(("党委", "党总支")), "社区", parent=street_org)
                community_orgs[mid] = org
                g.relate_period("覆盖", org, mid, p_dated=0.15)
                secretary = g.person("正式党员")
                g.relate("任职", secretary, org, "书记")
            if rng.random() < 0.9:
                jwh = g.committee(f"{s + 1}-{m + 1}社区居委会", "居委会", mid)
                chair = secretary if mid in community_orgs and rng.random() < 0.6 else g.person()
                g.relate_period("任职", chair, jwh, "主任", p_dated=0.2)
                if rng.random() < 0.5:
                    g.relate("一肩挑", chair, mid)
            for c in range(rng.randrange(7, 14)):
                cid = _compound(g, mid, f"{s + 1}-{m + 1}-{c + 1}", compound_community)
                all_compounds.append(cid)

    # Coverage of compounds, community by community.
    by_community: dict[str, list[str]] = {}
    for cid, mid in compound_community.items():
        by_community.setdefault(mid, []).append(cid)
    for mid, compounds in by_community.items():
        _cover_compounds(g, mid, compounds, community_orgs.get(mid))

    # Firms: each serves a few compounds, with dated contracts.
    firms = []
    for f in range(max(3, len(all_compounds) // 3)):
        fid = g.new_id("F")
        firms.append(fid)
        given = rng.random() < 0.3
        g.rows["firms"].append({"id": fid, "name": f"{f + 1}号物业服务有限公司",
                                "ownership": rng.choice(("市场化", "国有", "公益性", "market", "")),
                                "party_members": str(rng.randrange(0, 7)) if given else ""})
        for _ in range(rng.randrange(0, 5)):
            g.relate_period("任职", g.person(), fid, rng.choice(("负责人", "成员", "成员", "副主任")), p_dated=0.3)
    for cid in all_compounds:
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            fid = rng.choice(firms)
            g.relate_period("服务", fid, cid, rng.choice(("专业物业", "公益托管", "社区共管", None)), p_dated=0.5)
            if rng.random() < 0.3:
                manager = g.person()
                g.relate("任职", manager, fid, "负责人")
                g.relate_period("派驻", manager, cid, "项目负责人")
                _cross_posts(g, manager, cid, community_orgs.get(compound_community.get(cid, "")))
    _cover_firms(g, firms)
    # Cross-appointments (§4.4) of every shape: committee members who also sit on the
    # community's party committee, quality supervisors at firms, posts in a committee and a firm.
    for cid in all_compounds:
        if rng.random() < 0.25:
            _cross_posts(g, g.person(), cid, community_orgs.get(compound_community.get(cid, "")))
    for fid in firms:
        if rng.random() < 0.15:
            g.relate_period("派驻", g.person("正式党员"), fid, rng.choice(("义务质量总监", "项目负责人")))
    return g.rows


def _cross_posts(g: _Ledger, person: str, cid: str, community_org: str | None) -> None:
    """Give `person` posts around compound `cid` (committee, firm, community party org)."""
    rng = g.rng
    committees = g.owners_committees.get(cid, [])
    if committees and rng.random() < 0.6:
        g.relate_period("任职", person, committees[0], rng.choice(("委员", "副主任", "主任")), p_dated=0.3)
    if community_org and rng.random() < 0.5:
        g.relate_period("兼职委员", person, community_org, rng.choice((None, "委员")), p_dated=0.3)
    if rng.random() < 0.3:
        g.relate_period("派驻", person, cid, rng.choice(("义务质量总监", "项目负责人")))
    if committees and rng.random() < 0.1:
        g.relate_period("派驻", person, committees[0], "项目负责人")


def _compound(g: _Ledger, mid: str, label: str, compound_community: dict[str, str]) -> str:
    rng = g.rng
    cid = g.new_id("C")
    community = mid
    roll = rng.random()
    if roll < 0.08:  # moved from another community on a boundary date
        column = ""
        others = [r["id"] for r in g.rows["communities"] if r["id"] != mid]
        cut = rng.choice(BOUNDARIES[1:])
        if others:
            g.relate("隶属", cid, rng.choice(others), until=cut - timedelta(days=1))
        g.relate("隶属", cid, mid, since=cut)
    elif roll < 0.11:  # only belongs from some date on (a new compound)
        column = ""
        g.relate("隶属", cid, mid, since=rng.choice(BOUNDARIES))
    elif roll < 0.13:  # no community at all
        column, community = "", None
    else:
        column = mid
    g.rows["compounds"].append({
        "id": cid, "name": f"{label}小区", "community_id": column,
        "households": str(rng.randrange(0, 3000)) if rng.random() < 0.8 else "",
        "category": rng.choice(CATEGORIES + ["old", ""]),
        "mgmt_mode": rng.choice(MGMT_MODES + [""]),
        "party_members": str(rng.randrange(0, 7)) if rng.random() < 0.3 else "",
        "complex": rng.choice(("", "", "是", "否", "true", "0")),
    })
    if community is not None:
        compound_community[cid] = community
    # Residents: 居住, some dated.
    for _ in range(rng.randrange(0, 7)):
        g.relate_period("居住", g.person(tags=rng.choice(("", "", "退休干部", "退役军人;在职党员"))), cid,
                        p_dated=0.3)
    # Self-governance.
    if rng.random() < 0.6:
        kind = rng.choice(("业委会", "业委会", "业委会", "议事会", "自管会", "物管会", "业主委员会"))
        committee = g.committee(f"{label}小区{kind}", kind, cid)
        chair = g.person()
        g.relate_period("任职", chair, committee, "主任", p_dated=0.3)
        for _ in range(rng.randrange(0, 4)):
            g.relate_period("任职", g.person(), committee, rng.choice(("副主任", "委员", "成员")), p_dated=0.2)
    return cid


def _cover_compounds(g: _Ledger, mid: str, compounds: list[str], community_org: str | None) -> None:
    rng = g.rng
    pool = list(compounds)
    rng.shuffle(pool)
    while pool:
        roll = rng.random()
        if roll < 0.3:  # its own branch (some with dated cover)
            cid = pool.pop()
            org = g.party_org("小区党支部", rng.choice(ORG_TYPES), rng.choice(COMPOUND_SCOPES), community_org or "")
            g.relate_period("覆盖", org, cid)
            _secretary(g, org, cid)
        elif roll < 0.5 and len(pool) >= 2:  # joint branch over 2–4 compounds, dates per compound
            group = [pool.pop() for _ in range(min(len(pool), rng.randrange(2, 5)))]
            org = g.party_org("联合党支部", rng.choice(ORG_TYPES), rng.choice(COMPOUND_SCOPES), community_org or "")
            for cid in group:
                g.relate_period("覆盖", org, cid, p_dated=0.4)
            _secretary(g, org, group[0])
        elif roll < 0.58:  # an org that does not count: wrong scope, or no type given
            cid = pool.pop()
            wrong = rng.random() < 0.6
            org = g.party_org("挂名党组织", rng.choice(ORG_TYPES) if wrong else None,
                              rng.choice(OTHER_SCOPES) if wrong else rng.choice(COMPOUND_SCOPES))
            g.relate_period("覆盖", org, cid)
        elif roll < 0.7:  # affiliated to a host org
            cid = pool.pop()
            host = community_org or g.party_org("联建党委", "党委", "行业")
            g.relate_period("挂靠建", cid, host)
        elif roll < 0.8:  # work group (any scope)
            cid = pool.pop()
            scope = rng.choice(COMPOUND_SCOPES + OTHER_SCOPES + [None])
            org = g.party_org("党的工作小组", rng.choice(WORK_TYPES), scope)
            g.relate_period("覆盖", org, cid)
        elif roll < 0.9:  # instructor, navigator, or a mere observer (does not count)
            cid = pool.pop()
            role = rng.choice(("党建指导员", "领航员", "观察员", "义务质量总监"))
            g.relate_period("派驻", g.person("正式党员", tags="退休干部"), cid, role)
        else:  # nothing at all
            pool.pop()
    # Noise on top: community org covering compounds (does not count), a second cover.
    for cid in compounds:
        if community_org and rng.random() < 0.1:
            g.relate_period("覆盖", community_org, cid)
        if rng.random() < 0.08:
            g.relate_period("挂靠建", cid, community_org or g.party_org("联建党委", "党委", "行业"))
        if rng.random() < 0.05:
            g.relate_period("派驻", g.person("正式党员"), cid, rng.choice(("党建指导员", "领航员")))


def _secretary(g: _Ledger, org: str, cid: str) -> None:
    """A branch secretary, sometimes also chair of the compound's committee (一肩挑)."""
    rng = g.rng
    committees = g.owners_committees.get(cid, [])
    secretary = g.person(rng.choice(("正式党员", "正式党员", "预备党员")))
    g.relate_period("任职", secretary, org, "书记", p_dated=0.2)
    if committees and rng.random() < 0.5:
        g.relate_period("任职", secretary, committees[0], "主任", p_dated=0.2)
    if rng.random() < 0.4:
        g.relate("一肩挑", secretary, cid)
    if rng.random() < 0.3:
        g.relate("兼职委员", secretary, org)


def _cover_firms(g: _Ledger, firms: list[str]) -> None:
    rng = g.rng
    pool = list(firms)
    rng.shuffle(pool)
    while pool:
        roll = rng.random()
        if roll < 0.35:
            fid = pool.pop()
            org = g.party_org("物业企业党支部", rng.choice(ORG_TYPES), rng.choice(("企业", "项目")))
            g.relate_period("覆盖", org, fid)
            g.relate("任职", g.person("正式党员"), org, "书记")
        elif roll < 0.45 and len(pool) >= 2:
            group = [pool.pop() for _ in range(2)]
            org = g.party_org("物业行业联合党支部", rng.choice(ORG_TYPES), rng.choice(("企业", "项目")))
            for fid in group:
                g.relate_period("覆盖", org, fid, p_dated=0.4)
        elif roll < 0.55:
            fid = pool.pop()
            org = g.party_org("挂名党组织", rng.choice(ORG_TYPES), rng.choice(("小区", "社区", "行业")))
            g.relate_period("覆盖", org, fid)
        elif roll < 0.7:
            fid = pool.pop()
            g.relate_period("挂靠建", fid, g.party_org("物业行业党委", "党委", "行业"))
        elif roll < 0.8:
            fid = pool.pop()
            g.relate_period("覆盖", g.party_org("物业企业党的工作小组", rng.choice(WORK_TYPES), "企业"), fid)
        elif roll < 0.87:
            fid = pool.pop()
            g.relate_period("派驻", g.person("正式党员"), fid, rng.choice(("党建指导员", "领航员", "观察员")))
        else:
            pool.pop()


def write_ledger_folder(folder: str | Path, seed: int = 1, scale: int = 1) -> Path:
    """Write a generated ledger as CSV files (UTF-8) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in generate(seed, scale).items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS[name])
            writer.writeheader()
            writer.writerows(rows)
    return folder


if __name__ == "__main__":
    out = write_ledger_folder(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1,
                              int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    print(out)
