"""Org charts of a compound (三方联动), a community and a street, from a mirror snapshot.

Each builder returns a `layout.Chart`: boxes (cards) in tiers, solid links for the
line of leadership (隶属) and dotted links for secondary relations (兼职委员, 挂靠建,
派驻, 双报到). People shown in two or more boxes carry the same circled number
(交叉任职), and a confirmed 一肩挑 carries a badge. Phone numbers are never shown;
`hide_names` shows posts without names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import networkx as nx

from .. import appointments as ap
from .. import coverage as cv
from ..coverage import DEFAULT_MIN_FORMAL_MEMBERS, Rollup, rollups, status_of, suggestion, unit_coverage
from ..errors import GovgraphError, NotFoundError
from ..indicators import YELLOW_BAND, color_for
from ..labels import kind_word
from ..mirror import Snapshot
from ..profile import Profile, default_profile
from ..values import mask_sensitive
from . import draw
from .layout import Card, Chart, Layout, LayoutError, Link, Page, Span, Tier, layout_pages

ROLE_ORDER = ["书记", "副书记", "主任", "副主任", "组长", "负责人", "委员", "成员"]
FIRM_ROLES = ap.FIRM_POST_ROLES
_BAND = round(YELLOW_BAND * 100)
RATE_WORDS = {"green": "达到目标", "yellow": f"低于目标 {_BAND} 个百分点以内", "red": f"低于目标 {_BAND} 个百分点以上"}
MANY = 6  # more people than this in a list: names only, several to a line
FOOTER = "本图由 govgraph 根据台账生成；联系电话等个人信息不予公示"


@dataclass(frozen=True)
class PersonRef:
    """A person in a box: drawn as the name (unless hidden) and the cross-appointment mark."""

    id: str
    role: str
    show_name: bool = True


@dataclass
class _Draft:
    id: str
    title: str
    caption: str
    rows: list[list] = field(default_factory=list)  # items: Span or PersonRef
    kind: str = "party"
    dashed: bool = False
    fill: str | None = None


class _Builder:
    def __init__(self, snap: Snapshot, hide_names: bool):
        self.snap = snap
        self.hide = hide_names

    def name(self, node: str) -> str:
        return mask_sensitive(self.snap.node(node)["name"])

    def order(self, node: str) -> tuple:
        """Boxes in the order people count them: by name, numbers as numbers (1号院落, 2号院落, 19号院落)."""
        return natural_key(self.snap.node(node)["name"]), node

    def draft(self, box_id: str, caption: str, title: str, kind: str = "party", **kw) -> _Draft:
        return _Draft(box_id, mask_sensitive(title), caption, kind=kind, **kw)

    def post_rows(self, unit: str, badges: dict[str, str] | None = None, only: set[str] | None = None,
                  count_others: bool = False) -> list[list]:
        """One row per post (书记 张三), people with the same post on one row.
        `badges`: {person: badge} added after the person; `only`: the posts named;
        `count_others`: other posts shown as a head count."""
        by_role: dict[str, list[str]] = {}
        for person, attrs in self.snap.into("任职", unit):
            if self.snap.kind(person) == "Person":
                by_role.setdefault(attrs.get("role") or "成员", []).append(person)
        rows = []
        counted = []
        for role in sorted(by_role, key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else 99, r)):
            people = sorted(set(by_role[role]))
            if only is not None and role not in only:
                counted.append(f"{role} {len(people)} 人")
                continue
            rows.append(self.people_row(role, people, badges))
        if count_others and counted:
            rows.append([Span("、".join(counted), "note")])
        return rows

    def people_row(self, role: str, people: list[str], badges: dict[str, str] | None = None,
                   label: str | None = None) -> list:
        """`label` heads the row in place of the role (共 12 人：); the people keep their role."""
        row: list = []
        label = role if label is None else label
        if self.hide:
            row.append(Span(label if len(people) == 1 else f"{label}（{len(people)}人）"))
            row += [PersonRef(p, role, show_name=False) for p in people]
        else:
            row.append(Span(f"{label} "))
            for i, p in enumerate(people):
                if i:
                    row.append(Span("、"))
                row.append(PersonRef(p, role))
        for p in people:
            if badges and p in badges:
                row.append(Span(" "))
                row.append(Span(badges[p], "badge"))
        return row

    def person_row(self, prefix: str, person: str, role: str, suffix: str = "") -> list:
        row: list = [Span(prefix)] if prefix else []
        row.append(PersonRef(person, role, show_name=not self.hide))
        if suffix:
            row.append(Span(suffix, "note"))
        return row


def _finish(drafts: list[list[_Draft]], builder: _Builder) -> tuple[tuple[Tier, ...], list[tuple[Span, ...]]]:
    """Resolve people into spans; number the people who appear in two or more boxes."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for tier in drafts:
        for d in tier:
            for row in d.rows:
                for item in row:
                    if isinstance(item, PersonRef):
                        places = seen.setdefault(item.id, [])
                        if (d.title, item.role) not in places:
                            places.append((d.title, item.role))
    boxes_of = {p: {t for t, _ in places} for p, places in seen.items()}
    crossed = [p for p in seen if len(boxes_of[p]) >= 2]  # numbered in reading order
    marks = {p: _circled(i + 1) for i, p in enumerate(crossed)}
    tiers = []
    for tier in drafts:
        cards = []
        for d in tier:
            rows = [(Span(d.caption, "caption"),)] if d.caption else []
            rows.append((Span(d.title, "title"),))
            for row in d.rows:
                spans: list[Span] = []
                for item in row:
                    if isinstance(item, PersonRef):
                        if item.show_name:
                            spans.append(Span(builder.name(item.id), keep=True))
                        if item.id in marks:
                            spans.append(Span(marks[item.id], "mark"))
                    else:
                        spans.append(item)
                rows.append(tuple(spans))
            cards.append(Card(d.id, tuple(rows), d.kind, d.dashed, d.fill))
        tiers.append(Tier(tuple(cards), max_em=tier_width(len(cards))))
    legend = []
    for p in crossed:
        # the post after the body (居民委员会 委员), unless the box is named for the post (…兼职委员)
        places = "；".join(title if not role or title.endswith(role) else f"{title} {role}" for title, role in seen[p])
        who = "" if builder.hide else builder.name(p)
        legend.append((Span(marks[p], "mark"), Span(f" {who}：{places}" if who else f" 同一人：{places}")))
    return tuple(tiers), legend


def natural_key(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def tier_width(cards: int) -> float:
    """Wider boxes for a few, narrower for many (so many fit in a row)."""
    return 18.0 if cards <= 6 else 13.0


def _circled(n: int) -> str:
    if n <= 20:
        return chr(0x2460 + n - 1)
    if n <= 35:
        return chr(0x3251 + n - 21)
    if n <= 50:
        return chr(0x32B1 + n - 36)
    return f"[{n}]"


def _legend(extra: list[tuple[Span, ...]], crossed: list[tuple[Span, ...]], badge: bool) -> tuple:
    rows = [(Span("图例："), Span("——", "body"), Span(" 实线：隶属、领导　"), Span("┈┈┈", "body"),
             Span(" 虚线：兼职委员、挂靠建、派驻、双报到"))]
    if badge:
        rows.append((Span("一肩挑", "badge"), Span(" 党组织书记同时担任业委会（居委会）主任，经台账核实")))
    if crossed:
        rows.append((Span("①②…", "mark"), Span(" 同一人在多个方框中任职（交叉任职）：")))
        rows += crossed
    return tuple(rows + extra)


def _footer(hide_names: bool) -> str:
    return FOOTER + ("；已隐去姓名" if hide_names else "")


def _has_badge(drafts: list[list[_Draft]]) -> bool:
    return any(isinstance(i, Span) and i.style == "badge" for t in drafts for d in t for r in d.rows for i in r)


# -- compound --------------------------------------------------------------------------------
def compound_chart(snap: Snapshot, compound: str, hide_names: bool = False,
                   min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS) -> Chart:
    b = _Builder(snap, hide_names)
    community = snap.parent(compound, "Community")
    street = snap.parent(community, "Street") if community else None
    status = status_of(snap, compound)
    confirmed = set(ap.yijiantiao_confirmed(snap, compound))
    badges = {p: "一肩挑" for p in confirmed}
    linked_people = set(ap.posts_in(snap, compound))
    links: list[Link] = []

    top: list[_Draft] = []
    community_orgs = ap.community_party_orgs(snap, community) if community else []
    for org in community_orgs:
        d = b.draft(f"org:{org}", "社区党组织", b.name(org))
        d.rows = b.post_rows(org)
        part_timers = sorted(p for p, _ in snap.into("兼职委员", org) if p in linked_people)
        if part_timers:
            d.rows.append(b.people_row("兼职委员", part_timers))
        top.append(d)
    if community and not community_orgs:
        top.append(b.draft("org:none", "社区党组织", f"{b.name(community)}：未建立党组织", "missing"))

    middle: list[_Draft] = []
    orgs = cv.organisations(snap, compound)
    groups = cv.work_groups(snap, compound)
    hosts = cv.hosts(snap, compound)
    for org in orgs:
        others = cv.others_covered(snap, org, compound)
        d = b.draft(f"org:{org}", f"小区党组织（{'联合建' if others else '单独建'}）", b.name(org))
        d.rows = b.post_rows(org, badges)
        if others:
            d.rows.append([Span("联合建，同时覆盖：" + "、".join(b.name(c) for c in sorted(others)), "note")])
        middle.append(d)
    for org in groups:
        d = b.draft(f"org:{org}", f"{snap.node(org).get('org_type')}（工作覆盖）", b.name(org))
        d.rows = b.post_rows(org)
        middle.append(d)
    for host in hosts:
        d = b.draft(f"host:{host}", "小区党组织（挂靠建）", b.name(host), dashed=True)
        d.rows = [[Span("本小区党员编入该党组织", "note")]]
        middle.append(d)
        if top:
            links.append(Link(top[0].id, (d.id,), "dotted"))
    if not (orgs or groups or hosts):
        unit = unit_coverage(snap, compound, min_formal_members)
        if status == "工作覆盖":
            d = b.draft("org:none", "小区党组织", "未建立（党建指导员工作覆盖）", "secondary", dashed=True)
        else:
            d = b.draft("org:none", "小区党组织", "空白：未建立", "missing")
            d.rows = [[Span(suggestion(unit), "note")]]
        middle.append(d)
    party_box = middle[0].id

    committees = ap.committees_of(snap, compound)
    for k in committees:
        node = snap.node(k)
        d = b.draft(f"committee:{k}", node.get("committee_kind") or "自治组织", b.name(k), "committee")
        d.rows = b.post_rows(k, badges)
        if node.get("term_end"):
            d.rows.append([Span(f"任期至 {node['term_end'].isoformat()}", "note")])
        middle.append(d)
    if not ap.committees_of(snap, compound, ap.SELF_GOVERNANCE_KINDS):
        d = b.draft("committee:none", "业主委员会", "未成立", "missing")
        d.rows = [[Span("建议成立业委会或议事会、自管会", "note")]]
        middle.append(d)

    posted = [(p, a.get("role")) for p, a in snap.into("派驻", compound) if snap.kind(p) == "Person"]
    firms = ap.serving_firms(snap, compound)
    for firm in firms:
        role = next((a.get("role") for f, a in snap.into("服务", compound) if f == firm), None)
        d = b.draft(f"firm:{firm}", f"物业服务企业（{role}）" if role else "物业服务企业", b.name(firm), "firm")
        d.rows = [b.people_row(r, sorted(p for p, pr in posted if pr == r)) for r in FIRM_ROLES
                  if any(pr == r for _, pr in posted)]
        d.rows += b.post_rows(firm)
        d.rows.append([Span(_firm_party(snap, firm, b), "note")])
        middle.append(d)
    if not firms:
        mode = snap.node(compound).get("mgmt_mode")
        d = b.draft("firm:none", "物业服务", mode or "无物业服务企业", "secondary", dashed=True)
        d.rows = [[Span("无物业服务企业", "note")]]
        middle.append(d)

    if top:
        solid = tuple(d.id for d in middle if not d.id.startswith("host:"))
        links.insert(0, Link(top[0].id, solid, "solid"))
        org = community_orgs[0] if community_orgs else None
        if org:
            part_timers = {p for p, _ in snap.into("兼职委员", org)}
            for d in middle:
                if d.id.startswith(("committee:", "firm:")) and _people_in(d) & part_timers:
                    links.append(Link(top[0].id, (d.id,), "dotted"))

    bottom: list[_Draft] = []
    for person, role in sorted(posted, key=lambda x: (x[1] or "", x[0])):
        if role in FIRM_ROLES and firms:
            continue
        d = b.draft(f"posted:{person}:{role}", "派驻", role or "派驻人员", "secondary", dashed=True)
        d.rows = [b.person_row("", person, role or "派驻")]
        if b.hide:
            d.rows = [[Span("（姓名不公示）", "note"), *d.rows[0]]]
        bottom.append(d)
    dual = _dual_registration(snap, compound, b)
    if dual:
        bottom.append(dual)
    if bottom:
        links.append(Link(party_box, tuple(d.id for d in bottom), "dotted"))

    drafts = [t for t in (top, middle, bottom) if t]
    tiers, crossed = _finish(drafts, b)
    place = " ".join(b.name(u) for u in (street, community) if u)
    subtitle = f"{place}　覆盖状态：{status}　截至 {snap.on.isoformat()}".strip()
    return Chart(f"{b.name(compound)}党建引领“三方联动”组织架构图", subtitle, tiers, tuple(links),
                 _legend([], crossed, _has_badge(drafts)), _footer(hide_names))


def _people_in(d: _Draft) -> set[str]:
    return {i.id for r in d.rows for i in r if isinstance(i, PersonRef)}


def _firm_party(snap: Snapshot, firm: str, b: _Builder) -> str:
    status = status_of(snap, firm)
    if status in ("单独建", "联合建"):
        orgs = [o for o, _ in snap.into("覆盖", firm) if snap.kind(o) == "PartyOrg"]
        return f"企业党组织：{'、'.join(b.name(o) for o in orgs)}"
    if status == "挂靠建":
        return f"企业党员挂靠：{'、'.join(b.name(h) for h in cv.hosts(snap, firm))}"
    if status == "工作覆盖":
        return "企业党组织：工作覆盖"
    return "企业党组织：空白"


def _dual_registration(snap: Snapshot, unit: str, b: _Builder) -> _Draft | None:
    people, units = ap.dual_registrations(snap, unit)
    if not units and not people:
        return None
    d = b.draft(f"dual:{unit}", "双报到", f"到{'小区' if snap.kind(unit) == 'Compound' else '社区'}报到",
                "secondary", dashed=True)
    if units:
        d.rows.append([Span("单位：" + "、".join(b.name(u) for u in units))])
    if people:
        if b.hide or len(people) > 6:
            d.rows.append([Span(f"在职党员 {len(people)} 名")])
        else:
            d.rows.append(b.people_row("在职党员", people))
    return d


# -- community -------------------------------------------------------------------------------
def community_chart(snap: Snapshot, community: str, hide_names: bool = False,
                    min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS) -> Chart:
    b = _Builder(snap, hide_names)
    street = snap.parent(community, "Street")
    confirmed = set(ap.yijiantiao_confirmed(snap, community))
    badges = {p: "一肩挑" for p in confirmed}
    compounds = sorted(ap.compounds_of(snap, community), key=b.order)
    links: list[Link] = []

    community_orgs = ap.community_party_orgs(snap, community)
    top = []
    for org in community_orgs:
        d = b.draft(f"org:{org}", "社区党组织", b.name(org))
        d.rows = b.post_rows(org, badges)
        top.append(d)
    if not community_orgs:
        top.append(b.draft("org:none", "社区党组织", "未建立", "missing"))
    root = top[0].id

    second: list[_Draft] = []
    for k in ap.committees_of(snap, community):
        node = snap.node(k)
        d = b.draft(f"committee:{k}", node.get("committee_kind") or "自治组织", b.name(k), "committee")
        d.rows = b.post_rows(k, badges)
        second.append(d)
    if not ap.committees_of(snap, community, {"居委会"}):
        second.append(b.draft("committee:none", "居委会", "未建立", "missing"))
    links.append(Link(root, tuple(d.id for d in second), "solid"))
    dotted: list[str] = []
    part_timers = sorted({p for org in community_orgs for p, _ in snap.into("兼职委员", org)})
    if part_timers:
        posts = ap.posts_in(snap, community)
        d = b.draft("parttime", "兼职委员", "社区党组织兼职委员", "secondary", dashed=True)
        if len(part_timers) > MANY:  # names only, several to a line
            d.rows.append(b.people_row("兼职委员", part_timers, label=f"共 {len(part_timers)} 人："))
        else:
            for p in part_timers:
                where = [f"{b.name(x.org_id)}{x.role or ''}" for x in posts.get(p, []) if x.type != "兼职委员"]
                d.rows.append(b.person_row("", p, "兼职委员", f"（{'、'.join(where)}）" if where else ""))
        second.append(d)
        dotted.append(d.id)
    for person, attrs in sorted(snap.into("派驻", community), key=lambda x: x[0]):
        role = attrs.get("role") or "派驻"
        d = b.draft(f"posted:{person}:{role}", "派驻", role, "secondary", dashed=True)
        d.rows = [b.person_row("", person, role)]
        second.append(d)
        dotted.append(d.id)
    dual = _dual_registration(snap, community, b)
    if dual:
        second.append(dual)
        dotted.append(dual.id)
    if dotted:
        links.append(Link(root, tuple(dotted), "dotted"))

    # Branches and work groups: those under the community org, and those covering its compounds.
    branch_ids = {o for org in community_orgs for o, _ in snap.into("隶属", org) if snap.kind(o) == "PartyOrg"}
    for c in compounds:
        branch_ids |= set(cv.organisations(snap, c))
        branch_ids |= set(cv.work_groups(snap, c))
    firms = sorted({f for c in compounds for f in ap.serving_firms(snap, c)}, key=b.order)
    firm_orgs = {o for f in firms for o, _ in snap.into("覆盖", f)}
    branches = sorted(branch_ids - firm_orgs - set(community_orgs), key=b.order)
    third: list[_Draft] = []
    under_root = []
    for org in branches:
        node = snap.node(org)
        covered = sorted((c for c, _ in snap.out("覆盖", org) if c in compounds), key=b.order)
        secretaries = {p for c in covered for p in ap.yijiantiao_confirmed(snap, c)}
        lead = {ap.lead_role(node.get("org_type"))}
        org_type = node.get("org_type") or "党组织"
        # The caption repeats the name's ending (…党支部) in most ledgers: leave it out then.
        d = b.draft(f"org:{org}", "" if b.name(org).endswith(org_type) else org_type, b.name(org))
        d.rows = b.post_rows(org, {p: "一肩挑" for p in secretaries}, only=lead, count_others=True)
        if covered and not (len(covered) == 1 and b.name(org).startswith(b.name(covered[0]))):
            d.rows.append([Span("覆盖：" + "、".join(b.name(c) for c in covered), "note")])
        parents = {p for p, _ in snap.out("隶属", org)}
        if parents & set(community_orgs):
            under_root.append(d.id)
        else:
            d.rows.append([Span("未隶属社区党组织", "note", "#C8102E")])
        third.append(d)
    for c in compounds:
        status = status_of(snap, c)
        if status in ("单独建", "联合建") or cv.work_groups(snap, c):
            continue
        d = _compound_card(snap, c, status, b, min_formal_members)
        third.append(d)
        hosts = {h for h, _ in snap.out("挂靠建", c)}
        if hosts & set(community_orgs):
            dotted_host = Link(root, (d.id,), "dotted")
            links.append(dotted_host)
    if under_root:
        links.append(Link(root, tuple(under_root), "solid"))

    fourth: list[_Draft] = []
    for firm in firms:
        served = sorted((c for c, _ in snap.out("服务", firm) if c in compounds), key=b.order)
        d = b.draft(f"firm:{firm}", "物业服务企业", b.name(firm), "firm")
        if len(served) > 4:  # a long list would make every firm box tall
            d.rows.append([Span(f"服务小区 {len(served)} 个", "note")])
        else:
            d.rows.append([Span("服务：" + "、".join(b.name(c) for c in served), "note")])
        managers = [(p, c) for c in served for p, a in snap.into("派驻", c) if a.get("role") == "项目负责人"]
        if len(managers) > 3:  # too many to name in a box
            d.rows.append([Span(f"项目负责人 {len({p for p, _ in managers})} 人")])
        else:
            for p, c in managers:
                d.rows.append(b.person_row("项目负责人 ", p, "项目负责人", f"（{b.name(c)}）"))
        d.rows.append([Span(_firm_party(snap, firm, b), "note")])
        fourth.append(d)
        # Every firm hangs from the community party organisation, as in the compound chart
        # (党建引领: solid); dotted when its party members are attached to it (挂靠建).
        attached = {h for h, _ in snap.out("挂靠建", firm)} & set(community_orgs)
        links.append(Link(root, (d.id,), "dotted" if attached else "solid"))

    drafts = [t for t in (top, second, third, fourth) if t]
    tiers, crossed = _finish(drafts, b)
    place = b.name(street) if street else ""
    subtitle = f"{place}　小区 {len(compounds)} 个　截至 {snap.on.isoformat()}".strip()
    return Chart(f"{b.name(community)}党建引领物业管理组织架构图", subtitle, tiers, tuple(links),
                 _legend([], crossed, _has_badge(drafts)), _footer(hide_names))


def _compound_card(snap: Snapshot, compound: str, status: str, b: _Builder, min_formal_members: int) -> _Draft:
    """A compound without an organisation of its own, in the community chart."""
    if status == "空白":
        d = b.draft(f"compound:{compound}", "", b.name(compound), "missing")
        unit = unit_coverage(snap, compound, min_formal_members)
        d.rows = [[Span(f"空白：有正式党员{unit.formal_members}名，应单独建" if unit.eligible
                        else "空白：需选派党建指导员", "note")]]
        return d
    d = b.draft(f"compound:{compound}", "", b.name(compound), "secondary", dashed=True)
    for host, _ in snap.out("挂靠建", compound):
        d.rows.append([Span(f"挂靠建：{b.name(host)}", "note")])
    for person, role in cv.instructors(snap, compound):
        d.rows.append([Span(f"工作覆盖：{role} ", "note"), *b.person_row("", person, role)])
    return d


# -- street ----------------------------------------------------------------------------------
def street_chart(snap: Snapshot, street: str, hide_names: bool = False, profile: Profile | None = None) -> Chart:
    profile = profile or default_profile()
    b = _Builder(snap, hide_names)
    standing = profile.standing_target("org_and_work_coverage_rate", snap.on)
    target = standing.value if standing else None
    orgs = [o for o, _ in snap.into("覆盖", street) if snap.kind(o) == "PartyOrg"]
    top = []
    for org in orgs:
        d = b.draft(f"org:{org}", "街道党（工）委", b.name(org))
        d.rows = b.post_rows(org, only={"书记", "副书记"}, count_others=True)
        top.append(d)
    if not orgs:
        top.append(b.draft(f"street:{street}", "街道", b.name(street), "unit"))
    communities = sorted((c for c, _ in snap.into("隶属", street) if snap.kind(c) == "Community"), key=b.order)
    rows = [unit_coverage(snap, c, profile.min_formal_members) for co in communities for c in ap.compounds_of(snap, co)]
    by_community = {r.unit_id: r for r in rollups(snap.graph, snap.on, rows, "community")}
    cards = []
    for community in communities:
        counted = by_community.get(community) or Rollup(community, "Community", "", Counter(), Counter())
        rate = counted.org_and_work_coverage_rate
        color = color_for(rate, target)
        d = b.draft(f"community:{community}", "社区", b.name(community), "unit", fill=draw.RATE_FILLS.get(color, "#FFFFFF"))
        for org in ap.community_party_orgs(snap, community):
            d.rows.append([Span(b.name(org), "note")])
            d.rows += b.post_rows(org, only={"书记"}, count_others=True)
        rate_text = f"{rate:.0%}" if rate is not None else "—"
        d.rows.append([Span(f"小区 {counted.compound_total} 个，覆盖率 {rate_text}")])
        if counted.compounds["空白"]:
            d.rows.append([Span(f"空白小区 {counted.compounds['空白']} 个", "note", "#C8102E")])
        cards.append(d)
    links = [Link(top[0].id, tuple(d.id for d in cards), "solid")] if cards else []
    drafts = [top, cards] if cards else [top]
    tiers, crossed = _finish(drafts, b)
    if target is not None:
        due = f"（{standing.deadline.isoformat()} 前）" if standing.deadline >= snap.on else "（期限已过，仍按此考核）"
        legend_rows = [(Span(f"底色：组织和工作覆盖率对照目标 {target:.0%}{due}　"),
                        *[s for c in ("green", "yellow", "red")
                          for s in (Span("■ ", color=_strong(c)), Span(RATE_WORDS[c] + "　"))])]
    else:
        legend_rows = [(Span("口径未设覆盖率目标，社区方框不着色"),)]
    subtitle = f"社区 {len(communities)} 个　截至 {snap.on.isoformat()}"
    return Chart(f"{b.name(street)}党建引领物业管理组织架构图", subtitle, tiers, tuple(links),
                 _legend(legend_rows, crossed, False), _footer(hide_names))


def _strong(color: str) -> str:
    return {"green": "#3F9E3A", "yellow": "#D9A400", "red": "#C8102E"}[color]


# -- entry point -----------------------------------------------------------------------------
def build_chart(graph: nx.MultiDiGraph, unit: str, on: date, hide_names: bool = False,
                profile: Profile | None = None) -> Chart:
    if unit not in graph:
        raise NotFoundError(f"找不到编号为 {unit} 的实体")
    snap = Snapshot(graph, on)
    kind = snap.kind(unit)
    minimum = (profile or default_profile()).min_formal_members
    if kind == "Compound":
        return compound_chart(snap, unit, hide_names, minimum)
    if kind == "Community":
        return community_chart(snap, unit, hide_names, minimum)
    if kind == "Street":
        return street_chart(snap, unit, hide_names, profile)
    raise GovgraphError(f"只能为小区、社区或街道制图，{unit} 是{kind_word(kind)}")


def render_chart(graph: nx.MultiDiGraph, unit: str, on: date, path: Path, paper: str = "A4",
                 orientation: str = "landscape", hide_names: bool = False,
                 profile: Profile | None = None) -> tuple[list[Layout], list[Path]]:
    """Build, lay out and save one chart on as many pages as keep its text legible;
    returns the pages' layouts (for checks) and the files written (a PDF holds every
    page; PNG and SVG write one file a page, 图-2.png …)."""
    chart = build_chart(graph, unit, on, hide_names, profile)
    try:
        pages = layout_pages(chart, Page(paper, orientation))
    except LayoutError:
        raise GovgraphError(f"有一个方框内容太多，{paper} 纸放不下；请改用 --paper A3") from None
    return pages, draw.save_pages(pages, path, chart.title)
