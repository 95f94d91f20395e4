"""Read a ledger (§3) into a `GraphData`, collecting every error before giving up."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from operator import itemgetter
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..bulk import paused_gc
from ..column_types import column_type
from ..errors import LedgerError, LedgerFileError, LedgerIssue
from ..graph import Entity, GraphData, Origin, Relation, overlay
from ..schema import PARENT_RELATION, Column, load_schema
from ..validate import compound_without_community_warnings, validate_graph
from ..values import find_id_numbers, is_valid_credit_code, mask_sensitive
from .mapping import Mapping as RosterMapping, built_in, header_key, load_mapping
from .names import resolve_names
from .roster import formation_warnings, is_roster, read_roster
from .rows import _text, entity_model, entity_parsers, relation_model, relation_parsers
from .sources import RawTable, read_sources
from .workbook import GUIDE_SHEET


@dataclass
class LedgerRead:
    data: GraphData
    warnings: list[LedgerIssue]


def read_ledger(path: str | Path, *, allow_id_numbers: bool = False, base: GraphData | None = None,
                quick: bool = True, mapping: str | Path | None = None, base_for=None) -> LedgerRead:
    """Parse and validate a ledger, laid over `base` (the stored graph) when merging.
    Wide sheets (the 一表通 roster, or what the `mapping` file describes) are read too.

    Raises `LedgerError` listing every error; nothing is returned half-valid.

    A clean text row is parsed the quick way (plain parsers); a row that does not parse
    so goes the careful way (the pydantic model), which says what is wrong. Both paths
    end in the same row checks. `quick=False` sends every row the careful way: the
    tests compare the two.

    `base_for(ledger)`, given instead of `base`, is asked for the base once the ledger's
    own rows are read (before names are resolved): a scoped load reads from the store
    only what those rows reach.
    """
    with paused_gc():  # hundreds of thousands of small objects, no cycles among them
        reader = _Reader(allow_id_numbers, quick, [load_mapping(mapping)] if mapping else [built_in()])
        reader.read(Path(path))
        if base_for is not None:
            base = base_for(reader.data)
        dangling = resolve_names(reader.data, base, reader.communities, reader.errors, reader.warnings,
                                 unread=reader.unread)
        if base is not None:
            reader.data = overlay(base, reader.data)
        errors = reader.errors + validate_graph(reader.data, reader.warnings)
        if not errors:
            reader.warnings += compound_without_community_warnings(reader.data)
            reader.warnings += formation_warnings(reader.data, reader.rosters)
    order = reader.column_order
    errors.sort(key=lambda i: (i.file, i.row, order.get(i.file, {}).get(i.column, len(order.get(i.file, ())))))
    # References that dangle only because a file could not be read: its own error is
    # listed, these are counted (one file's error would otherwise bury the rest).
    errors += [LedgerIssue("", 0, "", str(n), "unread_references", f"另有 {n} 处引用因 {display} 无法读取而失效",
                           whole_file=True) for display, n in dangling.items()]
    if errors:
        raise LedgerError(errors, reader.warnings)
    return LedgerRead(reader.data, reader.warnings)


class _Reader:
    def __init__(self, allow_id_numbers: bool, quick: bool = True, mappings: list[RosterMapping] = ()):
        self.schema = load_schema()
        self.mappings = mappings
        self.rosters = []  # what each wide sheet read (roster.RosterRead)
        self.communities: dict[str, str] = {}  # entity id -> its community, where a roster says
        self.column_order: dict[str, dict[str, int]] = {}  # file -> {header as written: position}
        self.allow_id_numbers = allow_id_numbers
        self.quick = quick
        self.data = GraphData()
        self.errors: list[LedgerIssue] = []
        self.warnings: list[LedgerIssue] = []
        # Relations read so far by identity; `since` as a date stands for its ISO text.
        self._relation_rows: dict[tuple, Relation] = {}
        # {entity kind: file} for the entity files whose own errors (empty, header, an
        # unclosed quote) kept their rows, or some of them, from being read.
        self.unread: dict[str, str] = {}
        self._header_failed = False

    def read(self, path: Path) -> None:
        tables = read_sources(path)
        order = [k.file for k in self.schema.entities.values()] + [self.schema.relations_file]
        known = []
        workbook = not path.is_dir() and path.suffix.lower() in (".xlsx", ".xlsm")
        for table in tables:
            mapping = next((m for m in self.mappings if is_roster(table, m)), None)
            kind = self.schema.kind_for_file(table.stem)
            if mapping is not None:  # a wide sheet, read before the normalised ones
                known.append((-1, table, mapping))
            elif kind is not None:
                known.append((order.index(kind.file), table, kind))
            elif self.schema.is_relations_file(table.stem):
                known.append((len(order), table, None))
            elif workbook and table.stem == GUIDE_SHEET:
                continue  # the template's own 填表说明: nothing to read, nothing to say
            else:
                self.warnings.append(LedgerIssue(table.display, 0, "", "", "unknown_file",
                                                 _unknown_file_reason(self.schema, table.stem, workbook),
                                                 whole_file=True))
        if not known:
            # Nothing to read: an empty graph would replace the stored one. Say why instead.
            raise LedgerFileError(_nothing_to_read(self.schema, path, tables, workbook))
        known = self._one_table_per_kind(known)
        # Reading order matters: "the later duplicate" is an error, the first one stands.
        for _, table, kind in sorted(known, key=lambda t: t[0]):
            if table.problem is not None:
                self._report_problem(table, kind)
            if isinstance(kind, RosterMapping):
                self._read_roster(table, kind)
            elif kind is None:
                self._read_relations(table)
            else:
                self._read_entities(table, kind)
            # The cell texts were kept for the messages of this table's rows. What is checked
            # later (validate_graph) quotes only from_id/to_id, whose texts are the relation's
            # own ids, so a cleared row reads the same; its memory goes now.
            for _, cells in table.rows:
                cells.clear()

    def _one_table_per_kind(self, known: list) -> list:
        """compounds.csv beside 小区.csv (or sheets 小区 and compounds) would be read as two
        halves of one table: an error naming both, and neither is read."""
        by_kind: dict[int, list] = {}
        for entry in known:
            if not isinstance(entry[2], RosterMapping):
                by_kind.setdefault(entry[0], []).append(entry)
        doubled = {id(e) for entries in by_kind.values() if len(entries) > 1 for e in entries}
        for entries in by_kind.values():
            if len(entries) > 1:
                first, others = entries[0][1], "、".join(e[1].display for e in entries[1:])
                self.errors.append(LedgerIssue(
                    first.display, 0, "", "", "duplicate_file",
                    f"与 {others} 是同一张表，只能保留一个：请把数据合并到其中一个文件后删除另一个", whole_file=True))
                kind = entries[0][2]
                if kind is not None:
                    self.unread[kind.label] = "、".join(e[1].display for e in entries)
        return [e for e in known if id(e) not in doubled]

    def _report_problem(self, table: RawTable, kind) -> None:
        """The error that stopped a file from being read (sources.RawTable.problem)."""
        row, position, value, code, reason = table.problem
        if position is None:
            self.errors.append(LedgerIssue(table.display, row, "", value, code, reason, whole_file=True))
        else:
            # The header as written above that cell: the first row with two cells filled.
            header = next((cells for _, cells in table.rows if sum(1 for c in cells if str(c).strip()) >= 2), [])
            title = str(header[position]).strip() if position < len(header) else ""
            self.errors.append(LedgerIssue(table.display, row, title or f"第{position + 1}列", value, code, reason))
        if kind is not None and not isinstance(kind, RosterMapping):
            self.unread[kind.label] = table.display

    def _read_roster(self, table: RawTable, mapping: RosterMapping) -> None:
        def scan(number, cells, titles):
            self._scan_id_numbers(table.display, number, cells, {}, titles)

        read = read_roster(table, mapping, self.data, self.errors, self.warnings, self._add_relation, scan)
        if read is not None:
            self.column_order[table.display] = {t: i for i, t in reversed(list(enumerate(read.titles)))}
            self.rosters.append(read)
            self.communities.update(read.communities)

    # -- header -----------------------------------------------------------------
    def _header(self, table: RawTable, columns: tuple[Column, ...]):
        names = {header_key(h): c.name for c in columns for h in c.headers}
        for number, cells in table.rows:
            texts = [str(c).strip().lstrip("\ufeff") for c in cells]
            found = {i: names[header_key(t)] for i, t in enumerate(texts) if header_key(t) in names}
            # A title row above the header has one cell; a header names at least one column.
            if found and (len(found) >= 2 or sum(1 for t in texts if t) >= 2):
                unknown = [t for i, t in enumerate(texts) if t and i not in found]
                if unknown:
                    self.warnings.append(
                        LedgerIssue(table.display, number, "、".join(unknown), "", "unknown_columns", "未识别的列，已忽略")
                    )
                headers = {name: texts[i] for i, name in found.items()}
                self.column_order[table.display] = {t: i for i, t in reversed(list(enumerate(texts)))}
                missing = [c.name for c in columns if c.required and c.name not in headers]
                for name in missing:
                    self.errors.append(LedgerIssue(table.display, number, name, "", "missing_column", "缺少必填列"))
                doubled = self._doubled_columns(table.display, number, found, texts)
                return number, found, headers, texts, bool(missing) or doubled
        if table.rows:
            for c in columns:
                if c.required:
                    self.errors.append(LedgerIssue(table.display, 1, c.name, "", "missing_column", "缺少必填列（找不到表头行）"))
        return None, {}, {}, [], True

    def _doubled_columns(self, display: str, number: int, found: dict[int, str], texts: list[str]) -> bool:
        """A column given twice (households twice, or name beside 名称): which one counts
        would be a guess, so it is an error at the header."""
        positions: dict[str, list[int]] = {}
        for i, name in found.items():
            positions.setdefault(name, []).append(i)
        doubled = False
        for name, where in positions.items():
            if len(where) < 2:
                continue
            doubled = True
            places = "和".join(f"第 {i + 1} 列" for i in where)
            written = {texts[i] for i in where}
            same = f"，“{'”“'.join(texts[i] for i in where)}”是同一列" if len(written) > 1 else ""
            self.errors.append(LedgerIssue(display, number, texts[where[0]], "", "duplicate_column",
                                           f"列重复（{places}{same}）"))
        return doubled

    def _rows(self, table: RawTable, columns: tuple[Column, ...]):
        """Yield (number, cells) for each data row below the header (blank rows too),
        after scanning it for 身份证号. Sets `self._table` to what the row readers need."""
        header_row, positions, headers, titles, broken = self._header(table, columns)
        self._header_failed = bool(table.rows) and (header_row is None or broken)
        if header_row is None or broken:
            return
        index = _column_index(positions)
        self._table = _Table(table.display, positions, list(positions.items()), max(positions) + 1, headers,
                             index, titles)
        display = table.display
        scan = not self.allow_id_numbers and _may_hold_id_numbers(table)
        for number, cells in table.rows:
            if number <= header_row:
                continue
            if scan:
                self._scan_id_numbers(display, number, cells, positions, titles)
            yield number, cells

    def _raw(self, number: int, cells: list):
        """(Origin, {column: raw value}) for a row, or None for a blank row."""
        t = self._table
        if len(cells) >= t.width:
            raw = {name: cells[i] for i, name in t.known if str(cells[i]).strip() != ""}
        else:
            raw = {name: cells[i] for i, name in t.known if i < len(cells) and str(cells[i]).strip() != ""}
        if not raw and not any(str(c).strip() for c in cells):
            return None
        return Origin(t.display, number, t.headers, _Cells(cells, t.index)), raw

    def _quick_reader(self, parsers: dict, memo_columns: set[str], required: list[str]):
        """A function giving a clean text row's values {column: value} quickly, or None
        for any other row (which then goes the careful way, the one that reports).

        Clean: every known cell is text and parses, every required cell is given. None
        when the table has a column twice (the careful way reads those)."""
        t = self._table
        if not self.quick or any(len(positions) > 1 for positions in t.index.values()):
            return lambda cells: None
        plan = []
        for name, (i,) in t.index.items():
            parse = parsers[name]
            plan.append((name, i, None if parse is _text else parse, {} if name in memo_columns else None))
        width = t.width

        def values_of(cells: list) -> dict | None:
            if len(cells) < width:
                return None
            values = {}
            try:
                for name, i, parse, memo in plan:
                    cell = cells[i]
                    if cell.__class__ is not str:
                        return None
                    text = cell.strip()
                    if not text:
                        continue
                    if parse is None:
                        values[name] = text
                    elif memo is not None:  # pure parsers of immutable values: once per text
                        value = memo.get(cell, _MISSING)
                        if value is _MISSING:
                            value = memo[cell] = parse(cell)
                        values[name] = value
                    else:
                        values[name] = parse(cell)
            except Exception:  # noqa: BLE001 - the careful way reports it
                return None
            for name in required:
                if name not in values:
                    return None
            return values

        return values_of

    def _scan_id_numbers(self, display, number, cells, positions, titles) -> None:
        """A 身份证号 in any cell, known column or not, is refused unless opted in."""
        if self.allow_id_numbers:
            return
        try:
            if max(map(len, cells), default=0) < 15:
                return  # every cell is text too short to be one (the common case)
        except TypeError:
            pass  # a spreadsheet cell that is not text: look at each
        for i, cell in enumerate(cells):
            text = str(cell).strip()
            if len(text) < 15:
                continue  # both forms have 15 or 18 characters
            name = positions.get(i)
            if name == "credit_code" and is_valid_credit_code(text.upper()):
                continue  # a valid credit code is not an ID number
            # Alone in the cell or inside text ("退休干部；身份证号…"): refused alike.
            if find_id_numbers(text):
                column = titles[i] if i < len(titles) and titles[i] else f"第{i + 1}列"
                self.errors.append(
                    LedgerIssue(display, number, column, text, "id_card_number",
                                "疑似身份证号，默认不收录（如确需导入，请加 --allow-id-numbers）")
                )

    def _validate(self, model, parsers: dict, origin: Origin, raw: dict, required: list[str]):
        """The row's values {column: value or None} and the set of columns in error.

        A row is parsed with the plain parsers (the model's own); only a row where one
        fails goes through the model, which reports every error of the row."""
        for name in required:
            if name not in raw:
                self.errors.append(origin.issue(name, "missing_value", "必填项为空"))
        values = dict.fromkeys(parsers)
        try:
            for name, value in raw.items():
                values[name] = parsers[name](value)
            return values, set()
        except Exception:  # noqa: BLE001 - the model below reports it, or raises it as before
            pass
        try:
            return _as_dict(model.model_validate(raw), parsers), set()
        except ValidationError as exc:
            bad = set()
            for err in exc.errors():
                name = err["loc"][0]
                bad.add(name)
                self.errors.append(origin.issue(name, err["type"], err["msg"]))
            good = {k: v for k, v in raw.items() if k not in bad}
            return _as_dict(model.model_validate(good), parsers), bad

    # -- entities -----------------------------------------------------------------
    def _read_entities(self, table: RawTable, kind) -> None:
        model = entity_model(kind.label)
        parsers = entity_parsers(kind.label)
        memo_columns = _memo_columns(kind.columns)
        required = [c.name for c in kind.columns if c.required]
        fields = [c.name for c in kind.fields]
        parent_columns = [c.name for c in kind.parent_columns]
        entities = self.data.entities
        parent_views: dict[str, tuple[dict, dict]] = {}
        quick = None
        for number, cells in self._rows(table, kind.columns):
            if quick is None:  # the first row: the table's header is known now
                quick = self._quick_reader(parsers, memo_columns, required)
            row = quick(cells)
            if row is not None:
                origin = Origin(self._table.display, number, self._table.headers, _Cells(cells, self._table.index))
                entity_id = row["id"]
            else:  # the careful way
                read = self._raw(number, cells)
                if read is None:
                    continue
                origin, raw = read
                entity_id = _text(raw["id"]) if "id" in raw else None
            if entity_id in entities:
                # The later row of a duplicate id is not read further: no cascade of
                # errors from a row that is not loaded anyway.
                first = entities[entity_id].origin
                self.errors.append(origin.issue("id", "duplicate_id", f"编号重复（已在 {first} 使用）"))
                continue
            if row is None:
                row, _ = self._validate(model, parsers, origin, raw, required)
                if not row.get("id"):
                    continue
            attrs = {name: row[name] for name in fields if row.get(name) is not None}
            entities[entity_id] = Entity(kind.label, entity_id, row.get("name") or "", attrs, origin)
            for name in parent_columns:
                parent = row.get(name)
                if parent:
                    # A parent column is an undated 隶属; errors about it point at the column:
                    # its header and cell stand for `to_id`.
                    if name not in parent_views:
                        t = self._table
                        parent_views[name] = ({**t.headers, "to_id": t.headers[name]}, {**t.index, "to_id": t.index[name]})
                    headers, index = parent_views[name]
                    rel_origin = Origin(origin.file, origin.row, headers, _Cells(cells, index))
                    self._add_relation(Relation(PARENT_RELATION, entity_id, parent, origin=rel_origin))
        if self._header_failed:
            self.unread[kind.label] = table.display

    # -- relations ----------------------------------------------------------------
    def _read_relations(self, table: RawTable) -> None:
        columns = self.schema.relation_columns
        required = [c.name for c in columns if c.required]
        quick = None
        for number, cells in self._rows(table, columns):
            if quick is None:
                quick = self._quick_reader(relation_parsers(), _memo_columns(columns), required)
            row = quick(cells)
            if row is not None:
                t = self._table
                origin = Origin(t.display, number, t.headers, _Cells(cells, t.index))
            else:  # the careful way
                read = self._raw(number, cells)
                if read is None:
                    continue
                origin, raw = read
                row, _ = self._validate(relation_model(), relation_parsers(), origin, raw, required)
                if not (row["type"] and row["from_id"] and row["to_id"]):
                    continue
            self._relation_row(origin, row)

    def _relation_row(self, origin: Origin, row: dict) -> None:
        """The checks of a relations.csv row beyond its cells' own (both paths)."""
        rtype, role, since, until = row["type"], row.get("role"), row.get("since"), row.get("until")
        roles = self.schema.relations[rtype].roles
        if role and roles is not None and role not in roles:
            self.errors.append(origin.issue("role", "unknown_role", f"{rtype}关系的职务应为：{'、'.join(roles)}"))
        if since and until and since > until:
            self.errors.append(origin.issue("until", "since_after_until", "结束日期早于开始日期"))
        self._add_relation(Relation(rtype, row["from_id"], row["to_id"], role, since, until, row.get("source"),
                                    origin=origin))

    def _add_relation(self, rel: Relation) -> None:
        # The same key as `rel.identity`, without formatting the date.
        key = (rel.type, rel.from_id, rel.to_id, rel.role or "", rel.since)
        earlier = self._relation_rows.get(key)
        if earlier is None:
            self._relation_rows[key] = rel
            self.data.relations.append(rel)
        elif earlier != rel:
            column = "until" if earlier.until != rel.until else "source"
            self.errors.append(
                rel.origin.issue(column, "conflicting_relation", f"与 {earlier.origin} 是同一关系但内容不同")
            )


def _ledger_names(schema) -> list[tuple[str, str]]:
    """(file stem, Chinese sheet name) of every ledger file, in reading order."""
    return [(k.file, k.sheet) for k in schema.entities.values()] + [(schema.relations_file, schema.relations_sheet)]


def _unknown_file_reason(schema, stem: str, workbook: bool) -> str:
    """Why a file or sheet is ignored, with the name it probably should have had
    (小区台账.csv → compounds.csv or 小区.csv)."""
    lowered = stem.lower()
    guesses = [(len(name), file, sheet) for file, sheet in _ledger_names(schema)
               for name in (file, sheet) if name in lowered]
    _, file, sheet = max(guesses) if guesses else (0, "compounds", "小区")
    if workbook:
        return f"不是台账工作表，已忽略（工作表名应为 {sheet} 或 {file} 等）"
    return f"不是台账文件，已忽略（台账文件名应为 {file}.csv 或 {sheet}.csv 等）"


def _nothing_to_read(schema, path: Path, tables: list[RawTable], workbook: bool) -> str:
    """The message for a ledger with no file (or sheet) the loader knows."""
    names = _ledger_names(schema)
    if workbook:
        found = "、".join(f"“{t.stem}”" for t in tables) or "无"
        return "\n".join([
            f"工作簿 {mask_sensitive(path.name)} 中没有可识别的工作表，未导入任何数据。",
            f"找到的工作表：{mask_sensitive(found)}",
            "工作表名应为（中文或英文均可）：" + "、".join(f"{sheet}（{file}）" for file, sheet in names),
        ])
    if path.is_dir():
        found = "、".join(t.display for t in tables)
        if not found:
            books = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
            found = "没有 CSV 文件" + (f"（有工作簿 {'、'.join(books)}：如台账是工作簿，请直接导入该文件）" if books else "")
        head = f"台账文件夹 {mask_sensitive(str(path))} 中没有可识别的台账文件，未导入任何数据。"
    else:
        found = "、".join(t.display for t in tables)
        head = f"{mask_sensitive(path.name)} 不是可识别的台账文件，未导入任何数据。"
    return "\n".join([
        head,
        f"找到的文件：{mask_sensitive(found)}",
        "台账文件名应为（英文或中文均可）：" + "、".join(f"{file}.csv 或 {sheet}.csv" for file, sheet in names),
    ])


def _may_hold_id_numbers(table: RawTable) -> bool:
    """False when every cell of the table is text shorter than a 身份证号 (15 or 18
    characters): then no row needs looking at. One pass in C over the whole table."""
    try:
        return max(map(len, chain.from_iterable(map(itemgetter(1), table.rows))), default=0) >= 15
    except TypeError:  # a spreadsheet cell that is not text
        return True


def _memo_columns(columns) -> set[str]:
    """The columns whose parser is pure and gives an immutable value: remembered per text."""
    return {c.name for c in columns if column_type(c).memo}

_MISSING = object()


@dataclass
class _Table:
    """What the row readers need to know about the table being read."""

    display: str
    positions: dict[int, str]  # {position: column}
    known: list[tuple[int, str]]  # positions.items()
    width: int  # a row this long has every known column
    headers: dict[str, str]  # {column: header as written}
    index: dict[str, tuple[int, ...]]  # {column: positions}
    titles: list[str]


def _as_dict(row, parsers: dict) -> dict:
    return {name: getattr(row, name) for name in parsers}


def _column_index(positions: dict[int, str]) -> dict[str, tuple[int, ...]]:
    """{column name: its positions in the row}, from {position: column name}."""
    index: dict[str, list[int]] = {}
    for i, name in positions.items():
        index.setdefault(name, []).append(i)
    return {name: tuple(found) for name, found in index.items()}


class _Cells(Mapping):
    """A row's non-blank known cells as stripped text, by column name: what an error
    message quotes (`Origin.cells`). Read from the row when asked, so a large ledger
    does not keep a dict per row. Where a column appears twice, the last non-blank
    cell counts, as for the values read."""

    __slots__ = ("_cells", "_index")

    def __init__(self, cells: list, index: dict[str, tuple[int, ...]]):
        self._cells = cells
        self._index = index

    def __getitem__(self, name: str) -> str:
        found = None
        cells = self._cells
        for i in self._index[name]:
            if i < len(cells):
                text = str(cells[i]).strip()
                if text != "":
                    found = text
        if found is None:
            raise KeyError(name)
        return found

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self):
        return (name for name in self._index if self.get(name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
