"""Raw tables from a ledger: a folder of CSV files or one .xlsx workbook.

This layer only turns files into rows of text cells with spreadsheet row numbers; it
knows nothing of columns or types.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import GovgraphError, LedgerFileError
from ..values import strip_control

# What to tell a user whose file cannot be read as text: the two formats Excel offers.
SAVE_AS_CSV = "请在 Excel 中另存为“CSV UTF-8”或“CSV（逗号分隔）”后重试"

# The largest cell a CSV file may hold. Excel's own limit is 32,767 characters; other
# tools write longer text, but a cell of a million characters is a quote left open.
FIELD_SIZE_LIMIT = 1 << 20


@dataclass
class RawTable:
    display: str  # "compounds.csv" or "book.xlsx[小区]": what error lines name
    stem: str  # file stem or sheet name, matched against the schema
    rows: list[tuple[int, list[object]]]  # (row number as a spreadsheet shows it, cells)


def read_sources(path: Path) -> list[RawTable]:
    """The tables of a ledger, without the template's example rows."""
    tables = _read_sources(path)
    for table in tables:
        if any(_is_example(cells) for _, cells in table.rows):
            table.rows = [(n, cells) for n, cells in table.rows if not _is_example(cells)]
    return tables


# The template's example row starts with this (workbook.EXAMPLE_MARK).
EXAMPLE_MARKS = ("示例：", "示例:")


def _is_example(cells: list) -> bool:
    first = next((c for c in cells if c not in ("", None)), None)
    return isinstance(first, str) and first.lstrip().startswith(EXAMPLE_MARKS)


def _read_sources(path: Path) -> list[RawTable]:
    if not path.exists():
        raise GovgraphError(f"找不到台账：{path}")
    if path.is_dir():
        return [_read_csv(p) for p in csv_files(path)]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if path.suffix.lower() == ".csv":
        return [_read_csv(path)]
    if path.suffix.lower() in (".xls", ".et", ".wps"):
        raise LedgerFileError(f"{path.name} 是旧版 Excel（.xls）或 WPS 格式，无法直接读取：请在 Excel 或 WPS 中另存为 .xlsx 后重试")
    raise GovgraphError(f"无法识别的台账格式：{path}（应为 CSV 文件夹或 .xlsx 工作簿）")


def csv_files(folder: Path) -> list[Path]:
    """The CSV files of a ledger folder, by name; not the lock files Excel leaves beside
    an open file (~$小区.csv), nor hidden ones."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise LedgerFileError(f"无法读取台账文件夹 {folder}：{_os_reason(exc)}") from None
    return sorted(p for p in entries if p.suffix.lower() == ".csv" and not p.name.startswith(("~$", ".")))


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有读取权限，请检查文件权限，或关闭正在独占它的程序后重试"
    if isinstance(exc, FileNotFoundError):
        return "文件不存在（是否刚被移走或改名？）"
    return f"{exc.strerror or exc}，请检查该文件后重试"


def _decode(data: bytes, name: str) -> str:
    # UTF-8 (with or without BOM) first; what Excel on Chinese Windows writes is GB18030/GBK.
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise LedgerFileError(f"{name} 实际是 Excel 工作簿，不是 CSV 文本：{SAVE_AS_CSV}，或把工作簿单独作为台账导入")
    # UTF-16 ("Unicode 文本") would decode as GB18030 into text full of NULs.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data.count(b"\x00") > len(data) // 4:
        raise LedgerFileError(f"{name} 是 UTF-16（Unicode 文本）编码，无法读取：{SAVE_AS_CSV}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise LedgerFileError(f"{name} 的编码无法识别（不是 UTF-8 或 GBK/GB18030）：{SAVE_AS_CSV}") from None


def _read_csv(path: Path) -> RawTable:
    if path.is_dir():
        raise LedgerFileError(f"{path.name} 是文件夹，不是 CSV 文件：请把它移出台账文件夹或改名后重试")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerFileError(f"无法读取 {path.name}：{_os_reason(exc)}") from None
    # Cells are text as the user sees it: no invisible control characters.
    text = strip_control(_decode(data, path.name))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[object]]] = []
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, FIELD_SIZE_LIMIT))
    try:
        # (number, cells): the reader makes a new list per row
        rows.extend(enumerate(reader, start=1))
    except csv.Error as exc:
        number = len(rows) + 1
        if "field larger than field limit" in str(exc):
            raise LedgerFileError(
                f"{path.name} 第 {number} 行有超长的单元格（超过 {FIELD_SIZE_LIMIT} 个字符），"
                f"多半是双引号没有配对：请检查该行附近的双引号，或{SAVE_AS_CSV}"
            ) from None
        raise LedgerFileError(f"{path.name} 第 {number} 行无法按 CSV 格式读取：{SAVE_AS_CSV}") from None
    finally:
        csv.field_size_limit(limit)
    return RawTable(display=path.name, stem=path.stem, rows=rows)


def _read_workbook(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (PermissionError, FileNotFoundError, IsADirectoryError) as exc:
        raise LedgerFileError(f"无法读取工作簿 {path.name}：{_os_reason(exc)}") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LedgerFileError(f"无法打开工作簿 {path.name}：文件损坏或不是 .xlsx 格式") from exc
    tables = []
    try:
        for sheet in book.worksheets:
            # Read-only mode trusts the sheet's stored size (<dimension>), which some tools
            # write wrong ("A1"): forget it and read every row there is.
            sheet.reset_dimensions()
            try:
                rows = [
                    (number, [_xlsx_cell(v) for v in cells])
                    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                ]
            except Exception as exc:  # noqa: BLE001 - a damaged sheet, in any of openpyxl's ways
                raise LedgerFileError(
                    f"无法读取工作簿 {path.name} 的工作表“{sheet.title}”：文件损坏，请在 Excel 中打开并另存为 .xlsx 后重试"
                ) from exc
            # Without the stored size rows end at their last cell; give them all one
            # width, as openpyxl does when it trusts the size.
            width = max((len(cells) for _, cells in rows), default=0)
            for _, cells in rows:
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
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
    return strip_control(str(value))  # text as the user sees it
