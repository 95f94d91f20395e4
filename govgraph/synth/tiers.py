"""Synthetic ledgers at the scale tiers of domain.md §5, for benchmarks and tests.

`write_synthetic(out, tier, seed)` writes a ledger folder in the §3 format (UTF-8 with
BOM, canonical headers, the same CSV dialect as `govgraph.ledger.write_ledger`). Same
tier and seed, same bytes: the only randomness is one `random.Random(seed)`, nothing
reads the clock, and nothing iterates a set.

Tiers (per city; a province is ten cities with ids prefixed ``c01-`` … ``c10-``):

| tier | districts | streets | communities | compounds | firms | ≈ party orgs | ≈ people | ≈ relations |
|---|---|---|---|---|---|---|---|---|
| demo | 1 | 2 | 6 | 20 | 8 | 30 | 250 | 1,000 |
| city | 13 | 160 | 1,500 | 5,000 | 2,200 | 6,000 | 60,000 | 250,000 |
| province | 10 × city | | | | | | | 2,500,000 |

The mixes come from the seed documents (see `MIX`): 712 of 1,462 firms with property
projects have a party organisation and 750 an instructor (Wuhan, seed 003); old
compounds are managed 382 : 199 : 967 : 526 market / public-benefit / co-managed /
self-managed (seed 003); 1,165 of 1,862 compound branches have a confirmed 一肩挑 and
there are 2,524 cross-appointed branch members (seed 002, 篇四); 61% of 业委会 have a
party majority (seed 002, 篇三). Compound coverage statuses follow `MIX["compound_status"]`
and every one of the five statuses occurs, for compounds and for firms, in every tier.

Everything is built around `REFERENCE_DATE` (2026-06-30): relations that ended
(history: previous terms, former residences, lapsed contracts and instructors) end
before it, relations that have not started yet start in 2031, so coverage on the
reference date is what the generator intended for years to come. Audit it with
``--as-of 2026-06-30`` to reproduce the figures exactly.
"""

from __future__ import annotations

import calendar
import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..schema import load_schema
from ..values import CREDIT_CODE_CHARS, credit_check_char

REFERENCE_DATE = date(2026, 6, 30)
FUTURE_START = date(2031, 1, 1)  # "not yet in force" relations start here

# Shares from the seed documents (domain.md §5) and, where the seeds are silent, plausible
# values. The statuses are the shares of compounds by coverage status on REFERENCE_DATE.
MIX = {
    "compound_status": {"单独建": 0.36, "联合建": 0.22, "挂靠建": 0.10, "工作覆盖": 0.19, "空白": 0.13},
    # Seed 003: 3,175 residential projects and 2,074 old compounds in Wuhan.
    "old_compound_share": 2074 / (2074 + 3175),
    # Seed 003: old compounds by management mode.
    "old_mgmt_mode": {"专业物业": 382, "公益托管": 199, "社区共管": 967, "居民自管": 526},
    "other_mgmt_mode": {"专业物业": 0.88, "无物业": 0.05, "居民自管": 0.04, "社区共管": 0.03},
    "other_category": {"商品房": 0.70, "安置小区": 0.10, "城中村": 0.06, "单位院落": 0.06, "商圈楼宇": 0.04,
                       "产业园区": 0.02, "其他": 0.02},
    # Seed 003: 1,462 of 2,200 firms have property projects; of those 712 have a party org
    # and 750 an instructor. A few instructors have lapsed: those firms are blank.
    "firm_active_share": 1462 / 2200,
    "active_firm_status": {"单独建": 712 / 1462 * 0.75, "联合建": 712 / 1462 * 0.15, "挂靠建": 712 / 1462 * 0.10,
                           "工作覆盖": 750 / 1462 * 0.96, "空白": 750 / 1462 * 0.04},
    "inactive_firm_status": {"单独建": 0.25, "联合建": 0.04, "挂靠建": 0.10, "工作覆盖": 0.06, "空白": 0.55},
    # Seed 002 篇四: 1,165 一肩挑 of 1,862 compound branches, 2,524 cross-appointed members.
    "yijiantiao_share": 1165 / 1862,
    "cross_appointed_per_branch": 2524 / 1862,
    # Seed 002 篇三: 61% of 业委会 have a party majority.
    "owners_committee_party_majority": 0.61,
    "community_yijiantiao_share": 0.85,
}


OWNERS_WITH_BRANCH = 0.85  # share of compounds with their own branch that also have an 业委会


@dataclass(frozen=True)
class Tier:
    name: str
    cities: int
    districts: int  # per city
    streets: int
    communities: int
    compounds: int
    firms: int
    residents: tuple[int, int]  # recorded residents per compound (min, max)


TIERS = {
    "demo": Tier("demo", 1, 1, 2, 6, 20, 10, (4, 12)),
    "city": Tier("city", 1, 13, 160, 1500, 5000, 2200, (3, 9)),
    "province": Tier("province", 10, 13, 160, 1500, 5000, 2200, (3, 9)),
}

CITY_NAMES = ("武汉市", "黄石市", "十堰市", "宜昌市", "襄阳市", "鄂州市", "荆门市", "孝感市", "荆州市", "黄冈市")
_PLACE = "江汉东西南北中新华兴和平安康宁福祥瑞丰盛泰昌荣光明阳青山水月湖桥园林松竹梅兰金玉"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华建国红梅鹏飞志文斌玲宇浩晨"
_COMPOUND_SUFFIX = ("小区", "花园", "新村", "家园", "公寓", "苑", "里", "大院")
_TAGS = ("在职党员", "退休干部", "退役军人", "两代表一委员")
_SOURCES = ("", "", "", "街道党建台账2025", "区委组织部备案2024", "社区两委台账2025")


def _credit_code(rng: random.Random, region: str) -> str:
    """A valid 统一社会信用代码: 91 (enterprise) + region + organisation code + check."""
    body = "91" + region + "MA" + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(7))
    return body + credit_check_char(body)


def _largest_remainder(shares: dict[str, float], n: int, at_least_one: bool) -> dict[str, int]:
    """Whole counts for `shares` of `n`; with `at_least_one` (and room), every key gets one,
    and a joint status (which needs two units) gets two."""
    total = sum(shares.values())
    exact = {k: v / total * n for k, v in shares.items()}
    counts = {k: int(x) for k, x in exact.items()}
    if at_least_one and n >= len(shares) + 1:
        for k in counts:
            counts[k] = max(counts[k], 2 if k == "联合建" else 1)
    rest = n - sum(counts.values())
    order = sorted(shares, key=lambda k: (-(exact[k] - int(exact[k])), list(shares).index(k)))
    i = 0
    while rest > 0:
        counts[order[i % len(order)]] += 1
        rest -= 1
        i += 1
    while rest < 0:  # at_least_one overshot: take from the largest
        k = max(counts, key=lambda k: (counts[k], -list(shares).index(k)))
        counts[k] -= 1
        rest += 1
    return counts


class _Pool:
    """Draws without replacement from fixed quotas (so small tiers still get every value)."""

    def __init__(self, rng: random.Random, counts: dict[str, int]):
        self.rng = rng
        self.counts = dict(counts)

    def draw(self, exclude: tuple[str, ...] = (), default: str | None = None) -> str:
        keys = [k for k in self.counts if k not in exclude and self.counts[k] > 0]
        total = sum(self.counts[k] for k in keys)
        if total == 0:
            return default if default is not None else next(iter(self.counts))
        x = self.rng.randrange(total)
        for k in keys:
            x -= self.counts[k]
            if x < 0:
                self.counts[k] -= 1
                return k
        raise AssertionError  # pragma: no cover

    def take(self, key: str, n: int = 1) -> int:
        got = min(n, self.counts.get(key, 0))
        self.counts[key] = self.counts.get(key, 0) - got
        return got


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` items over `parts` buckets, each at least one, unevenly."""
    sizes = [1] * parts
    if total > parts:
        weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
        cum, acc = [], 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        for i in rng.choices(range(parts), cum_weights=cum, k=total - parts):
            sizes[i] += 1
    return sizes


class _City:
    """One city's ledger rows, generated in a fixed order from the shared generator."""

    def __init__(self, rng: random.Random, tier: Tier, prefix: str, city_name: str, region: str):
        self.rng = rng
        self.tier = tier
        self.prefix = prefix
        self.city_name = city_name
        self.region = region
        self.rows: dict[str, list[dict[str, str]]] = {name: [] for name in _files()}  # {column: cell}
        self.counters: dict[str, int] = {}
        self.identities: set[tuple] = set()
        self.on_street = None  # (done, total) after each street
        # Lookups filled while generating.
        self.residents: dict[str, list[tuple[str, str]]] = {}  # compound -> [(person, status)]
        self.compounds_so_far: list[str] = []
        self.community_org: dict[str, str] = {}
        self.community_cadres: dict[str, list[str]] = {}
        self.street_cadres: dict[str, list[str]] = {}
        self.community_street: dict[str, str] = {}
        self.homeless: list[tuple[str, str]] = []  # (person, street): given a home at the end
        self.current_street = ""
        self.blanks = 0
        self.street_compounds: dict[str, list[str]] = {}
        self.compound_meta: dict[str, tuple[str, str]] = {}  # compound -> (community, "")
        self.owners_by_compound: dict[str, tuple[str, str, list[str]] | None] = {}

    # -- primitives --------------------------------------------------------------------------
    def new_id(self, kind: str, width: int) -> str:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return f"{self.prefix}{kind}{n:0{width}d}"

    def place(self, length: int = 2) -> str:
        return "".join(self.rng.choice(_PLACE) for _ in range(length))

    def fmt_since(self, d: date | None) -> str:
        if d is None:
            return ""
        x = self.rng.random()
        if x < 0.05:
            return f"{d.year}/{d.month}/{d.day}"
        if x < 0.08:
            return f"{d.year}年{d.month}月{d.day}日"
        if x < 0.14 and d.day == 1:
            return f"{d.year}-{d.month:02d}" if d.month != 1 or x < 0.11 else f"{d.year}"
        return d.isoformat()

    def fmt_until(self, d: date | None) -> str:
        if d is None:
            return "至今" if self.rng.random() < 0.12 else ""
        x = self.rng.random()
        if x < 0.05:
            return f"{d.year}/{d.month}/{d.day}"
        if x < 0.08:
            return f"{d.year}年{d.month}月{d.day}日"
        if x < 0.14 and d.day == calendar.monthrange(d.year, d.month)[1]:
            return f"{d.year}-{d.month:02d}" if d.month != 12 or x < 0.11 else f"{d.year}"
        return d.isoformat()

    def day(self, first: int, last: int) -> date:
        """A date between 1 Jan of `first` and 31 Dec of `last`; often the 1st of a month."""
        year = self.rng.randint(first, last)
        month = self.rng.randint(1, 12)
        dd = 1 if self.rng.random() < 0.6 else self.rng.randint(1, 28)
        return date(year, month, dd)

    def rel(self, rtype: str, from_id: str, to_id: str, role: str = "", since: date | None = None,
            until: date | None = None, source: str | None = None) -> bool:
        identity = (rtype, from_id, to_id, role, since)
        if identity in self.identities:
            return False
        self.identities.add(identity)
        src = self.rng.choice(_SOURCES) if source is None else source
        self.rows["relations"].append({"type": rtype, "from_id": from_id, "to_id": to_id, "role": role,
                                       "since": self.fmt_since(since), "until": self.fmt_until(until), "source": src})
        return True

    def person(self, status: str, tags: tuple[str, ...] = (), home: str | None = None) -> str:
        rng = self.rng
        pid = self.new_id("U", 6)
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.65 else "")
        written = status
        if status == "正式党员" and rng.random() < 0.05:
            written = "中共党员"
        elif status == "群众" and rng.random() < 0.03:
            written = "非党员"
        phone = f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}" if rng.random() < 0.4 else ""
        if not tags and status == "正式党员" and rng.random() < 0.25:
            tags = (rng.choice(_TAGS),)
        self.rows["people"].append({"id": pid, "name": name, "party_status": written, "phone": phone, "tags": "；".join(tags)})
        if home is not None:
            self.live(pid, home)
        else:
            self.homeless.append((pid, self.current_street))
        return pid

    def live(self, person: str, compound: str) -> None:
        since = self.day(2000, 2024) if self.rng.random() < 0.5 else None
        self.rel("居住", person, compound, since=since, source="")
        if self.compounds_so_far and self.rng.random() < 0.75:  # a former residence
            old = self.rng.choice(self.compounds_so_far)
            if old != compound:
                end = self.day(2010, 2025)
                self.rel("居住", person, old, since=date(end.year - self.rng.randint(3, 15), 1, 1),
                         until=end - timedelta(days=1), source="")

    def party_org(self, name: str, org_type: str, scope: str, parent: str = "", members: tuple[int, int] = (3, 12),
                  founded: date | None = None) -> str:
        rng = self.rng
        oid = self.new_id("P", 5)
        rule = {"党支部": 3, "党总支": 50, "党委": 100}.get(org_type)
        lo, hi = members
        if rule is not None and rng.random() < 0.04:
            formal = str(rng.randint(0, max(rule - 1, 0)))  # ORG_SIZE_MISMATCH
        elif rng.random() < 0.8:
            formal = str(rng.randint(lo, hi))
        else:
            formal = ""
        founded = founded or self.day(1995, 2023)
        term_end = ""
        if rng.random() < 0.85:
            years = 5 if org_type in ("党委", "党总支") else 3
            end = founded.year + years
            while end < 2026:
                end += years
            term_end = self.fmt_until(date(end, rng.choice((3, 6, 9, 12)), 1) - timedelta(days=1))
        self.rows["party_orgs"].append({"id": oid, "name": name, "org_type": org_type, "scope": scope, "formal_members": formal,
                                        "parent_id": parent, "founded": self.fmt_since(founded), "term_end": term_end})
        return oid

    def committee(self, name: str, kind: str, unit: str) -> str:
        kid = self.new_id("K", 5)
        start = date(self.rng.randint(2021 if kind == "居委会" else 2022, 2025), self.rng.choice((1, 4, 7, 10)), 1)
        end = date(start.year + (5 if kind == "居委会" else 3), start.month, 1) - timedelta(days=1)
        self.rows["committees"].append({"id": kid, "name": name, "kind": kind, "unit_id": unit,
                                        "term_start": self.fmt_since(start), "term_end": self.fmt_until(end)})
        return kid

    def officers(self, org: str, candidates: list[str], extra_status: str, secretary: str | None = None,
                 members: int = 2, head: str = "书记", deputy: bool = False) -> list[str]:
        """Hold posts in `org`: a head (书记/组长), maybe a 副书记, and 委员; with history.

        Returns the people now in post, head first. 3% of orgs have no head now (the last
        one's term ended): ORG_NO_SECRETARY."""
        rng = self.rng
        pool = list(candidates)
        rng.shuffle(pool)

        def take() -> str:
            return pool.pop() if pool else self.person(extra_status)

        held = []
        since = self.day(2016, 2024)
        dated = rng.random() < 0.7
        if rng.random() < 0.03:
            gone = secretary or take()
            self.rel("任职", gone, org, head, since=since, until=self.day(2025, 2025))
        else:
            head_person = secretary or take()
            self.rel("任职", head_person, org, head, since=since)
            held.append(head_person)
            if rng.random() < 0.35:  # the previous head (history)
                before = pool.pop() if pool else self.person("正式党员")
                self.rel("任职", before, org, head, since=since - timedelta(days=rng.randint(1000, 1900)),
                         until=since - timedelta(days=1))
        if deputy:
            p = take()
            self.rel("任职", p, org, "副书记", since=since)
            held.append(p)
        for _ in range(members):
            p = take()
            if p in held:
                continue
            self.rel("任职", p, org, "委员", since=since if dated else None)
            held.append(p)
        if dated and rng.random() < 0.6:  # the previous term: most were re-elected, some left
            before = since - timedelta(days=rng.randint(1000, 1900))
            for p in held[1:]:
                who = pool.pop() if pool and rng.random() < 0.4 else p
                self.rel("任职", who, org, "委员", since=before, until=since - timedelta(days=1))
        return held

    # -- the city ----------------------------------------------------------------------------------
    def generate(self) -> None:
        t, rng = self.tier, self.rng
        self.rows["districts"] = []
        districts = []
        for _ in range(t.districts):
            did = self.new_id("D", 2)
            self.rows["districts"].append({"id": did, "name": f"{self.city_name}{self.place()}区"})
            districts.append(did)
        street_district = [districts[i % len(districts)] for i in range(t.streets)]
        communities_per_street = _split(rng, t.communities, t.streets)
        compounds_per_community = _split(rng, t.compounds, t.communities)
        firms_per_district = _split(rng, t.firms, len(districts))

        # Districts: the 两新 (non-public firms) party committee that firm orgs belong to.
        self.district_firm_org = {}
        for did in districts:
            self.district_firm_org[did] = self.party_org(f"{did}区物业行业党委", "党委", "行业", members=(100, 400))
            self.officers(self.district_firm_org[did], [], "正式党员", members=2, deputy=True)

        # Compound status quotas for the whole city, drawn community by community.
        status_pool = _Pool(rng, _largest_remainder(MIX["compound_status"], t.compounds, True))
        n_old = round(t.compounds * MIX["old_compound_share"])
        self.old_flags = _Pool(rng, {"old": n_old, "other": t.compounds - n_old})
        old_pool = _Pool(rng, _largest_remainder(MIX["old_mgmt_mode"], n_old, True))
        served: dict[str, list[tuple[str, str, str]]] = {did: [] for did in districts}  # (compound, mode, community)
        community_index = 0
        for s in range(t.streets):
            sid = self.new_id("S", 3)
            did = street_district[s]
            self.rows["streets"].append({"id": sid, "name": f"{self.place()}街道", "district_id": did})
            self.street(sid, did)
            for _ in range(communities_per_street[s]):
                size = compounds_per_community[community_index]
                community_index += 1
                mid = self.new_id("M", 4)
                self.rows["communities"].append({"id": mid, "name": f"{self.place()}社区", "street_id": sid})
                self.community_street[mid] = sid
                self.community(mid, sid)
                for compound, mode in self.compounds(mid, sid, size, status_pool, old_pool):
                    if mode in ("专业物业", "公益托管", "社区共管"):
                        served[did].append((compound, mode, mid))
            if self.on_street is not None:
                self.on_street(s + 1, t.streets)
        for d, did in enumerate(districts):
            self.firms(did, firms_per_district[d], served[did])
        self.dual_registration()

    def street(self, sid: str, did: str) -> None:
        rng = self.rng
        self.current_street = sid
        self.street_compounds[sid] = []
        org = self.party_org(f"{sid}街道党工委", "党委", "街道", members=(150, 900))
        self.rel("覆盖", org, sid, since=self.day(2000, 2015) if rng.random() < 0.3 else None)
        self.street_org = org
        self.street_cadres[sid] = self.officers(org, [], "正式党员", members=3, deputy=True)
        # Unit party orgs (机关单位) that register in the street's communities (双报到).
        self.unit_orgs = [self.party_org(f"{sid}驻区单位党支部{i + 1}", "党支部", "机关单位", members=(5, 40))
                          for i in range(3)]
        for org in self.unit_orgs:
            self.officers(org, [], "正式党员", members=1)

    def community(self, mid: str, sid: str) -> None:
        rng = self.rng
        org = None
        if rng.random() < 0.99:
            org = self.party_org(f"{mid}社区党委", "党委" if rng.random() < 0.55 else "党总支", "社区",
                                 parent=self.street_org, members=(50, 300))
            self.rel("覆盖", org, mid, since=self.day(2005, 2020) if rng.random() < 0.4 else None)
            self.community_org[mid] = org
        cadres = [self.person("正式党员") for _ in range(rng.randint(3, 5))]
        secretary = cadres[0]
        if org:
            self.officers(org, cadres[2:], "正式党员", secretary=secretary, members=3, deputy=True)
        if rng.random() < 0.98:
            jwh = self.committee(f"{mid}社区居民委员会", "居委会", mid)
            yijiantiao = org is not None and rng.random() < MIX["community_yijiantiao_share"]
            chair = secretary if yijiantiao else cadres[1]
            self.rel("任职", chair, jwh, "主任", since=self.day(2018, 2024))
            if yijiantiao and rng.random() < 0.95:
                self.rel("一肩挑", chair, mid)
            elif not yijiantiao and rng.random() < 0.03:
                self.rel("一肩挑", chair, mid)  # asserted, not confirmed: YIJIANTIAO_MISMATCH
            for p in cadres[1:]:
                if p != chair and rng.random() < 0.6:
                    self.rel("任职", p, jwh, "委员")
            for _ in range(rng.randint(0, 2)):
                self.rel("任职", self.person(rng.choice(("正式党员", "群众", "群众"))), jwh, "委员")
        self.community_cadres[mid] = cadres
        # Unit party orgs registering here (双报到).
        if rng.random() < 0.4:
            self.rel("双报到", rng.choice(self.unit_orgs), mid, since=self.day(2018, 2024))

    def compounds(self, mid: str, sid: str, size: int, status_pool: _Pool, old_pool: _Pool):
        """Generate `size` compounds of community `mid`; yield (compound, mgmt_mode)."""
        rng = self.rng
        statuses: list[str] = []
        while len(statuses) < size:
            left = size - len(statuses)
            status = status_pool.draw(exclude=("联合建",) if left < 2 else (), default="单独建")
            if status == "联合建":
                group = 1 + status_pool.take("联合建", min(rng.randint(1, 3), left - 1))
                statuses += ["联合建"] * group
            else:
                statuses.append(status)
        made = []
        for status in statuses:
            cid, mode = self.compound(mid, old_pool, status in ("单独建", "联合建"))
            made.append((cid, mode, status))
        joint = [c for c, _, s in made if s == "联合建"]
        if joint:
            self.joint_branch(mid, joint)
        for cid, mode, status in made:
            if status != "联合建":
                self.cover(cid, mid, status)
            self.compounds_so_far.append(cid)
            self.street_compounds[sid].append(cid)
            yield cid, mode

    def compound(self, mid: str, old_pool: _Pool, organised: bool) -> tuple[str, str]:
        rng = self.rng
        cid = self.new_id("C", 5)
        if self.old_flags.draw(default="other") == "old":
            category, mode = "老旧小区", old_pool.draw(default="社区共管")
        else:
            category = rng.choices(list(MIX["other_category"]), weights=list(MIX["other_category"].values()))[0]
            mode = rng.choices(list(MIX["other_mgmt_mode"]), weights=list(MIX["other_mgmt_mode"].values()))[0]
        households = rng.randint(60, 600) if category == "老旧小区" else rng.randint(150, 3500)
        moved = rng.random() < 0.01 and len(self.compounds_so_far) > 0
        # Residents first (party members are counted from them when the field is blank).
        lo, hi = self.tier.residents
        residents = []
        share = rng.uniform(0.1, 0.8)  # party members among the recorded residents
        for _ in range(rng.randint(lo, hi)):
            status = rng.choices(("正式党员", "预备党员", "群众"), weights=(share, 0.05, 0.95 - share))[0]
            residents.append((status,))
        party_members = str(rng.randint(0, 60)) if rng.random() < 0.35 else ""
        complex_ = rng.choice(("是", "否", "否", "否", "否", "")) if category in ("城中村", "安置小区") else \
            rng.choice(("否", "否", ""))
        self.rows["compounds"].append({"id": cid, "name": f"{self.place()}{rng.choice(_COMPOUND_SUFFIX)}",
                                       "community_id": "" if moved else mid, "households": str(households),
                                       "category": category, "mgmt_mode": mode, "party_members": party_members,
                                       "complex": complex_})
        if moved:  # moved between communities: both parents dated, in relations.csv
            old_community = self.compound_meta[rng.choice(self.compounds_so_far)][0]
            cut = date(rng.randint(2019, 2024), 1, 1)
            if old_community != mid:
                self.rel("隶属", cid, old_community, until=cut - timedelta(days=1), source="区划调整")
            self.rel("隶属", cid, mid, since=cut, source="区划调整")
        self.compound_meta[cid] = (mid, "")
        self.residents[cid] = [(self.person(s, home=cid), s) for (s,) in residents]
        self.self_governance(cid, category, mode, organised)
        return cid, mode

    def self_governance(self, cid: str, category: str, mode: str, organised: bool) -> None:
        rng = self.rng
        # Compounds with their own branch mostly have an 业委会 too (一肩挑 needs both).
        p_owners = OWNERS_WITH_BRANCH if organised else (0.75 if category == "商品房" else 0.4)
        x = rng.random()
        if x < p_owners:
            kid = self.committee(f"{cid}业主委员会", "业委会", cid)
            size = rng.randint(5, 7)
            majority = rng.random() < MIX["owners_committee_party_majority"]
            need_party = rng.randint((size + 1) // 2, size) if majority else rng.randint(0, (size - 1) // 2)
            party = [(p, s) for p, s in self.residents[cid] if s in ("正式党员", "预备党员")]
            others = [p for p, s in self.residents[cid] if s == "群众"]
            rng.shuffle(party)
            rng.shuffle(others)
            # Formal members first: the chair is one where there is one (the common practice).
            party = [p for p, s in party if s == "正式党员"] + [p for p, s in party if s != "正式党员"]
            members = party[:need_party]
            while len(members) < need_party:
                members.append(self.person("正式党员", home=cid))
                self.residents[cid].append((members[-1], "正式党员"))
            non = others[: size - need_party]
            while len(non) < size - need_party:
                non.append(self.person("群众", home=cid))
                self.residents[cid].append((non[-1], "群众"))
            members += non
            chair_first = members
            since = self.day(2020, 2025)
            roles = ["主任", "副主任"] + ["委员"] * (size - 2)
            for person, role in zip(chair_first, roles):
                self.rel("任职", person, kid, role, since=since)
            if rng.random() < 0.6:  # the previous term (history): some re-elected, some not
                before, until = since - timedelta(days=1095), since - timedelta(days=1)
                others_now = [p for p, _ in self.residents[cid] if p not in chair_first]
                for person, role in zip(chair_first, roles):
                    if rng.random() >= 0.6:
                        person = others_now.pop() if others_now else self.person("群众", home=cid)
                    self.rel("任职", person, kid, role, since=before, until=until)
            self.owners_by_compound[cid] = (kid, chair_first[0], [m for m in members if m != chair_first[0]])
        else:
            self.owners_by_compound[cid] = None
            if mode == "居民自管" and x < p_owners + 0.5:
                kid = self.committee(f"{cid}居民自管会", "自管会", cid)
            elif x < p_owners + 0.12:
                kind = rng.choice(("议事会", "物管会"))
                kid = self.committee(f"{cid}{kind}", kind, cid)
            else:
                return
            for p, _ in self.residents[cid][:3]:
                self.rel("任职", p, kid, "成员")

    # -- coverage --------------------------------------------------------------------------------
    def branch(self, name: str, mid: str, compounds: list[str], scope: str) -> str:
        """A compound-level organisation covering `compounds`, with officers, 一肩挑 and
        cross-appointments as in seed 002."""
        rng = self.rng
        parent = self.community_org.get(mid, "")
        if parent and rng.random() < 0.01 and len(self.community_org) > 1:  # SUBORDINATION_MISMATCH
            parent = rng.choice(list(self.community_org.values()))
        org_type = rng.choices(("党支部", "临时党支部", "党总支"), weights=(0.85, 0.05, 0.10))[0]
        founded = self.day(2012, 2023)
        org = self.party_org(name, org_type, scope, parent=parent, founded=founded,
                             members=(3, 45) if org_type != "党总支" else (50, 90))
        for cid in compounds:
            self.rel("覆盖", org, cid, since=founded if rng.random() < 0.5 else None)
        owners = [self.owners_by_compound.get(c) for c in compounds]
        owners = [o for o in owners if o]
        secretary = None
        if owners and rng.random() < min(1.0, MIX["yijiantiao_share"] / OWNERS_WITH_BRANCH * 0.98):
            kid, chair, _ = owners[0]
            secretary = chair
            if rng.random() < 0.95:
                self.rel("一肩挑", chair, compounds[0])
        elif owners and rng.random() < 0.02:
            self.rel("一肩挑", owners[0][1], compounds[0])  # asserted, not confirmed
        formal = [p for c in compounds for p, s in self.residents[c] if s == "正式党员"]
        on_committees = {m for o in owners for m in (o[1], *o[2])}
        # Cross-appointed 委员: 业委会 members who also sit on the branch committee.
        cross = []
        if owners:
            n_cross = rng.choice((0, 0, 1, 1, 1, 2, 2))
            cross = [m for m in owners[0][2] if m in formal][:n_cross]
        pool = [p for p in formal if p not in on_committees]
        held = self.officers(org, pool, "正式党员", secretary=secretary, members=rng.randint(1, 3))
        for p in cross:
            self.rel("任职", p, org, "委员")
        if rng.random() < 0.03:  # a 预备党员 on the committee: POST_NOT_FORMAL_MEMBER
            self.rel("任职", self.person("预备党员", home=compounds[0]), org, "委员")
        if rng.random() < 0.3:  # a 党小组 under the branch
            group = self.party_org(f"{name}第一党小组", "党小组", scope, parent=org, members=(3, 10))
            self.rel("任职", held[-1] if held else self.person("正式党员"), group, "组长")
        return org

    def joint_branch(self, mid: str, compounds: list[str]) -> None:
        self.branch(f"{mid}联合党支部", mid, compounds, self.rng.choice(("小区", "小区", "网格")))

    def cover(self, cid: str, mid: str, status: str) -> None:
        rng = self.rng
        community_org = self.community_org.get(mid)
        cadres = self.community_cadres[mid]
        if status == "单独建":
            scope = rng.choices(("小区", "网格", "业委会", "项目"), weights=(0.85, 0.05, 0.05, 0.05))[0]
            org = self.branch(f"{cid}党支部", mid, [cid], scope)
            if rng.random() < 0.15:  # it once also covered a neighbour (history): still single
                if len(self.compounds_so_far) > 0:
                    self.rel("覆盖", org, self.compounds_so_far[-1], since=date(2015, 1, 1),
                             until=date(2019, 12, 31))
        elif status == "挂靠建":
            host = community_org or self.street_org
            self.rel("挂靠建", cid, host, since=self.day(2015, 2024) if rng.random() < 0.5 else None)
        elif status == "工作覆盖":
            if rng.random() < 0.5:
                group = self.party_org(f"{cid}党的工作小组", rng.choice(("党的工作小组", "党小组")), "小区",
                                       parent=community_org or "", members=(1, 5))
                self.rel("覆盖", group, cid, since=self.day(2018, 2025))
                leader = [p for p, s in self.residents[cid] if s == "正式党员"]
                self.rel("任职", leader[0] if leader else self.person("正式党员", home=cid), group, "组长")
            else:
                instructor = rng.choice(cadres + self.street_cadres.get(self._street_of(mid), []))
                role = "领航员" if rng.random() < 0.1 else "党建指导员"
                self.rel("派驻", instructor, cid, role, since=self.day(2019, 2025))
        else:  # 空白: nothing in force, often something that lapsed, starts later or does not count
            # The city's first two blanks show a lapsed and a future instructor; then at random.
            self.blanks += 1
            x = {1: 0.1, 2: 0.3}.get(self.blanks, rng.random())
            instructor = rng.choice(cadres)
            if x < 0.25:
                start = self.day(2018, 2022)
                self.rel("派驻", instructor, cid, "党建指导员", since=start, until=self.day(2023, 2025))
            elif x < 0.40:
                self.rel("派驻", instructor, cid, "党建指导员", since=FUTURE_START)
            elif x < 0.65 and community_org:
                self.rel("覆盖", community_org, cid)  # a community org does not cover compounds
            elif x < 0.72:
                self.rel("派驻", instructor, cid, "观察员")  # not an instructor role
        if status != "空白" and community_org and rng.random() < 0.05:
            self.rel("覆盖", community_org, cid)  # ledger noise that does not count

    def _street_of(self, mid: str) -> str:
        return self.community_street.get(mid, "")

    # -- firms -------------------------------------------------------------------------------------
    def firms(self, did: str, n: int, served: list[tuple[str, str, str]]) -> None:
        rng = self.rng
        n_active = min(max(1, round(n * MIX["firm_active_share"])), len(served), n) if served else 0
        firm_ids = [self.new_id("F", 4) for _ in range(n)]
        active, inactive = firm_ids[:n_active], firm_ids[n_active:]
        sites: dict[str, list[tuple[str, str, str]]] = {f: [] for f in firm_ids}
        order = list(served)
        rng.shuffle(order)
        for i, site in enumerate(order):
            firm = active[i] if i < len(active) else rng.choice(active)
            sites[firm].append(site)
        ownership_for = {"专业物业": ("市场化", "市场化", "市场化", "国有"), "公益托管": ("公益性",),
                         "社区共管": ("国有", "公益性", "市场化")}
        active_pool = _Pool(rng, _largest_remainder(MIX["active_firm_status"], len(active), len(active) >= 5))
        inactive_pool = _Pool(rng, _largest_remainder(MIX["inactive_firm_status"], len(inactive),
                                                      len(inactive) >= 5))
        statuses: dict[str, str] = {}
        for group, pool in ((active, active_pool), (inactive, inactive_pool)):
            pending_joint: list[str] = []
            for firm in group:
                status = pool.draw(default="空白")
                statuses[firm] = status
                if status == "联合建":
                    pending_joint.append(firm)
            if len(pending_joint) == 1:
                statuses[pending_joint[0]] = "单独建"
                pending_joint = []
            chunks = [pending_joint[i:i + 2] for i in range(0, len(pending_joint), 2)]
            if len(chunks) > 1 and len(chunks[-1]) == 1:
                last = chunks.pop()
                chunks[-1] += last
            for i, chunk in enumerate(chunks):
                org = self.party_org(f"{did}物业企业联合党支部{i + 1}", "党支部", "企业",
                                     parent=self.district_firm_org[did])
                for f in chunk:
                    self.rel("覆盖", org, f, since=self.day(2017, 2024) if rng.random() < 0.5 else None)
                self.officers(org, [], "正式党员", members=2)
        for firm in firm_ids:
            mine = sites[firm]
            first_mode = mine[0][1] if mine else "专业物业"
            ownership = rng.choice(ownership_for[first_mode])
            staff_party = []
            boss_status = "正式党员" if rng.random() < 0.6 else "群众"
            boss = self.person(boss_status)
            staff = [(boss, "负责人")]
            for _ in range(rng.randint(1, 2)):
                s = rng.choices(("正式党员", "预备党员", "群众"), weights=(0.5, 0.05, 0.45))[0]
                staff.append((self.person(s), "成员"))
            for p, role in staff:
                self.rel("任职", p, firm, role, since=self.day(2012, 2024) if rng.random() < 0.5 else None)
                staff_party.append(p)
            party_members = str(rng.randint(0, 60)) if rng.random() < 0.5 else ""
            self.rows["firms"].append({"id": firm, "name": f"{self.city_name}{self.place()}物业服务有限公司",
                                       "ownership": ownership, "party_members": party_members,
                                       "credit_code": _credit_code(rng, self.region) if rng.random() < 0.6 else ""})
            for cid, mode, mid in mine:
                since = self.day(2012, 2024)
                self.rel("服务", firm, cid, mode, since=since)
                if rng.random() < 0.4 and inactive:  # the previous firm's contract (history)
                    self.rel("服务", rng.choice(inactive), cid, mode, since=since - timedelta(days=1460),
                             until=since - timedelta(days=1))
                # The project manager: one of the firm's staff, or someone hired for the site.
                manager = rng.choice(staff)[0] if rng.random() < 0.4 else self.person(rng.choice(("正式党员", "群众")))
                self.rel("派驻", manager, cid, "项目负责人", since=since)
                org = self.community_org.get(mid)
                if org and rng.random() < 0.7:
                    self.rel("兼职委员", manager, org, since=since)
                if rng.random() < 0.45:
                    cadre = rng.choice(self.community_cadres[mid])
                    self.rel("派驻", cadre, firm, "义务质量总监", since=self.day(2019, 2024))
            self.firm_cover(firm, did, statuses[firm], staff, mine)

    def firm_cover(self, firm: str, did: str, status: str, staff, sites) -> None:
        rng = self.rng
        if status == "单独建":
            org = self.party_org(f"{firm}党支部", "党支部", rng.choice(("企业", "企业", "项目")),
                                 parent=self.district_firm_org[did])
            self.rel("覆盖", org, firm, since=self.day(2016, 2024) if rng.random() < 0.5 else None)
            party = [p for p, _ in staff]
            self.officers(org, party[1:], "正式党员", secretary=party[0] if rng.random() < 0.5 else None,
                          members=rng.randint(1, 2))
        elif status == "挂靠建":
            host = self.community_org.get(sites[0][2]) if sites else None
            self.rel("挂靠建", firm, host or self.district_firm_org[did], since=self.day(2017, 2024))
        elif status == "工作覆盖":
            cadres = self.community_cadres[sites[0][2]] if sites else self.street_cadres[
                rng.choice(list(self.street_cadres))]
            self.rel("派驻", rng.choice(cadres), firm, "党建指导员", since=self.day(2018, 2025))
        elif status == "空白":
            cadres = self.community_cadres[sites[0][2]] if sites else []
            if cadres and rng.random() < 0.6:  # an instructor whose assignment lapsed
                self.rel("派驻", rng.choice(cadres), firm, "党建指导员", since=self.day(2017, 2021),
                         until=self.day(2022, 2025))

    # -- people who belong to more than one place -------------------------------------------------
    def dual_registration(self) -> None:
        """In-service party members (在职党员) register in their community (双报到), and
        committee chairs and community cadres sit on the community's 大党委 (兼职委员).
        Cadres and firm staff live somewhere too, mostly in their own street."""
        rng = self.rng
        everywhere = self.compounds_so_far
        for person, street in self.homeless:
            if rng.random() < 0.85:
                near = self.street_compounds.get(street) or everywhere
                self.live(person, rng.choice(near if rng.random() < 0.8 else everywhere))
        for cid, residents in self.residents.items():
            mid = self.compound_meta[cid][0]
            org = self.community_org.get(mid)
            for person, status in residents:
                if status == "正式党员" and rng.random() < 0.75:
                    since = self.day(2018, 2025)
                    self.rel("双报到", person, mid, since=since)
                    if rng.random() < 0.5:
                        self.rel("双报到", person, cid, since=since)
            owners = self.owners_by_compound.get(cid)
            if owners and org and rng.random() < 0.7:
                self.rel("兼职委员", owners[1], org, since=self.day(2020, 2025))


def ledger_headers() -> dict[str, list[str]]:
    """{file stem: canonical header} of every ledger file, in schema order."""
    schema = load_schema()
    headers = {kind.file: [c.name for c in kind.columns] for kind in schema.entities.values()}
    headers[schema.relations_file] = [c.name for c in schema.relation_columns]
    return headers


def _files() -> list[str]:
    return list(ledger_headers())


def write_synthetic(out: str | Path, tier: str = "demo", seed: int = 1, *, spec: Tier | None = None,
                    progress=None) -> dict[str, int]:
    """Write a synthetic ledger folder; returns the number of rows written per file.
    `spec` replaces the tier's sizes (tests use an in-between size); `progress(what, done,
    total)` hears of each street generated."""
    spec = spec or TIERS[tier]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    headers = ledger_headers()
    rng = random.Random(seed)
    counts = {name: 0 for name in headers}
    handles = {name: open(out / f"{name}.csv", "w", encoding="utf-8-sig", newline="") for name in headers}
    try:
        # rows are {column: cell}: a column the schema does not have is an error, one it has
        # and a row leaves out is blank
        writers = {name: csv.DictWriter(handles[name], headers[name], restval="", extrasaction="raise")
                   for name in headers}
        for name in headers:
            writers[name].writeheader()
        for k in range(spec.cities):
            prefix = f"c{k + 1:02d}-" if spec.cities > 1 else ""
            city = _City(rng, spec, prefix, CITY_NAMES[k % len(CITY_NAMES)], f"42{k + 1:02d}00")
            if progress is not None:
                city.on_street = lambda done, total, k=k: progress(
                    "生成街道" + (f"（第 {k + 1}/{spec.cities} 个城市）" if spec.cities > 1 else ""), done, total)
            city.generate()
            for name in headers:
                writers[name].writerows(city.rows[name])
                counts[name] += len(city.rows[name])
    finally:
        for h in handles.values():
            h.close()
    return counts
