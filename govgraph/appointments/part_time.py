"""The community party org's 兼职委员 (§4.3 MISSING_PART_TIME_MEMBER) and 双报到."""

from __future__ import annotations

from ..mirror import Snapshot
from .bodies import committees_of, community_party_orgs, compounds_of


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
