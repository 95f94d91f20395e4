"""Plain data for one graph: entities and relations, independent of any store.

The ledger reader produces a `GraphData`, every store writes and reads one, and the
NetworkX mirror is built from one. Keeping this the single exchange format is what
lets the SQLite and Neo4j stores be swapped without the audits noticing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from .errors import LedgerIssue
from .schema import PARENT_RELATION, load_schema


# The headers and cells of a stored origin (read back from a store): none, read-only, shared.
NO_CELLS = MappingProxyType({})


@dataclass(frozen=True)
class Origin:
    """Where an entity or relation was read (file and spreadsheet row); while a ledger
    is being read it also knows the headers and cell texts, to point a user at a cell."""

    file: str
    row: int
    headers: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    cells: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def issue(self, column: str, code: str, reason: str, value: str = "") -> LedgerIssue:
        return LedgerIssue(
            self.file, self.row, self.headers.get(column, column), self.cells.get(column, value), code, reason
        )

    def __str__(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass(frozen=True)
class Entity:
    kind: str  # schema label: Compound, PartyOrg, ...
    id: str
    name: str
    attrs: dict[str, Any] = field(default_factory=dict, compare=True, hash=False)
    origin: Origin | None = field(default=None, compare=False)


def in_force(since: date | None, until: date | None, on: date) -> bool:
    """§2: a relation is in force on `on` when (no since or since ≤ on) and (no until or
    until ≥ on); `until` is inclusive."""
    return (since is None or since <= on) and (until is None or until >= on)


@dataclass(frozen=True)
class Relation:
    type: str  # Chinese relation type: 隶属, 覆盖, ...
    from_id: str
    to_id: str
    role: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    source: str | None = None
    origin: Origin | None = field(default=None, compare=False)

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """(type, from, to, role, since): rows with equal identity are one relation."""
        return (
            self.type,
            self.from_id,
            self.to_id,
            self.role or "",
            self.since.isoformat() if self.since else "",
        )

    def in_force(self, on: date) -> bool:
        return in_force(self.since, self.until, on)


@dataclass
class GraphData:
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    # Ids read only as context around a scope (see store/scope.py); not units of the scope.
    context: set[str] = field(default_factory=set)
    scope: str | tuple[str, ...] | None = None  # the street or community (or several) a scoped read was made around

    def same_content(self, other: GraphData) -> bool:
        """Equal entities and relations, load provenance aside."""
        return self.entities == other.entities and sorted(
            self.relations, key=_sort_key
        ) == sorted(other.relations, key=_sort_key)


def column_parents(data: GraphData) -> dict[tuple[str, str], Relation]:
    """{(entity id, parent column): relation}: the undated parent each entity's row holds
    in its parent column (`community_id`, `parent_id` …).

    That is a 隶属 with no dates, role or source, to a parent of a kind the column takes,
    the first such per column. Any other 隶属 (dated, or with a source) is a row of
    relations.csv. Export and merge both go by this, so what a resubmitted row replaces
    is exactly what its parent column holds.
    """
    schema = load_schema()
    found: dict[tuple[str, str], Relation] = {}
    for rel in data.relations:
        if rel.type == PARENT_RELATION and rel.since is None and rel.until is None and rel.role is None \
                and rel.source is None and rel.from_id in data.entities:
            parent = data.entities.get(rel.to_id)
            if parent is None:
                continue
            for column in schema.entities[data.entities[rel.from_id].kind].parent_columns:
                if parent.kind in column.to and (rel.from_id, column.name) not in found:
                    found[(rel.from_id, column.name)] = rel
                    break
    return found


def overlay(base: GraphData, new: GraphData) -> GraphData:
    """`new` laid over `base`, for a merge load.

    A `new` entity replaces the stored one with the same id, including the parent its
    row holds in a parent column (`column_parents`); a `new` relation replaces the stored
    one with the same identity; everything else in `base` stays.
    """
    resubmitted = new.entities.keys()
    replaced = {id(r) for (entity_id, _), r in column_parents(base).items() if entity_id in resubmitted}
    kept = [r for r in base.relations if id(r) not in replaced]
    new_ids = {r.identity for r in new.relations}
    # Stored relations first: an error between the two is reported at the ledger's row.
    relations = [r for r in kept if r.identity not in new_ids] + list(new.relations)
    return GraphData({**base.entities, **new.entities}, relations, context=base.context - resubmitted)


def _sort_key(r: Relation) -> tuple:
    return (*r.identity, r.until.isoformat() if r.until else "", r.source or "")
