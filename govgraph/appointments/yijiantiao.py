"""一肩挑 (§4.5): the bodies whose 书记 and 主任 make one, and who is confirmed or asserted."""

from __future__ import annotations

from ..coverage import organisations
from ..mirror import Snapshot
from .bodies import committees_of, community_party_orgs


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
