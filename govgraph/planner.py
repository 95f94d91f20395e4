"""The instructor planner: which compounds need a 党建指导员 most, and who should go.

Ranking: the NEEDS_INSTRUCTOR compounds with a score whose parts are shown.
Assignment: a min-cost maximum flow (networkx) from instructors (capacity from the
profile, less the compounds they already serve) to compounds (one instructor each):
first as many compounds covered as possible, then the cheapest placement — same
community, then same street, then the higher-scored compound. An instructor whose home
street is known is only sent within that street; one with no known home goes anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from .coverage import INSTRUCTOR_ROLES, UnitCoverage, coverage
from .mirror import Snapshot
from .profile import Profile

# Score parts (documented in docs/design.md): size, hard categories, complexity, and how
# close the compound is to having three members of its own.
CATEGORY_POINTS = {"城中村": 30, "老旧小区": 25, "安置小区": 25, "单位院落": 15, "商圈楼宇": 10,
                   "产业园区": 10, "其他": 10, "商品房": 5}
HOUSEHOLD_POINTS_MAX = 40  # at 1,000 households or more
COMPLEX_POINTS = 20
MEMBER_POINTS = 5  # per formal member (below the eligibility threshold)


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    community_id: str | None
    street_id: str | None
    households: int
    category: str | None
    complex: bool
    formal_members: int
    parts: dict = field(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(self.parts.values())

    def as_row(self) -> dict:
        return {"id": self.id, "name": self.name, "community_id": self.community_id, "street_id": self.street_id,
                "score": self.score, "households": self.households, "category": self.category,
                "complex": self.complex, "formal_members": self.formal_members,
                "score_households": self.parts["households"], "score_category": self.parts["category"],
                "score_complex": self.parts["complex"], "score_members": self.parts["members"]}


def _score_parts(households: int, category: str | None, complex_: bool, members: int) -> dict:
    return {
        "households": min(HOUSEHOLD_POINTS_MAX, households * HOUSEHOLD_POINTS_MAX // 1000),
        "category": CATEGORY_POINTS.get(category or "", 0),
        "complex": COMPLEX_POINTS if complex_ else 0,
        "members": MEMBER_POINTS * members,
    }


def candidates(graph: nx.MultiDiGraph, on: date, profile: Profile,
               rows: list[UnitCoverage] | None = None) -> list[Candidate]:
    """NEEDS_INSTRUCTOR compounds (空白 and not eligible), highest score first."""
    if rows is None:
        rows = coverage(graph, on, profile.min_formal_members)
    found = []
    for row in rows:
        if row.kind != "Compound" or row.status != "空白" or row.eligible:
            continue
        node = graph.nodes[row.id]
        households = node.get("households") or 0
        found.append(Candidate(row.id, row.name, row.community_id, row.street_id, households,
                               node.get("category"), bool(node.get("complex")), row.formal_members,
                               _score_parts(households, node.get("category"), bool(node.get("complex")),
                                            row.formal_members)))
    return sorted(found, key=lambda c: (-c.score, c.id))


@dataclass(frozen=True)
class Instructor:
    id: str
    name: str
    community_id: str | None  # home: where they live, or the community they are posted to
    street_id: str | None
    spare: int  # capacity left after the compounds they already serve


def instructors(graph: nx.MultiDiGraph, on: date, profile: Profile) -> list[Instructor]:
    snap = Snapshot(graph, on)
    found = []
    for person in snap.nodes_of("Person", with_context=True):
        node = snap.node(person)
        if person not in profile.instructor_ids and not set(node.get("tags") or []) & set(profile.instructor_tags):
            continue
        current = [u for u, a in snap.out("派驻", person) if a.get("role") in INSTRUCTOR_ROLES]
        community = next((snap.parent(c, "Community") for c, _ in snap.out("居住", person)), None)
        community = community or next((u for u in current if snap.kind(u) == "Community"), None)
        community = community or next((snap.parent(u, "Community") for u in current if snap.kind(u) == "Compound"), None)
        street = snap.parent(community, "Street") if community else None
        found.append(Instructor(person, node["name"], community, street,
                                max(0, profile.instructor_capacity - len(current))))
    return found


@dataclass
class Plan:
    assignments: list[dict]
    uncovered: list[dict]


def _cost(instructor: Instructor, compound: Candidate, top_score: int) -> int | None:
    """Lower is better; None when the instructor may not be sent there."""
    if instructor.street_id and compound.street_id and instructor.street_id != compound.street_id:
        return None
    if instructor.street_id and not compound.street_id:
        return None
    if instructor.community_id and instructor.community_id == compound.community_id:
        distance = 0
    elif instructor.street_id and instructor.street_id == compound.street_id:
        distance = 1
    else:
        distance = 2
    return distance * 10_000 + (top_score - compound.score)


def plan(ranked: list[Candidate], available: list[Instructor]) -> Plan:
    """Cover as many compounds as possible, then prefer closeness and higher scores."""
    top = max((c.score for c in ranked), default=0)
    flow = nx.DiGraph()
    for i in available:
        if i.spare:
            flow.add_edge("source", ("i", i.id), capacity=i.spare, weight=0)
    for c in ranked:
        flow.add_edge(("c", c.id), "sink", capacity=1, weight=0)
        for i in available:
            cost = _cost(i, c, top)
            if cost is not None and i.spare:
                flow.add_edge(("i", i.id), ("c", c.id), capacity=1, weight=cost)
    result = nx.max_flow_min_cost(flow, "source", "sink") if flow.has_node("source") and flow.has_node("sink") else {}
    by_id = {i.id: i for i in available}
    assigned: dict[str, str] = {}
    for node, targets in result.items():
        if isinstance(node, tuple) and node[0] == "i":
            for target, amount in targets.items():
                if amount and target != "sink":
                    assigned[target[1]] = node[1]
    assignments, uncovered = [], []
    for c in ranked:
        if c.id in assigned:
            i = by_id[assigned[c.id]]
            if i.community_id and i.community_id == c.community_id:
                where = "同社区"
            elif i.street_id and i.street_id == c.street_id:
                where = "同街道"
            else:
                where = "不限街道（指导员住址未知）"
            assignments.append({"id": c.id, "name": c.name, "community_id": c.community_id, "street_id": c.street_id,
                                "score": c.score, "instructor_id": i.id, "instructor_name": i.name, "match": where})
        else:
            reachable = [i for i in available if _cost(i, c, top) is not None]
            if not reachable:
                reason = "本街道没有可选派的党建指导员"
            elif not any(i.spare for i in reachable):
                reason = "本街道的党建指导员已满负荷（负责的小区数已达上限）"
            else:
                reason = "可选派的党建指导员名额已用于其他小区"
            uncovered.append({"id": c.id, "name": c.name, "community_id": c.community_id,
                              "street_id": c.street_id, "score": c.score, "reason": reason})
    return Plan(assignments, uncovered)
