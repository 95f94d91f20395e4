"""Cross-appointment (§4.4): a unit's linked set, every person's posts in it, who holds two."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..coverage import organisations
from ..mirror import Snapshot
from .bodies import committees_of, community_party_orgs, compounds_of, serving_firms

FIRM_POST_ROLES = ("项目负责人", "义务质量总监")  # posts in the firm serving the compound (§4.4)


@dataclass(frozen=True)
class Post:
    org_id: str
    role: str | None
    type: str  # 任职, 兼职委员 or 派驻

    def as_dict(self) -> dict:
        return {"org_id": self.org_id, "role": self.role, "type": self.type}


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
