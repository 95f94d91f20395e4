"""Reading a wide sheet with a mapping: the compound roster (一表通, domain.md §3.2) and
any roster a mapping describes. One row names several entities by their names; rows
naming one entity are merged (and must agree), ids are derived from the names, so the
same roster in any row order reads to the same graph."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo
from typing import Callable

from pydantic_core import PydanticCustomError

from .. import values
from ..errors import LedgerIssue
from ..graph import Entity, GraphData, Origin, Relation
from ..schema import PARENT_RELATION, load_schema
from .mapping import ID_PREFIX, EntitySpec, Mapping, RelationSpec, header_key
from .rows import entity_parsers
from .sources import RawTable

# How far down a sheet the header row may be (title rows above it are skipped).
HEADER_SCAN_ROWS = 20
_SPACES = re.compile(r"\s+")
# What people write in a cell that has nothing to say: read as a blank cell.
PLACEHOLDERS = {"/", "／", "\\", "-", "－", "—", "——", "无", "暂无", "没有"}
# A person's cell naming several people (张伟、李娜).
_NAME_LIST = re.compile(r"[、，,;；/／]")


@dataclass
class Header:
    row: int  # the last header row (data starts below it)
    positions: dict[int, str]  # {position: column}
    written: dict[str, str]  # {column: header as written}
    unknown: list[str]  # headers the mapping does not know
    texts: list[str] = field(default_factory=list)  # every header as written, by position


def find_header(table: RawTable, mapping: Mapping) -> Header | None:
    """The header row: the first row that names every `detect` column. A row below it
    holding only column names is a second header row (a merged group heading such as
    党组织情况 over 名称 | 书记): its names take the places it fills, and a name under a
    group may be written "group/name" in the mapping."""
    rows = table.rows[:HEADER_SCAN_ROWS]
    for at, (number, cells) in enumerate(rows):
        texts = [_text(c) for c in cells]
        found = {i: mapping.column_of(t) for i, t in enumerate(texts) if t and mapping.column_of(t) is not None}
        if not set(mapping.detect) <= set(found.values()):
            continue
        last = number
        if at + 1 < len(rows):
            below_number, below_cells = rows[at + 1]
            sub = _sub_header(texts, [_text(c) for c in below_cells], mapping)
            if sub:
                found.update(sub)
                for i in sub:
                    texts[i] = _text(below_cells[i])
                last = below_number
        positions, written, seen = {}, {}, {}
        for i in sorted(found):
            column = found[i]
            if column == "":  # a column the mapping ignores
                continue
            seen[column] = seen.get(column, 0) + 1
            if seen[column] > 1:  # the same header twice: the second is "name#2" in a mapping
                column = f"{column}#{seen[column]}"
            positions[i] = column
            written[column] = texts[i]
        unknown = [t for i, t in enumerate(texts) if t and i not in found]
        return Header(last, positions, written, unknown, texts)
    return None


def _sub_header(above: list[str], below: list[str], mapping: Mapping) -> dict[int, str]:
    """{position: column} when `below` is a second header row, else {}."""
    sub, group = {}, ""
    for i, text in enumerate(below):
        if i < len(above) and above[i]:
            group = above[i]  # a merged group heading is written in its first cell only
        if not text:
            continue
        column = mapping.column_of(f"{group}/{text}") if group else None
        column = column if column is not None else mapping.column_of(text)
        if column is None:
            return {}
        sub[i] = column
    # A data row holds values, not only column names; and a sub-header fills at least one
    # place the row above leaves to a group heading or blank.
    if not sub or all(i < len(above) and mapping.column_of(above[i]) == sub[i] for i in sub):
        return {}
    return sub


def is_roster(table: RawTable, mapping: Mapping) -> bool:
    return find_header(table, mapping) is not None


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    return str(cell).strip()


TOTAL_LABELS = ("合计", "总计", "小计", "汇总")


def _total_at(cells: list, required: list[int], complete: bool) -> int | None:
    """The position of the 合计/总计/小计 that makes a row a total row: a required cell
    holding one (城厢街道 | 月湖社区 | 小计), or one opening a row that leaves a required
    cell empty (合计 | | | 1,200)."""
    def is_total(i: int) -> bool:
        return i < len(cells) and _SPACES.sub("", _text(cells[i])).rstrip("：:") in TOTAL_LABELS

    found = next((i for i in required if is_total(i)), None)
    if found is None and not complete:
        first = next((i for i, c in enumerate(cells) if _text(c)), None)
        found = first if first is not None and is_total(first) else None
    return found


@dataclass
class _Cell:
    row: int
    header: str
    text: str


@dataclass
class _Acc:
    """One entity as the rows name it."""

    kind: str
    identity: tuple
    name: str
    community: tuple | None  # the identity of the community it belongs to (people, orgs)
    origin: Origin
    rows: list[int] = field(default_factory=list)
    id: tuple[str, _Cell] | None = None
    fields: dict[str, tuple[object, _Cell]] = field(default_factory=dict)


@dataclass
class _PendingRelation:
    spec: RelationSpec
    from_key: tuple
    to_key: tuple
    origin: Origin


@dataclass
class RosterRead:
    """What a roster added to the ledger, and what the 组建方式 check needs."""

    display: str
    mapping: Mapping
    ids: dict[tuple, str]  # identity -> id
    communities: dict[str, str]  # entity id -> id of the community it belongs to (people, orgs)
    status_rows: list[tuple[int, str, str, str, str]]  # (row, header, cell as written, its word, compound id)
    titles: list[str] = field(default_factory=list)  # the header as written, by position


def read_roster(table: RawTable, mapping: Mapping, data: GraphData, errors: list[LedgerIssue],
                warnings: list[LedgerIssue], add_relation: Callable[[Relation], None],
                scan: Callable[[int, list, list[str]], None]) -> RosterRead | None:
    """Read `table` with `mapping` into `data`: every entity and relation its rows name.
    Errors and warnings are appended; nothing is added for a row in error."""
    header = find_header(table, mapping)
    if header is None:
        return None
    return _RosterReader(table, mapping, header, data, errors, warnings, add_relation, scan).read()


class _RosterReader:
    def __init__(self, table, mapping, header, data, errors, warnings, add_relation, scan):
        self.table, self.mapping, self.header = table, mapping, header
        self.data, self.errors, self.warnings = data, errors, warnings
        self.add_relation, self.scan = add_relation, scan
        self.display = table.display
        self.schema = load_schema()
        self.accs: dict[tuple, _Acc] = {}
        self.pending: list[_PendingRelation] = []
        self.status_rows: list[tuple[int, str, str, str, tuple]] = []
        self.index = {column: i for i, column in header.positions.items()}
        width = max(header.positions, default=-1) + 1
        self.titles = [header.written[header.positions[i]] if i in header.positions else "" for i in range(width)]

    def issue(self, row: int, column: str, value: str, code: str, reason: str) -> LedgerIssue:
        return LedgerIssue(self.display, row, self.header.written.get(column, column), value, code, reason)

    def read(self) -> RosterRead:
        mapping, header = self.mapping, self.header
        if header.unknown:
            self.warnings.append(LedgerIssue(self.display, header.row, "、".join(header.unknown), "",
                                             "unknown_columns", "未识别的列，已忽略"))
        missing = [c for c in mapping.required if c not in self.index]
        for c in missing:
            self.errors.append(LedgerIssue(self.display, header.row, c, "", "missing_column", "缺少必填列"))
        if missing:
            return RosterRead(self.display, mapping, {}, {}, [], self.titles)
        for number, cells in self.table.rows:
            if number <= header.row:
                continue
            row = {c: cells[i] for c, i in self.index.items() if i < len(cells) and _text(cells[i]) != ""
                   and _text(cells[i]) not in PLACEHOLDERS}
            if not row:
                continue
            at = _total_at(cells, [self.index[c] for c in mapping.required], row.keys() >= set(mapping.required))
            if at is not None:  # a 合计/小计 row (sums of 户数 …) names no compound
                texts = self.header.texts
                self.warnings.append(LedgerIssue(self.display, number, texts[at] if at < len(texts) else "",
                                                 _text(cells[at]), "total_row", "合计行，已跳过"))
                continue
            self.scan(number, cells, self.titles)
            self._row(number, row)
        return self._finish()

    # -- one row ------------------------------------------------------------------
    def _row(self, number: int, row: dict[str, object]) -> None:
        mapping = self.mapping
        texts = {c: _text(v) for c, v in row.items()}
        bad = False
        for c in mapping.required:
            if c not in texts:
                self.errors.append(self.issue(number, c, "", "missing_value", "必填项为空"))
                bad = True
        if bad:  # without its names a row names nothing
            return
        words = {}
        for c, lookup in mapping.values.items():
            if c in texts:
                word = lookup.get(header_key(texts[c]))
                if word is None:  # reported; the rest of the row is still checked
                    allowed = "、".join(dict.fromkeys(lookup.values()))
                    self.errors.append(self.issue(number, c, texts[c], "unknown_enum", f"不是可选值（可选：{allowed}）"))
                    del texts[c]
                else:
                    words[c] = word
        present: dict[str, tuple] = {}  # block -> identity
        for block in mapping.entities.values():
            named = block_identity(block, texts, present)
            if named is None:
                continue
            identity, name, spaced = named
            if spaced is not None:
                self.warnings.append(self.issue(number, block.name_column, spaced, "name_spaces",
                                                f"姓名中的空格已去掉，按“{name}”读取"))
            if block.kind == "Person" and _NAME_LIST.search(name):
                self.warnings.append(self.issue(number, block.name_column, texts[block.name_column], "name_list",
                                                f"一格写了几个人？按一个人“{name}”读取；几个人请分列写"
                                                "（映射文件可以加列，见 README「映射文件」）"))
            present[block.name] = identity
            acc = self.accs.get(identity)
            origin = Origin(self.display, number, {"name": self.header.written.get(block.label_column, block.label_column)},
                            {"name": texts.get(block.label_column, name)})
            if acc is None:
                acc = self.accs[identity] = _Acc(block.kind, identity, name, self._community(block, present), origin)
            acc.rows.append(number)
            if block.id_column and block.id_column in texts:
                self._agree(acc, "id", texts[block.id_column], _Cell(number, self._written(block.id_column), texts[block.id_column]))
            for f, c in block.fields.items():
                if c in row:
                    self._field(acc, f, c, row[c], texts[c], number)
            for f, value in block.literal.items():
                acc.fields.setdefault(f, (value, None))
            if block.parent and block.parent in present:
                self.pending.append(_PendingRelation(
                    RelationSpec(PARENT_RELATION, block.name, block.parent, None, None, None, False),
                    identity, present[block.parent], self._origin(number, texts, block.name, block.parent)))
        for spec in mapping.relations:
            if not self._holds(spec, texts, words, number):
                continue
            head, tail = present.get(spec.from_), present.get(spec.to)
            if head and tail:
                self.pending.append(_PendingRelation(spec, head, tail, self._origin(number, texts, spec.from_, spec.to)))
            elif spec.required and (head or spec.when):
                missing = spec.from_ if head is None else spec.to
                block = mapping.entities[missing]
                at = spec.when["column"] if spec.when else mapping.entities[spec.from_ if head else spec.to].label_column
                self.errors.append(self.issue(number, at, texts.get(at, ""), "missing_value",
                                              f"缺少“{self._written(block.label_column)}”，无法建立{spec.type}关系"))
        status = mapping.status_column
        if status and status in words and mapping.status_entity in present:
            self.status_rows.append((number, self._written(status), texts[status], words[status],
                                     present[mapping.status_entity]))

    def _written(self, column: str) -> str:
        return self.header.written.get(column, column)

    def _community(self, block, present) -> tuple | None:
        for k in block.keys:
            if k.startswith("@"):
                ref = present.get(k[1:])
                if ref and ref[0] == "Community":
                    return ref
        return None

    def _origin(self, number: int, texts: dict, head: str, tail: str) -> Origin:
        """A relation's origin: its ends point at the cells that name them."""
        blocks = self.mapping.entities
        a, b = blocks[head].label_column, blocks[tail].label_column
        return Origin(self.display, number, {"from_id": self._written(a), "to_id": self._written(b)},
                      {"from_id": texts.get(a, ""), "to_id": texts.get(b, "")})

    def _holds(self, spec: RelationSpec, texts: dict, words: dict, number: int) -> bool:
        for cond, wanted in ((spec.when, True), (spec.unless, False)):
            if cond is None:
                continue
            c, expected = cond["column"], cond["is"]
            if c not in texts:
                met = False
            elif isinstance(expected, bool):
                try:
                    met = values.parse_bool(texts[c]) is expected
                except PydanticCustomError as exc:
                    self.errors.append(self.issue(number, c, texts[c], exc.type, exc.message()))
                    return False
            else:
                met = words.get(c, texts[c]) == expected
            if met is not wanted:
                return False
        return True

    def _field(self, acc: _Acc, f: str, column: str, raw: object, text: str, number: int) -> None:
        try:
            value = entity_parsers(acc.kind)[f](raw)
        except PydanticCustomError as exc:
            self.errors.append(self.issue(number, column, text, exc.type, exc.message()))
            return
        self._agree(acc, f, value, _Cell(number, self._written(column), text))

    def _agree(self, acc: _Acc, f: str, value: object, cell: _Cell) -> None:
        target = acc.fields if f != "id" else None
        earlier = acc.id if target is None else target.get(f)
        if earlier is None or earlier[1] is None:
            if target is None:
                acc.id = (value, cell)
            else:
                target[f] = (value, cell)
            return
        if earlier[0] != value:
            zh = self.schema.entities[acc.kind].zh
            first = earlier[1]
            # The error sits on the later cell (in row order) and names the other one.
            a, b = sorted([first, cell], key=lambda c: (c.row, c.header))
            self.errors.append(LedgerIssue(self.display, b.row, b.header, b.text, "conflicting_value",
                                           f"与 {self.display}:{a.row}:{a.header} 的“{a.text}”不一致"
                                           f"（两处说的是同一{zh}“{acc.name}”）"))

    # -- after the last row -------------------------------------------------------
    def _finish(self) -> RosterRead:
        ids: dict[tuple, str] = {}
        taken: dict[str, Origin] = {}
        # In row order: of two entities given one id, the later one is in error.
        for identity in sorted(self.accs, key=lambda i: (min(self.accs[i].rows), _sort_text(i))):
            acc = self.accs[identity]
            entity_id = acc.id[0] if acc.id else derived_id(acc.kind, acc.name, identity)
            first = self.data.entities.get(entity_id)
            clash = taken.get(entity_id) or (first.origin if first else None)
            if clash is not None:
                column = acc.id[1].header if acc.id else acc.origin.headers["name"]
                row = acc.id[1].row if acc.id else min(acc.rows)
                self.errors.append(LedgerIssue(self.display, row, column, entity_id, "duplicate_id",
                                               f"编号重复（已在 {clash} 使用）"))
                continue
            taken[entity_id] = acc.origin
            ids[identity] = entity_id
        for identity, entity_id in ids.items():
            acc = self.accs[identity]
            attrs = {f: v for f, (v, _) in acc.fields.items()}
            block_defaults = self._defaults(acc)
            for f, default in block_defaults.items():
                if f not in attrs:
                    attrs[f] = _pick(default, attrs) if isinstance(default, dict) else default
            attrs = {f: attrs[f] for f in sorted(attrs)}
            self.data.entities[entity_id] = Entity(acc.kind, entity_id, acc.name, attrs,
                                                   Origin(self.display, min(acc.rows), acc.origin.headers, acc.origin.cells))
        roles_of = {name: rtype.roles for name, rtype in self.schema.relations.items()}
        for p in sorted(self.pending, key=lambda p: p.origin.row):
            if p.from_key not in ids or p.to_key not in ids:
                continue
            head, tail = ids[p.from_key], ids[p.to_key]
            role = p.spec.role
            if isinstance(role, dict):
                block, _, f = role["by"].partition(".")
                owner = self.data.entities[head if block == p.spec.from_ else tail]
                role = role.get("cases", {}).get(owner.attrs.get(f), role.get("default"))
            roles = roles_of[p.spec.type]
            if role and roles is not None and role not in roles:
                # The role comes from the mapping, not a cell: the error sits at the cell
                # naming the relation's first end.
                self.errors.append(LedgerIssue(self.display, p.origin.row, p.origin.headers.get("from_id", ""), role,
                                               "unknown_role",
                                               f"{p.spec.type}关系的职务应为：{'、'.join(roles)}（见映射文件 {self.mapping.source}）"))
                continue
            self.add_relation(Relation(p.spec.type, head, tail, role or None, source=None, origin=p.origin))
        status_rows = [(row, header, text, word, ids[key]) for row, header, text, word, key in self.status_rows if key in ids]
        communities = {entity_id: ids[self.accs[identity].community] for identity, entity_id in ids.items()
                       if self.accs[identity].community in ids}
        return RosterRead(self.display, self.mapping, ids, communities, status_rows, self.titles)

    def _defaults(self, acc: _Acc) -> dict:
        defaults = {}
        for block in self.mapping.entities.values():
            if block.kind == acc.kind and block.defaults:
                for f, d in block.defaults.items():
                    defaults.setdefault(f, d)
        return defaults


def block_identity(block: EntitySpec, texts: dict[str, str], present: dict[str, tuple]) -> tuple[tuple, str, str | None] | None:
    """(identity, name, the name as written when it had inner spaces) of the entity `block`
    names on a row whose filled cells are `texts`, `present` holding the identities of the
    row's entities named before it; None when the row does not name one. Rows with equal
    identities name one entity. The reader and the roster export both go by this."""
    if not all(c in texts for c in block.trigger):
        return None
    spaced = None
    if block.name_column:
        name = texts[block.name_column]
        if block.kind == "Person" and _SPACES.search(name):
            spaced, name = name, _SPACES.sub("", name)
    else:
        name = re.sub(r"\{([^{}]+)\}", lambda m: texts.get(m[1], ""), block.name_template)
    key = []
    for k in block.keys:
        if k.startswith("@"):
            key.append(present.get(k[1:]))
        elif k == block.name_column:
            key.append(name)
        else:
            key.append(texts.get(k))
    if block.key_literal:
        key.append(block.key_literal)
    return (block.kind, *key), name, spaced


def row_entities(mapping: Mapping, texts: dict[str, str]) -> dict[str, tuple[tuple, str]]:
    """{block: (identity, id)} of the entities a row of `texts` names, ids as the reader
    gives them when no two rows disagree: the id column when filled, else derived."""
    present: dict[str, tuple] = {}
    out = {}
    for block in mapping.entities.values():
        named = block_identity(block, texts, present)
        if named is None:
            continue
        identity, name, _ = named
        present[block.name] = identity
        given = texts.get(block.id_column) if block.id_column else None
        out[block.name] = (identity, given or derived_id(block.kind, name, identity))
    return out


def _pick(rule: dict, attrs: dict) -> object:
    """A default chosen by another field: { by = field, cases = {...}, default = ... }."""
    return rule.get("cases", {}).get(attrs.get(rule.get("by")), rule.get("default"))


def _flat(identity: tuple) -> list[str]:
    """The texts of an identity (kind, key parts…), nested identities spelled out."""
    out = []
    for part in identity[1:]:
        if isinstance(part, tuple):
            out.extend(_flat(part))
        else:
            out.append("" if part is None else str(part))
    return out


def _sort_text(identity: tuple) -> str:
    return "\x1f".join([identity[0], *_flat(identity)])


def derived_id(kind: str, name: str, identity: tuple) -> str:
    """A stable readable id: the kind's letter and the name, and where the name alone
    does not identify the entity (a community within its street, a person within the
    community) a short hash of everything that does. It depends on the names only, not
    on row order or on other rows, so re-imports and reordered rosters agree."""
    parts = [p for p in _flat(identity) if p]
    prefix = ID_PREFIX[kind]
    if parts == [name]:
        return f"{prefix}-{name}"
    digest = hashlib.sha1("\x1f".join(_flat(identity)).encode("utf-8")).hexdigest()[:6]
    return f"{prefix}-{name}-{digest}"


def formation_warnings(data: GraphData, rosters: list[RosterRead], on: date | None = None) -> list[LedgerIssue]:
    """§3.2 组建方式: a written 单独建/联合建/挂靠建 the §4.1 status does not confirm (on
    `on`, default today in Asia/Shanghai) is a warning naming the rows (the status itself
    is always the derived one)."""
    from ..coverage import status_of
    from ..mirror import Snapshot, build_mirror

    on = on or datetime.now(ZoneInfo("Asia/Shanghai")).date()
    checks = [r for r in rosters if r.status_rows]
    if not checks:
        return []
    snap = Snapshot(build_mirror(data), on)
    warnings = []
    for roster in checks:
        for row, header, text, word, compound in roster.status_rows:
            status = status_of(snap, compound)
            if status == word:
                continue
            said = f"“{text}”即“{word}”，" if text != word else ""
            warnings.append(LedgerIssue(roster.display, row, header, text, "formation_mismatch",
                                        f"{said}与实际组建情况不符：按组织覆盖规则为“{status}”{_why(snap, data, compound, row)}"
                                        "（以实际为准，提醒，不影响导入）"))
    return warnings


def _why(snap, data: GraphData, compound: str, row: int) -> str:
    """What makes the status what it is, with the rows that say so."""
    from ..coverage import WORK_GROUP_TYPES

    reasons = []
    for org, _ in snap.into("覆盖", compound):
        attrs = snap.node(org)
        if attrs.get("kind") != "PartyOrg":
            continue
        name = attrs.get("name")
        if attrs.get("org_type") in WORK_GROUP_TYPES:
            reasons.append(f"“{name}”是{attrs['org_type']}，只算工作覆盖")
            continue
        others = sorted(v for v, _ in snap.out("覆盖", org) if v != compound and snap.kind(v) == "Compound")
        if others:
            rows = sorted({data.entities[v].origin.row for v in others if data.entities[v].origin})
            where = f"（第 {'、'.join(map(str, rows))} 行）" if rows else ""
            names = "、".join(data.entities[v].name for v in others)
            reasons.append(f"“{name}”还覆盖{names}{where}")
        else:
            reasons.append(f"“{name}”只覆盖这一个小区")
    if not reasons and not any(True for _ in snap.into("覆盖", compound)):
        hosts = [h for h, _ in snap.out("挂靠建", compound)]
        reasons.append("挂靠到“" + "、".join(snap.node(h)["name"] for h in hosts) + "”" if hosts else "没有党组织覆盖该小区")
    return "：" + "；".join(reasons) if reasons else ""
