"""The store → mirror step, one place for the CLI, the benchmarks and the web app."""

from __future__ import annotations

from datetime import date

import networkx as nx

from .errors import GovgraphError, NotFoundError
from .labels import kind_word
from .mirror import build_mirror
from .schema import PARENT_RELATION

CHART_KINDS = ("Compound", "Community", "Street")


def read_mirror(store, scope: str | None = None, load: int | None = None) -> nx.MultiDiGraph:
    """The NetworkX mirror of a store, whole or around one street or community, as it
    stood after submission `load` (None: the latest). The whole mirror of a SQLite store
    comes from its per-submission snapshot when there is one (govgraph/snapshot.py)."""
    if scope is None:
        from .snapshot import cached_mirror

        return cached_mirror(store, load, lambda seq: build_mirror(store.read(None, load=seq)))
    return build_mirror(store.read(scope, load=load))


def parent_on(store, unit_id: str, kind: str, on: date, load: int | None = None) -> str | None:
    """The parent of the given kind a unit's 隶属 in force on `on` names, asked of the store."""
    parents = [r.to_id for r in store.relations_touching({unit_id}, load=load)
               if r.type == PARENT_RELATION and r.from_id == unit_id and r.in_force(on)]
    kinds = store.entities_by_id(set(parents), load=load)
    return next((p for p in parents if kinds[p].kind == kind), None)


def read_around(store, unit_id: str, on: date, load: int | None = None) -> nx.MultiDiGraph:
    """The mirror around a unit to chart: a street or community read as a scope; a
    compound through the community it belongs to on `on` (the whole store when none)."""
    found = store.entities_by_id({unit_id}, load=load).get(unit_id)
    if found is None:
        raise NotFoundError(f"找不到编号为 {unit_id} 的实体")
    if found.kind in ("Street", "Community"):
        return read_mirror(store, unit_id, load)
    if found.kind != "Compound":
        raise GovgraphError(f"只能为小区、社区或街道制图，{unit_id} 是{kind_word(found.kind)}")
    return read_mirror(store, parent_on(store, unit_id, "Community", on, load), load)
