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
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((e.id, node_attrs(e, e.id in data.context)) for e in data.entities.values())
    graph.add_edges_from(
        (r.from_id, r.to_id, {"type": r.type, "role": r.role, "since": r.since, "until": r.until, "source": r.source})
        for r in data.relations
    )
    return graph


def in_force(attrs: dict, on: date) -> bool:
    since, until = attrs.get("since"), attrs.get("until")
    return (since is None or since <= on) and (until is None or until >= on)


class Snapshot:
    """The relations of a mirror in force on one date, indexed by type and endpoint.

    Audits ask "what does X have of type T on D" many times; one pass over the edges
    answers all of them.
    """

    def __init__(self, graph: nx.MultiDiGraph, on: date):
        self.graph = graph
        self.on = on
        self._out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self._in: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for u, v, attrs in graph.edges(data=True):
            if in_force(attrs, on):
                self._out[attrs["type"]][u].append((v, attrs))
                self._in[attrs["type"]][v].append((u, attrs))

    def kind(self, node: str) -> str:
        return self.graph.nodes[node]["kind"]

    def node(self, node: str) -> dict:
        return self.graph.nodes[node]

    def nodes_of(self, kind: str, with_context: bool = False) -> list[str]:
        """The units of this kind, sorted; context read around a scope is left out unless asked."""
        return sorted(
            n for n, a in self.graph.nodes(data=True) if a["kind"] == kind and (with_context or not a["context"])
        )

    def out(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        return self._out[rtype].get(node, [])

    def into(self, rtype: str, node: str) -> list[tuple[str, dict]]:
        return self._in[rtype].get(node, [])

    def parent(self, node: str, kind: str) -> str | None:
        """The parent of the given kind in force (at most one, validation ensures)."""
        return next((v for v, _ in self.out("隶属", node) if self.kind(v) == kind), None)

    def committees(self, unit: str) -> list[str]:
        return [u for u, _ in self.into("隶属", unit) if self.kind(u) == "Committee"]
