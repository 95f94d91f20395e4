"""Write a graph back as a ledger (§3): a CSV folder, or one .xlsx workbook."""

from __future__ import annotations

import csv
from datetime import date
from itertools import chain
from pathlib import Path

from ..errors import GovgraphError
from ..graph import GraphData, column_parents
from ..schema import load_schema
from ..values import strip_control


def ledger_tables(data: GraphData) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(file stem, sheet name, header, rows) per ledger file, in schema order.

    Undated parents go back to their column; dated or extra ones to relations.
    """
    schema = load_schema()
    column_parent = column_parents(data)
    in_columns = {id(r) for r in column_parent.values()}
    tables = []
    for kind in schema.entities.values():
        entities = sorted((e for e in data.entities.values() if e.kind == kind.label), key=lambda e: e.id)
        header = [c.name for c in kind.columns]
        rows = []
        for e in entities:
            row = []
            for c in kind.columns:
                if c.name == "id":
                    row.append(e.id)
                elif c.name == "name":
                    row.append(e.name)
                elif c.is_parent:
                    rel = column_parent.get((e.id, c.name))
                    row.append(rel.to_id if rel else "")
                else:
                    row.append(_text(e.attrs.get(c.name)))
            rows.append(row)
        tables.append((kind.file, kind.sheet, header, rows))
    header = [c.name for c in schema.relation_columns]
    rows = [
        [r.type, r.from_id, r.to_id, r.role or "", _text(r.since), _text(r.until), r.source or ""]
        for r in sorted(data.relations, key=lambda r: r.identity)
        if id(r) not in in_columns
    ]
    tables.append((schema.relations_file, schema.relations_sheet, header, rows))
    return tables


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


# Text openpyxl would not store as text: a formula ("=…") or an error value ("#N/A").
_NOT_TEXT_START = ("=", "#")
_XLSX_CELL_LIMIT = 32767  # characters; openpyxl cuts longer text short without a word


def _xlsx_text(ws, text: str):
    """A cell for the write-only sheet `ws` that Excel and openpyxl read back as `text`."""
    if not text:
        return text
    text = strip_control(text)  # not allowed in an .xlsx (the reader drops them too)
    if text.startswith(_NOT_TEXT_START):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"  # inline text, never a formula or an error value
        return cell
    return text


def write_ledger(data: GraphData, out: str | Path) -> Path:
    """CSV files (UTF-8 with BOM, which Excel opens correctly) in a folder, or an .xlsx."""
    out = Path(out)
    tables = ledger_tables(data)
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        for _, sheet, _, rows in tables:  # before writing anything: openpyxl would cut it short
            if max(map(len, chain.from_iterable(rows)), default=0) > _XLSX_CELL_LIMIT:
                raise GovgraphError(
                    f"工作表“{sheet}”中有超过 {_XLSX_CELL_LIMIT} 个字符的单元格，超出 Excel 的上限：请导出为 CSV 文件夹"
                )
        book = Workbook(write_only=True)
        for _, sheet, header, rows in tables:
            ws = book.create_sheet(sheet)
            ws.append(header)
            for row in rows:
                # Every cell as text: ids like 1001 stay ids, "=A1+1" is not a formula.
                ws.append([_xlsx_text(ws, v) for v in row])
        out.parent.mkdir(parents=True, exist_ok=True)
        book.save(out)
        return out
    out.mkdir(parents=True, exist_ok=True)
    for stem, _, header, rows in tables:
        with open(out / f"{stem}.csv", "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    return out
