"""Raw tables from a ledger: a folder of CSV files or one .xlsx workbook.

This layer only turns files into rows of text cells with spreadsheet row numbers; it
knows nothing of columns or types.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import GovgraphError


@dataclass
class RawTable:
    display: str  # "compounds.csv" or "book.xlsx[小区]": what error lines name
    stem: str  # file stem or sheet name, matched against the schema
    rows: list[tuple[int, list[object]]]  # (row number as a spreadsheet shows it, cells)


def read_sources(path: Path) -> list[RawTable]:
    if path.is_dir():
        return [_read_csv(p) for p in sorted(path.glob("*.csv"))]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if path.suffix.lower() == ".csv":
        return [_read_csv(path)]
    if not path.exists():
        raise GovgraphError(f"找不到台账：{path}")
    raise GovgraphError(f"无法识别的台账格式：{path}（应为 CSV 文件夹或 .xlsx 工作簿）")


def _decode(data: bytes) -> str:
    # UTF-8 (with or without BOM) first; what Excel on Chinese Windows writes is GB18030/GBK.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path) -> RawTable:
    text = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(enumerate(reader, start=1))  # (number, cells): the reader makes a new list per row
    return RawTable(display=path.name, stem=path.stem, rows=rows)


def _read_workbook(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise GovgraphError(f"无法打开工作簿 {path.name}：文件损坏或不是 .xlsx 格式") from exc
    tables = []
    try:
        for sheet in book.worksheets:
            rows = [
                (number, [_xlsx_cell(v) for v in cells])
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            tables.append(RawTable(display=f"{path.name}[{sheet.title}]", stem=sheet.title, rows=rows))
    finally:
        book.close()
    return tables


def _xlsx_cell(value: object) -> object:
    """Excel numbers are floats: an id or count cell holding 1001.0 means 1001."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value
    return str(value)
