"""One `--format` option for every list command, and the renderers behind it.

JSON keeps stable English keys and plain values (rates 0–1, booleans, ISO dates);
table and CSV show Chinese headers and Chinese words. Every string shown passes through
`mask_sensitive`, so no phone or 身份证号 is ever printed in full.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import unicodedata
from datetime import date

import click

from govgraph.labels import header_for, value_for_display
from govgraph.values import mask_sensitive

FORMATS = ("table", "csv", "json")


def format_option(command):
    """Add `--format table|csv|json` to a command; the value arrives as `fmt`."""

    @click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="输出格式：table 表格（终端查看），csv（可用 Excel 打开），json（供脚本使用，英文键名）。",
    )
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return command(*args, **kwargs)

    return wrapper


def render(rows: list[dict], keys: list[str], fmt: str, *, empty: str = "（无）") -> str:
    if fmt == "json":
        return json.dumps([_json_row(r) for r in rows], ensure_ascii=False, indent=2)
    headers = [header_for(k) for k in keys]
    cells = [[mask_sensitive(value_for_display(k, r.get(k), fmt)) for k in keys] for r in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    if not rows:
        return empty
    return table(headers, cells)


def render_json(obj: dict) -> str:
    """One object (not a list), for commands such as `show`."""
    return json.dumps(_json_row(obj), ensure_ascii=False, indent=2)


def _json_row(row: dict) -> dict:
    def plain(v):
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, str):
            return mask_sensitive(v)
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return {k: plain(v) for k, v in row.items()}


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
