"""The NetworkX mirror: a `GraphData` as an `nx.MultiDiGraph`, and its state on a date.

Nodes are entity ids with attributes `kind` (the label), `name`, `context` (read only
as context around a scope) and the entity's fields (a committee's own `kind` field is
`committee_kind`); each
relation is one edge with attributes `type`, `role`, `since`, `until`, `source`.
"""

from __future__ import annotations

import weakref
from datetime import date

import networkx as nx

from .bulk import paused_gc
from .graph import GraphData
from .graph import in_force as relation_in_force


RESERVED = ("kind", "name", "context")


def node_attrs(entity, context: bool = False) -> dict:
    """A node's attributes. A field whose name is reserved for the node itself (the
    committee field `kind`: 业委会, 居委会 …) is prefixed with the label: `committee_kind`."""
    attrs = {"kind": entity.kind, "name": entity.name, "context": context}
    for key, value in entity.attrs.items():
        attrs[f"{entity.kind.lower()}_{key}" if key in RESERVED else key] = value
    return attrs


def build_mirror(data: GraphData) -> nx.MultiDiGraph:
    """The mirror: the same graph as `add_nodes_from` then `add_edges_from` give (same
    nodes, edges, keys 0, 1, … per node pair, attributes and iteration order), written
    straight into the graph's adjacency dicts: 1.47 s against 3.78 s of CPU on a city
    (benchmarks/mirror_state.py). tests/test_synth.py holds the two equal and
    tests/test_mirror_state.py pins the networkx layout this relies on."""
    graph = nx.MultiDiGraph(scope=data.scope)
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    context = data.context
    with paused_gc():
        # Canonical order (ids, then relation identities), whichever store the data came
        # from: audits that list or pick "the first" of several give the same answer.
        for e in sorted(data.entities.values(), key=_entity_order):
            nodes[e.id] = node_attrs(e, e.id in context)
            succ[e.id] = {}
            pred[e.id] = {}
        for r in sorted(data.relations, key=_relation_order):
            u, v = r.from_id, r.to_id
            for n in (u, v):
                if n not in succ:  # a relation to an unknown id: a node without attributes, as networkx does
                    nodes[n], succ[n], pred[n] = {}, {}, {}
            keyed = succ[u].get(v)
            if keyed is None:
                keyed = succ[u][v] = pred[v][u] = {}
            key = len(keyed)
            while key in keyed:
                key += 1
            keyed[key] = {"type": r.type, "role": r.role, "since": r.since, "until": r.until, "source": r.source}
    return graph


def _entity_order(e) -> str:
    return e.id


def _relation_order(r) -> tuple:
    return (r.type, r.from_id, r.to_id, r.role or "", r.since or date.min)


def in_force(attrs: dict, on: date) -> bool:
    """Whether an edge's relation is in force on `on` (graph.in_force)."""
    return relation_in_force(attrs.get("since"), attrs.get("until"), on)


# What Snapshots of a mirror share, kept for as long as the mirror lives: its edges
# grouped by relation type (in the order graph.edges() visits them) and the indexes of the
# last dates asked for. Coverage, roll-ups, findings and indicators each take Snapshots of
# the same mirror on the same date(s); each index is built once: 3.77 s against 7.12 s of
# CPU for coverage, roll-ups, findings and indicators on a city (benchmarks/mirror_state.py).
# Kept beside the mirror, not in it, so that the networkx graph holds only the data; it goes
# with the mirror (tests/test_mirror_state.py). A mirror is not changed after
# `build_mirror`; as a guard the node count is compared.
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_DATES_KEPT = 2


def _shared(graph: nx.MultiDiGraph, on: date) -> tuple[dict, dict, dict, dict]:
    """(edges by type, out indexes, in indexes, the scope's members) for `graph` on `on`."""
    nodes = len(graph._node)
    cached = _SHARED.get(graph)
    if cached is None or cached[0] != nodes:
        cached = _SHARED[graph] = (nodes, _group_edges(graph), {})
    dates = cached[2]
    if on not in dates:
        while len(dates) >= _DATES_KEPT:
            del dates[next(iter(dates))]
        dates[on] = ({}, {}, {})
    return cached[1], *dates[on]


def edges(graph: nx.MultiDiGraph):
    """(u, v, attrs) of every relation, in the order of `graph.edges(data=True)`.

    networkx caches its edge and degree views on the graph, and each holds the graph: a
    reference cycle, so a mirror once asked `graph.edges(...)` (or in_edges, out_edges,
    degree) is freed only by the cyclic collector, and never if it was frozen
    (bulk.paused_gc). Read the adjacency (graph.adj, graph.pred, graph.succ: no cycle)."""
    for u, neighbours in graph._adj.items():
        for v, keyed in neighbours.items():
            for attrs in keyed.values():
                yield u, v, attrs


def in_edges(graph: nx.MultiDiGraph, node: str):
    """`graph.in_edges(node, data=True)`, without its cached view (see `edges`)."""
    for u, keyed in graph._pred[node].items():
        for attrs in keyed.values():
            yield u, node, attrs


def out_edges(graph: nx.MultiDiGraph, node: str):
    """`graph.out_edges(node, data=True)`, without its cached view (see `edges`)."""
    for v, keyed in graph._succ[node].items():
        for attrs in keyed.values():
            yield node, v, attrs


def _group_edges(graph: nx.MultiDiGraph) -> dict[str, list[tuple[str, str, dict]]]:
    by_type: dict[str, list] = {}
    with paused_gc():
        for u, v, attrs in edges(graph):
            rtype = attrs["type"]
            if rtype in by_type:
                by_type[rtype].append((u, v, attrs))
            else:
                by_type[rtype] = [(u, v, attrs)]
    return by_type


_SCOPE_UNIT_KINDS = {"Street", "Community", "Compound", "Committee"}


class Snapshot:
    """The relations of a mirror in force on one date, indexed by type and endpoint.

    Audits ask "what does X have of type T on D" many times; each type is indexed the
    first time it is asked for, from the mirror's edges of that type (so coverage, which
    never looks at most types, does not pay for them). Lists come in the order
    `graph.edges(data=True)` visits the edges.
    """

    def __init__(self, graph: nx.MultiDiGraph, on: date):
        self.graph = graph
        self.on = on
        self._nodes = graph._node  # what graph.nodes[n] looks up, without the view
        # type -> {node: [(other end, attrs)]}, shared by the snapshots of this mirror and date
        self._edges, self._out, self._in, self._scoped = _shared(graph, on)

    def kind(self, node: str) -> str:
        return self._nodes[node]["kind"]

    def node(self, node: str) -> dict:
        return self._nodes[node]

    def nodes_of(self, kind: str, with_context: bool = False) -> list[str]:
        """The units of this kind in the scope on this date, sorted (everything unless the
        mirror was read around a scope); `with_context` lists every node of the kind."""
        return sorted(
            n for n, a in self._nodes.items() if a["kind"] == kind and (with_context or self.in_scope(n))
        )

    def in_scope(self, node: str) -> bool:
        """Whether a node belongs to the scope on this date. A street, community, compound
        or committee does while its 隶属 in force leads to the scope's unit; a party org,
        firm or person does when one of its relations in force touches such a unit (a
        person also through such a party org, firm or committee)."""
        if self.graph.graph.get("scope") is None:
            return not self._nodes[node]["context"]
        if "members" not in self._scoped:  # shared like the indexes: one walk per date
            self._scoped["members"] = self._scope_members()
        return node in self._scoped["members"]

    def _scope_members(self) -> set[str]:
        root = self.graph.graph["scope"]  # a unit, or a tuple of units read as one
        roots = [root] if isinstance(root, str) else list(root)
        units, frontier = set(roots), roots
        while frontier:  # down the 隶属 in force on this date
            parent = frontier.pop()
            for child, _ in self.into("隶属", parent):
                if child not in units and self.kind(child) in _SCOPE_UNIT_KINDS:
                    units.add(child)
                    frontier.append(child)
        related = set(units)
        for edges in self._edges.values():
            for u, v, attrs in edges:
                if in_force(attrs, self.on) and (u in units or v in units):
                    related.add(v if u in units else u)
        people = set()
        for edges in self._edges.values():
            for u, v, attrs in edges:
                if in_force(attrs, self.on) and self.kind(u) == "Person" and v in related:
                    people.add(u)
        return {n for n in related | people if self.kind(n) not in _SCOPE_UNIT_KINDS or n in units}

    def out(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        index = self._out.get(rtype)
        if index is None:
            index = self._out[rtype] = self._index(rtype, outgoing=True)
        return index.get(node, [])

    def into(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        index = self._in.get(rtype)
        if index is None:
            index = self._in[rtype] = self._index(rtype, outgoing=False)
        return index.get(node, [])

    def _index(self, rtype: str, outgoing: bool) -> dict[str, list]:
        index: dict[str, list] = {}
        on = self.on
        with paused_gc():
            for u, v, attrs in self._edges.get(rtype, ()):
                if relation_in_force(attrs.get("since"), attrs.get("until"), on):
                    node, other = (u, v) if outgoing else (v, u)
                    if node in index:
                        index[node].append((other, attrs))
                    else:
                        index[node] = [(other, attrs)]
        return index

    def parent(self, node: str, kind: str) -> str | None:
        """The parent of the given kind in force (at most one, validation ensures)."""
        return next((v for v, _ in self.out("隶属", node) if self.kind(v) == kind), None)

    def committees(self, unit: str) -> list[str]:
        return [u for u, _ in self.into("隶属", unit) if self.kind(u) == "Committee"]
