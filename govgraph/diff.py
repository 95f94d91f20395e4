"""What changed between two submissions (§7 Diff): entities and relations added, removed
and changed, coverage statuses that moved, and every headline indicator before and after.

Everything here takes plain `GraphData` (the graph as it stood right after each
submission), so the same answer comes from either store. Both graphs are audited on the
same as-of date: the diff shows what the *data* changed, not what the calendar did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .coverage import STATUSES, UnitCoverage, coverage
from .graph import Entity, GraphData, Relation
from .indicators import Indicator, indicators
from .mirror import build_mirror
from .profile import INDICATORS, Profile

# §4.1's order of precedence is also the order of merit: 单独建 best, 空白 worst.
STATUS_RANK = {word: rank for rank, word in enumerate(STATUSES)}
RELATION_FIELDS = ("until", "source")  # what may change in a relation of one identity


def status_change(before: str | None, after: str | None) -> str | None:
    """improved / worsened for a unit whose status moved (§4.1 order: 单独建 best, 空白
    worst); added / removed for one present in only one submission; None when equal."""
    if before == after:
        return None
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "improved" if STATUS_RANK[after] < STATUS_RANK[before] else "worsened"


def _entity_fields(e: Entity) -> dict:
    return {"kind": e.kind, "name": e.name, **e.attrs}


def _changed_fields(old: dict, new: dict) -> dict[str, list]:
    """{field: [before, after]} for the fields that differ, in the order they are read."""
    return {k: [old.get(k), new.get(k)] for k in {**old, **new} if old.get(k) != new.get(k)}


def entity_changes(before: GraphData, after: GraphData) -> list[dict]:
    """One row per entity added, removed or changed (fields as {field: [before, after]}),
    by id. Context entities read around a scope are not part of either submission's answer."""
    old = {i: e for i, e in before.entities.items() if i not in before.context}
    new = {i: e for i, e in after.entities.items() if i not in after.context}
    rows = []
    for entity_id in sorted(old.keys() | new.keys()):
        a, b = old.get(entity_id), new.get(entity_id)
        if a is None:
            rows.append({"change": "added", "id": entity_id, "kind": b.kind, "name": b.name, "fields": {}})
        elif b is None:
            rows.append({"change": "removed", "id": entity_id, "kind": a.kind, "name": a.name, "fields": {}})
        else:
            fields = _changed_fields(_entity_fields(a), _entity_fields(b))
            if fields:
                rows.append({"change": "changed", "id": entity_id, "kind": b.kind, "name": b.name, "fields": fields})
    return rows


def _relation_row(change: str, r: Relation, fields: dict | None = None) -> dict:
    return {"change": change, "type": r.type, "from_id": r.from_id, "to_id": r.to_id, "role": r.role,
            "since": r.since, "until": r.until, "source": r.source, "fields": fields or {}}


def relation_changes(before: GraphData, after: GraphData) -> list[dict]:
    """One row per relation added, removed or changed, by identity (type, from, to, role,
    since); a change is in `until` or `source`."""
    old = {r.identity: r for r in before.relations}
    new = {r.identity: r for r in after.relations}
    rows = []
    for identity in sorted(old.keys() | new.keys()):
        a, b = old.get(identity), new.get(identity)
        if a is None:
            rows.append(_relation_row("added", b))
        elif b is None:
            rows.append(_relation_row("removed", a))
        else:
            fields = {f: [getattr(a, f), getattr(b, f)] for f in RELATION_FIELDS if getattr(a, f) != getattr(b, f)}
            if fields:
                rows.append(_relation_row("changed", b, fields))
    return rows


def status_changes(before: list[UnitCoverage], after: list[UnitCoverage]) -> list[dict]:
    """Every compound and firm whose coverage status differs (or that exists in one
    submission only), compounds first, then firms, each by id."""
    old = {(u.kind, u.id): u for u in before}
    new = {(u.kind, u.id): u for u in after}
    rows = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0] != "Compound", k[1])):
        a, b = old.get(key), new.get(key)
        change = status_change(a.status if a else None, b.status if b else None)
        if change:
            unit = b or a
            rows.append({"id": unit.id, "kind": unit.kind, "name": unit.name,
                         "community_id": unit.community_id, "street_id": unit.street_id,
                         "before": a.status if a else None, "after": b.status if b else None, "change": change})
    return rows


def indicator_changes(before: list[Indicator], after: list[Indicator]) -> list[dict]:
    """Every indicator of every unit (street and 合计), before and after, whether or not it
    moved: units in street order with 合计 last, indicators in §4.6 order."""
    old = {(i.unit_id, i.indicator): i for i in before}
    new = {(i.unit_id, i.indicator): i for i in after}
    order = list(INDICATORS)
    rows = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0] == "TOTAL", k[0], order.index(k[1]))):
        a, b = old.get(key), new.get(key)
        unit = b or a
        va, vb = (a.value if a else None), (b.value if b else None)
        rows.append({
            "unit_id": unit.unit_id, "unit_kind": unit.unit_kind, "unit_name": unit.unit_name,
            "indicator": unit.indicator, "indicator_name": INDICATORS[unit.indicator],
            "before": va, "after": vb,
            "before_numerator": a.numerator if a else None, "before_denominator": a.denominator if a else None,
            "after_numerator": b.numerator if b else None, "after_denominator": b.denominator if b else None,
            "delta": round(vb - va, 4) if va is not None and vb is not None else None,
        })
    return rows


@dataclass
class Diff:
    from_seq: int | None
    to_seq: int | None
    on: date
    entities: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    statuses: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)

    def status_counts(self) -> dict[str, int]:
        """How many compounds and firms improved, worsened, were added or removed."""
        return {c: sum(1 for r in self.statuses if r["change"] == c) for c in ("improved", "worsened", "added", "removed")}

    def as_dict(self) -> dict:
        """§6: `from`, `to`, `entities`, `relations`, `statuses`, `indicators`."""
        return {"from": self.from_seq, "to": self.to_seq, "as_of": self.on, "entities": self.entities,
                "relations": self.relations, "statuses": self.statuses, "indicators": self.indicators}


def diff(before: GraphData, after: GraphData, on: date, profile: Profile, *,
         from_seq: int | None = None, to_seq: int | None = None) -> Diff:
    """The §7 diff of two submissions' graphs, both audited on `on`."""
    result = Diff(from_seq, to_seq, on, entity_changes(before, after), relation_changes(before, after))
    audited = []
    for data in (before, after):
        graph = build_mirror(data)
        rows = coverage(graph, on, profile.min_formal_members)
        audited.append((rows, indicators(graph, on, profile, "street", rows=rows)))
    (rows_a, ind_a), (rows_b, ind_b) = audited
    result.statuses = status_changes(rows_a, rows_b)
    result.indicators = indicator_changes(ind_a, ind_b)
    return result
