"""Whole-graph checks that no single row can see: references, endpoint kinds,
one parent at a time, no cycle among party orgs."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import networkx as nx

from .errors import LedgerIssue
from .graph import GraphData, Relation
from .schema import PARENT_RELATION, load_schema


def validate_graph(data: GraphData, warnings: list[LedgerIssue]) -> list[LedgerIssue]:
    errors: list[LedgerIssue] = []
    schema = load_schema()
    entities = data.entities
    sound: list[Relation] = []
    relation_types = schema.relations
    for rel in data.relations:
        head, tail = entities.get(rel.from_id), entities.get(rel.to_id)
        if head is not None and tail is not None and (head.kind, tail.kind) in relation_types[rel.type].endpoints:
            sound.append(rel)  # the common case, checked without building anything
            continue
        missing = [end for end, ref in (("from_id", rel.from_id), ("to_id", rel.to_id)) if ref not in entities]
        for end in missing:
            errors.append(_issue(rel, end, "unknown_reference", "引用的编号不存在"))
        if missing:
            continue
        rtype = schema.relations[rel.type]
        from_kind, to_kind = entities[rel.from_id].kind, entities[rel.to_id].kind
        if not rtype.allows(from_kind, to_kind):
            end = "from_id" if from_kind not in rtype.from_kinds else "to_id"
            kind = from_kind if end == "from_id" else to_kind
            allowed = "；".join(f"{_zh(f)}→{_zh(t)}" for f, t in sorted(rtype.endpoints))
            errors.append(_issue(rel, end, "wrong_endpoint", f"{rel.type}关系不能连接{_zh(kind)}（允许：{allowed}）"))
            continue
        sound.append(rel)
    errors += _two_parents(data, sound)
    errors += _party_org_cycles(data, sound)
    warnings += _uncovered_community_warnings(data, sound)
    return errors


def _zh(label: str) -> str:
    return load_schema().entities[label].zh


def _issue(rel: Relation, column: str, code: str, reason: str) -> LedgerIssue:
    value = {"from_id": rel.from_id, "to_id": rel.to_id}.get(column, "")
    if rel.origin is None:
        return LedgerIssue("（库中已有）", 0, column, value, code, reason)
    return rel.origin.issue(column, code, reason, value)


_FAR_PAST, _FAR_FUTURE = date.min, date.max


def _overlap(a: Relation, b: Relation) -> bool:
    return (a.since or _FAR_PAST) <= (b.until or _FAR_FUTURE) and (b.since or _FAR_PAST) <= (a.until or _FAR_FUTURE)


def _two_parents(data: GraphData, relations: list[Relation]) -> list[LedgerIssue]:
    """A unit of a kind with at most one parent in force on any date (`single_parent` in
    schema.toml, domain.md §2) with two whose dates overlap."""
    errors = []
    single = {k.label for k in load_schema().entities.values() if k.single_parent}
    seen: dict[str, list[Relation]] = defaultdict(list)
    for rel in relations:
        if rel.type != PARENT_RELATION or data.entities[rel.from_id].kind not in single:
            continue
        clash = next((e for e in seen[rel.from_id] if e.to_id != rel.to_id and _overlap(e, rel)), None)
        if clash is not None:
            errors.append(_issue(rel, "to_id", "two_parents", f"与 {clash.origin} 的上级 {clash.to_id} 同时有效，同一时间只能有一个上级"))
        else:
            seen[rel.from_id].append(rel)
    return errors


def _party_org_cycles(data: GraphData, relations: list[Relation]) -> list[LedgerIssue]:
    order = {}
    graph = nx.DiGraph()
    for index, rel in enumerate(relations):
        if rel.type == PARENT_RELATION and data.entities[rel.from_id].kind == "PartyOrg":
            graph.add_edge(rel.from_id, rel.to_id)
            order.setdefault((rel.from_id, rel.to_id), (index, rel))
    closing = {}
    for cycle in nx.simple_cycles(graph):
        edges = [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]
        index, rel = max(order[e] for e in edges)  # the edge read last closes the cycle
        # told from the row that closes it (networkx starts a cycle where its set order
        # happens to, which differs from run to run); of two closed by one row, the first
        start = cycle.index(rel.from_id)
        cycle = cycle[start:] + cycle[:start]
        path = " → ".join([*cycle, cycle[0]])
        if index not in closing or path < closing[index][1]:
            closing[index] = (rel, path)
    return [
        _issue(rel, "to_id", "party_org_cycle", f"党组织隶属关系成环：{path}")
        for _, (rel, path) in sorted(closing.items())
    ]


def _uncovered_community_warnings(data: GraphData, relations: list[Relation]) -> list[LedgerIssue]:
    """One warning per community that no party org covers, at its first compound's row,
    with the number of its compounds (a city ledger would otherwise repeat it per compound).
    A community read only as context (its own relations not read) is not judged."""
    covered = {r.to_id for r in relations if r.type == "覆盖" and data.entities[r.to_id].kind == "Community"}
    covered |= data.context
    first: dict[str, Relation] = {}
    compounds: dict[str, set[str]] = defaultdict(set)
    for rel in relations:
        if rel.type == PARENT_RELATION and data.entities[rel.from_id].kind == "Compound" and rel.to_id not in covered:
            first.setdefault(rel.to_id, rel)
            compounds[rel.to_id].add(rel.from_id)
    warnings = []
    for community, rel in first.items():
        n = len(compounds[community])
        name = data.entities[community].name
        reason = (f"所属社区“{name}”没有党组织覆盖" + (f"，该社区共 {n} 个小区" if n > 1 else "")
                  + "（提醒，不影响导入）")
        warnings.append(_issue(rel, "to_id", "community_no_party_org", reason))
    return warnings


def compound_without_community_warnings(data: GraphData) -> list[LedgerIssue]:
    """A compound that belongs to no community at all is audited, but counts in no
    community's or street's figures: worth a word (asked for a ledger with no errors, so
    a reference in error is not taken for a missing one)."""
    placed = {r.from_id for r in data.relations if r.type == PARENT_RELATION}
    return [
        LedgerIssue(e.origin.file, e.origin.row, e.origin.headers.get("community_id", "所属社区"), e.name,
                    "compound_no_community", "小区没有所属社区，统计时不计入任何社区和街道（提醒，不影响导入）")
        for e in data.entities.values()
        if e.kind == "Compound" and e.id not in placed and e.origin is not None and e.id not in data.context
    ]
