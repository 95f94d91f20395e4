"""How two entities are connected on a date: the shortest chains of relations in force."""

from __future__ import annotations

from datetime import date
from itertools import islice

import networkx as nx

from .mirror import edges, in_force


def in_force_graph(graph: nx.MultiDiGraph, on: date) -> nx.Graph:
    """The relations in force on `on` as an undirected graph, one edge per pair of
    entities (the first relation between them, in the mirror's order), keeping its type,
    role and direction."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, attrs in edges(graph):
        if in_force(attrs, on) and not simple.has_edge(u, v):
            simple.add_edge(u, v, type=attrs["type"], role=attrs.get("role"), forward=(u, v))
    return simple


def connecting_paths(simple: nx.Graph, source: str, target: str, limit: int = 3) -> list[list[dict]]:
    """Up to `limit` paths from `source` to `target`, shortest first; each a list of steps
    {from_id, to_id, type, role, forward} (forward: the relation points from → to)."""
    try:
        found = list(islice(nx.shortest_simple_paths(simple, source, target), limit))
    except nx.NetworkXNoPath:
        return []
    paths = []
    for nodes in found:
        steps = []
        for a, b in zip(nodes, nodes[1:]):
            edge = simple.edges[a, b]
            steps.append({"from_id": a, "to_id": b, "type": edge["type"], "role": edge["role"],
                          "forward": edge["forward"] == (a, b)})
        paths.append(steps)
    return paths
