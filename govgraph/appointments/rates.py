"""A unit's cross-appointments and 一肩挑 together, and the two rates over units (§4.4, §4.5, §4.6)."""

from __future__ import annotations

from dataclasses import dataclass

from ..mirror import Snapshot
from ..values import rate
from .cross import Post, cross_appointed, has_party_org_and_committee
from .yijiantiao import yijiantiao_asserted, yijiantiao_bodies, yijiantiao_confirmed


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


@dataclass(frozen=True)
class Counted:
    """What appointment_rates counts of a unit, kept without its snapshot."""

    has_both: bool
    counts_cross: bool
    has_yijiantiao_bodies: bool
    counts_confirmed: bool


def cross_rows(snap: Snapshot, kind: str, units: list[str]) -> tuple[list[dict], list[dict], list[Counted]]:
    """The `cross` command's rows for `units` (of `kind`): each cross-appointed person
    with their posts, each unit with its cross-appointed, confirmed and asserted 一肩挑,
    and what each counts for the rates (appointment_rates)."""
    people_rows, unit_rows, counted = [], [], []
    for unit in units:
        u = UnitAppointments(snap, unit)
        for person, posts in u.cross_appointed.items():
            people_rows.append({
                "unit_id": unit, "unit_kind": kind, "unit_name": snap.node(unit)["name"], "person_id": person,
                "person_name": snap.node(person)["name"],
                "posts": [{**p.as_dict(), "org_name": snap.node(p.org_id)["name"]} for p in posts],
            })
        unit_rows.append({"unit_id": unit, "unit_kind": kind, "unit_name": snap.node(unit)["name"],
                          "cross_appointed": [snap.node(p)["name"] for p in u.cross_appointed],
                          "confirmed": [snap.node(p)["name"] for p in u.confirmed],
                          "asserted": [snap.node(p)["name"] for p in yijiantiao_asserted(snap, unit)]})
        counted.append(Counted(u.has_both, u.counts_cross, u.has_yijiantiao_bodies, u.counts_confirmed))
    return people_rows, unit_rows, counted


def appointment_rates(units: list[UnitAppointments] | list[Counted]) -> dict:
    """交叉任职率 and 一肩挑率 over `units`, with their counts."""
    both = sum(u.has_both for u in units)
    crossed = sum(u.counts_cross for u in units)
    bodies = sum(u.has_yijiantiao_bodies for u in units)
    confirmed = sum(u.counts_confirmed for u in units)
    return {"unit_count": len(units), "units_with_both": both, "units_cross": crossed,
            "cross_appointment_rate": rate(crossed, both), "units_confirmed": confirmed,
            "yijiantiao_rate": rate(confirmed, bodies)}
