"""A unit's cross-appointments and 一肩挑 together, and the two rates over units (§4.4, §4.5, §4.6)."""

from __future__ import annotations

from ..mirror import Snapshot
from ..values import rate
from .cross import Post, cross_appointed, has_party_org_and_committee
from .yijiantiao import yijiantiao_bodies, yijiantiao_confirmed


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
