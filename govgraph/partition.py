"""Audits street by street (issue 13, item 2): on a store that reads in parts (Neo4j),
no process holds the whole graph.

Streets are read a few at a time (STREETS_PER_PART) as one scope (store/scope.py),
mirrored, audited and released before the next part is read, each part with the cyclic
garbage collector paused (bulk.paused_gc: it re-walked the growing results during the
parts, 40% of the time) and resumed after it, when nothing of the part is referenced;
"a street" below is a street of the part being read. What is combined, and how:

- Compounds: a compound is listed by the one street whose 隶属 in force on the date lead
  to it (Snapshot.in_scope); around its street everything its row needs is read, so its
  coverage row is the whole graph's. A compound no street lists on the date (no 隶属 in
  force then) is taken from a street it was ever under; one under no street ever is read
  around itself after the streets. If the compounds found are not the store's, exactly
  once each, `Incomplete` is raised (the CLI then reads the whole graph).
- Firms serve compounds in several streets, and a firm's party org may cover firms read
  around no street of the firm, so a street's read is not enough for a firm's status.
  Firms are read on their own, in chunks (each firm, its relations, the relations of
  the party orgs covering it); `unit_coverage` gives the status there. The communities
  a firm counts in are the union, over the streets, of the communities of the compounds
  it serves there (each compound is in one street): each firm once, never double-counted.
- Roll-ups and indicators of streets, districts and the whole are computed by the same
  functions as on the whole graph (coverage.rollups, indicators.unit_counts /
  from_counts), on the combined rows and on a small mirror of the hierarchy alone
  (districts, streets, communities and their 隶属). Indicator counts are sums over
  compounds, so the streets' counts add up; firms are counted once, on the hierarchy.

- Findings and cross-appointments: each compound, community and committee is audited in
  the one part that holds it on the date (`_owned_pass`), where every relation its
  findings or its linked set need is read; party orgs are audited in chunks of their
  own, and a person's POST_NOT_FORMAL_MEMBER (posts in party orgs of any street) in a
  chunk of people read around them; the findings are put in the whole's order
  (findings.in_order). docs/scale.md says how each cross-street case is combined.

Part-time members and the planner are not combined here: they stay on the whole-graph
path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import networkx as nx

from .appointments import cross_rows
from .bulk import paused_gc
from .coverage import DEFAULT_MIN_FORMAL_MEMBERS, UnitCoverage, coverage, orphan_row, rollups, unit_coverage
from .findings import Finding, audit_placed, in_order
from .graph import GraphData
from .indicators import Indicator, from_counts, past_deadlines, unit_counts
from .mirror import Snapshot, build_mirror
from .profile import Profile
from .schema import PARENT_RELATION

HIERARCHY_KINDS = ("District", "Street", "Community")
LISTED_KINDS = (*HIERARCHY_KINDS, "Compound", "Firm", "Committee", "PartyOrg")
HELD_KINDS = ("Compound", "Community", "Committee")  # units a street's read holds as its own
CHUNK = 500  # ids per look-up while reading the hierarchy and the firms

_IDS_OF_KINDS = """
MATCH (n:Entity) WHERE n.added <= $seq AND (n.removed IS NULL OR n.removed > $seq)
WITH n, [label IN labels(n) WHERE label IN $kinds] AS kinds
WHERE size(kinds) > 0
RETURN n.id AS id, kinds[0] AS kind
ORDER BY id
"""


class Incomplete(Exception):
    """The streets do not list every compound exactly once on some date (a compound
    under no street, say): the parts cannot be combined into the whole's answer."""


# Street by street costs more wall time than one whole read (docs/scale.md: `coverage` on a
# province 1.55x for a fifteenth of the memory; every audit on a city 5.5x for 0.78x), so
# it is worth it only where a whole read would not fit: above about three cities.
PARTS_ABOVE = 250_000
# Streets read as one scope: a part's fixed cost (its queries, its mirror's indexes) is
# shared by 16 streets, and a part stays a few percent of a province (docs/scale.md).
STREETS_PER_PART = 16

_COUNT_ENTITIES = """
MATCH (n:Entity) WHERE n.added <= $seq AND (n.removed IS NULL OR n.removed > $seq)
RETURN count(n) AS n
"""


def by_parts(store, load: int | None = None) -> bool:
    """Whether audits of the whole store go street by street: a store that answers read
    queries on a server (Neo4j) and holds more than PARTS_ABOVE entities does; an
    embedded file, or a smaller graph, is read whole."""
    if not callable(getattr(store, "run_read", None)):
        return False
    return store.run_read(_COUNT_ENTITIES, {}, load=load)[0]["n"] > PARTS_ABOVE


class Parts:
    """The streets of one submission of a store, read one at a time."""

    def __init__(self, store, load: int | None):
        self.store = store
        if load is None:  # pin the latest, so every part reads the same submission
            done = store.submissions()
            load = done[-1].seq if done else None
        self.load = load
        self.ids: dict[str, list[str]] = {kind: [] for kind in LISTED_KINDS}
        for row in store.run_read(_IDS_OF_KINDS, {"kinds": list(LISTED_KINDS)}, load=load):
            self.ids[row["kind"]].append(row["id"])
        self.hierarchy = build_mirror(self._hierarchy())
        self.parts_read = 0
        # Applied to each street's data before it is mirrored (findings add the party
        # orgs' ancestors there).
        self.extra: Callable[[GraphData], GraphData] | None = None

    def _hierarchy(self) -> GraphData:
        ids = {i for kind in HIERARCHY_KINDS for i in self.ids[kind]}
        relations = {}
        for chunk in _chunks(sorted(ids)):
            for r in self.store.relations_touching(set(chunk), load=self.load):
                if r.type == PARENT_RELATION and r.from_id in ids and r.to_id in ids:
                    relations[r.identity] = r
        return GraphData(self.store.entities_by_id(ids, load=self.load), list(relations.values()))

    def each_part(self, work: Callable[[nx.MultiDiGraph], None]) -> None:
        """`work(mirror)` for each part in turn (STREETS_PER_PART streets read as one
        scope), then for the compounds, communities and committees under no street ever
        (read around themselves, `_around`); a mirror is released before the next part is
        read."""
        seen: set[str] = set()
        streets = self.ids["Street"]
        for k in range(0, len(streets), STREETS_PER_PART):
            with paused_gc(freeze=False):
                self._run(work, self.store.read(tuple(streets[k : k + STREETS_PER_PART]), load=self.load), seen)
        rest = sorted({i for kind in HELD_KINDS for i in self.ids[kind]} - seen)
        for chunk in _chunks(rest):
            with paused_gc(freeze=False):
                self._run(work, self._around(set(chunk)))

    def _run(self, work, data: GraphData, seen: set[str] | None = None) -> None:
        """Mirror `data` and run `work` on it; nothing of the part is referenced after
        (so the collector, resumed after the part, frees any cycle in it at once)."""
        if seen is not None:
            seen.update(i for i, e in data.entities.items() if e.kind in HELD_KINDS and i not in data.context)
        if self.extra is not None:
            data = self.extra(data)
        graph = build_mirror(data)
        del data
        self.parts_read += 1
        work(graph)

    def _around(self, compounds: set[str]) -> GraphData:
        """Units under no street, read as store/scope.py reads a scope's members: them
        and their committees, every relation touching them, and around them the party
        orgs and firms with all their relations."""
        members, relations = set(compounds), {}
        touching = self.store.relations_touching(members, load=self.load)
        below = {r.from_id for r in touching if r.type == PARENT_RELATION and r.to_id in members}
        members |= {i for i, e in self.store.entities_by_id(below, load=self.load).items() if e.kind == "Committee"}
        relations.update((r.identity, r) for r in self.store.relations_touching(members, load=self.load))
        ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
        entities = self.store.entities_by_id(ends | members, load=self.load)
        context_units = {i for i, e in entities.items() if i not in members and e.kind in ("PartyOrg", "Firm")}
        relations.update((r.identity, r) for r in self.store.relations_touching(context_units, load=self.load))
        ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
        entities.update(self.store.entities_by_id(ends - entities.keys(), load=self.load))
        return GraphData(entities, list(relations.values()), context=set(entities) - members)

    def each_chunk(self, ids: list[str], work: Callable[[GraphData, list[str]], None]) -> None:
        """`work(data, ids)` for chunks of `ids`: each with every relation touching it and
        the entities at their ends, everything but the chunk's own ids as context."""
        for chunk in _chunks(ids):
            with paused_gc(freeze=False):
                relations = self.store.relations_touching(set(chunk), load=self.load)
                ends = {end for r in relations for end in (r.from_id, r.to_id)}
                entities = self.store.entities_by_id(ends | set(chunk), load=self.load)
                work(GraphData(entities, list(relations), context=set(entities) - set(chunk)), chunk)
                del relations, entities

    def each_firm_chunk(self, work: Callable[[nx.MultiDiGraph, list[str]], None]) -> None:
        """`work(mirror, firms)` for chunks of firms: each firm, every relation touching
        it, and every relation of the party orgs covering it (for 单独建 / 联合建)."""
        for firms in _chunks(self.ids["Firm"]):
            with paused_gc(freeze=False):
                touching = self.store.relations_touching(set(firms), load=self.load)
                relations = {r.identity: r for r in touching}
                orgs = {r.from_id for r in touching if r.type == "覆盖"}
                relations.update((r.identity, r) for r in self.store.relations_touching(orgs, load=self.load))
                ends = {end for r in relations.values() for end in (r.from_id, r.to_id)}
                entities = self.store.entities_by_id(ends | set(firms), load=self.load)
                graph = build_mirror(GraphData(entities, list(relations.values())))
                del relations, entities, touching
                work(graph, firms)
                del graph


def _coverage_pass(parts: Parts, days, minimum: int, per_street: Callable | None = None,
                   per_mirror: Callable | None = None, per_firm: Callable | None = None):
    """({day: every coverage row}, {day: [per_street values]}).

    Rows come in the whole graph's order (compounds, then firms, by id).
    `per_street(mirror, day, compound rows)` runs on each street's mirror while it is held,
    on the compounds the street lists; a compound no street lists on `day` (under no street
    then, say before its first 隶属) is taken, alone, from a street it was ever under
    (every relation around it is read there), once. `per_mirror(mirror, day)` runs once
    on each part's mirror and day; `per_firm(mirror, day, firm rows)` on each chunk of
    firms with their combined rows."""
    compounds: dict[date, dict[str, UnitCoverage]] = {d: {} for d in days}
    strays: dict[date, dict[str, tuple]] = {d: {} for d in days}
    firm_communities: dict[date, dict[str, set]] = {d: defaultdict(set) for d in days}
    values: dict[date, list] = {d: [] for d in days}

    def street(graph):
        members = [n for n, a in graph.nodes(data=True) if a.get("kind") == "Compound" and not a["context"]]
        for day in days:
            listed = [r for r in coverage(graph, day, minimum) if r.kind == "Compound"]
            for row in listed:
                if row.id in compounds[day]:
                    raise Incomplete(row.id)  # two streets list one compound
                compounds[day][row.id] = row
            if per_street is not None:
                values[day].append(per_street(graph, day, listed))
            snap = Snapshot(graph, day)
            for firm in snap.nodes_of("Firm", with_context=True):
                # A compound's 隶属 are read only around the streets it was ever under:
                # the union over the streets is the communities the firm serves.
                firm_communities[day][firm].update(unit_coverage(snap, firm, minimum).communities)
            seen = {r.id for r in listed}
            for compound in members:
                if compound not in seen and compound not in strays[day]:
                    row = unit_coverage(snap, compound, minimum)
                    strays[day][compound] = (row, per_street(graph, day, [row]) if per_street else None)
            if per_mirror is not None:
                per_mirror(graph, day)

    parts.each_part(street)
    firms: dict[date, dict[str, UnitCoverage]] = {d: {} for d in days}

    def firm_chunk(graph, chunk):
        for day in days:
            snap = Snapshot(graph, day)
            for firm in chunk:
                row = unit_coverage(snap, firm, minimum)
                firms[day][firm] = replace(row, communities=tuple(sorted(firm_communities[day][firm])))
            if per_firm is not None:
                per_firm(graph, day, [firms[day][firm] for firm in chunk])

    parts.each_firm_chunk(firm_chunk)
    result = {}
    for day in days:
        found = compounds[day]
        for compound, (row, value) in strays[day].items():
            if compound not in found:
                found[compound] = row
                if per_street is not None:
                    values[day].append(value)
        if len(found) != len(parts.ids["Compound"]):
            raise Incomplete(day)
        result[day] = [found[c] for c in sorted(found)] + [firms[day][f] for f in sorted(firms[day])]
    return result, values


def coverage_rows(parts: Parts, on: date, minimum: int) -> list[UnitCoverage]:
    """What coverage.coverage gives on the whole graph."""
    return _coverage_pass(parts, [on], minimum)[0][on]


def coverage_rollups(parts: Parts, on: date, rows: list[UnitCoverage], level: str):
    """What coverage.rollups gives on the whole graph."""
    return rollups(parts.hierarchy, on, rows, level)


def orphans(parts: Parts, on: date, minimum: int) -> list[dict]:
    """The orphans command's rows: each 空白 compound with its reason and suggestion, found
    in its street's mirror (where every relation into it is read)."""
    def per_street(graph, day, compounds):
        return [orphan_row(graph, unit, day) for unit in compounds if unit.status == "空白"]

    found = [row for value in _coverage_pass(parts, [on], minimum, per_street)[1][on] for row in value]
    return sorted(found, key=lambda row: row["id"])


def indicators(parts: Parts, on: date, profile: Profile, level: str = "street") -> list[Indicator]:
    """What indicators.indicators gives on the whole graph: each street's counts of its
    compounds, plus the firms' counts on the hierarchy, summed unit by unit."""
    days = sorted({on} | past_deadlines(profile, on))
    totals: dict[date, dict] = {d: {} for d in days}
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}

    def add(day, found):
        counts, found_names, found_kinds = found
        names.update(found_names)
        kinds.update(found_kinds)
        into = totals[day]
        for unit, by_indicator in counts.items():
            mine = into.setdefault(unit, {k: [0, 0] for k in by_indicator})
            for key, (num, den) in by_indicator.items():
                mine[key][0] += num
                mine[key][1] += den

    def per_street(graph, day, compounds):
        return unit_counts(graph, day, profile, compounds, level)

    rows, values = _coverage_pass(parts, days, profile.min_formal_members, per_street)
    for day in days:
        for value in values[day]:
            add(day, value)
        add(day, unit_counts(parts.hierarchy, day, profile, [r for r in rows[day] if r.kind == "Firm"], level))
    return from_counts(lambda day: (totals[day], names, kinds), on, profile)


def _owned_pass(parts: Parts, on: date, minimum: int, work: Callable, per_firm: Callable | None = None) -> dict:
    """{unit: value} for every compound, community and committee of the store, each from
    the one part that holds it on `on`: `work(mirror, on, {kind: ids}, compound rows)`
    gives {unit: value} for the units it is asked about (None: this part cannot see all
    the unit needs, and the whole graph must be read).

    A compound is the coverage pass's (the street listing it on `on`, else a street it
    was ever under, else its own read); a community or committee is the part's whose
    scope it is in on `on` (at most one: one 隶属 in force), else the first part holding
    it as its own (every relation touching it is read there)."""
    listed: dict[str, object] = {}
    strays: dict[str, object] = {}

    def per_street(graph, day, rows):
        return work(graph, day, {"Compound": {r.id for r in rows}}, rows)

    def per_mirror(graph, day):
        snap = Snapshot(graph, day)
        nodes = graph._node
        new_listed: dict[str, set] = {}
        new_strays: dict[str, set] = {}
        for kind in ("Community", "Committee"):
            scoped = set(snap.nodes_of(kind))
            new_listed[kind] = scoped - listed.keys()
            new_strays[kind] = {n for n in snap.nodes_of(kind, with_context=True)
                                if not nodes[n]["context"] and n not in scoped} - listed.keys() - strays.keys()
        asked = {kind: new_listed[kind] | new_strays[kind] for kind in new_listed}
        if not any(asked.values()):
            return
        found = work(graph, day, asked, [])
        for kind in asked:
            listed.update((u, found[u]) for u in new_listed[kind])
            strays.update((u, found[u]) for u in new_strays[kind])

    values = _coverage_pass(parts, [on], minimum, per_street, per_mirror, per_firm)[1][on]
    result = {u: v for value in values for u, v in value.items()}
    result.update(listed)
    result.update((u, v) for u, v in strays.items() if u not in listed)
    held = {i for kind in HELD_KINDS for i in parts.ids[kind]}
    if result.keys() != held or any(v is None for v in result.values()):
        raise Incomplete(on)
    return result


def _referred(finding: Finding) -> set[str]:
    ids = {finding.entity_id, *(e[k] for e in finding.evidence for k in ("from_id", "to_id"))}
    return ids | ({finding.unit_id} if finding.unit_id else set())


def findings(parts: Parts, on: date, profile: Profile) -> tuple[list[Finding], dict[str, str]]:
    """What findings.audit gives on the whole graph, and id → name for every id the
    findings refer to (entity, unit, evidence). Each finding is made where its unit is
    held (`_owned_pass`); a party org's in a chunk of party orgs; a person's
    POST_NOT_FORMAL_MEMBER (posts in any party org) in a chunk of people, read around
    them; a firm's with its chunk. `findings.in_order` puts them in the whole's order."""
    placed: list[tuple[tuple, Finding]] = []
    named: dict[str, str] = {}

    def keep(graph, found) -> list:
        for place_finding in found:
            for i in _referred(place_finding[1]):
                named[i] = graph._node[i].get("name") or i
        return list(found)

    # Party orgs: their own findings; the people who may hold a post that needs a formal
    # member (the rule is run here on the chunk's posts alone, then on each person's
    # posts everywhere); and each org's 隶属 to party orgs, for the ancestors.
    candidates: set[str] = set()
    up: dict[str, list] = defaultdict(list)
    orgs: dict[str, object] = {}

    def org_chunk(data, chunk):
        for r in data.relations:
            if r.type == PARENT_RELATION and data.entities.get(r.from_id) and data.entities.get(r.to_id) \
                    and data.entities[r.from_id].kind == "PartyOrg" and data.entities[r.to_id].kind == "PartyOrg":
                if r not in up[r.from_id]:
                    up[r.from_id].append(r)
        orgs.update((i, e) for i, e in data.entities.items() if e.kind == "PartyOrg")
        graph = build_mirror(data)
        people = {i for i, e in data.entities.items() if e.kind == "Person"}
        for place, f in audit_placed(graph, on, profile, [], {"PartyOrg": set(chunk), "Person": people}):
            if f.code == "POST_NOT_FORMAL_MEMBER":
                candidates.add(f.entity_id)
            else:
                placed.extend(keep(graph, [(place, f)]))

    parts.each_chunk(parts.ids["PartyOrg"], org_chunk)

    def with_ancestors(data: GraphData) -> GraphData:
        """The part's data and, up from its party orgs, every 隶属 between party orgs
        (SUBORDINATION_MISMATCH looks for the community's org among all ancestors)."""
        relations = {r.identity: r for r in data.relations}
        entities = dict(data.entities)
        frontier = [i for i, e in entities.items() if e.kind == "PartyOrg"]
        seen = set(frontier)
        while frontier:
            for r in up.get(frontier.pop(), ()):
                relations.setdefault(r.identity, r)
                if r.to_id not in seen:
                    seen.add(r.to_id)
                    frontier.append(r.to_id)
                    entities.setdefault(r.to_id, orgs[r.to_id])
        return GraphData(entities, list(relations.values()), context=data.context | (entities.keys() - data.entities.keys()),
                         scope=data.scope)

    def held(graph, day, only, rows):
        snap = Snapshot(graph, day)
        nodes = graph._node
        found: dict[str, list | None] = {u: [] for ids in only.values() for u in ids}
        for place, f in audit_placed(graph, day, profile, rows, only):
            found[place[2]] += keep(graph, [(place, f)])
        for compound in only.get("Compound", ()):
            community = snap.parent(compound, "Community")
            if community is not None and nodes[community]["context"]:
                found[compound] = None  # its community's party orgs are not read here
        return found

    def firm_rows(graph, day, rows):
        placed.extend(keep(graph, audit_placed(graph, day, profile, rows, {})))

    parts.extra = with_ancestors
    try:
        for value in _owned_pass(parts, on, profile.min_formal_members, held, firm_rows).values():
            placed.extend(value)
    finally:
        parts.extra = None

    def person_chunk(data, chunk):
        graph = build_mirror(data)
        placed.extend(keep(graph, audit_placed(graph, on, profile, [], {"Person": set(chunk)})))

    parts.each_chunk(sorted(candidates), person_chunk)
    return in_order(placed), named


def cross(parts: Parts, on: date, kind: str) -> tuple[list[dict], list[dict], list]:
    """What appointments.cross_rows gives on the whole graph for every unit of `kind`
    (Compound or Community), each made where its unit is held (`_owned_pass`): a
    person's posts in the unit's linked set (its party orgs, committees and firms, with
    every relation of each read around the street) are the whole graph's."""
    def held(graph, day, only, rows):
        snap = Snapshot(graph, day)
        return {u: cross_rows(snap, kind, [u]) if u in only.get(kind, ()) else ()
                for ids in only.values() for u in ids}

    found = _owned_pass(parts, on, DEFAULT_MIN_FORMAL_MEMBERS, held)
    people, units, counted = [], [], []
    for unit in sorted(parts.ids[kind]):
        p, u, c = found[unit]
        people += p
        units += u
        counted += c
    return people, units, counted


def names(parts: Parts, rows) -> dict[str, str]:
    """id → name for the hierarchy and the units of `rows` (the `names` of Output.emit)."""
    found = {node: attrs.get("name") or node for node, attrs in parts.hierarchy.nodes(data=True)}
    for row in rows:
        found.setdefault(row["id"], row["name"])
    return found


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]
