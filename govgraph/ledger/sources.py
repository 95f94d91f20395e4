"""Raw tables from a ledger: a folder of CSV files or one .xlsx workbook.

This layer only turns files into rows of text cells with spreadsheet row numbers; it
knows nothing of columns or types.
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import GovgraphError, LedgerFileError, os_error_reason
from ..values import strip_control, unguard_formula

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
    # What makes the file unreadable past some point, found while reading it as text:
    # (row, column position or None for the whole file, value, code, reason). `rows`
    # then stop before that row.
    problem: tuple[int, int | None, str, str, str] | None = None


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
        _refuse_irregular(path)
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
    return os_error_reason(exc, reading=True)


def _refuse_irregular(path: Path) -> None:
    """A pipe (FIFO), socket or device file named as a ledger file would block reading
    forever, or read endlessly: refuse it before opening it."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise LedgerFileError(f"无法读取 {path.name}：{_os_reason(exc)}") from None
    if stat.S_ISDIR(mode):
        raise LedgerFileError(f"{path.name} 是文件夹，不是 CSV 文件：请把它移出台账文件夹或改名后重试")
    if not stat.S_ISREG(mode):
        raise LedgerFileError(f"{path.name} 不是普通文件（是管道、套接字或设备文件），无法作为台账读取：请改用保存在磁盘上的文件")


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a regular file, or a `LedgerFileError` saying in Chinese why not."""
    _refuse_irregular(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LedgerFileError(f"无法读取 {path.name}：{_os_reason(exc)}") from None


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
    if data.startswith(codecs.BOM_UTF8):
        # A UTF-8 mark, then bytes that are not UTF-8: a GBK file given the mark by a tool
        # that did not convert it. One line, not a header full of mojibake.
        try:
            data[len(codecs.BOM_UTF8):].decode("gb18030")
            found = "内容却是 GBK/GB18030 编码"
        except UnicodeDecodeError:
            found = "内容却不是 UTF-8"
        raise LedgerFileError(f"{name} 开头有 UTF-8 的编码标记（BOM），{found}，两者不一致：{SAVE_AS_CSV}")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise LedgerFileError(f"{name} 的编码无法识别（不是 UTF-8 或 GBK/GB18030）：{SAVE_AS_CSV}") from None
    sample = implausible_chinese(text)
    if sample is not None:
        raise LedgerFileError(
            f"{name} 的编码无法识别：按 GBK/GB18030 读出的是乱码（如“{sample}”），"
            f"多半是西文编码（Latin-1 等）的文件：{SAVE_AS_CSV}"
        )
    return text


# Western text (Latin-1, Windows-1252) read as GB18030: an accented letter and the ASCII
# letter after it make one double-byte character (é + t → 閠), whose second byte is ASCII.
# In Chinese text the second byte is 0xA1 or above for every common hanzi (GB2312) and
# ASCII only for a few rare ones (镕); so when more than half of the non-ASCII characters
# were made with an ASCII second byte (or are private-use or four-byte ones), the text
# is not Chinese.
ODD_SHARE = 0.5


def _odd(ch: str) -> bool:
    encoded = ch.encode("gb18030")
    return len(encoded) != 2 or encoded[1] < 0x80 or unicodedata.category(ch) in ("Co", "Cn")


def implausible_chinese(text: str) -> str | None:
    """A short stretch of `text` around its first odd character when the text is not
    plausibly Chinese (see ODD_SHARE), else None."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide or sum(map(_odd, wide)) <= ODD_SHARE * len(wide):
        return None
    at = next(i for i, ch in enumerate(text) if ord(ch) > 0x7F and _odd(ch))
    line_start = text.rfind("\n", 0, at) + 1
    return text[max(line_start, at - 8):at + 4].split("\n")[0].strip()


def _read_csv(path: Path) -> RawTable:
    data = read_file_bytes(path)
    # Cells are text as the user sees it: no invisible control characters.
    text = strip_control(_decode(data, path.name))
    if not text.strip():
        return RawTable(display=path.name, stem=path.stem, rows=[],
                        problem=(0, None, "", "empty_file",
                                 f"是空文件（{len(data)} 字节），没有表头也没有数据：请删除它，或填好表头和数据后重试"))
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
    table = RawTable(display=path.name, stem=path.stem, rows=rows)
    _check_quotes(table, text.count("\n") + (not text.endswith("\n")))
    if "'" in text:  # cells an export guarded against formula injection (values.guard_formula)
        for _, cells in table.rows:
            for i, cell in enumerate(cells):
                if cell[:1] == "'":
                    cells[i] = unguard_formula(cell)
    return table


def _check_quotes(table: RawTable, lines: int) -> None:
    """A double quote opening a cell and never closed makes the rest of the file (or
    everything up to the next quote) one cell: rows vanish into it without any error from
    csv. Such a cell spans lines that look like rows of the file (as many delimiters as a
    row has); a note with a line break in it does not."""
    widths = sorted(len(cells) for _, cells in table.rows)
    width = widths[len(widths) // 2] if widths else 0  # what a row of this file has
    if width < 2 or len(table.rows) == lines:
        return  # one column, or no cell spans lines: nothing can be swallowed
    for index, (number, cells) in enumerate(table.rows):
        for position, cell in enumerate(cells):
            if "\n" not in cell and "\r" not in cell:
                continue
            inner = cell.splitlines()
            swallowed = [line for line in inner[1:] if line.count(",") >= width - 1]
            if not swallowed:
                continue
            first = inner[0]
            shown = first if len(first) <= 20 else first[:20] + "…"
            end = number + len(inner) - 1
            where = "文件末尾" if index == len(table.rows) - 1 else f"第 {end} 行"
            table.problem = (number, position, shown, "unclosed_quote",
                             f"引号未闭合：这个单元格以双引号开头，一直读到{where}，吞掉了其后 {len(inner) - 1} 行"
                             f"（其中 {len(swallowed)} 行像是数据行）；请在该单元格末尾补上双引号，或删去开头的双引号")
            table.rows = table.rows[:index]
            return


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
