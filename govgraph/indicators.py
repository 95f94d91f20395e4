"""Headline indicators (§4.6) per district, street, community and the whole ledger,
with the target in force and a red/yellow/green colour."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import networkx as nx

from . import appointments as ap
from .coverage import LEVEL_KINDS, ORG_STATUSES, UnitCoverage, coverage, unit_above
from .mirror import Snapshot
from .profile import INDICATORS, Profile
from .values import rate

YELLOW_BAND = 0.10  # within 10 points below the target


@dataclass(frozen=True)
class Indicator:
    unit_id: str
    unit_kind: str
    unit_name: str
    indicator: str
    numerator: int
    denominator: int
    target: float | None = None
    deadline: date | None = None
    color: str | None = None
    last_deadline: date | None = None
    last_target: float | None = None
    last_met: bool | None = None

    @property
    def value(self) -> float | None:
        return rate(self.numerator, self.denominator)

    def as_row(self) -> dict:
        return {
            "unit_id": self.unit_id, "unit_kind": self.unit_kind, "unit_name": self.unit_name,
            "indicator": self.indicator, "indicator_name": INDICATORS[self.indicator],
            "numerator": self.numerator, "denominator": self.denominator, "value": self.value,
            "target": self.target, "deadline": self.deadline, "color": self.color,
            "last_deadline": self.last_deadline, "last_target": self.last_target, "last_met": self.last_met,
        }


def meets_target(value: float, target: float) -> bool:
    """At or above the target (a rate equal to it, whatever the floating point, meets it)."""
    return value >= target - 1e-9


def color_for(value: float | None, target: float | None) -> str | None:
    """Green at or above the target, yellow within 10 points below, red further below (§4.6)."""
    if value is None or target is None:
        return None
    if meets_target(value, target):
        return "green"
    return "yellow" if meets_target(value, target - YELLOW_BAND) else "red"


def unit_counts(graph: nx.MultiDiGraph, on: date, profile: Profile, rows: list[UnitCoverage], level: str):
    """({unit: {indicator: [numerator, denominator]}}, names, kinds) of `rows` on `on`.
    Every count is a sum over the rows: the counts of disjoint rows (street by street,
    govgraph/partition.py) add up to the counts of all of them."""
    snap = Snapshot(graph, on)
    kind = LEVEL_KINDS[level]

    def units_of(communities) -> set[str]:
        return {unit_above(snap, c, kind) for c in communities} - {None} | {"TOTAL"}

    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {k: [0, 0] for k in INDICATORS})
    for unit in snap.nodes_of(kind):
        counts[unit]  # every unit gets a row, even with no compounds
    for row in rows:
        units = units_of(row.communities)
        if row.kind == "Firm":
            for unit in units:
                counts[unit]["firm_org_coverage_rate"][0] += row.status in ORG_STATUSES
                counts[unit]["firm_org_coverage_rate"][1] += 1
            continue
        compound = row.id
        committees = ap.committees_of(snap, compound, ap.SELF_GOVERNANCE_KINDS)
        owners = ap.committees_of(snap, compound, {"业委会"})
        majority = [_party_majority(snap, k, profile) for k in owners]
        appointed = ap.UnitAppointments(snap, compound)
        for unit in units:
            c = counts[unit]
            c["org_coverage_rate"][0] += row.status in ORG_STATUSES
            c["org_coverage_rate"][1] += 1
            c["org_and_work_coverage_rate"][0] += row.status in ORG_STATUSES or row.status == "工作覆盖"
            c["org_and_work_coverage_rate"][1] += 1
            if row.eligible:
                c["should_build_rate"][0] += row.status == "单独建"
                c["should_build_rate"][1] += 1
            c["committee_rate"][0] += bool(committees)
            c["committee_rate"][1] += 1
            c["committee_party_majority_rate"][0] += sum(1 for m in majority if m)
            c["committee_party_majority_rate"][1] += sum(1 for m in majority if m is not None)
            if appointed.has_yijiantiao_bodies:
                c["yijiantiao_rate"][0] += appointed.counts_confirmed
                c["yijiantiao_rate"][1] += 1
            if appointed.has_both:
                c["cross_appointment_rate"][0] += appointed.counts_cross
                c["cross_appointment_rate"][1] += 1
    names = {u: ("合计" if u == "TOTAL" else snap.node(u)["name"]) for u in counts}
    kinds = {u: ("Total" if u == "TOTAL" else kind) for u in counts}
    return counts, names, kinds


def _party_majority(snap: Snapshot, committee: str, profile: Profile) -> bool | None:
    """None for a committee with no members: it neither passes nor fails."""
    party, members = ap.committee_party_share(snap, committee)
    return ap.meets_share(party, members, profile.committee_party_ratio) if members else None


def indicators(graph: nx.MultiDiGraph, on: date, profile: Profile, level: str = "street",
               rows: list[UnitCoverage] | None = None) -> list[Indicator]:
    """Every indicator for every unit of `level`, then the total, with targets and colours."""

    def counts_on(day: date):
        day_rows = rows if day == on and rows is not None else coverage(graph, day, profile.min_formal_members)
        return unit_counts(graph, day, profile, day_rows, level)

    return from_counts(counts_on, on, profile)


def submission_totals(store, on: date, profile: Profile, *, last: int | None = None, scope: str | None = None,
                      graphs: dict | None = None) -> list[tuple]:
    """The whole ledger's (合计) headline indicators on `on` in every submission up to
    `last` (default all), oldest first: [(submission record, [Indicator, ...])], one graph
    read at a time. A submission in which `scope` did not exist yet is left out;
    `graphs` maps a submission's seq to its mirror when the caller has it already."""
    from .errors import NotFoundError
    from .mirror import build_mirror

    result = []
    for s in store.submissions():
        if last is not None and s.seq > last:
            continue
        graph = (graphs or {}).get(s.seq)
        if graph is None:
            try:
                graph = build_mirror(store.read(scope, load=s.seq))
            except NotFoundError:  # the scope did not exist yet in that submission
                continue
        result.append((s, totals(graph, on, profile)))
    return result


def totals(graph: nx.MultiDiGraph, on: date, profile: Profile) -> list[Indicator]:
    """The whole ledger's (合计) headline indicators on `on`: one point of a trend."""
    return [i for i in indicators(graph, on, profile, "street") if i.unit_id == "TOTAL"]


def past_deadlines(profile: Profile, on: date) -> set[date]:
    """The last passed deadline of each indicator that has one: the days whose counts
    `from_counts` asks for besides `on`."""
    return {last.deadline for name in INDICATORS if (last := profile.last_passed(name, on)) is not None}


def from_counts(counts_on, on: date, profile: Profile) -> list[Indicator]:
    """The indicators from `counts_on(day)` (what `unit_counts` returns, for `on` and
    each of `past_deadlines`), with targets, colours and whether the last deadline was met."""
    counts, names, kinds = counts_on(on)
    past: dict[str, dict] = {}  # indicator -> counts on its last passed deadline
    result = []
    for unit in sorted(counts, key=lambda u: (u == "TOTAL", u)):
        for name, (num, den) in counts[unit].items():
            last = profile.last_passed(name, on)
            last_met = None
            if last is not None:
                if last.deadline not in past:
                    past[last.deadline] = counts_on(last.deadline)[0]
                then = past[last.deadline].get(unit, {}).get(name)
                if then and then[1]:
                    last_met = meets_target(then[0] / then[1], last.value)
            value = num / den if den else None
            standing = profile.standing_target(name, on)  # the target shown and judged against
            result.append(Indicator(
                unit, kinds[unit], names[unit], name, num, den,
                standing.value if standing else None, standing.deadline if standing else None,
                color_for(value, standing.value if standing else None),
                last.deadline if last else None, last.value if last else None, last_met,
            ))
    return result
