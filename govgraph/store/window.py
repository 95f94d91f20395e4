"""Submissions that read and change only part of the graph (a scoped load, domain.md §7).

A `Window` is handed to `Store.submit` in place of a whole-graph build. Inside the write
transaction the store gives it a `View` of the current graph, through which the window
reads only what it needs (entities by id, relations touching ids); `build(view)` returns
the new state of exactly what the view has read (`view.graph()`), and the store writes
the difference between the two. Everything the view has not read stays as stored, so a
window must read every row its change could touch (see `loading._scoped_window`).

`Window.over(before)` runs the same window on a graph already read whole (an in-memory
view), and returns the whole graph after it: a store that reads the whole graph for
every submission anyway uses that, and both stores go through the same logic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from ..graph import Entity, GraphData, Relation


class View(Protocol):
    """The current graph seen from inside a write transaction, read piece by piece."""

    def entities_by_id(self, ids: Iterable[str]) -> dict[str, Entity]: ...

    def relations_touching(self, ids: Iterable[str]) -> list[Relation]:
        """Every relation with an end in `ids`; those ids are then *complete*."""

    def whole(self) -> None:
        """Read everything (every id complete from then on)."""

    def totals(self) -> tuple[int, int]:
        """How many entities and relations the current graph holds (before the change)."""

    def graph(self) -> GraphData:
        """What has been read so far: the entities asked for and every end of the relations
        read, and those relations, in the store's order; the ends read only as the other
        end of a relation (not complete) are its `context`."""

    @property
    def complete(self) -> set[str] | None:
        """The ids whose every relation has been read (None: every id)."""


@dataclass(frozen=True)
class Window:
    build: Callable[[View], GraphData]

    def over(self, before: GraphData) -> GraphData:
        """The whole graph after this window, run on `before` (read whole)."""
        view = GraphView(before)
        after = self.build(view)
        return view.apply(after)


class GraphView:
    """A `View` of a graph held in memory (for `Window.over`)."""

    def __init__(self, data: GraphData):
        self.data = data
        self._touching: dict[str, list[int]] = {}
        for i, r in enumerate(data.relations):
            self._touching.setdefault(r.from_id, []).append(i)
            if r.to_id != r.from_id:
                self._touching.setdefault(r.to_id, []).append(i)
        self._entities: set[str] = set()
        self._relations: set[int] = set()
        self._complete: set[str] | None = set()

    @property
    def complete(self) -> set[str] | None:
        return self._complete

    def entities_by_id(self, ids: Iterable[str]) -> dict[str, Entity]:
        found = {i: self.data.entities[i] for i in ids if i in self.data.entities}
        self._entities |= found.keys()
        return found

    def relations_touching(self, ids: Iterable[str]) -> list[Relation]:
        ids = set(ids)
        found = sorted({k for i in ids for k in self._touching.get(i, ())})
        self._relations.update(found)
        if self._complete is not None:
            self._complete |= ids
        return [self.data.relations[k] for k in found]

    def totals(self) -> tuple[int, int]:
        return len(self.data.entities), len(self.data.relations)

    def whole(self) -> None:
        self._entities = set(self.data.entities)
        self._relations = set(range(len(self.data.relations)))
        self._complete = None

    def graph(self) -> GraphData:
        relations = [self.data.relations[k] for k in sorted(self._relations)]
        ids = self._entities | {end for r in relations for end in (r.from_id, r.to_id)}
        entities = {i: e for i, e in self.data.entities.items() if i in ids}
        context = set() if self._complete is None else set(entities) - self._complete
        return GraphData(entities, relations, context=context)

    def apply(self, after: GraphData) -> GraphData:
        """The whole graph: what was not read, as it was, with `after` in place of what was."""
        read = self.graph().entities.keys()
        entities = {i: e for i, e in self.data.entities.items() if i not in read}
        entities.update(after.entities)
        kept = [r for k, r in enumerate(self.data.relations) if k not in self._relations]
        return GraphData(entities, kept + list(after.relations))
