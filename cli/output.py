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
import os
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click

from govgraph.errors import GovgraphError
from govgraph.outputs import check_output_file, write_failed
from govgraph.labels import RATE_KEYS, header_for, value_for_display
from govgraph.values import guard_formula, mask_sensitive

from .options import ZhChoice
from . import zh_click

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

    def emit(self, tables: list[Table], *, as_of: date | None = None, heading: str | None = None,
             names=None, note: str | None = None) -> None:
        """Print (or write to `path`) the report made of `tables`. `names` (id → name, see
        `entity_names`) puts names beside the ids the rows refer to; `note` is one more
        line of an xlsx's meta row (what the states compare)."""
        if self.fmt == "xlsx":
            if self.path is None:
                raise GovgraphError("xlsx 格式需要用 -o 指定输出文件，例如 -o 报表.xlsx")
            write_xlsx(self.path, tables, as_of=as_of, reporter=self.reporter, names=names, note=note)
            say(f"已写入 {self.path}")
            return
        if self.fmt == "json":  # a row at a time: a province's audit as one text took a gigabyte
            self.write_pieces(json_pieces(tables))
            return
        self.write(render_report(tables, self.fmt, as_of=as_of, heading=heading, reporter=self.reporter,
                                 names=names))

    def write_pieces(self, pieces) -> None:
        """`write("".join(pieces))` (JSON, masked by `plain`), without the whole text in memory."""
        if self.path is None:
            for text in pieces:
                click.echo(text, nl=False)
            click.echo()
            return
        check_output_file(self.path)
        try:
            with open(self.path, "w", encoding="utf-8") as f:
                f.writelines(pieces)
                f.write("\n")
        except OSError as exc:
            raise write_failed(self.path, exc) from None
        say(f"已写入 {self.path}")

    def write(self, text: str) -> None:
        """Print `text`, or write it to `path` (CSV with a BOM, so Excel reads it right).

        The one place every line a report command shows passes: headings and tag lines
        included, no phone or 身份证号 leaves in full (JSON strings are masked by `plain`)."""
        if self.fmt != "json":
            text = mask_sensitive(text)
        if self.path is None:
            click.echo(text)  # masked above (JSON: by `plain`, which keeps it JSON)
        else:
            check_output_file(self.path)
            try:
                self.path.write_text(text + "\n", encoding="utf-8-sig" if self.fmt == "csv" else "utf-8")
            except OSError as exc:
                raise write_failed(self.path, exc) from None
            say(f"已写入 {self.path}")


def say(text: str = "", err: bool = False) -> None:
    """Print a line for the user: the one way every command prints (a ledger's name, a
    path, a message), so no phone or 身份证号 is shown in full, whatever it is part of."""
    click.echo(mask_sensitive(str(text)), err=err)


def entity_names(graph) -> dict[str, str]:
    """id → name for every entity of a mirror."""
    return {node: attrs.get("name") or node for node, attrs in graph.nodes(data=True)}


def output_options(command):
    """Add --format, -o/--output and --reporter; the command receives `out: Output`."""

    @click.option("--format", "fmt", type=ZhChoice(FORMATS), default="table", show_default=True,
                  help="输出格式：table 表格（终端查看）、csv（Excel 可打开）、json（供脚本使用，英文键名）、"
                       "markdown、xlsx（需配合 -o）。")
    @click.option("-o", "--output", "output", type=zh_click.Path(dir_okay=False, path_type=Path), default=None,
                  help="写入文件而不是屏幕。")
    @click.option("--reporter", metavar="单位名称", default=None, help="填报单位，写在 xlsx 和 markdown 报表的表头。")
    @functools.wraps(command)
    def wrapper(*args, fmt, output, reporter, **kwargs):
        return command(*args, out=Output(fmt, output, reporter), **kwargs)

    return wrapper


def render_report(tables: list[Table], fmt: str, *, as_of=None, heading=None, reporter=None, names=None) -> str:
    """The report's text in any format but JSON (`json_pieces`) and xlsx."""
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
            parts.append(f"## {t.title}\n\n" + markdown(t, names))
        elif fmt == "csv":
            parts.append((f"# {t.title}\n" if len(tables) > 1 else "") + render(t.rows, t.keys, "csv", names=names))
        else:
            parts.append((f"【{t.title}】\n" if len(tables) > 1 else "")
                         + render(t.rows, t.keys, "table", empty=t.empty, names=names))
    return ("\n\n" if fmt in ("markdown", "csv") or len(tables) > 1 else "\n").join(parts)


# A column holding an entity's id, and the row key (or the lookup) that names it.
NAMED_IDS = {"id": "name", "entity_id": "entity_name", "unit_id": "unit_name", "other_id": "other_name",
             "person_id": "person_name", "instructor_id": "instructor_name", "org_id": "org_name",
             "district_id": "district_name", "street_id": "street_name", "community_id": "community_name",
             "from_id": "from_name", "to_id": "to_name"}


PARENT_IDS = {"district_id", "street_id", "community_id"}
# The header of one 名称（编号） cell
MERGED_HEADERS = {"entity_name": "对象", "unit_name": "单位", "other_name": "对方", "person_name": "人员"}


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the row key whose value the cell shows
    name_key: str | None = None  # table/markdown: the cell is “name（id）”, name from this key or `names`


def columns(keys: list[str], fmt: str, has_names: bool) -> list[Column]:
    """What each format shows for `keys`. A person reads names: on a terminal (and in
    markdown) an id and its name are one cell, 名称（编号）; CSV and xlsx keep the id column
    with the name beside it, so Excel can still sort and look up by id. Finding codes
    stay in JSON and in one xlsx column; elsewhere the Chinese title stands for them."""
    shown = set(keys)
    merged = fmt in ("table", "markdown")
    id_of_name = {n: i for i, n in NAMED_IDS.items() if i in shown}
    out: list[Column] = []
    for key in keys:
        name_key = NAMED_IDS.get(key)
        if key == "code" and "title" in shown and fmt != "xlsx":
            continue
        if key in id_of_name and merged:
            continue  # shown inside its id's cell
        if name_key in shown:
            out.append(Column(MERGED_HEADERS.get(name_key) or header_for(name_key), key, name_key)
                       if merged else Column(header_for(key), key))
        elif name_key and has_names and key != "id":
            if merged:
                out.append(Column(header_for(key), key, name_key))
            else:
                out += [Column(header_for(key), key), Column(header_for(name_key), key, name_key)]
        else:
            out.append(Column(header_for(key), key))
    return out


def cell(column: Column, row: dict, fmt: str, names) -> str:
    value = row.get(column.key)
    if column.name_key is None:
        return display(column.key, value, fmt, names)
    if value is None or value == "TOTAL":
        return display(column.name_key, row.get(column.name_key), fmt, names) if column.name_key in row else ""
    name = row.get(column.name_key) if column.name_key in row else (names or {}).get(value)
    if fmt in ("csv", "xlsx"):  # the name column beside the id
        return mask_sensitive(str(name or ""))
    if column.key in PARENT_IDS and name:  # the row's own entity carries the id; its parents go by name
        return mask_sensitive(str(name))
    return mask_sensitive(f"{name}（{value}）" if name and name != value else str(value))


def render(rows: list[dict], keys: list[str], fmt: str, *, empty: str = "（无）", names=None) -> str:
    if fmt == "json":
        return json_text([plain(r) for r in rows])
    cols = columns(keys, fmt, names is not None)
    headers = [c.header for c in cols]
    cells = [[cell(c, r, fmt, names) for c in cols] for r in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([guard_formula(c) for c in row] for row in cells)
        return buffer.getvalue().rstrip("\n")
    if not rows:
        return empty
    return table(headers, cells, limit=terminal_width())


def display(key: str, value: object, fmt: str, names=None) -> str:
    if fmt == "table" and isinstance(value, list) and value and isinstance(value[0], dict):
        # relations and posts one per line on a terminal
        return "\n".join(mask_sensitive(value_for_display(key, [v], fmt, names)) for v in value)
    return mask_sensitive(value_for_display(key, value, fmt, names))


def json_pieces(tables: list[Table], rows_per_piece: int = 500):
    """A report in JSON: one table's rows as a list, several as {key: rows}, written as
    json_text would, in pieces of a few hundred rows, each row made plain only when its
    piece is written."""
    def rows_text(rows, newline):
        if not rows:
            yield "[]"
            return
        inner = newline + "  "
        piece, separator = ["["], inner
        for row in rows:
            piece.append(separator)
            _json_at(plain(row), inner, piece)
            separator = "," + inner
            if len(piece) >= rows_per_piece * 2:
                yield "".join(piece)
                piece = []
        piece.append(newline + "]")
        yield "".join(piece)

    if len(tables) == 1:
        yield from rows_text(tables[0].rows, "\n")
        return
    if not tables:
        yield "{}"
        return
    separator = "{\n  "
    for t in tables:
        yield separator + _json_string(t.key) + ": "
        yield from rows_text(t.rows, "\n  ")
        separator = ",\n  "
    yield "\n}"


def _json_at(value, newline: str, out: list) -> None:
    """`value` as json_text writes it at the depth `newline` gives, appended to `out`."""
    parts: list[str] = []
    try:
        _json_into(value, newline, parts)
    except _NotPlain:
        # json.dumps never writes a raw newline inside a string, so re-indenting is safe.
        out.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", newline))
        return
    out.extend(parts)


def render_json(obj: dict) -> str:
    """One object (not a list), for commands such as `show`."""
    return json_text(plain(obj))


def json_text(value) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`, character for character, about
    three times as fast for the plain values `plain` gives (the standard library encodes
    with indentation in pure Python; a city's audit is 15,000 findings). Anything else
    goes to json.dumps itself."""
    parts: list[str] = []
    _json_at(value, "\n", parts)
    return "".join(parts)


class _NotPlain(Exception):
    pass


def _json_into(value, newline: str, out: list) -> None:
    cls = value.__class__
    if cls is str:
        out.append(_json_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif cls is int:
        out.append(int.__repr__(value))
    elif cls is float:
        out.append(json.dumps(value))
    elif cls is list or cls is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        separator = inner
        for item in value:
            out.append(separator)
            _json_into(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    elif cls is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        separator = inner
        for key, item in value.items():
            if key.__class__ is not str:
                raise _NotPlain
            out.append(separator + _json_string(key) + ": ")
            _json_into(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    else:
        raise _NotPlain


_json_string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def plain(value):
    """JSON-ready: ISO dates, masked strings, nested lists and dicts."""
    cls = value.__class__
    if cls is str:  # the common cases first (a city's audit passes half a million values here)
        return mask_sensitive(value)
    if value is None or cls is int or cls is bool:
        return value
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
    """Terminal columns: CJK characters take two (xlsx column widths use the same count)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def terminal_width() -> int | None:
    """The width tables must fit: the terminal's, or COLUMNS when set; None (no limit)
    when the output goes to a pipe or a file, so each row stays one line for grep."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


TEXT_FLOOR = 8  # a column of long texts may narrow to this


def fit_widths(headers: list[str], rows: list[list[str]], limit: int | None) -> list[int]:
    """Column widths for a terminal `limit` columns wide (two between columns): the widest
    columns give way first, evenly, down to a floor. Short values (numbers, dates, names
    with their ids) keep their width where the room allows (their header may take two lines)."""
    natural = [max([width(h), *(width(line) for r in rows for line in r[i].splitlines() or [""])])
               for i, h in enumerate(headers)]
    if limit is None:
        return natural
    available = limit - 2 * (len(headers) - 1)
    if sum(natural) <= available:
        return natural
    longest = [max([0, *(width(r[i]) for r in rows)]) for i in range(len(headers))]
    for short in (20, 12, 0):  # what counts as a short value, as far as the room allows
        floor = [min(n, max(longest[i], width(h) if width(h) <= 8 else (width(h) + 3) // 4 * 2)
                     if longest[i] <= short else TEXT_FLOOR) for i, (h, n) in enumerate(zip(headers, natural))]
        if sum(floor) <= available:
            break
    # Short columns wrap their long headers first; the long texts give way after that.
    natural = [f if longest[i] <= short else n for i, (f, n) in enumerate(zip(floor, natural))]

    def widths(cap: int) -> list[int]:
        return [max(f, min(n, cap)) for f, n in zip(floor, natural)]

    low, high = 1, max(natural)
    while low < high:  # the largest cap that fits
        mid = (low + high + 1) // 2
        low, high = (mid, high) if sum(widths(mid)) <= available else (low, mid - 1)
    return widths(low)


def _break_before_id(text: str, room: int) -> str:
    """名称（编号） too wide for its column: the id on a line of its own, not split."""
    at = text.rfind("（")
    if width(text) <= room or at <= 0 or "\n" in text or width(text[at:]) > room:
        return text
    return text[:at] + "\n" + text[at:]


def table(headers: list[str], rows: list[list[str]], *, limit: int | None = None) -> str:
    """A plain-text table (rich measures CJK widths and wraps long cells) at most `limit`
    columns wide where the cells allow it."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    sizes = fit_widths(headers, rows, limit)
    # SIMPLE_HEAD puts one space between columns; with one of padding on the right, two in all
    grid = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), highlight=False)
    for h, w in zip(headers, sizes):
        grid.add_column(h, width=w, overflow="fold")
    for r in rows:
        grid.add_row(*(_break_before_id(c, w) for c, w in zip(r, sizes)))
    buffer = io.StringIO()
    console = Console(file=buffer, width=sum(sizes) + 2 * len(sizes), color_system=None, markup=False,
                      emoji=False, highlight=False, legacy_windows=False, soft_wrap=False)
    console.print(grid)
    lines = [line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines()]
    widest = max(width(line) for line in lines if not line.startswith("─"))
    return "\n".join(line[:widest] if line.startswith("─") else line for line in lines)


def markdown(t: Table, names=None) -> str:
    cols = columns(t.keys, "markdown", names is not None)
    headers = ["序号"] + [c.header for c in cols]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for number, row in enumerate(t.rows, start=1):
        serial = "" if row.get("unit_id") == "TOTAL" else str(number)  # the 合计 row has no 序号
        cells = [serial] + [cell(c, row, "markdown", names).replace("|", "\\|") for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    if not t.rows:
        lines.append("| " + " | ".join([""] + [t.empty] + [""] * (len(cols) - 1)) + " |")
    return "\n".join(lines)


def write_xlsx(path: Path, tables: list[Table], *, as_of=None, reporter=None, names=None,
               note: str | None = None) -> None:
    """One sheet per table: a meta row (填报单位, 统计时点, `note`), then a frozen header with 序号."""
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
        if note:
            meta.append(note)
        sheet.append([mask_sensitive("　".join(meta)) if meta else t.title])
        cols = columns(t.keys, "xlsx", names is not None)
        headers = ["序号"] + [c.header for c in cols]
        sheet.append(headers)
        for header_cell in sheet[2]:
            header_cell.font = Font(bold=True)
            header_cell.fill = PatternFill("solid", fgColor="F2DCDB")
            header_cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [width(h) for h in headers]
        for number, row in enumerate(t.rows, start=1):
            is_total = row.get("unit_id") == "TOTAL"
            values = ["" if is_total else number]
            for c in cols:
                v = row.get(c.key)
                number_cell = c.name_key is None and isinstance(v, (int, float)) and not isinstance(v, bool)
                values.append(v if number_cell else cell(c, row, "xlsx", names))
            sheet.append(values)
            widths = [max(w, width(str(v))) for w, v in zip(widths, values)]
        wrap = Alignment(wrap_text=True, vertical="top")
        for column, w in enumerate(widths, start=1):
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = min(MAX_XLSX_WIDTH, max(6, w + 2))
            if w + 2 > MAX_XLSX_WIDTH:  # long texts wrap in a readable column instead
                for target in sheet[letter][2:]:
                    target.alignment = wrap
        for column, c in enumerate(cols, start=2):
            if c.key in RATE_KEYS and c.name_key is None:
                for target in sheet[get_column_letter(column)][2:]:
                    target.number_format = "0.0%"
        sheet.freeze_panes = "A3"
        # Printed as auditors hand it up: landscape, one page wide, header on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.print_title_rows = "2:2"
    check_output_file(path)
    try:
        book.save(path)
    except OSError as exc:
        raise write_failed(path, exc) from None


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}{n}"
        n += 1
    used.add(name)
    return name
