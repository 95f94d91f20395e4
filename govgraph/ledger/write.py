"""Write a graph back as a ledger (§3): a CSV folder, or one .xlsx workbook."""

from __future__ import annotations

import csv
from pathlib import Path

from ..column_types import column_type
from ..graph import GraphData, column_parents
from ..outputs import check_output_folder, write_failed
from ..schema import load_schema
from ..values import guard_formula


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
                    row.append(column_type(c).to_text(e.attrs.get(c.name)))
            rows.append(row)
        tables.append((kind.file, kind.sheet, header, rows))
    header = [c.name for c in schema.relation_columns]
    texts = [(c.name, column_type(c).to_text) for c in schema.relation_columns]
    rows = [
        [text(getattr(r, name)) for name, text in texts]
        for r in sorted(data.relations, key=lambda r: r.identity)
        if id(r) not in in_columns
    ]
    tables.append((schema.relations_file, schema.relations_sheet, header, rows))
    return tables


def write_ledger(data: GraphData, out: str | Path) -> Path:
    """CSV files (UTF-8 with BOM, which Excel opens correctly) in a folder, or an .xlsx."""
    out = Path(out)
    tables = ledger_tables(data)
    if out.suffix.lower() == ".xlsx":
        # The form a worker edits and resubmits: Chinese headers, typed cells, lists.
        from .workbook import write_export

        return write_export(tables, out)
    check_output_folder(out, {f"{stem}.csv" for stem, *_ in tables})
    try:
        out.mkdir(exist_ok=True)
        for stem, _, header, rows in tables:
            with open(out / f"{stem}.csv", "w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows([guard_formula(c) for c in row] for row in rows)
    except OSError as exc:
        raise write_failed(out, exc) from None
    return out
