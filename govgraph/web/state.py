"""What the web workbench keeps in memory: the stored graph, read once and again after
each load, and the library's answers for the dates asked for.

Every answer comes from the library (coverage, roll-ups, findings, indicators, planner,
charts); this module only decides what to keep. A drill-down page for one street or
community audits that unit's scoped graph (the same scope definition as `--scope`, read
from memory), so it never costs a whole-city computation per request.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from ..coverage import UnitCoverage, coverage, orphan_reason, rollups
from ..findings import SEVERITY_ORDER, Finding, audit
from ..graph import Entity, GraphData, Relation
from ..indicators import Indicator, indicators
from ..mirror import Snapshot, build_mirror
from ..profile import Profile
from ..store.scope import read_scope


@dataclass
class History:
    """One submission's findings against the one before (§7 states, the 整改台账) and the
    headline indicators of every submission up to it, on one date: `rectify.track_store`
    and the 合计 indicators of each submission it reads (`indicators.totals`, what
    `trend --periods` prints), computed once per submission and date, each submission read
    once."""

    tracking: object | None  # rectify.TrackedAudit; None when the store holds no submission
    trend: list  # [(submission record, [合计 Indicator, ...])], oldest first
    has_register: bool = False
    by_key: dict = field(default_factory=dict)  # FindingKey → rectify.Tracked

    @property
    def compared(self) -> bool:
        """Whether there is an earlier submission to compare with."""
        return self.tracking is not None and self.tracking.baseline is not None

    _memos: dict = field(default_factory=dict, repr=False)

    def state_of(self, finding):
        """The Tracked of a finding of this submission (its state and register status)."""
        from ..finding_states import finding_key

        return self.by_key.get(finding_key(finding))

    def progress(self, by: str) -> list[dict]:
        """`rectify.progress_counts` by code, district, street or 责任单位 (kept)."""
        from ..rectify import progress_counts

        if by not in self._memos:
            self._memos[by] = progress_counts(self.tracking.tracked, self.tracking.units, by)
        return self._memos[by]

    def in_state(self, state: str) -> list:
        """The whole area's findings in `state` (新增, 持续, 回潮 or 已整改), in the audit's
        order; the 已整改 ones (not in this audit) most severe first (kept)."""
        from ..findings import SEVERITY_ORDER

        key = ("state", state)
        if key not in self._memos:
            found = [t.audited.finding for t in (self.tracking.tracked if self.tracking else ())
                     if t.state.state == state]
            if state == "已整改":
                found.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.entity_id, f.unit_id or ""))
            self._memos[key] = found
        return self._memos[key]


class MemoryStore:
    """The two look-ups `read_scope` asks a store for, answered from a `GraphData`."""

    def __init__(self, data: GraphData):
        self.entities = data.entities
        self._touching: dict[str, list[Relation]] = {}
        for r in data.relations:
            self._touching.setdefault(r.from_id, []).append(r)
            if r.to_id != r.from_id:
                self._touching.setdefault(r.to_id, []).append(r)

    def entities_by_id(self, ids) -> dict[str, Entity]:
        return {i: self.entities[i] for i in ids if i in self.entities}

    def relations_touching(self, ids) -> list[Relation]:
        seen, result = set(), []
        for i in ids:
            for r in self._touching.get(i, ()):
                if id(r) not in seen:
                    seen.add(id(r))
                    result.append(r)
        return result


@dataclass
class Answers:
    """The library's answers on one graph (whole or scoped) and one date, computed when first asked."""

    graph: nx.MultiDiGraph
    on: date
    profile: Profile
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _memos: dict = field(default_factory=dict, repr=False)

    @property
    def coverage(self) -> list[UnitCoverage]:
        return self._memo("coverage", lambda: coverage(self.graph, self.on, self.profile.min_formal_members))

    @property
    def coverage_by_id(self) -> dict[str, UnitCoverage]:
        return self._memo("coverage_by_id", lambda: {r.id: r for r in self.coverage})

    @property
    def findings(self) -> list[Finding]:
        return self._memo("findings", lambda: audit(self.graph, self.on, self.profile, self.coverage))

    def rollups(self, level: str):
        return self._memo(("rollups", level), lambda: rollups(self.graph, self.on, self.coverage, level))

    def indicators(self, level: str) -> list[Indicator]:
        return self._memo(("indicators", level),
                          lambda: indicators(self.graph, self.on, self.profile, level, self.coverage))

    @property
    def orphans(self) -> list[tuple[UnitCoverage, str, str]]:
        """(unit, reason, suggestion) for every 空白 compound."""
        return self._memo("orphans", lambda: [
            (u, *orphan_reason(self.graph, u, self.on)) for u in self.coverage
            if u.kind == "Compound" and u.status == "空白"])

    @property
    def parents(self) -> dict[str, str | None]:
        """The district of each street and the street of each community, by the 隶属 in force."""
        def compute():
            snap = Snapshot(self.graph, self.on)
            found = {s: snap.parent(s, "District") for s in snap.nodes_of("Street")}
            found.update({c: snap.parent(c, "Street") for c in snap.nodes_of("Community")})
            return found

        return self._memo("parents", compute)

    @property
    def finding_counts(self) -> tuple[Counter, list[tuple[str, str, int]]]:
        """Findings per severity, and (severity, code, count) most severe first."""
        def compute():
            by_code = Counter((f.severity, f.code) for f in self.findings)
            return (Counter(f.severity for f in self.findings),
                    [(sev, code, n) for (sev, code), n in
                     sorted(by_code.items(), key=lambda x: (SEVERITY_ORDER[x[0][0]], x[0][1]))])

        return self._memo("finding_counts", compute)

    @property
    def in_force_graph(self):
        """The relations in force as one undirected graph, for path look-ups."""
        from ..paths import in_force_graph

        return self._memo("in_force_graph", lambda: in_force_graph(self.graph, self.on))

    @property
    def plan(self):
        """(ranked candidates, assignment plan) of the instructor planner."""
        from ..planner import candidates, instructors, plan

        def compute():
            ranked = candidates(self.graph, self.on, self.profile, self.coverage)
            return ranked, plan(ranked, instructors(self.graph, self.on, self.profile))

        return self._memo("plan", compute)

    def _memo(self, key, compute):
        # One computation per key even when several requests ask at once (RLock: a
        # computation may ask for another answer, e.g. findings need coverage).
        if key not in self._memos:
            with self._lock:
                if key not in self._memos:
                    self._memos[key] = compute()
        return self._memos[key]


class _Lru(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class View:
    """One submission's graph (the latest, or an earlier one chosen on the page) and the
    answers on it."""

    def __init__(self, data: GraphData, profile: Profile, seq: int | None, open_store=None):
        self.data = data
        self.seq = seq
        self.profile = profile
        self.open_store = open_store
        self._history_lock = threading.Lock()
        self._history = _Lru(4)
        self.graph = build_mirror(data)
        self.memory = MemoryStore(data)
        self._lock = threading.RLock()
        self._whole = _Lru(8)  # the as-of date and the trend's year-ends
        self._scoped = _Lru(256)

    def entity(self, entity_id: str) -> Entity | None:
        return self.data.entities.get(entity_id)

    def whole(self, on: date) -> Answers:
        with self._lock:
            return self._whole.get_or_make(on, lambda: Answers(self.graph, on, self.profile))

    def history(self, on: date) -> History:
        """The states of this submission's findings against the previous submission, the
        register and the trend across submissions, on `on` (reads every earlier submission
        from the store once; kept per date)."""
        with self._history_lock:
            return self._history.get_or_make(on, lambda: self._make_history(on))

    def _make_history(self, on: date) -> History:
        from ..indicators import totals
        from ..rectify import read_register, track_store

        if self.seq is None or self.open_store is None:
            return History(None, [])
        points = {}  # the trend (what `trend --periods` gives) on the graphs the tracking reads

        def on_graph(seq, graph):
            points[seq] = totals(graph, on, self.profile)

        store = self.open_store()
        try:
            tracking = track_store(store, on, self.profile, current=self.seq, current_graph=self.graph,
                                   on_graph=on_graph)
            trend = [(s, points[s.seq]) for s in store.submissions() if s.seq in points]
            has_register = bool(read_register(store))
        finally:
            store.close()
        return History(tracking, trend, has_register, {t.key: t for t in tracking.tracked})

    def scoped(self, unit: str, on: date) -> Answers:
        """Answers on the graph read around one street or community (`--scope unit`)."""
        with self._lock:
            return self._scoped.get_or_make(
                (unit, on), lambda: Answers(build_mirror(read_scope(self.memory, unit)), on, self.profile))


class Workbench:
    """The stored submissions: the latest one's view, and earlier ones read when a page
    asks for them (`?load=N`); `reload()` after a load."""

    def __init__(self, open_store, profile: Profile):
        self.open_store = open_store  # () -> Store; create=True for loads
        self.profile = profile
        self._lock = threading.RLock()
        self.reload()

    def reload(self) -> None:
        store = self.open_store()
        try:
            data = store.read()
            self.description = store.description
            self.records = store.submissions()
        finally:
            store.close()
        latest = View(data, self.profile, self.records[-1].seq if self.records else None, self.open_store)
        with self._lock:
            self.latest = latest
            self._earlier = _Lru(2)  # an earlier submission costs a whole read: keep a few
            self.generation = getattr(self, "generation", 0) + 1

    def view(self, load: int | None = None) -> View:
        """Submission `load` (None or the latest: the current view)."""
        if load is None or load == self.latest.seq:
            return self.latest

        def read() -> View:
            store = self.open_store()
            try:
                return View(store.read(load=load), self.profile, load, self.open_store)
            finally:
                store.close()

        with self._lock:
            return self._earlier.get_or_make(load, read)

    # The latest submission, for the callers that always mean it (a load, the warm-up).
    @property
    def data(self) -> GraphData:
        return self.latest.data

    def whole(self, on: date) -> Answers:
        return self.latest.whole(on)

    def warm(self, on: date) -> None:
        """Compute the whole-graph answers the overview and the unit pages read (the
        server does this in the background at start-up and after a load)."""
        answers = self.whole(on)
        for level in ("district", "street", "community"):
            answers.rollups(level)
            answers.indicators(level)
        answers.orphans, answers.parents, answers.finding_counts  # noqa: B018 - computed and kept
        self.latest.history(on)

    def warm_in_background(self, on: date) -> threading.Thread:
        thread = threading.Thread(target=self.warm, args=(on,), name="govgraph-warm", daemon=True)
        thread.start()
        return thread

