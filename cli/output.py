"""One set of output options for every report command, and the renderers behind it.

`--format table|csv|json|markdown|xlsx` and `-o/--output FILE`. JSON keeps stable
English keys and plain values (rates 0–1, booleans, ISO dates); the other formats show
Chinese headers and words. An xlsx has one sheet per table, Chinese headers, set column
widths, a frozen header row, 序号, the reporting unit (填报单位) and the as-of date
(统计时点). Every string shown passes through `mask_sensitive`, so no phone or 身份证号
is ever printed in full.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click

from govgraph.errors import GovgraphError
from govgraph.labels import RATE_KEYS, header_for, value_for_display
from govgraph.values import mask_sensitive

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
MAX_XLSX_WIDTH = 36  # characters; wider texts (说明, 整改建议, 依据) wrap


@dataclass
class Table:
    key: str  # JSON key when a report has several tables; also the xlsx sheet's fallback name
    title: str  # Chinese: the sheet name and the heading
    rows: list[dict]
    keys: list[str]  # columns shown in table/csv/markdown/xlsx (JSON keeps every key)
    empty: str = "（无）"


@dataclass
class Output:
    fmt: str = "table"
    path: Path | None = None
    reporter: str | None = None
    notes: list[str] = field(default_factory=list)

    def emit(self, tables: list[Table], *, as_of: date | None = None, heading: str | None = None) -> None:
        """Print (or write to `path`) the report made of `tables`."""
        if self.fmt == "xlsx":
            if self.path is None:
                raise GovgraphError("xlsx 格式需要用 -o 指定输出文件，例如 -o 报表.xlsx")
            write_xlsx(self.path, tables, as_of=as_of, reporter=self.reporter)
            click.echo(f"已写入 {self.path}")
            return
        self.write(render_report(tables, self.fmt, as_of=as_of, heading=heading, reporter=self.reporter))

    def write(self, text: str) -> None:
        """Print `text`, or write it to `path` (CSV with a BOM, so Excel reads it right)."""
        if self.path is None:
            click.echo(text)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(text + "\n", encoding="utf-8-sig" if self.fmt == "csv" else "utf-8")
            except OSError:
                raise GovgraphError(f"无法写入 {self.path}：请检查路径是否可写") from None
            click.echo(f"已写入 {self.path}")


def output_options(command):
    """Add --format, -o/--output and --reporter; the command receives `out: Output`."""

    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                  help="输出格式：table 表格（终端查看）、csv（Excel 可打开）、json（供脚本使用，英文键名）、"
                       "markdown、xlsx（需配合 -o）。")
    @click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="写入文件而不是屏幕。")
    @click.option("--reporter", metavar="单位名称", default=None, help="填报单位，写在 xlsx 和 markdown 报表的表头。")
    @functools.wraps(command)
    def wrapper(*args, fmt, output, reporter, **kwargs):
        return command(*args, out=Output(fmt, output, reporter), **kwargs)

    return wrapper


def render_report(tables: list[Table], fmt: str, *, as_of=None, heading=None, reporter=None) -> str:
    if fmt == "json":
        if len(tables) == 1:
            return json.dumps([plain(r) for r in tables[0].rows], ensure_ascii=False, indent=2)
        return json.dumps({t.key: [plain(r) for r in t.rows] for t in tables}, ensure_ascii=False, indent=2)
    parts = []
    if fmt == "markdown":
        meta = [f"填报单位：{reporter}"] if reporter else []
        meta += [f"统计时点：{as_of.isoformat()}"] if as_of and not (heading and "统计时点" in heading) else []
        if heading:
            parts.append(f"# {heading}")
        if meta:
            parts.append("  \n".join(meta))
    elif fmt == "table" and heading:
        parts.append(heading)
    for t in tables:
        if fmt == "markdown":
            parts.append(f"## {t.title}\n\n" + markdown(t))
        elif fmt == "csv":
            parts.append((f"# {t.title}\n" if len(tables) > 1 else "") + render(t.rows, t.keys, "csv"))
        else:
            parts.append((f"【{t.title}】\n" if len(tables) > 1 else "") + render(t.rows, t.keys, "table", empty=t.empty))
    return ("\n\n" if fmt in ("markdown", "csv") or len(tables) > 1 else "\n").join(parts)


def render(rows: list[dict], keys: list[str], fmt: str, *, empty: str = "（无）") -> str:
    if fmt == "json":
        return json.dumps([plain(r) for r in rows], ensure_ascii=False, indent=2)
    headers = [header_for(k) for k in keys]
    cells = [[display(k, r.get(k), fmt) for k in keys] for r in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    if not rows:
        return empty
    return table(headers, cells)


def display(key: str, value: object, fmt: str) -> str:
    return mask_sensitive(value_for_display(key, value, fmt))


def render_json(obj: dict) -> str:
    """One object (not a list), for commands such as `show`."""
    return json.dumps(plain(obj), ensure_ascii=False, indent=2)


def plain(value):
    """JSON-ready: ISO dates, masked strings, nested lists and dicts."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return mask_sensitive(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(width(h), *(width(r[i]) for r in rows)) if rows else width(h) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def markdown(t: Table) -> str:
    headers = ["序号"] + [header_for(k) for k in t.keys]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for number, row in enumerate(t.rows, start=1):
        serial = "" if row.get("unit_id") == "TOTAL" else str(number)  # the 合计 row has no 序号
        cells = [serial] + [display(k, row.get(k), "markdown").replace("|", "\\|") for k in t.keys]
        lines.append("| " + " | ".join(cells) + " |")
    if not t.rows:
        lines.append("| " + " | ".join([""] + [t.empty] + [""] * (len(t.keys) - 1)) + " |")
    return "\n".join(lines)


def write_xlsx(path: Path, tables: list[Table], *, as_of=None, reporter=None) -> None:
    """One sheet per table: a meta row (填报单位, 统计时点), then a frozen header with 序号."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used = set()
    for t in tables:
        name = _sheet_name(t.title, used)
        sheet = book.create_sheet(name)
        meta = []
        if reporter:
            meta.append(f"填报单位：{reporter}")
        if as_of:
            meta.append(f"统计时点：{as_of.isoformat()}")
        sheet.append(["　".join(meta) if meta else t.title])
        headers = ["序号"] + [header_for(k) for k in t.keys]
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F2DCDB")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [width(h) for h in headers]
        for number, row in enumerate(t.rows, start=1):
            is_total = row.get("unit_id") == "TOTAL"
            values = ["" if is_total else number]
            for k in t.keys:
                v = row.get(k)
                values.append(v if isinstance(v, (int, float)) and not isinstance(v, bool) else display(k, v, "xlsx"))
            sheet.append(values)
            widths = [max(w, width(str(v))) for w, v in zip(widths, values)]
        wrap = Alignment(wrap_text=True, vertical="top")
        for column, w in enumerate(widths, start=1):
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = min(MAX_XLSX_WIDTH, max(6, w + 2))
            if w + 2 > MAX_XLSX_WIDTH:  # long texts wrap in a readable column instead
                for cell in sheet[letter][2:]:
                    cell.alignment = wrap
        for column, key in enumerate(t.keys, start=2):
            if key in RATE_KEYS:
                for cell in sheet[get_column_letter(column)][2:]:
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A3"
        # Printed as auditors hand it up: landscape, one page wide, header on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.print_title_rows = "2:2"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        book.save(path)
    except OSError:
        raise GovgraphError(f"无法写入 {path}：请检查路径是否可写，或文件是否正被 Excel 打开") from None


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}{n}"
        n += 1
    used.add(name)
    return name
