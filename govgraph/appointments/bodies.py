"""A unit's bodies on a snapshot (§4.3, §4.4): its community party orgs, committees, serving firms and
compounds, the post that leads a party org, and a committee's party share."""

from __future__ import annotations

from ..coverage import WORK_GROUP_TYPES
from ..mirror import Snapshot

SELF_GOVERNANCE_KINDS = {"业委会", "议事会", "自管会", "物管会"}
PARTY_MEMBERS = {"正式党员", "预备党员"}


def community_party_orgs(snap: Snapshot, community: str) -> list[str]:
    return [org for org, _ in snap.into("覆盖", community)]


def committees_of(snap: Snapshot, unit: str, kinds: set[str] | None = None) -> list[str]:
    return [k for k in snap.committees(unit) if kinds is None or snap.node(k).get("committee_kind") in kinds]


def serving_firms(snap: Snapshot, compound: str) -> list[str]:
    return [f for f, _ in snap.into("服务", compound)]


def compounds_of(snap: Snapshot, community: str) -> list[str]:
    return [c for c, _ in snap.into("隶属", community) if snap.kind(c) == "Compound"]


def lead_role(org_type: str | None) -> str:
    """The post that leads a party org (§4.3 ORG_NO_SECRETARY): 组长 for a 党小组 or
    党的工作小组, else 书记."""
    return "组长" if org_type in WORK_GROUP_TYPES else "书记"


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
