"""A report as data: sections of notes, tables, pictures and charts. `report.py` builds
one; the HTML, PDF (`pdfreport.py`) and Word (`docx.py`) writers present it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import draw

COLOR_FILLS = draw.RATE_FILLS
FOOTER = "本报告由 govgraph 根据台账生成；联系电话、身份证号等个人信息均已隐去。"


@dataclass
class Cell:
    text: str
    color: str | None = None  # green, yellow, red


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    weights: list[float] | None = None  # relative column widths in the PDF


@dataclass
class PagedPlot:
    """A plot drawn on as many pages as it needs, at the size the writer has room for:
    `pages(width_mm, height_mm, margin_mm)` gives the figures, each at 1:1 on that room,
    so the 9 pt of the paged plots stay 9 pt on the printed page."""

    caption: str
    pages: Callable[[float, float, float], list]


@dataclass
class Section:
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (caption, PNG)
    charts: list = field(default_factory=list)  # org chart layouts: a page of their own in the PDF
    plots: list[PagedPlot] = field(default_factory=list)  # pages of their own where they stand


@dataclass
class Report:
    title: str
    meta: list[str]
    sections: list[Section]
    pages: int | None = None  # set when written as a PDF
