"""Export a graph as the compound roster (一表通, domain.md §3.2): one row per compound,
in the columns of the built-in roster mapping (roster.toml), with the names the roster
identifies entities by.

A roster says less than the graph can hold (history, dated relations, 双报到, 兼职委员,
a second 党建指导员, phones …). What it could not say is found by reading the written
file back with the ledger reader and comparing it with the graph, so the report is
exactly what a re-import would lose or change, whatever the cause."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..coverage import ORG_STATUSES, hosts, organisations, others_covered, status_of, work_groups
from ..errors import GovgraphError, LedgerError
from ..graph import Entity, GraphData, Relation, column_parents
from ..mirror import Snapshot, build_mirror
from ..outputs import check_output_file, write_failed
from ..schema import PARENT_RELATION, load_schema
from ..values import guard_formula
from .mapping import built_in
from .roster import row_entities, _text

# How many examples a line of the report names.
EXAMPLES = 3
ROSTER_SUFFIXES = (".xlsx", ".csv")


@dataclass
class RosterExport:
    path: Path
    rows: int
    left_out: list[str] = field(default_factory=list)  # what a re-import would lose or change


@dataclass
class RosterRow:
    cells: dict[str, object]  # column -> value (int and 是/否 typed)
    placed: dict[str, str]  # mapping block -> the graph's entity the row writes as it
    dropped_for: str | None = None  # not written: the compound of the same name written instead


def _plain(r: Relation) -> bool:
    """No dates and no source: what a roster row says of a relation."""
    return r.since is None and r.until is None and r.source is None


def roster_rows(data: GraphData, on: date) -> list[RosterRow]:
    """One row per compound that has a community in a street ({column: value}; int and
    是/否 typed), sorted by the names of its district, street, community and itself.

    Relations in force on `on` fill the row; of several candidates for one column the
    undated one, then the lowest id, is written (the rest are reported as left out)."""
    mapping = built_in()
    blocks = mapping.entities
    schema = load_schema()
    ents = data.entities
    parents: dict[str, list[Relation]] = defaultdict(list)
    for (entity_id, _), rel in column_parents(data).items():
        parents[entity_id].append(rel)
    snap = Snapshot(build_mirror(data), on)
    into: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    out: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    for r in data.relations:
        if r.in_force(on) and r.from_id in ents and r.to_id in ents:
            into[(r.type, r.to_id)].append(r)
            out[(r.type, r.from_id)].append(r)

    def best(rels: list[Relation], end: str, kind: str, ok=lambda r: True) -> str | None:
        found = [r for r in rels if ents[getattr(r, end)].kind == kind and ok(r)]
        found.sort(key=lambda r: (not _plain(r), getattr(r, end)))
        return getattr(found[0], end) if found else None

    def up(entity_id: str | None, kind: str) -> str | None:
        """The parent in force: the undated one of its parent column first."""
        if entity_id is None:
            return None
        column = next((r for r in parents[entity_id] if ents[r.to_id].kind == kind), None)
        return column.to_id if column else best(out[("隶属", entity_id)], "to_id", kind)

    yes_no = {c.name for k in schema.entities.values() for c in k.fields if c.type == "bool"}
    def role_of(head: str, tail: str):
        return next(s.role for s in mapping.relations if s.from_ == head and s.to == tail)

    role_rule = role_of("secretary", "org")

    def fields(block: str, entity_id: str | None, row: dict) -> None:
        if entity_id is None:
            return
        spec = blocks[block]
        entity = ents[entity_id]
        if spec.name_column:
            row[spec.name_column] = entity.name
        for f, column in spec.fields.items():
            value = entity.attrs.get(f)
            if value is not None:
                row[column] = ("是" if value else "否") if f in yes_no else value

    rows = []
    for compound in (e for e in ents.values() if e.kind == "Compound"):
        community = up(compound.id, "Community")
        street = up(community, "Street")
        if street is None:  # the roster's every row names a street and a community
            continue
        district = up(street, "District")
        c = compound.id
        # The party org: an organisation covering it, else the host it 挂靠建 to, else a
        # work group, else whatever else covers it (a community's own org).
        undated = {r.from_id for r in into[("覆盖", c)] if _plain(r)} | {r.to_id for r in out[("挂靠建", c)] if _plain(r)}
        ranked = [(0, o) for o in organisations(snap, c)] + [(1, o) for o in hosts(snap, c)] + \
                 [(2, o) for o in work_groups(snap, c)] + \
                 [(3, r.from_id) for r in into[("覆盖", c)] if ents[r.from_id].kind == "PartyOrg"]
        # Of two organisations, the one that makes the status (单独建: the one covering no
        # other compound), so the written row derives the same status again.
        ranked.sort(key=lambda t: (t[0], t[0] == 0 and bool(others_covered(snap, t[1], c)), t[1] not in undated, t[1]))
        org, formation = (ranked[0][1], ranked[0][0]) if ranked else (None, None)
        if formation == 1:
            formation = "挂靠建"
        elif formation == 0 and status_of(snap, c) in ORG_STATUSES:
            formation = status_of(snap, c)
        else:
            formation = ""
        secretary = None
        if org is not None:
            org_type = ents[org].attrs.get("org_type") or blocks["org"].defaults.get("org_type")
            if isinstance(role_rule, dict):  # { by = "org.org_type", cases, default }
                role = role_rule.get("cases", {}).get(org_type, role_rule.get("default"))
            else:
                role = role_rule
            secretary = best(into[("任职", org)], "from_id", "Person", lambda r: r.role == role)
        committee = chair = None
        for r in sorted(into[("隶属", c)], key=lambda r: r.from_id):
            k = ents[r.from_id]
            if k.kind == "Committee" and k.attrs.get("kind") == blocks["committee"].literal.get("kind"):
                chair = best(into[("任职", k.id)], "from_id", "Person", lambda r: r.role == role_of("chair", "committee"))
                if chair:
                    committee = k.id
                    break
        firm = best(into[("服务", c)], "from_id", "Firm")
        manager = best(into[("派驻", c)], "from_id", "Person", lambda r: r.role == role_of("manager", "compound"))
        instructor = best(into[("派驻", c)], "from_id", "Person", lambda r: r.role == role_of("instructor", "compound"))
        row: dict[str, object] = {}
        placed = {"district": district, "street": street, "community": community, "compound": c, "org": org,
                  "secretary": secretary, "committee": committee, "chair": chair, "firm": firm,
                  "manager": manager, "instructor": instructor}
        placed = {b: e for b, e in placed.items() if e is not None}
        for block, entity_id in placed.items():
            fields(block, entity_id, row)
        row[blocks["compound"].id_column] = c
        if formation:
            row[mapping.status_column] = formation
        if secretary and any(r.from_id == secretary for r in into[("一肩挑", c)]):
            spec = next(s for s in mapping.relations if s.type == "一肩挑")
            row[spec.when["column"]] = "是"
        rows.append(RosterRow(row, placed))

    def order(row: RosterRow):
        return tuple(ents[row.placed[b]].name if b in row.placed else ""
                     for b in ("district", "street", "community", "compound")) + (row.placed["compound"],)

    rows.sort(key=order)
    return _agreeing(rows, mapping, ents)


def _agreeing(rows: list[RosterRow], mapping, ents: dict[str, Entity]) -> list[RosterRow]:
    """The rows as the reader takes them without an error, read in order: a compound
    whose community already has another compound of its name is left out (the roster
    names compounds by name within their community); a field cell that disagrees with what
    an earlier row says of the entity the roster would take it for (two people of one
    name in one community) is left empty. What is lost is reported by `left_out`."""
    compounds: dict[tuple, str] = {}
    said: dict[tuple, dict[str, object]] = defaultdict(dict)
    kept = []
    for row in rows:
        texts = {c: _text(v) for c, v in row.cells.items() if _text(v) != ""}
        named = row_entities(mapping, texts)
        identity = named["compound"][0]
        if compounds.setdefault(identity, row.placed["compound"]) != row.placed["compound"]:
            row.dropped_for = compounds[identity]
            kept.append(row)
            continue
        for block, (identity, _) in named.items():
            for f, column in mapping.entities[block].fields.items():
                if column in row.cells:
                    first = said[identity].setdefault(f, row.cells[column])
                    if _text(first) != _text(row.cells[column]):
                        del row.cells[column]
        kept.append(row)
    return kept


def with_ancestors(part: GraphData, whole: GraphData, on: date) -> GraphData:
    """A scoped part (store.scope.scoped_ledger) with the streets and districts above it
    and their 隶属 in force: a roster names a compound's street and district on its row,
    where a normalised ledger refers to them by id."""
    entities, relations = dict(part.entities), list(part.relations)
    have = {r.identity for r in relations}
    parents: dict[str, list[Relation]] = defaultdict(list)
    for r in whole.relations:
        if r.type == PARENT_RELATION and r.in_force(on) and r.to_id in whole.entities:
            parents[r.from_id].append(r)
    above = [e for e in part.entities.values() if e.kind in ("Community", "Street")]
    while above:
        unit = above.pop()
        for r in parents[unit.id]:
            parent = whole.entities[r.to_id]
            if parent.kind not in ("Street", "District"):
                continue
            if r.identity not in have:
                relations.append(r)
                have.add(r.identity)
            if parent.id not in entities:
                entities[parent.id] = parent
                above.append(parent)
    return GraphData(entities, relations)


def write_roster(data: GraphData, out: str | Path, on: date) -> RosterExport:
    """The roster as an .xlsx (the template's form: typed cells, lists, widths, frozen
    header) or a .csv (UTF-8 with BOM), then read back to say what it left out."""
    out = Path(out)
    if out.suffix.lower() not in ROSTER_SUFFIXES:
        raise GovgraphError(f"一表通导出为 .xlsx 或 .csv 文件：文件名请以 .xlsx 或 .csv 结尾（而不是 {out.name}）")
    from .workbook import _write, roster_sheet

    sheet = roster_sheet()
    rows = roster_rows(data, on)
    dropped = [row for row in rows if row.dropped_for]
    rows = [row for row in rows if not row.dropped_for]
    cells = [[row.cells.get(c.name) for c in sheet.columns] for row in rows]
    if out.suffix.lower() == ".xlsx":
        _write(out, [(sheet, cells)], guide=None)
    else:
        check_output_file(out)
        try:
            with open(out, "w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow([c.header for c in sheet.columns])
                writer.writerows([guard_formula(_text(v)) for v in row] for row in cells)
        except OSError as exc:
            raise write_failed(out, exc) from None
    lines = left_out(data, rows, out, on)
    if dropped:
        ents = data.entities
        lines.insert(0, f"同一社区里同名的小区，一表通按名称分不开，只写了其中一个（其余 {len(dropped)} 个没有写入）：" + _examples(
            [f"“{ents[r.placed['compound']].name}”（写了 {r.dropped_for}，未写 {r.placed['compound']}）" for r in dropped]))
    return RosterExport(out, len(rows), lines)


def left_out(data: GraphData, rows: list[RosterRow], written: Path, on: date) -> list[str]:
    """What re-importing `written` (the roster made of `rows`) would lose or change, in
    Chinese, one line per kind of loss; [] when it loads back to the same graph."""
    from .read import read_ledger

    schema = load_schema()
    zh = {k: v.zh for k, v in schema.entities.items()}
    ents = data.entities
    mapping = built_in()
    # Which id each entity gets back: the reader's own rule on the texts each row holds.
    back: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        texts = {c: _text(v) for c, v in row.cells.items() if _text(v) != ""}
        for block, (_, new_id) in row_entities(mapping, texts).items():
            if block in row.placed:
                back[row.placed[block]].add(new_id)
    lines: list[str] = []
    try:
        again = read_ledger(written).data
    except LedgerError as exc:  # not expected (rows are made to agree); said, not hidden
        issues = exc.issues
        return [f"导出的一表通重新导入时有 {len(issues)} 处错误，如：" + "；".join(str(i) for i in issues[:EXAMPLES])
                + "。请导出规范台账：govgraph export 台账.xlsx"]
    new_of = {old: next(iter(new)) for old, new in back.items() if len(new) == 1}
    merged: dict[str, list[str]] = defaultdict(list)
    for old, new in new_of.items():
        merged[new].append(old)

    # Entities on no row.
    missing = Counter()
    names: dict[str, list[str]] = defaultdict(list)
    for e in sorted(ents.values(), key=lambda e: e.id):
        if e.id not in back:
            missing[e.kind] += 1
            names[e.kind].append(e.name)
    if missing:
        lines.append("没有写进任何小区行的实体：" + "、".join(
            f"{zh[k]} {n} 个（{_examples(names[k])}）" for k, n in _in_schema_order(missing, schema)))
    # One entity written as several, several as one.
    split = [e for e in ents.values() if len(back.get(e.id, ())) > 1]
    if split:
        lines.append("按“社区+名称”认定，重新导入后会拆成几个的：" + _examples(
            [f"{zh[e.kind]}“{e.name}”（{e.id}，{len(back[e.id])} 个社区）" for e in sorted(split, key=lambda e: e.id)])
            + f"，共 {len(split)} 个")
    joined = {new: olds for new, olds in merged.items() if len(olds) > 1}
    if joined:
        lines.append("同名而编号不同、重新导入后会合成一个的：" + _examples(
            [f"{zh[ents[o[0]].kind]}“{ents[o[0]].name}”（{'、'.join(sorted(o))}）" for o in
             sorted(joined.values())]) + f"，共 {len(joined)} 组")
    # Ids the roster does not write.
    renamed = sorted((old, new) for old, new in new_of.items() if old != new and len(merged[new]) == 1)
    if renamed:
        kinds = Counter(ents[o].kind for o, _ in renamed)
        old, new = renamed[0]
        lines.append("一表通只写小区编号，其余按名称生成：重新导入后编号会变的有 " + "、".join(
            f"{zh[k]} {n} 个" for k, n in _in_schema_order(kinds, schema)) + f"（如 {old} → {new}）")
    # Fields.
    lost = Counter()
    for old, new in new_of.items():
        if len(merged[new]) > 1 or new not in again.entities:
            continue
        if ents[old].name != again.entities[new].name:
            lost[(ents[old].kind, "name")] += 1
        a, b = ents[old].attrs, again.entities[new].attrs
        for f in sorted(set(a) | set(b)):
            if a.get(f) != b.get(f):
                lost[(ents[old].kind, f)] += 1
    if lost:
        header = {(k, c.name): c.zh or c.name for k, kind in schema.entities.items() for c in kind.columns}
        by_kind: dict[str, list[str]] = defaultdict(list)
        for (k, f), n in lost.items():
            by_kind[k].append(f"{header.get((k, f), f)} {n} 处")
        lines.append("写不进一表通的字段（或重新导入时会取默认值）：" + "；".join(
            f"{zh[k]}的" + "、".join(by_kind[k]) for k, _ in _in_schema_order(Counter(by_kind.keys()), schema)))
    # Relations: the same one back; the same ends and type, but without its dates, source
    # or role; or none.
    def whole(r: Relation, a: str, b: str) -> tuple:
        return (r.type, a, b, r.role or "", r.since, r.until, r.source)

    again_whole = Counter(whole(r, r.from_id, r.to_id) for r in again.relations)
    again_ends = Counter((r.type, r.from_id, r.to_id) for r in again.relations)
    gone, past, bare = defaultdict(list), defaultdict(list), []
    for r in sorted(data.relations, key=lambda r: r.identity):
        a, b = new_of.get(r.from_id), new_of.get(r.to_id)
        if (a is None and r.from_id in back) or (b is None and r.to_id in back):
            continue  # an end written as several entities: reported above
        what = f"{r.type} {_name(ents, r.from_id)}→{_name(ents, r.to_id)}{_dates(r)}"
        if a is not None and b is not None:
            if again_whole[whole(r, a, b)]:
                again_whole[whole(r, a, b)] -= 1
                again_ends[(r.type, a, b)] -= 1
                continue
            if again_ends[(r.type, a, b)]:
                again_ends[(r.type, a, b)] -= 1
                bare.append(what)
                continue
        (gone if r.in_force(on) else past)[r.type].append(what)
    if gone:
        lines.append("写不进一表通的关系：" + "；".join(
            f"{t} {len(gone[t])} 条（{_examples(gone[t])}）" for t in schema.relations if gone[t]))
    if past:
        lines.append(f"不在 {on.isoformat()} 生效的关系（历史或尚未开始）：" + "；".join(
            f"{t} {len(past[t])} 条（{_examples(past[t])}）" for t in schema.relations if past[t]))
    if bare:
        lines.append(f"写进一表通后不带日期、来源或服务方式的关系 {len(bare)} 条（{_examples(bare)}）")
    extra = sorted(f"{r.type} {_name(again.entities, r.from_id)}→{_name(again.entities, r.to_id)}"
                   for r in again.relations if again_ends[(r.type, r.from_id, r.to_id)] > 0)
    if extra:
        lines.append(f"重新导入后会多出的关系 {len(extra)} 条（{_examples(extra)}）")
    # What the losses do to the answers: §4.1 statuses before and after.
    if again.entities:
        before, after = Snapshot(build_mirror(data), on), Snapshot(build_mirror(again), on)
        changed = []
        for e in sorted(ents.values(), key=lambda e: (e.kind, e.id)):
            new = new_of.get(e.id)
            if e.kind in ("Compound", "Firm") and new in again.entities:
                was, now = status_of(before, e.id), status_of(after, new)
                if was != now:
                    changed.append(f"{zh[e.kind]}“{e.name}”{was}→{now}")
        if changed:
            lines.append(f"重新导入后覆盖状态会变的 {len(changed)} 个：{_examples(changed)}")
    return lines


def _name(ents: dict[str, Entity], entity_id: str) -> str:
    e = ents.get(entity_id)
    return e.name if e else entity_id


def _dates(r: Relation) -> str:
    parts = []
    if r.role:
        parts.append(r.role)
    if r.since:
        parts.append(f"{r.since.isoformat()} 起")
    if r.until:
        parts.append(f"至 {r.until.isoformat()}")
    if r.source:
        parts.append(f"来源：{r.source}")
    return f"（{'，'.join(parts)}）" if parts else ""


def _examples(items: list[str]) -> str:
    shown = "、".join(items[:EXAMPLES])
    return shown + ("等" if len(items) > EXAMPLES else "")


def _in_schema_order(counts: Counter, schema) -> list[tuple[str, int]]:
    return [(k, counts[k]) for k in schema.entities if counts[k]]


