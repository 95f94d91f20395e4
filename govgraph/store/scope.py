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


def require_scope(store, scope: str) -> None:
    """A scope is a street or community the store holds; anything else is refused the
    same way whichever path (a scoped read, or the server-side Cypher) asked."""
    root = store.entities_by_id({scope})
    if scope not in root or root[scope].kind not in _SCOPE_KINDS:
        raise NotFoundError(f"找不到街道或社区：{scope}")


def read_scope(store, scope: str) -> GraphData:
    require_scope(store, scope)
    members, frontier, relations = {scope}, {scope}, {}
    while frontier:
        touching = store.relations_touching(frontier)
        relations.update((r.identity, r) for r in touching)
        candidates = {r.from_id for r in touching if r.type == PARENT_RELATION and r.to_id in frontier}
        kinds = store.entities_by_id(candidates - members)
        frontier = {i for i, e in kinds.items() if e.kind in _CHILD_KINDS}
        members |= frontier
    up = {scope}
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
    return GraphData(entities, sorted(relations.values(), key=lambda r: r.identity), context=set(entities) - members, scope=scope)
