"""The NetworkX mirror: a `GraphData` as an `nx.MultiDiGraph`, and its state on a date.

Nodes are entity ids with attributes `kind` (the label), `name`, `context` (read only
as context around a scope) and the entity's fields (a committee's own `kind` field is
`committee_kind`); each
relation is one edge with attributes `type`, `role`, `since`, `until`, `source`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import networkx as nx

from .bulk import paused_gc
from .graph import GraphData


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
    straight into the graph's adjacency dicts, which takes half the time."""
    graph = nx.MultiDiGraph()
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    context = data.context
    with paused_gc():
        for e in data.entities.values():
            nodes[e.id] = node_attrs(e, e.id in context)
            succ[e.id] = {}
            pred[e.id] = {}
        for r in data.relations:
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


def in_force(attrs: dict, on: date) -> bool:
    since, until = attrs.get("since"), attrs.get("until")
    return (since is None or since <= on) and (until is None or until >= on)


class Snapshot:
    """The relations of a mirror in force on one date, by type and endpoint.

    Audits ask "what does X have of type T on D" many times. Each node's relations are
    sorted out the first time the node is asked about, so a snapshot costs in proportion
    to the part of the graph an audit looks at, not to the whole mirror. The lists come
    in the order `graph.edges(data=True)` visits the edges.
    """

    def __init__(self, graph: nx.MultiDiGraph, on: date):
        self.graph = graph
        self.on = on
        # The graph's own dicts (what graph.nodes[n], graph.succ, graph.pred look up).
        self._nodes = graph._node
        self._succ = graph._succ
        self._pred = graph._pred
        self._out: dict[str, dict[str, list]] = {}  # node -> {type: [(other, attrs)]}
        self._in: dict[str, dict[str, list]] = {}
        self._position: dict[str, int] | None = None

    def kind(self, node: str) -> str:
        return self._nodes[node]["kind"]

    def node(self, node: str) -> dict:
        return self._nodes[node]

    def nodes_of(self, kind: str, with_context: bool = False) -> list[str]:
        """The units of this kind, sorted; context read around a scope is left out unless asked."""
        return sorted(
            n for n, a in self._nodes.items() if a["kind"] == kind and (with_context or not a["context"])
        )

    def out(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        found = self._out.get(node)
        if found is None:
            found = self._out[node] = self._in_force(node, self._succ.get(node), outgoing=True)
        return found.get(rtype, [])

    def into(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        found = self._in.get(node)
        if found is None:
            found = self._in[node] = self._in_force(node, self._pred.get(node), outgoing=False)
        return found.get(rtype, [])

    def _in_force(self, node: str, neighbours: dict | None, outgoing: bool) -> dict[str, list]:
        """{type: [(other end, attrs)]} of the node's relations in force, one direction."""
        found: dict[str, list] = {}
        if not neighbours:
            return found
        others = list(neighbours)
        if not outgoing and len(others) > 1:
            # graph.edges() visits edges by their start node, in node order.
            if self._position is None:
                self._position = {n: i for i, n in enumerate(self._succ)}
            others.sort(key=self._position.__getitem__)
        on = self.on
        for other in others:
            for attrs in neighbours[other].values():
                since, until = attrs.get("since"), attrs.get("until")  # in_force(), inlined
                if (since is None or since <= on) and (until is None or until >= on):
                    rtype = attrs["type"]
                    if rtype in found:
                        found[rtype].append((other, attrs))
                    else:
                        found[rtype] = [(other, attrs)]
        return found

    def parent(self, node: str, kind: str) -> str | None:
        """The parent of the given kind in force (at most one, validation ensures)."""
        return next((v for v, _ in self.out("隶属", node) if self.kind(v) == kind), None)

    def committees(self, unit: str) -> list[str]:
        return [u for u, _ in self.into("隶属", unit) if self.kind(u) == "Committee"]
