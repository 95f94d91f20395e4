"""Read a ledger (§3) into a `GraphData`, collecting every error before giving up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import LedgerError, LedgerIssue
from ..graph import Entity, GraphData, Origin, Relation, overlay
from ..schema import PARENT_RELATION, Column, load_schema
from ..validate import validate_graph
from ..values import is_valid_credit_code, looks_like_id_card
from .rows import RelationRow, entity_model
from .sources import RawTable, read_sources


@dataclass
class LedgerRead:
    data: GraphData
    warnings: list[LedgerIssue]


def read_ledger(path: str | Path, *, allow_id_numbers: bool = False, base: GraphData | None = None) -> LedgerRead:
    """Parse and validate a ledger, laid over `base` (the stored graph) when merging.

    Raises `LedgerError` listing every error; nothing is returned half-valid.
    """
    reader = _Reader(allow_id_numbers)
    reader.read(Path(path))
    if base is not None:
        reader.data = overlay(base, reader.data)
    errors = reader.errors + validate_graph(reader.data, reader.warnings)
    if errors:
        raise LedgerError(errors, reader.warnings)
    return LedgerRead(reader.data, reader.warnings)


class _Reader:
    def __init__(self, allow_id_numbers: bool):
        self.schema = load_schema()
        self.allow_id_numbers = allow_id_numbers
        self.data = GraphData()
        self.errors: list[LedgerIssue] = []
        self.warnings: list[LedgerIssue] = []
        self._relation_rows: dict[tuple, Relation] = {}

    def read(self, path: Path) -> None:
        tables = read_sources(path)
        order = [k.file for k in self.schema.entities.values()] + [self.schema.relations_file]
        known = []
        for table in tables:
            kind = self.schema.kind_for_file(table.stem)
            if kind is not None:
                known.append((order.index(kind.file), table, kind))
            elif table.stem in (self.schema.relations_file, self.schema.relations_sheet):
                known.append((len(order), table, None))
            else:
                self.warnings.append(LedgerIssue(table.display, 1, "", "", "unknown_file", "不是台账文件，已忽略"))
        # Reading order matters: "the later duplicate" is an error, the first one stands.
        for _, table, kind in sorted(known, key=lambda t: t[0]):
            if kind is None:
                self._read_relations(table)
            else:
                self._read_entities(table, kind)

    # -- header -----------------------------------------------------------------
    def _header(self, table: RawTable, columns: tuple[Column, ...]):
        names = {}
        for c in columns:
            names[c.name.lower()] = c.name
            if c.zh:
                names[c.zh] = c.name
        for number, cells in table.rows:
            texts = [str(c).strip().lstrip("\ufeff") for c in cells]
            found = {i: names[t.lower()] for i, t in enumerate(texts) if t.lower() in names}
            # A title row above the header has one cell; a header names at least one column.
            if found and (len(found) >= 2 or sum(1 for t in texts if t) >= 2):
                unknown = [t for i, t in enumerate(texts) if t and i not in found]
                if unknown:
                    self.warnings.append(
                        LedgerIssue(table.display, number, "、".join(unknown), "", "unknown_columns", "未识别的列，已忽略")
                    )
                headers = {name: texts[i] for i, name in found.items()}
                missing = [c.name for c in columns if c.required and c.name not in headers]
                for name in missing:
                    self.errors.append(LedgerIssue(table.display, number, name, "", "missing_column", "缺少必填列"))
                return number, found, headers, texts, bool(missing)
        if table.rows:
            for c in columns:
                if c.required:
                    self.errors.append(LedgerIssue(table.display, 1, c.name, "", "missing_column", "缺少必填列（找不到表头行）"))
        return None, {}, {}, [], True

    def _rows(self, table: RawTable, columns: tuple[Column, ...]):
        """Yield (Origin, {column: raw value}) for each non-blank data row."""
        header_row, positions, headers, titles, broken = self._header(table, columns)
        if header_row is None or broken:
            return
        for number, cells in table.rows:
            if number <= header_row:
                continue
            raw = {}
            for i, name in positions.items():
                if i < len(cells) and str(cells[i]).strip() != "":
                    raw[name] = cells[i]
            if not any(str(c).strip() for c in cells):
                continue
            origin = Origin(table.display, number, headers, {k: str(v).strip() for k, v in raw.items()})
            self._scan_id_numbers(table.display, number, cells, positions, titles)
            yield origin, raw

    def _scan_id_numbers(self, display, number, cells, positions, titles) -> None:
        """A 身份证号 in any cell, known column or not, is refused unless opted in."""
        if self.allow_id_numbers:
            return
        for i, cell in enumerate(cells):
            text = str(cell).strip()
            name = positions.get(i)
            if name == "credit_code" and is_valid_credit_code(text.upper()):
                continue  # a valid credit code is not an ID number
            if looks_like_id_card(text):
                column = titles[i] if i < len(titles) and titles[i] else f"第{i + 1}列"
                self.errors.append(
                    LedgerIssue(display, number, column, text, "id_card_number",
                                "疑似身份证号，默认不收录（如确需导入，请加 --allow-id-numbers）")
                )

    def _validate(self, model, origin: Origin, raw: dict, required: list[str]):
        for name in required:
            if name not in raw:
                self.errors.append(origin.issue(name, "missing_value", "必填项为空"))
        try:
            return model.model_validate(raw), set()
        except ValidationError as exc:
            bad = set()
            for err in exc.errors():
                name = err["loc"][0]
                bad.add(name)
                self.errors.append(origin.issue(name, err["type"], err["msg"]))
            good = {k: v for k, v in raw.items() if k not in bad}
            return model.model_validate(good), bad

    # -- entities -----------------------------------------------------------------
    def _read_entities(self, table: RawTable, kind) -> None:
        model = entity_model(kind.label)
        required = [c.name for c in kind.columns if c.required]
        for origin, raw in self._rows(table, kind.columns):
            row, _ = self._validate(model, origin, raw, required)
            if not row.id:
                continue
            if row.id in self.data.entities:
                first = self.data.entities[row.id].origin
                self.errors.append(origin.issue("id", "duplicate_id", f"编号重复（已在 {first} 使用）"))
                continue
            attrs = {c.name: getattr(row, c.name) for c in kind.fields if getattr(row, c.name) is not None}
            self.data.entities[row.id] = Entity(kind.label, row.id, row.name or "", attrs, origin)
            for column in kind.parent_columns:
                parent = getattr(row, column.name)
                if parent:
                    # A parent column is an undated 隶属; errors about it point at the column.
                    rel_origin = Origin(origin.file, origin.row, {**origin.headers, "to_id": origin.headers[column.name]},
                                        {**origin.cells, "to_id": origin.cells[column.name]})
                    self._add_relation(Relation(PARENT_RELATION, row.id, parent, origin=rel_origin))

    # -- relations ----------------------------------------------------------------
    def _read_relations(self, table: RawTable) -> None:
        columns = self.schema.relation_columns
        required = [c.name for c in columns if c.required]
        for origin, raw in self._rows(table, columns):
            row, bad = self._validate(RelationRow, origin, raw, required)
            if not (row.type and row.from_id and row.to_id):
                continue
            roles = self.schema.relations[row.type].roles
            if row.role and roles is not None and row.role not in roles:
                self.errors.append(origin.issue("role", "unknown_role", f"{row.type}关系的职务应为：{'、'.join(roles)}"))
            if row.since and row.until and row.since > row.until:
                self.errors.append(origin.issue("until", "since_after_until", "结束日期早于开始日期"))
            self._add_relation(
                Relation(row.type, row.from_id, row.to_id, row.role, row.since, row.until, row.source, origin=origin)
            )

    def _add_relation(self, rel: Relation) -> None:
        earlier = self._relation_rows.get(rel.identity)
        if earlier is None:
            self._relation_rows[rel.identity] = rel
            self.data.relations.append(rel)
        elif earlier != rel:
            column = "until" if earlier.until != rel.until else "source"
            self.errors.append(
                rel.origin.issue(column, "conflicting_relation", f"与 {earlier.origin} 是同一关系但内容不同")
            )
