"""References by name (domain.md §3.2, last point): a reference column (`community_id`,
`from_id`, …) may hold a name instead of an id. It resolves to the one entity of an
allowed kind with that name, within the row's scope where one is known, with a note; an
ambiguous name is an error listing the candidates, an unknown one an error suggesting
the closest names."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import replace

from ..errors import LedgerIssue
from ..graph import Entity, GraphData, Relation
from ..schema import PARENT_RELATION, load_schema

_SPACES = re.compile(r"\s+")
SUGGESTIONS = 3


def _folded(name: str) -> str:
    return _SPACES.sub("", name)


def resolve_names(data: GraphData, base: GraphData | None, communities: dict[str, str],
                  errors: list[LedgerIssue], warnings: list[LedgerIssue],
                  unread: dict[str, str] | None = None) -> dict[str, int]:
    """Replace names by ids in `data.relations` (the ledger's own); a reference that is
    neither an id nor one name is an error and its relation is dropped, so it is
    reported once.

    `unread` ({entity kind: file}) names the files that could not be read (their own
    error is reported): an unknown reference that could only be to such a kind is
    counted per file, not reported; the counts are returned."""
    entities = {**(base.entities if base else {}), **data.entities}
    rels = list(data.relations)
    pending = [i for i, r in enumerate(rels) if r.from_id not in entities or r.to_id not in entities]
    dangling: dict[str, int] = {}
    if not pending:
        return dangling  # the common case: every reference is an id
    stored = base.relations if base else []
    resolved_ends: dict[tuple[int, str], tuple[str, str]] = {}  # (relation, end) -> (name, id)
    problems: dict[int, list] = {}
    # Two passes: names that are unique anywhere first; then the rest, narrowed to the
    # scope the first pass made known (a committee's community, an org's …).
    for _ in range(2):
        resolver = _Resolver(entities, [*stored, *rels], communities)
        still = []
        for i in pending:
            rel = rels[i]
            found = []
            # The end whose other end is an id first: its scope can narrow the name.
            for end in sorted(("from_id", "to_id"), key=lambda e: (rel.to_id if e == "from_id" else rel.from_id) not in entities):
                ref = getattr(rel, end)
                if ref in entities:
                    continue
                other = rel.to_id if end == "from_id" else rel.from_id
                outcome = resolver.resolve(rel.type, end, ref, other if other in entities else None)
                if isinstance(outcome, Entity):
                    rel = replace(rel, **{end: outcome.id})
                    resolved_ends[(i, end)] = (ref, outcome.id)
                else:
                    found.append((end, ref, *outcome))
            rels[i] = rel
            if found:
                problems[i] = found
                still.append(i)
        pending = still
        if not pending:
            break
    for i in pending:
        for end, ref, code, reason in problems[i]:
            if code == "unknown_reference" and unread:
                rel = rels[i]
                other = rel.to_id if end == "from_id" else rel.from_id
                files = {unread[k] for k in resolver.allowed(rel.type, end, other if other in entities else None)
                         if k in unread}
                if files:
                    file = min(files)
                    dangling[file] = dangling.get(file, 0) + 1
                    continue
            errors.append(_issue(rels[i], end, ref, code, reason))
    dropped = set(pending)
    # A name and an id for the same entity may make two rows one relation.
    first: dict[tuple, Relation] = {}
    data.relations = []
    for i, rel in enumerate(rels):
        if i in dropped:
            continue
        earlier = first.setdefault(rel.identity, rel)
        if earlier is rel:
            data.relations.append(rel)
        elif earlier != rel:
            column = "until" if earlier.until != rel.until else "source"
            errors.append(_issue(rel, column, "", "conflicting_relation", f"与 {earlier.origin} 是同一关系但内容不同"))
    notes: dict[tuple, list[LedgerIssue]] = {}
    for (i, end), (ref, entity_id) in resolved_ends.items():
        origin = rels[i].origin
        if origin is not None and i not in dropped:
            issue = origin.issue(end, "name_resolved", "", ref)
            notes.setdefault((issue.file, issue.column, ref, entity_id), []).append(issue)
    for (_, _, ref, entity_id), issues in sorted(notes.items(), key=lambda kv: (kv[1][0].file, min(i.row for i in kv[1]))):
        head = min(issues, key=lambda i: i.row)
        more = f"（本列共 {len(issues)} 处）" if len(issues) > 1 else ""
        warnings.append(LedgerIssue(head.file, head.row, head.column, ref, "name_resolved",
                                    f"按名称对应到“{entities[entity_id].name}”（{entity_id}）{more}"))
    return dangling


def _issue(rel: Relation, end: str, value: str, code: str, reason: str) -> LedgerIssue:
    if rel.origin is None:
        return LedgerIssue("（库中已有）", 0, end, value, code, reason)
    return rel.origin.issue(end, code, reason, value)


class _Resolver:
    def __init__(self, entities: dict[str, Entity], relations: list[Relation], communities: dict[str, str]):
        self.entities = entities
        self.schema = load_schema()
        self.by_name: dict[str, list[Entity]] = defaultdict(list)
        for e in entities.values():
            self.by_name[_folded(e.name)].append(e)
        self.out: dict[str, list[str]] = defaultdict(list)
        self.parent: dict[str, str] = {}
        for r in relations:
            if r.from_id in entities and r.to_id in entities:
                self.out[r.from_id].append(r.to_id)
                if r.type == PARENT_RELATION:
                    self.parent.setdefault(r.from_id, r.to_id)
        self.communities = communities
        self._scopes: dict[str, frozenset[str]] = {}

    def allowed(self, rtype: str, end: str, other: str | None) -> set[str]:
        endpoints = self.schema.relations[rtype].endpoints
        other_kind = self.entities[other].kind if other else None
        if end == "from_id":
            return {f for f, t in endpoints if other_kind in (None, t)}
        return {t for f, t in endpoints if other_kind in (None, f)}

    def scope(self, entity_id: str, depth: int = 0) -> frozenset[str]:
        """The communities an entity belongs to, as far as the ledger says."""
        if entity_id in self._scopes:
            return self._scopes[entity_id]
        kind = self.entities[entity_id].kind
        if kind == "Community":
            found = {entity_id}
        elif entity_id in self.communities:
            found = {self.communities[entity_id]}
        elif kind in ("Street", "District") or depth > 2:
            found = set()
        else:
            found = set()
            for target in self.out.get(entity_id, ()):
                if self.entities[target].kind in ("Street", "District"):
                    continue
                found |= self.scope(target, depth + 1)
        self._scopes[entity_id] = frozenset(found)
        return self._scopes[entity_id]

    def resolve(self, rtype: str, end: str, ref: str, other: str | None):
        """The entity `ref` names, or (code, reason)."""
        kinds = self.allowed(rtype, end, other)
        what = "或".join(self._zh(k) for k in sorted(kinds)) or "实体"
        candidates = sorted((e for e in self.by_name.get(_folded(ref), ()) if e.kind in kinds), key=lambda e: e.id)
        if len(candidates) > 1 and other is not None and (rtype != PARENT_RELATION or end == "from_id"):
            near = self.scope(other)
            if near:
                inside = [e for e in candidates if self.scope(e.id) & near]
                candidates = inside or candidates
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            listed = "、".join(f"“{e.name}”（{e.id}{self._where(e)}）" for e in candidates)
            same = "或".join(self._zh(k) for k in sorted({e.kind for e in candidates}))
            return "ambiguous_name", f"有 {len(candidates)} 个同名的{same}：{listed}，请改填编号"
        names: dict[str, list[Entity]] = defaultdict(list)
        for e in self.entities.values():
            if e.kind in kinds:
                names[e.name].append(e)
        picks = [e for text in difflib.get_close_matches(ref, list(names), n=SUGGESTIONS, cutoff=0.5)
                 for e in sorted(names[text], key=lambda e: e.id)][:SUGGESTIONS]
        if picks:
            listed = "或".join(f"“{e.name}”（{e.id}）" for e in picks)
            return "unknown_reference", f"没有这个{what}；是不是{listed}？"
        return "unknown_reference", f"没有这个编号或名称的{what}"

    def _where(self, e: Entity) -> str:
        """Where a candidate is, to tell two of one name apart: its parent, or its community."""
        if e.id in self.parent:
            return f"，{self.entities[self.parent[e.id]].name}"
        names = sorted(self.entities[c].name for c in self.scope(e.id) if c in self.entities and c != e.id)
        return f"，{'、'.join(names)}" if names else ""

    def _zh(self, kind: str) -> str:
        return self.schema.entities[kind].zh
