"""Reading one street or community: the same definition for every store.

A scoped read costs in proportion to the scope: it asks the store only for the
relations around the scope's own units, never for the whole graph.

The scope is the unit, everything that has ever been 隶属 under it (communities,
compounds, committees), and its own parents. Around it come, as *context*, every
relation touching a scope unit, and every relation of the party orgs and firms reached
that way (so a joint branch's other compounds and a firm's other sites are known, and
coverage comes out the same as on the whole graph). Context nodes carry
`context=True` in the mirror and are not listed as units of the scope.
"""

from __future__ import annotations

from ..errors import NotFoundError
from ..graph import GraphData
from ..schema import PARENT_RELATION

_SCOPE_KINDS = {"Street", "Community"}
_CHILD_KINDS = {"Community", "Compound", "Committee"}
_CONTEXT_KINDS = {"PartyOrg", "Firm"}


def _roots(scope: str | tuple[str, ...]) -> set[str]:
    """A scope is one unit, or several read as one (partition.py reads streets so)."""
    return {scope} if isinstance(scope, str) else set(scope)


def require_scope(store, scope: str | tuple[str, ...], load: int | None = None) -> None:
    """A scope is a street or community the store holds in submission `load` (None: the
    latest), or several; anything else is refused the same way whichever path (a scoped
    read, or the server-side Cypher) asked."""
    roots = _roots(scope)
    # `store` may be a view pinned to one submission (the stores' `_At`), which takes no `load`.
    found = store.entities_by_id(roots) if load is None else store.entities_by_id(roots, load=load)
    for root in sorted(roots):
        if root not in found or found[root].kind not in _SCOPE_KINDS:
            raise NotFoundError(f"找不到街道或社区：{root}")


def read_scope(store, scope: str | tuple[str, ...]) -> GraphData:
    require_scope(store, scope)
    roots = _roots(scope)
    members, frontier, relations = set(roots), set(roots), {}
    while frontier:
        touching = store.relations_touching(frontier)
        relations.update((r.identity, r) for r in touching)
        candidates = {r.from_id for r in touching if r.type == PARENT_RELATION and r.to_id in frontier}
        kinds = store.entities_by_id(candidates - members)
        frontier = {i for i, e in kinds.items() if e.kind in _CHILD_KINDS}
        members |= frontier
    up = set(roots)
    while up:  # the scope's own parents, up to the district, for street_id/district_id
        parents = [r for r in store.relations_touching(up) if r.type == PARENT_RELATION and r.from_id in up]
        relations.update((r.identity, r) for r in parents)
        up = {r.to_id for r in parents} - members
    ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
    entities = store.entities_by_id(ends | members)
    context_units = {i for i, e in entities.items() if i not in members and e.kind in _CONTEXT_KINDS}
    relations.update((r.identity, r) for r in store.relations_touching(context_units))
    ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
    entities.update(store.entities_by_id(ends - entities.keys()))
    # A context firm's status depends on its party organisation's other units (联合建) and
    # members: the organisations reached only through a context firm are read around too.
    second = {i for i, e in entities.items() if e.kind == "PartyOrg" and i not in members | context_units}
    relations.update((r.identity, r) for r in store.relations_touching(second))
    ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
    entities.update(store.entities_by_id(ends - entities.keys()))
    return GraphData(entities, sorted(relations.values(), key=lambda r: r.identity), context=set(entities) - members, scope=scope)


# -- scoped submissions (domain.md §7 "Scoped submission") ----------------------------------
SHARED_KINDS = {"Firm", "Person"}  # merged by a scoped load, never deleted by it


def scope_part(data: GraphData, scope: str, on) -> set[str]:
    """The ids a scoped submission of `scope` replaces: the scope itself, the communities,
    compounds and committees whose 隶属 in force on `on` leads to it, and the party orgs
    that cover (覆盖) only units among those. Firms and people are never part of it."""
    parents: dict[str, set[str]] = {}
    for r in data.relations:
        if r.type == PARENT_RELATION and r.in_force(on):
            parents.setdefault(r.from_id, set()).add(r.to_id)
    inside: dict[str, bool] = {scope: True}

    def leads(node: str, seen: frozenset = frozenset()) -> bool:
        if node not in inside:
            entity = data.entities.get(node)
            inside[node] = bool(entity and entity.kind in _CHILD_KINDS and node not in seen
                                and any(leads(p, seen | {node}) for p in parents.get(node, ())))
        return inside[node]

    part = {i for i in data.entities if leads(i)}
    covered: dict[str, set[str]] = {}
    for r in data.relations:
        if r.type == "覆盖" and data.entities.get(r.from_id) and data.entities[r.from_id].kind == "PartyOrg":
            covered.setdefault(r.from_id, set()).add(r.to_id)
    return part | {org for org, units in covered.items() if units <= part}


def without_part(data: GraphData, part: set[str]) -> GraphData:
    """`data` less the part's entities and every relation with an end among them."""
    return GraphData({i: e for i, e in data.entities.items() if i not in part},
                     [r for r in data.relations if r.from_id not in part and r.to_id not in part],
                     context=data.context - part)


def outside_changes(before: GraphData, after: GraphData, part: set[str]) -> list[str]:
    """What a scoped submission changed outside its part (it may not): entities other than
    firms and people, and relations with neither end in the part. Chinese, one per thing."""
    problems = []
    for i in sorted(after.entities.keys() | before.entities.keys()):
        if i in part:
            continue
        old, new = before.entities.get(i), after.entities.get(i)
        kind = (new or old).kind
        if kind in SHARED_KINDS or old == new:
            continue
        problems.append(f"{i}：不在本范围内，{'库中没有' if old is None else '内容与库中不同'}")
    def outside(g):
        found = {}
        for r in g.relations:
            if r.from_id not in part and r.to_id not in part:
                found[r] = found.get(r, 0) + 1
        return found
    old_rel, new_rel = outside(before), outside(after)
    for r in sorted(old_rel.keys() ^ new_rel.keys(), key=lambda r: r.identity)[:20]:
        problems.append(f"{r.type} {r.from_id}→{r.to_id}：两端都不在本范围内，"
                        f"{'库中没有' if r not in old_rel else '本台账删除或改动了它'}")
    return problems


def scoped_ledger(data: GraphData, scope: str, on) -> GraphData:
    """What `export --scope` writes: the part, every relation with an end in it, and the
    firms and people those relations reach. Other units are referred to by id only (a
    scoped load resolves them against the store)."""
    part = scope_part(data, scope, on)
    relations = [r for r in data.relations if r.from_id in part or r.to_id in part]
    ends = {end for r in relations for end in (r.from_id, r.to_id)}
    keep = part | {i for i in ends if i in data.entities and data.entities[i].kind in SHARED_KINDS}
    return GraphData({i: e for i, e in data.entities.items() if i in keep}, relations)
