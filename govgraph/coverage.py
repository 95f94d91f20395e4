"""Coverage status (§4.1), eligibility (§4.2) and roll-ups, computed on the mirror."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import networkx as nx

from .mirror import Snapshot, in_edges, out_edges
from .profile import default_profile
from .values import rate

# The five statuses in order of precedence, with the stable English key used in JSON.
STATUSES = {"单独建": "single", "联合建": "joint", "挂靠建": "affiliated", "工作覆盖": "work", "空白": "blank"}
ORG_STATUSES = ("单独建", "联合建", "挂靠建")
ORGANISATION_TYPES = {"党委", "党总支", "党支部", "临时党支部"}
WORK_GROUP_TYPES = {"党的工作小组", "党小组"}
INSTRUCTOR_ROLES = {"党建指导员", "领航员"}
ORGANISATION_SCOPES = {"Compound": {"小区", "网格", "业委会", "项目"}, "Firm": {"企业", "项目"}}
# §4.2's threshold when no profile is given: the shipped profile's, never a number here.
DEFAULT_MIN_FORMAL_MEMBERS = default_profile().min_formal_members


@dataclass(frozen=True)
class UnitCoverage:
    id: str
    name: str
    kind: str  # Compound or Firm
    status: str
    eligible: bool
    formal_members: int
    district_id: str | None
    street_id: str | None
    community_id: str | None
    communities: tuple[str, ...]  # where it counts in roll-ups (a firm: every served compound's)

    def as_row(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "district_id": self.district_id,
            "street_id": self.street_id,
            "community_id": self.community_id,
            "status": self.status,
            "eligible": self.eligible,
            "formal_members": self.formal_members,
        }


def _is_organisation(snap: Snapshot, org: str, unit_kind: str) -> bool:
    attrs = snap.node(org)
    return attrs.get("org_type") in ORGANISATION_TYPES and attrs.get("scope") in ORGANISATION_SCOPES[unit_kind]


def organisations(snap: Snapshot, unit: str) -> list[str]:
    """The organisations (§4.1: a branch-level party org of the unit's scope) covering a
    Compound or a Firm."""
    kind = snap.kind(unit)
    return [org for org, _ in snap.into("覆盖", unit) if snap.kind(org) == "PartyOrg" and _is_organisation(snap, org, kind)]


def others_covered(snap: Snapshot, org: str, unit: str) -> list[str]:
    """The other units of the same kind `org` covers: none makes it 单独建, any 联合建."""
    kind = snap.kind(unit)
    return [v for v, _ in snap.out("覆盖", org) if v != unit and snap.kind(v) == kind]


def hosts(snap: Snapshot, unit: str) -> list[str]:
    """The party orgs a unit 挂靠建 to."""
    return [h for h, _ in snap.out("挂靠建", unit) if snap.kind(h) == "PartyOrg"]


def work_groups(snap: Snapshot, unit: str) -> list[str]:
    """The 党的工作小组 and 党小组 covering a unit (工作覆盖)."""
    return [org for org, _ in snap.into("覆盖", unit)
            if snap.kind(org) == "PartyOrg" and snap.node(org).get("org_type") in WORK_GROUP_TYPES]


def instructors(snap: Snapshot, unit: str) -> list[tuple[str, str]]:
    """(person, role) of the 党建指导员 and 领航员 派驻 at a unit (工作覆盖)."""
    return [(p, attrs["role"]) for p, attrs in snap.into("派驻", unit)
            if snap.kind(p) == "Person" and attrs.get("role") in INSTRUCTOR_ROLES]


def status_of(snap: Snapshot, unit: str) -> str:
    """§4.1, first match wins. `unit` is a Compound or a Firm."""
    found = organisations(snap, unit)
    if found:
        if any(not others_covered(snap, org, unit) for org in found):
            return "单独建"
        return "联合建"
    if hosts(snap, unit):
        return "挂靠建"
    if work_groups(snap, unit) or instructors(snap, unit):
        return "工作覆盖"
    return "空白"


def formal_members(snap: Snapshot, unit: str) -> int:
    """§4.2: the `party_members` field when given, else counted from the graph."""
    attrs = snap.node(unit)
    if attrs.get("party_members") is not None:
        return attrs["party_members"]
    if snap.kind(unit) == "Compound":
        people = {p for p, _ in snap.into("居住", unit)}
    else:
        people = {p for p, _ in snap.into("任职", unit)}
    return sum(1 for p in people if snap.kind(p) == "Person" and snap.node(p).get("party_status") == "正式党员")


def unit_coverage(snap: Snapshot, unit: str, min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS) -> UnitCoverage:
    kind = snap.kind(unit)
    members = formal_members(snap, unit)
    if kind == "Compound":
        community = snap.parent(unit, "Community")
        communities = (community,) if community else ()
    else:
        community = None
        served = {snap.parent(c, "Community") for c, _ in snap.out("服务", unit) if snap.kind(c) == "Compound"}
        communities = tuple(sorted(c for c in served if c))
    street = snap.parent(community, "Street") if community else None
    district = snap.parent(street, "District") if street else None
    return UnitCoverage(
        id=unit,
        name=snap.node(unit)["name"],
        kind=kind,
        status=status_of(snap, unit),
        eligible=members >= min_formal_members,
        formal_members=members,
        district_id=district,
        street_id=street,
        community_id=community,
        communities=communities,
    )


def coverage(graph: nx.MultiDiGraph, on: date, min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS) -> list[UnitCoverage]:
    """Every compound, then every firm, with its status on `on`."""
    snap = Snapshot(graph, on)
    rows = [unit_coverage(snap, u, min_formal_members) for u in snap.nodes_of("Compound")]
    # Around a scope, firms are context: list those serving a compound of the scope.
    in_scope = {r.community_id for r in rows}
    firms = (unit_coverage(snap, f, min_formal_members) for f in snap.nodes_of("Firm", with_context=True))
    return rows + [f for f in firms if not snap.node(f.id)["context"] or in_scope.intersection(f.communities)]


@dataclass(frozen=True)
class Rollup:
    unit_id: str
    unit_kind: str  # District, Street, Community, or Total
    unit_name: str
    compounds: Counter
    firms: Counter

    @property
    def compound_total(self) -> int:
        return sum(self.compounds.values())

    @property
    def org_covered(self) -> int:
        return sum(self.compounds[s] for s in ORG_STATUSES)

    @property
    def org_or_work_covered(self) -> int:
        return self.org_covered + self.compounds["工作覆盖"]

    def as_row(self) -> dict:
        row = {"unit_id": self.unit_id, "unit_kind": self.unit_kind, "unit_name": self.unit_name,
               "compounds": self.compound_total}
        row.update({key: self.compounds[word] for word, key in STATUSES.items()})
        row["firms"] = sum(self.firms.values())
        row.update({f"firm_{key}": self.firms[word] for word, key in STATUSES.items()})
        row["org_coverage_rate"] = rate(self.org_covered, self.compound_total)
        row["org_and_work_coverage_rate"] = self.org_and_work_coverage_rate
        return row

    @property
    def org_and_work_coverage_rate(self) -> float | None:
        return rate(self.org_or_work_covered, self.compound_total)


LEVEL_KINDS = {"district": "District", "street": "Street", "community": "Community"}


def unit_above(snap: Snapshot, community: str, kind: str) -> str | None:
    """The Community, Street or District a community counts in on the snapshot's date."""
    if kind == "Community":
        return community
    street = snap.parent(community, "Street")
    if kind == "Street" or street is None:
        return street
    return snap.parent(street, "District")


def rollups(graph: nx.MultiDiGraph, on: date, rows: list[UnitCoverage], level: str) -> list[Rollup]:
    """Counts per status for each street or community (as of `on`), then a 合计 row.

    A compound counts where its 隶属 in force puts it; a firm counts in every community
    (and street) where it serves a compound, and once in the total.
    """
    snap = Snapshot(graph, on)
    kind = LEVEL_KINDS[level]
    units = {u: (Counter(), Counter()) for u in snap.nodes_of(kind)}

    total = (Counter(), Counter())
    for row in rows:
        index = 0 if row.kind == "Compound" else 1
        total[index][row.status] += 1
        for unit in {unit_above(snap, c, kind) for c in row.communities} - {None}:
            # A unit above a --scope is context: it gets a row counting the scope only.
            units.setdefault(unit, (Counter(), Counter()))[index][row.status] += 1
    result = [Rollup(u, kind, snap.node(u)["name"], *counts) for u, counts in units.items()]
    result.append(Rollup("TOTAL", "Total", "合计", *total))
    return result


def orphan_reason(graph: nx.MultiDiGraph, unit: UnitCoverage, on: date) -> tuple[str, str]:
    """Why a 空白 unit is blank (naming covering relations that lapsed or have not
    started, and links that do not count), and what to do about it."""
    notes = []
    # Relations that would cover it if they were in force: 覆盖 and an instructor's 派驻
    # into it, its own 挂靠建.
    edges = [(u, attrs) for u, _, attrs in in_edges(graph, unit.id)
             if attrs["type"] == "覆盖" or (attrs["type"] == "派驻" and attrs.get("role") in INSTRUCTOR_ROLES)]
    edges += [(v, attrs) for _, v, attrs in out_edges(graph, unit.id) if attrs["type"] == "挂靠建"]
    for other, attrs in sorted(edges, key=lambda e: (e[0], e[1]["type"])):
        name = graph.nodes[other]["name"]
        if attrs.get("until") and attrs["until"] < on:
            notes.append(f"{attrs['type']}“{name}”已于{attrs['until'].isoformat()}到期")
        elif attrs.get("since") and attrs["since"] > on:
            notes.append(f"{attrs['type']}“{name}”自{attrs['since'].isoformat()}起才生效")
        elif attrs["type"] == "覆盖" and graph.nodes[other].get("org_type") not in WORK_GROUP_TYPES:
            scope = graph.nodes[other].get("scope") or "未填"
            notes.append(f"“{name}”（建立范围：{scope}）不是小区层面的党组织，不计入覆盖")
    reason = "无党组织覆盖、未挂靠建、无党的工作小组或党建指导员"
    if notes:
        reason += "；" + "；".join(notes)
    return reason, suggestion(unit)


def orphan_row(graph: nx.MultiDiGraph, unit: UnitCoverage, on: date) -> dict:
    """The orphans table's row of a 空白 unit: its coverage row, reason and suggestion."""
    reason, advice = orphan_reason(graph, unit, on)
    return {**unit.as_row(), "reason": reason, "suggestion": advice}


def suggestion(unit: UnitCoverage) -> str:
    """What a 空白 unit should do (§4.2, §4.3): build its own org when eligible
    (SHOULD_BUILD_SINGLE), else get an instructor or a work group (NEEDS_INSTRUCTOR)."""
    if unit.eligible:
        return f"有正式党员{unit.formal_members}名，应单独组建党组织（应建尽建）"
    return "选派党建指导员或组建党的工作小组"
