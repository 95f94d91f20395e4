"""The workbook a community worker edits: the blank template (`govgraph template`) and
the export (`govgraph export x.xlsx`). Chinese headers, numbers as numbers, dates as
Excel dates, 是/否, drop-down lists for every enumerated and yes/no column, a frozen bold
header, widths, and a 填表说明 sheet generated from the schema (or the roster mapping)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..column_types import DATE_FORMAT, NO, TEXT_FORMAT, YES, column_type
from ..errors import GovgraphError
from ..outputs import check_output_file, write_failed
from ..schema import load_schema
from ..values import strip_control
from .mapping import built_in

# A row whose first filled cell starts with this is an example: the reader skips it.
EXAMPLE_MARK = "示例："
XLSX_CELL_LIMIT = 32767  # characters; openpyxl cuts longer text short without a word
MAX_WIDTH = 40
GUIDE_SHEET = "填表说明"  # the template's guide sheet; the reader passes over it


@dataclass(frozen=True)
class Col:
    header: str  # Chinese header, as written in the sheet
    name: str  # canonical column name (or the roster column)
    type: str  # schema type: str, int, date, bool, enum, tags, phone, credit_code, parent
    choices: tuple[str, ...] = ()  # for a drop-down list
    required: bool = False
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Col, ...]
    example: tuple = ()


# One example row per sheet (template only), in column order.
_EXAMPLES = {
    "District": ("D1", "城阳区"),
    "Street": ("S1", "城阳街道", "D1"),
    "Community": ("M1", "青特社区", "S1"),
    "Compound": ("C1", "青特城", "M1", 1200, "商品房", "专业物业", 8, NO),
    "PartyOrg": ("P1", "青特城小区党支部", "党支部", "小区", 8, "P0", date(2021, 3, 1), date(2026, 2, 28)),
    "Committee": ("K1", "青特城业委会", "业委会", "C1", date(2023, 5, 1), date(2028, 4, 30)),
    "Firm": ("F1", "安居物业服务有限公司", "国有", 5, "91370214MA3C1D2E1F"),
    "Person": ("U1", "王建国", "正式党员", "13800001234", "在职党员；退役军人"),
    "relations": ("任职", "U1", "P1", "书记", date(2021, 3, 1), "", "支部换届记录"),
}
_ROSTER_EXAMPLE = {
    "区县": "城阳区", "街道": "城阳街道", "社区": "青特社区", "小区名称": "青特城", "户数": 1200,
    "小区类型": "商品房", "物业管理模式": "专业物业", "居住正式党员数": 8, "情况复杂": NO,
    "党组织名称": "青特城小区党支部", "党组织类型": "党支部", "组建方式": "单独建", "党组织正式党员数": 8,
    "书记": "王建国", "书记政治面貌": "正式党员", "业委会主任": "王建国", "主任政治面貌": "正式党员",
    "物业企业": "安居物业服务有限公司", "项目负责人": "李明", "党建指导员": "张华", "一肩挑": YES,
}


def normalised_sheets() -> list[Sheet]:
    schema = load_schema()
    sheets = []
    for kind in schema.entities.values():
        cols = []
        for c in kind.columns:
            note = {"id": f"{kind.zh}的编号，全台账唯一", "name": f"{kind.zh}名称"}.get(c.name) or column_type(c).note_for(c)
            cols.append(Col(c.zh or c.name, c.name, c.type, column_type(c).choices(c), c.required, note))
        sheets.append(Sheet(kind.sheet, tuple(cols), _EXAMPLES.get(kind.label, ())))
    roles = tuple(dict.fromkeys(r for t in schema.relations.values() for r in (t.roles or ())))
    notes = {"type": "关系类型，从下拉列表中选", "from_id": "起点的编号（也可写名称）", "to_id": "终点的编号（也可写名称）",
             "role": "职务或角色（任职、派驻、服务须从下拉列表中选）", "since": "开始日期；只写年或年月也可",
             "until": "结束日期（含当天）；写“至今”表示仍有效", "source": "依据：文件号、台账名称等"}
    cols = []
    for c in schema.relation_columns:
        choices = roles if c.name == "role" else column_type(c).choices(c)
        cols.append(Col(c.zh or c.name, c.name, c.type, choices, c.required, notes.get(c.name, "")))
    sheets.append(Sheet(schema.relations_sheet, tuple(cols), _EXAMPLES["relations"]))
    return sheets


def roster_sheet() -> Sheet:
    """The 一表通 sheet, its columns and types read from the built-in roster mapping."""
    schema = load_schema()
    mapping = built_in()
    types: dict[str, tuple[str, tuple]] = {}
    for block in mapping.entities.values():
        for f, column in block.fields.items():
            c = next(c for c in schema.entities[block.kind].fields if c.name == f)
            types[column] = (c.type, column_type(c).choices(c))
    for column, lookup in mapping.values.items():
        types[column] = ("enum", tuple(dict.fromkeys(lookup.values())))
    for rel in mapping.relations:
        if rel.when and rel.when.get("is") is True:
            types[rel.when["column"]] = ("bool", (YES, NO))
    cols = []
    for column in mapping.columns:
        kind, choices = types.get(column, ("str", ()))
        note = mapping.notes.get(column, "")
        extra = column_type(kind).note if kind != "str" else ""
        cols.append(Col(column, column, kind, choices, column in mapping.required,
                        "；".join(t for t in (note, extra) if t)))
    example = tuple(_ROSTER_EXAMPLE.get(c.header, "") for c in cols)
    return Sheet("一表通", tuple(cols), example)


def write_template(out: str | Path, *, roster: bool = False) -> Path:
    sheets = [roster_sheet()] if roster else normalised_sheets()
    return _write(Path(out), [(s, [_mark(s.example)]) for s in sheets], guide=sheets)


def _mark(row: tuple) -> list:
    """The example row: its first cell says it is one (the reader skips such rows)."""
    values = list(row)
    if values:
        values[0] = f"{EXAMPLE_MARK}{values[0]}"
    return values


def write_export(tables: list[tuple[str, str, list[str], list[list[str]]]], out: str | Path) -> Path:
    """The export, from `write.ledger_tables` (text cells by canonical column), typed."""
    by_sheet = {s.name: s for s in normalised_sheets()}
    typed = []
    for _, sheet_name, header, rows in tables:
        sheet = by_sheet[sheet_name]
        cols = {c.name: c for c in sheet.columns}
        assert [c.name for c in sheet.columns] == header
        cells = [column_type(cols[h].type).to_cell for h in header]
        typed.append((sheet, [[cell(v) for cell, v in zip(cells, row)] for row in rows]))
    return _write(Path(out), typed, guide=None)


def _write(out: Path, sheets: list[tuple[Sheet, list[list]]], guide: list[Sheet] | None) -> Path:
    # Before the write-only book exists: one left unsaved complains when collected.
    check_output_file(out)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for sheet, rows in sheets:  # before writing anything: openpyxl would cut it short
        if any(isinstance(v, str) and len(v) > XLSX_CELL_LIMIT for row in rows for v in row):
            raise GovgraphError(f"工作表“{sheet.name}”中有超过 {XLSX_CELL_LIMIT} 个字符的单元格，超出 Excel 的上限：请导出为 CSV 文件夹")
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2DCDB")
    required_fill = PatternFill("solid", fgColor="F8CBAD")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    example_font = Font(italic=True, color="808080")
    for sheet, rows in sheets:
        ws = book.create_sheet(sheet.name)
        widths = [_width(c.header) for c in sheet.columns]
        for row in rows:
            for i, v in enumerate(row):
                if i < len(widths):
                    widths[i] = max(widths[i], _width(v))
        for i, (c, w) in enumerate(zip(sheet.columns, widths), start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = min(MAX_WIDTH, max(8, w + 2))
            # What a worker types into an empty cell: a date shows as one; an id, phone or
            # credit code stays text (no 1.38E+10, no leading zeros dropped).
            number_format = column_type(c.type).number_format
            if c.name in ("id", "from_id", "to_id"):
                number_format = TEXT_FORMAT
            if number_format:
                ws.column_dimensions[letter].number_format = number_format
            if c.choices:
                # A warning, not a stop: the reader also takes the usual variants (中共党员 …).
                dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True,
                                    errorStyle="warning", showErrorMessage=True, errorTitle="不在可选值中",
                                    error="请从下拉列表中选择", promptTitle=c.header, prompt=c.note[:250] or None,
                                    showInputMessage=bool(c.note))
                dv.add(f"{letter}2:{letter}1048576")
                ws.data_validations.append(dv)
        ws.freeze_panes = "A2"
        header = []
        for c in sheet.columns:
            cell = WriteOnlyCell(ws, c.header)
            cell.font, cell.fill, cell.alignment = bold, required_fill if c.required else fill, centre
            header.append(cell)
        ws.append(header)
        example = guide is not None
        for row in rows:
            cells = []
            for v in row:
                if isinstance(v, str):
                    v = strip_control(v)
                    if v.startswith(("=", "#")):
                        v = WriteOnlyCell(ws, v)
                        v.data_type = "s"  # text, never a formula or an error value
                elif isinstance(v, date):
                    v = WriteOnlyCell(ws, v)
                    v.number_format = DATE_FORMAT
                if example:  # the template's example row, in grey italics
                    v = v if isinstance(v, Cell) else WriteOnlyCell(ws, v)
                    v.font = example_font
                cells.append(v)  # plain values where no style is needed: much quicker
            ws.append(cells)
        ws.page_setup.orientation = "landscape"
        ws.print_title_rows = "1:1"
    if guide is not None:
        _write_guide(book, guide, bold, fill)
    try:
        book.save(out)
    except OSError as exc:
        raise write_failed(out, exc) from None
    return out


def _write_guide(book, sheets: list[Sheet], bold, fill) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    ws = book.create_sheet(GUIDE_SHEET)
    widths = (14, 18, 8, 60, 40)
    for letter, width in zip("ABCDE", widths):
        ws.column_dimensions[letter].width = width
    # Printed, the guide is one page wide (its long notes would otherwise spill onto a
    # second column of pages); the opening lines span the five columns.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    wrap = Alignment(wrap_text=True, vertical="top")
    lines = [
        "填表说明：表头为深色的列必填；每张表第二行是示例（第一格以“示例：”开头），导入时自动跳过，可以删除。",
        "日期可写 2024-05-01、2024/5/1、2024年5月1日，也可只写年或年月；是否可写 是/否、√/×；结束日期写“至今”表示仍有效。",
        "表上方可以有标题行，旁边可以有序号、备注等列（导入时跳过并提醒）。有任何错误时一条也不导入，并列出全部错误（文件:行:列: 值: 原因）。",
        "",
    ]
    for number, text in enumerate(lines, start=1):
        cell = WriteOnlyCell(ws, text)
        cell.alignment = wrap
        ws.append([cell])
        if text:
            ws.merged_cells.add(f"A{number}:E{number}")
            ws.row_dimensions[number].height = _height((text,), (sum(widths),))
    header = []
    for text in ("工作表", "列", "必填", "含义", "可选值"):
        cell = WriteOnlyCell(ws, text)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    ws.append(header)
    number = len(lines) + 1
    for sheet in sheets:
        for c in sheet.columns:
            row = []
            values = (sheet.name, c.header, YES if c.required else "", c.note, "、".join(c.choices))
            for v in values:
                cell = WriteOnlyCell(ws, v)
                cell.alignment = wrap
                row.append(cell)
            number += 1
            # Wrapped text does not grow its row by itself in every program (LibreOffice
            # prints it over the next row): the height its longest cell needs.
            ws.row_dimensions[number].height = _height(values, widths)
            ws.append(row)


LINE_HEIGHT = 15  # points, one line of the default 11-point font


def _height(values, widths) -> float:
    lines = max(-(-_width(v) // max(1, w - 2)) for v, w in zip(values, widths))
    return LINE_HEIGHT * max(1, lines)


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
