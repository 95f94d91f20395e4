"""Cross-appointment (§4.4) and 一肩挑 (§4.5), on a mirror snapshot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .coverage import WORK_GROUP_TYPES, organisations
from .mirror import Snapshot
from .values import rate

SELF_GOVERNANCE_KINDS = {"业委会", "议事会", "自管会", "物管会"}
PARTY_MEMBERS = {"正式党员", "预备党员"}
FIRM_POST_ROLES = ("项目负责人", "义务质量总监")  # posts in the firm serving the compound (§4.4)


@dataclass(frozen=True)
class Post:
    org_id: str
    role: str | None
    type: str  # 任职, 兼职委员 or 派驻

    def as_dict(self) -> dict:
        return {"org_id": self.org_id, "role": self.role, "type": self.type}


def community_party_orgs(snap: Snapshot, community: str) -> list[str]:
    return [org for org, _ in snap.into("覆盖", community)]


def committees_of(snap: Snapshot, unit: str, kinds: set[str] | None = None) -> list[str]:
    return [k for k in snap.committees(unit) if kinds is None or snap.node(k).get("committee_kind") in kinds]


def serving_firms(snap: Snapshot, compound: str) -> list[str]:
    return [f for f, _ in snap.into("服务", compound)]


def compounds_of(snap: Snapshot, community: str) -> list[str]:
    return [c for c, _ in snap.into("隶属", community) if snap.kind(c) == "Compound"]


def linked_set(snap: Snapshot, unit: str) -> dict[str, str]:
    """The organisations of a unit's linked set (§4.4): {org id: kind}."""
    orgs: dict[str, str] = {}
    if snap.kind(unit) == "Compound":
        compounds = [unit]
        for org in organisations(snap, unit):
            orgs[org] = "PartyOrg"
        for committee in committees_of(snap, unit):
            orgs[committee] = "Committee"
    else:
        compounds = compounds_of(snap, unit)
        for org in community_party_orgs(snap, unit):
            orgs[org] = "PartyOrg"
        for committee in committees_of(snap, unit, {"居委会"}):
            orgs[committee] = "Committee"
        for compound in compounds:
            for committee in committees_of(snap, compound):
                orgs[committee] = "Committee"
    for compound in compounds:
        for firm in serving_firms(snap, compound):
            orgs[firm] = "Firm"
    return orgs


def posts_in(snap: Snapshot, unit: str) -> dict[str, list[Post]]:
    """Every person's posts in the unit's linked set: {person: [Post, ...]}.

    A 派驻 as 义务质量总监 or 项目负责人 at a compound is a post in the firm(s) serving it.
    """
    linked = linked_set(snap, unit)
    posts: dict[str, set[Post]] = defaultdict(set)
    for org in linked:
        for rtype in ("任职", "兼职委员"):
            for person, attrs in snap.into(rtype, org):
                posts[person].add(Post(org, attrs.get("role"), rtype))
        for person, attrs in snap.into("派驻", org):
            if attrs.get("role") in FIRM_POST_ROLES:
                posts[person].add(Post(org, attrs.get("role"), "派驻"))
    compounds = [unit] if snap.kind(unit) == "Compound" else compounds_of(snap, unit)
    for compound in compounds:
        firms = serving_firms(snap, compound)
        for person, attrs in snap.into("派驻", compound):
            if attrs.get("role") in FIRM_POST_ROLES:
                for firm in firms:
                    posts[person].add(Post(firm, attrs.get("role"), "派驻"))
    return {p: sorted(v, key=lambda x: (x.org_id, x.role or "", x.type)) for p, v in posts.items()}


def cross_appointed(snap: Snapshot, unit: str) -> dict[str, list[Post]]:
    """People holding posts in at least two different organisations of the linked set."""
    return {p: posts for p, posts in sorted(posts_in(snap, unit).items()) if len({x.org_id for x in posts}) >= 2}


def has_party_org_and_committee(snap: Snapshot, unit: str) -> bool:
    linked = linked_set(snap, unit)
    return "PartyOrg" in linked.values() and "Committee" in linked.values()


def lead_role(org_type: str | None) -> str:
    """The post that leads a party org (§4.3 ORG_NO_SECRETARY): 组长 for a 党小组 or
    党的工作小组, else 书记."""
    return "组长" if org_type in WORK_GROUP_TYPES else "书记"


class UnitAppointments:
    """A unit's cross-appointments (§4.4) and 一肩挑 (§4.5), and whether it counts in
    each rate's denominator; the people are found when first asked for."""

    def __init__(self, snap: Snapshot, unit: str):
        self.snap, self.unit = snap, unit
        orgs, bodies = yijiantiao_bodies(snap, unit)
        self.has_both = has_party_org_and_committee(snap, unit)  # counts for 交叉任职率
        self.has_yijiantiao_bodies = bool(orgs and bodies)  # counts for 一肩挑率
        self._cross: dict[str, list[Post]] | None = None
        self._confirmed: list[str] | None = None

    @property
    def cross_appointed(self) -> dict[str, list[Post]]:
        if self._cross is None:
            self._cross = cross_appointed(self.snap, self.unit)
        return self._cross

    @property
    def confirmed(self) -> list[str]:
        if self._confirmed is None:
            self._confirmed = yijiantiao_confirmed(self.snap, self.unit)
        return self._confirmed

    @property
    def counts_cross(self) -> bool:
        """Numerator of 交叉任职率: a unit with both bodies and a cross-appointed person."""
        return self.has_both and bool(self.cross_appointed)

    @property
    def counts_confirmed(self) -> bool:
        """Numerator of 一肩挑率: a unit with both bodies and a confirmed 一肩挑."""
        return self.has_yijiantiao_bodies and bool(self.confirmed)


def appointment_rates(units: list[UnitAppointments]) -> dict:
    """交叉任职率 and 一肩挑率 over `units`, with their counts."""
    both = sum(u.has_both for u in units)
    crossed = sum(u.counts_cross for u in units)
    bodies = sum(u.has_yijiantiao_bodies for u in units)
    confirmed = sum(u.counts_confirmed for u in units)
    return {"unit_count": len(units), "units_with_both": both, "units_cross": crossed,
            "cross_appointment_rate": rate(crossed, both), "units_confirmed": confirmed,
            "yijiantiao_rate": rate(confirmed, bodies)}


def dual_registrations(snap: Snapshot, unit: str) -> tuple[list[str], list[str]]:
    """(people, party orgs) with 双报到 to the unit, each sorted."""
    registered = snap.into("双报到", unit)
    return (sorted(u for u, _ in registered if snap.kind(u) == "Person"),
            sorted(u for u, _ in registered if snap.kind(u) == "PartyOrg"))


def community_part_time(snap: Snapshot, community: str) -> dict:
    """A community's part-time committee (§4.3 MISSING_PART_TIME_MEMBER) and 双报到:
    the party orgs covering it, their 兼职委员, the people who belong there but hold no
    post in them (none when there is no such org), and the 双报到 to the community or
    one of its compounds (people and party orgs, each registration counted)."""
    orgs = community_party_orgs(snap, community)
    compounds = compounds_of(snap, community)
    should = {p for compound in compounds for p in expected_part_time_members(snap, compound)}
    people, units = [], []
    for unit in [community, *compounds]:
        found = dual_registrations(snap, unit)
        people += found[0]
        units += found[1]
    return {"orgs": orgs, "members": sorted({p for org in orgs for p, _ in snap.into("兼职委员", org)}),
            "missing": sorted(p for p in should if not holds_post_in(snap, p, orgs)) if orgs else [],
            "dual_people": people, "dual_units": units}


def _holders(snap: Snapshot, orgs: list[str], role: str) -> set[str]:
    return {p for org in orgs for p, attrs in snap.into("任职", org) if attrs.get("role") == role}


def yijiantiao_bodies(snap: Snapshot, unit: str) -> tuple[list[str], list[str]]:
    """(party orgs, committees) whose 书记 and 主任 make a 一肩挑 in the unit (§4.5)."""
    if snap.kind(unit) == "Compound":
        return organisations(snap, unit), committees_of(snap, unit, {"业委会"})
    return community_party_orgs(snap, unit), committees_of(snap, unit, {"居委会"})


def yijiantiao_confirmed(snap: Snapshot, unit: str) -> list[str]:
    """People who are 书记 of the party body and 主任 of the committee body."""
    orgs, committees = yijiantiao_bodies(snap, unit)
    return sorted(_holders(snap, orgs, "书记") & _holders(snap, committees, "主任"))


def yijiantiao_asserted(snap: Snapshot, unit: str) -> list[str]:
    return sorted(p for p, _ in snap.into("一肩挑", unit))


def committee_party_share(snap: Snapshot, committee: str) -> tuple[int, int]:
    """(party members, members) of a committee: distinct people holding 任职 there."""
    members = {p for p, _ in snap.into("任职", committee)}
    return sum(1 for p in members if snap.node(p).get("party_status") in PARTY_MEMBERS), len(members)


def meets_share(part: int, whole: int, share: float) -> bool:
    """part/whole >= share, exactly at the boundary ("exactly half passes"), without
    floating-point surprises such as 0.7 * 10 = 7.000000000000001.

    >>> meets_share(1, 2, 0.5), meets_share(4, 9, 0.5), meets_share(7, 10, 0.7)
    (True, False, True)
    """
    return part * 10_000 >= round(share * 10_000) * whole


def expected_part_time_members(snap: Snapshot, compound: str) -> dict[str, list[tuple[str, str, dict]]]:
    """The people of a compound who belong in the community party org as 兼职委员 (§4.3
    MISSING_PART_TIME_MEMBER): the 主任 of its 业委会 and the 项目负责人 派驻 there.
    {person: [(what they are, the unit of the post, the relation's attributes)]}"""
    people: dict[str, list[tuple[str, str, dict]]] = {}
    for committee in committees_of(snap, compound, {"业委会"}):
        for person, attrs in snap.into("任职", committee):
            if attrs.get("role") == "主任":
                people.setdefault(person, []).append(("业委会主任", committee, attrs))
    for person, attrs in snap.into("派驻", compound):
        if attrs.get("role") == "项目负责人":
            people.setdefault(person, []).append(("物业项目负责人", compound, attrs))
    return people


def holds_post_in(snap: Snapshot, person: str, orgs: list[str]) -> bool:
    """A 兼职委员 or any 任职 in one of `orgs`."""
    return any(org in orgs for rtype in ("兼职委员", "任职") for org, _ in snap.out(rtype, person))
