"""Audit findings (§4.3): each with evidence, a Chinese remedy and the policy it checks."""

from __future__ import annotations

import calendar
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

import networkx as nx

from . import appointments as ap
from .coverage import UnitCoverage, coverage, organisations
from .labels import kind_word
from .mirror import Snapshot
from .profile import Profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

POSTS_NEEDING_FORMAL_MEMBER = {"书记", "副书记", "委员", "组长"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@cache
def finding_texts() -> dict[str, dict]:
    return tomllib.loads(resources.files("govgraph").joinpath("findings.toml").read_text("utf-8"))


@dataclass
class Finding:
    code: str
    severity: str  # error, warning, info
    entity_id: str
    entity_kind: str
    message: str
    remedy: str
    evidence: list[dict] = field(default_factory=list)
    unit_id: str | None = None  # MISSING_PART_TIME_MEMBER: the compound

    @property
    def title(self) -> str:
        return finding_texts()[self.code]["title"]

    @property
    def policy(self) -> str:
        return finding_texts()[self.code]["policy"]

    def as_row(self) -> dict:
        return {
            "code": self.code, "title": self.title, "severity": self.severity,
            "entity_id": self.entity_id, "entity_kind": self.entity_kind, "unit_id": self.unit_id,
            "message": self.message, "remedy": self.remedy, "policy": self.policy, "evidence": self.evidence,
        }


def _evidence(from_id: str, to_id: str, attrs: dict) -> dict:
    return {
        "type": attrs["type"], "from_id": from_id, "to_id": to_id, "role": attrs.get("role"),
        "since": attrs.get("since"), "until": attrs.get("until"), "source": attrs.get("source"),
    }


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _Auditor:
    def __init__(self, graph: nx.MultiDiGraph, on: date, profile: Profile, rows: list[UnitCoverage],
                 only: dict[str, set[str]] | None = None):
        self.snap = Snapshot(graph, on)
        self.on = on
        self.profile = profile
        self.rows = rows
        # The units to audit, by kind, in place of the mirror's scope (govgraph/partition.py
        # audits a part's own units in a mirror read around them).
        self.only = only
        self.findings: list[Finding] = []
        # Where each finding was made: (group, unit's kind order, unit, n-th of the unit); the
        # whole graph's findings come in this order before the sort by severity.
        self.places: list[tuple] = []
        self.place: tuple = ()

    def units(self, kind: str) -> list[str]:
        if self.only is None:
            return self.snap.nodes_of(kind)
        return sorted(self.only.get(kind, ()))

    def listed(self, node: str) -> bool:
        return self.snap.in_scope(node) if self.only is None else node in self.only.get(self.snap.kind(node), ())

    def at(self, *place) -> None:
        self.place = place

    def add(self, code: str, entity: str, evidence=(), unit_id=None, severity=None, remedy_args=None, **values):
        texts = finding_texts()[code]
        node = self.snap.node(entity)
        message = texts["message"].format(name=node["name"], kind=kind_word(node["kind"]), **values)
        remedy = texts["remedy"].format(**(remedy_args or {}))
        self.findings.append(Finding(code, severity or texts["severity"], entity, node["kind"], message, remedy,
                                     list(evidence), unit_id))
        self.places.append((*self.place, len(self.places)))

    def run(self) -> list[Finding]:
        return _by_severity([f for _, f in self.placed()])

    def placed(self) -> list[tuple[tuple, Finding]]:
        """Every finding with where it was made, unsorted."""
        self.coverage_findings()
        self.compound_findings()
        self.committee_findings()
        self.party_org_findings()
        self.yijiantiao_findings()
        self.community_findings()
        return list(zip(self.places, self.findings))

    # -- §4.1/4.2 based ---------------------------------------------------------------
    def coverage_findings(self) -> None:
        for row in self.rows:  # already the scope's compounds and firms
            self.at(0, 0 if row.kind == "Compound" else 1, row.id)
            members_evidence = self.member_evidence(row.id)
            minimum = {"minimum": self.profile.min_formal_members}
            if row.kind == "Compound" and row.status == "空白":
                self.add("ORPHAN_COMPOUND", row.id, remedy_args=minimum)
            if row.kind == "Firm" and row.status == "空白":
                self.add("FIRM_UNCOVERED", row.id, remedy_args=minimum)
            if row.eligible and row.status != "单独建":
                self.add("SHOULD_BUILD_SINGLE", row.id, members_evidence + self.covering_evidence(row.id),
                         members=row.formal_members, minimum=self.profile.min_formal_members, status=row.status)
            if row.status == "空白" and not row.eligible:
                self.add("NEEDS_INSTRUCTOR", row.id, members_evidence, members=row.formal_members)

    def member_evidence(self, unit: str) -> list[dict]:
        rtype = "居住" if self.snap.kind(unit) == "Compound" else "任职"
        return [_evidence(p, unit, a) for p, a in self.snap.into(rtype, unit)
                if self.snap.node(p).get("party_status") == "正式党员"]

    def covering_evidence(self, unit: str) -> list[dict]:
        ev = [_evidence(o, unit, a) for o, a in self.snap.into("覆盖", unit)]
        ev += [_evidence(unit, h, a) for h, a in self.snap.out("挂靠建", unit)]
        return ev

    def compound_findings(self) -> None:
        snap = self.snap
        for compound in self.units("Compound"):
            self.at(1, 0, compound)
            committees = ap.committees_of(snap, compound, ap.SELF_GOVERNANCE_KINDS)
            if not committees:
                self.add("NO_SELF_GOVERNANCE", compound)
            self.part_time_findings(compound)
            self.subordination_findings(compound)

    def part_time_findings(self, compound: str) -> None:
        snap = self.snap
        community = snap.parent(compound, "Community")
        orgs = ap.community_party_orgs(snap, community) if community else []
        if not orgs:
            return  # no community party org to join: COMMUNITY_UNCOVERED says so
        for person, posts in sorted(ap.expected_part_time_members(snap, compound).items()):
            if not ap.holds_post_in(snap, person, orgs):
                evidence = [_evidence(person, unit, attrs) for _, unit, attrs in posts]
                self.add("MISSING_PART_TIME_MEMBER", person, evidence, unit_id=compound,
                         unit_name=snap.node(compound)["name"], role=posts[0][0], org_name=snap.node(orgs[0])["name"])

    def subordination_findings(self, compound: str) -> None:
        snap = self.snap
        community = snap.parent(compound, "Community")
        community_orgs = ap.community_party_orgs(snap, community) if community else []
        if not community_orgs:
            return
        for org in organisations(snap, compound):
            if not ({org} | self.party_ancestors(org)).intersection(community_orgs):
                evidence = [_evidence(org, compound, a) for o, a in snap.into("覆盖", compound) if o == org]
                evidence += [_evidence(org, p, a) for p, a in snap.out("隶属", org)]
                self.add("SUBORDINATION_MISMATCH", org, evidence, compound_name=snap.node(compound)["name"],
                         community_org=snap.node(community_orgs[0])["name"])

    def party_ancestors(self, org: str) -> set[str]:
        seen, frontier = set(), [org]
        while frontier:
            current = frontier.pop()
            for parent, _ in self.snap.out("隶属", current):
                if self.snap.kind(parent) == "PartyOrg" and parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        return seen

    # -- committees ---------------------------------------------------------------------
    def committee_findings(self) -> None:
        snap = self.snap
        for committee in self.units("Committee"):
            self.at(2, 0, committee)
            node = snap.node(committee)
            if node.get("committee_kind") == "业委会":
                party, members = ap.committee_party_share(snap, committee)
                if members and not ap.meets_share(party, members, self.profile.committee_party_ratio):
                    self.add("COMMITTEE_PARTY_RATIO_LOW", committee,
                             [_evidence(p, committee, a) for p, a in snap.into("任职", committee)],
                             members=members, party=party, threshold=f"{self.profile.committee_party_ratio:.0%}")
            if snap.out("隶属", committee):  # only a committee counting for a unit
                self.term_finding(committee)

    def term_finding(self, entity: str) -> None:
        term_end = self.snap.node(entity).get("term_end")
        if term_end is None:
            return
        horizon = _add_months(self.on, self.profile.term_warning_months)
        if term_end < self.on:
            self.add("TERM_EXPIRING", entity, detail="已届满，换届逾期", term_end=term_end.isoformat())
        elif term_end <= horizon:
            self.add("TERM_EXPIRING", entity, severity="info",
                     detail=f"将于{self.profile.term_warning_months}个月内届满，应启动换届", term_end=term_end.isoformat())

    # -- party orgs ---------------------------------------------------------------------
    def party_org_findings(self) -> None:
        snap = self.snap
        for org in self.units("PartyOrg"):
            self.at(3, 0, org)
            node = snap.node(org)
            org_type = node.get("org_type") or "党组织"
            role = ap.lead_role(org_type)
            posts = snap.into("任职", org)
            if not any(a.get("role") == role for _, a in posts):
                self.add("ORG_NO_SECRETARY", org, org_type=org_type, role=role, remedy_args={"role": role})
            minimum = self.profile.org_size_rule.get(org_type)
            if minimum is not None and node.get("formal_members") is not None and node["formal_members"] < minimum:
                self.add("ORG_SIZE_MISMATCH", org, org_type=org_type, members=node["formal_members"], minimum=minimum)
            self.term_finding(org)
        by_person: dict[str, list] = {}
        for org in snap.nodes_of("PartyOrg", with_context=True):
            for person, attrs in snap.into("任职", org):
                if attrs.get("role") in POSTS_NEEDING_FORMAL_MEMBER and snap.node(person).get("party_status") != "正式党员":
                    by_person.setdefault(person, []).append((org, attrs))
        for person, posts in sorted(by_person.items()):
            if not self.listed(person):
                continue
            self.at(3, 1, person)
            text = "、".join(f"“{snap.node(o)['name']}”{a.get('role')}" for o, a in posts)
            self.add("POST_NOT_FORMAL_MEMBER", person, [_evidence(person, o, a) for o, a in posts],
                     status=snap.node(person).get("party_status") or "政治面貌未填", posts=text)

    # -- 一肩挑 and communities -------------------------------------------------------------
    def yijiantiao_findings(self) -> None:
        snap = self.snap
        for unit in self.units("Compound") + self.units("Community"):
            self.at(4, 0 if snap.kind(unit) == "Compound" else 1, unit)
            confirmed = set(ap.yijiantiao_confirmed(snap, unit))
            asserted = {p: a for p, a in snap.into("一肩挑", unit)}
            for person in sorted(set(asserted) - confirmed):
                self.add("YIJIANTIAO_MISMATCH", unit, [_evidence(person, unit, asserted[person])],
                         detail=f"台账记录“{snap.node(person)['name']}”一肩挑，但其并未同时担任党组织书记和"
                                f"{'业委会' if snap.kind(unit) == 'Compound' else '居委会'}主任")
            orgs, committees = ap.yijiantiao_bodies(snap, unit)
            for person in sorted(confirmed - set(asserted)):
                posts = [_evidence(person, o, a) for o, a in snap.out("任职", person)
                         if (o in orgs and a.get("role") == "书记") or (o in committees and a.get("role") == "主任")]
                self.add("YIJIANTIAO_MISMATCH", unit, posts, severity="info",
                         detail=f"“{snap.node(person)['name']}”同时担任党组织书记和"
                                f"{'业委会' if snap.kind(unit) == 'Compound' else '居委会'}主任，台账未记录一肩挑")

    def community_findings(self) -> None:
        snap = self.snap
        for community in self.units("Community"):
            self.at(5, 0, community)
            missing = []
            if not ap.community_party_orgs(snap, community):
                missing.append("没有党组织覆盖")
            if not ap.committees_of(snap, community, {"居委会"}):
                missing.append("没有居委会")
            if missing:
                self.add("COMMUNITY_UNCOVERED", community, detail="、".join(missing))


def audit(graph: nx.MultiDiGraph, on: date, profile: Profile, rows: list[UnitCoverage] | None = None) -> list[Finding]:
    """Every finding on `on`, most severe first."""
    if rows is None:
        rows = coverage(graph, on, profile.min_formal_members)
    return _Auditor(graph, on, profile, rows).run()


def audit_placed(graph: nx.MultiDiGraph, on: date, profile: Profile, rows: list[UnitCoverage],
                 only: dict[str, set[str]]) -> list[tuple[tuple, Finding]]:
    """The findings of the units `only` lists ({kind: ids}; a Person: its
    POST_NOT_FORMAL_MEMBER) and of `rows`, in a mirror read around them, each with where
    it was made: `in_order` of the findings of parts that list every unit once is `audit`
    of the whole graph (govgraph/partition.py)."""
    return _Auditor(graph, on, profile, rows, only).placed()


def in_order(placed: list[tuple[tuple, Finding]]) -> list[Finding]:
    """Most severe first; equal keys in the order the findings were made."""
    return _by_severity([f for _, f in sorted(placed, key=lambda pf: pf[0])])


def _by_severity(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.entity_id, f.unit_id or ""))
