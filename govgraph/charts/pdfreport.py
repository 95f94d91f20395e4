"""The audit report as a PDF: A4 landscape pages composed with matplotlib (text,
tables that continue across pages with their header repeated, images), the CJK font
embedded."""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Rectangle

from . import draw, fonts
from .text import PT_MM, Span, text_em, wrap_row
from .document import COLOR_FILLS, FOOTER, Report, Table

WIDTH, HEIGHT, MARGIN = 297.0, 210.0, 14.0
BODY_PT, TABLE_PT = 9.0, 7.5
LINE = 1.45
RED = "#A0001E"


class _Pages:
    """A cursor over pages: `need(h)` starts a new page when `h` mm do not fit."""

    def __init__(self, pdf: PdfPages, title: str):
        self.pdf, self.title = pdf, title
        self.fig = None
        self.ax = None
        self.y = 0.0
        self.number = 0

    def new(self) -> None:
        self.close_page()
        self.number += 1
        self.fig = Figure(figsize=(WIDTH / 25.4, HEIGHT / 25.4))
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(HEIGHT, 0)
        self.ax.set_axis_off()
        self.y = MARGIN
        self.text(WIDTH / 2, HEIGHT - MARGIN / 2, f"{self.title}　第 {self.number} 页", 7, "#777777", "center")

    def close_page(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def need(self, height: float) -> None:
        if self.fig is None or self.y + height > HEIGHT - MARGIN:
            self.new()

    def text(self, x: float, y: float, text: str, size: float, color: str = "#222222", ha: str = "left") -> None:
        """`y` is the top of the line."""
        self.ax.text(x, y + size * PT_MM * 1.0, text, fontsize=size, color=color, ha=ha, va="baseline")

    def paragraph(self, text: str, size: float = BODY_PT, color: str = "#222222", gap: float = 1.0) -> None:
        for (span,) in wrap_row((Span(text),), WIDTH - 2 * MARGIN, size):
            self.need(size * PT_MM * LINE)
            self.text(MARGIN, self.y, span.text, size, color)
            self.y += size * PT_MM * LINE
        self.y += gap

    def heading(self, text: str, size: float = 13) -> None:
        self.need(size * PT_MM * 2 + 20)  # keep a heading with what follows
        self.y += 2
        self.text(MARGIN, self.y, text, size, RED)
        self.y += size * PT_MM * 1.5
        self.ax.plot([MARGIN, WIDTH - MARGIN], [self.y, self.y], color="#C8102E", linewidth=1)
        self.y += 2.5

    def table(self, t: Table) -> None:
        inner = WIDTH - 2 * MARGIN
        weights = t.weights or [1.0] * len(t.headers)
        widths = [inner * w / sum(weights) for w in weights]
        pad = 1.2
        line = TABLE_PT * PT_MM * LINE

        def lines(text: str, width: float) -> list[str]:
            if not text:
                return [""]
            return [r[0].text for r in wrap_row((Span(text),), width - 2 * pad, TABLE_PT)]

        def draw_row(cells, fill=None, colors=None) -> None:
            wrapped = [lines(c, w) for c, w in zip(cells, widths)]
            h = max(len(w) for w in wrapped) * line + 2 * pad * 0.6
            x = MARGIN
            for k, (texts, w) in enumerate(zip(wrapped, widths)):
                color = (colors or [None] * len(cells))[k]
                face = COLOR_FILLS.get(color) or fill or "none"
                # add_artist, not add_patch: the limits are fixed, and updating them costs seconds on a city
                self.ax.add_artist(Rectangle((x, self.y), w, h, facecolor=face, edgecolor="#BBBBBB", linewidth=0.4))
                for i, text in enumerate(texts):
                    self.text(x + pad, self.y + pad * 0.6 + i * line + (line - TABLE_PT * PT_MM * 1.2) / 2,
                              text, TABLE_PT)
                x += w
            self.y += h

        def row_height(cells) -> float:
            return max(len(lines(c, w)) for c, w in zip(cells, widths)) * line + 2 * pad * 0.6

        header = t.headers
        self.need(row_height(header) + row_height([c.text for c in t.rows[0]]) if t.rows else row_height(header))
        draw_row(header, "#F3E6E6")
        for r in t.rows:
            cells = [c.text for c in r]
            if self.y + row_height(cells) > HEIGHT - MARGIN:
                self.new()
                draw_row(header, "#F3E6E6")
            draw_row(cells, colors=[c.color for c in r])
        self.y += 4

    @staticmethod
    def fit(picture) -> tuple[float, float]:
        """Width and height (mm) of a picture at page width, or page height if tall."""
        h_px, w_px = picture.shape[:2]
        width = WIDTH - 2 * MARGIN
        height = width * h_px / w_px
        room = HEIGHT - 2 * MARGIN - 8
        if height > room:
            width, height = room * w_px / h_px, room
        return width, height

    def image(self, png: bytes, caption: str) -> None:
        picture = imread(io.BytesIO(png), format="png")
        width, height = self.fit(picture)
        self.need(height + 8)
        x = (WIDTH - width) / 2
        self.ax.imshow(picture, extent=(x, x + width, self.y + height, self.y), interpolation="lanczos")
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(HEIGHT, 0)
        self.y += height + 1
        self.text(WIDTH / 2, self.y, caption, 8, "#555555", "center")
        self.y += 8 * PT_MM * LINE + 3


def write_pdf(report: Report, path: Path) -> int:
    """Write the PDF; returns its number of pages."""
    charts: list = []
    with fonts.chart_style():
        metadata = {"Title": report.title, "Creator": "govgraph", "CreationDate": None}
        with PdfPages(path, metadata=metadata) as pdf:
            pages = _Pages(pdf, report.title)
            pages.new()
            size = 18
            while text_em(report.title) * size * PT_MM > WIDTH - 2 * MARGIN:
                size -= 1
            pages.text(WIDTH / 2, pages.y, report.title, size, RED, "center")
            pages.y += size * PT_MM * 1.8
            pages.text(WIDTH / 2, pages.y, "　".join(report.meta), BODY_PT, "#555555", "center")
            pages.y += BODY_PT * PT_MM * 2.5
            for section in report.sections:
                if section.images and not section.tables and not section.notes:  # keep heading and picture
                    _, height = pages.fit(imread(io.BytesIO(section.images[0][1]), format="png"))
                    pages.need(height + 30)
                pages.heading(section.title)
                for note in section.notes:
                    pages.paragraph(note, 8.5, "#555555")
                for table in section.tables:
                    pages.table(table)
                for caption, png in section.images:
                    pages.image(png, caption)
                for plot in section.plots:  # drawn at 1:1, so its 9 pt stays 9 pt on the page
                    figures = plot.pages(WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 10, 0.0)
                    if len(figures) == 1:  # short: a picture in the text, as wide as the text
                        pages.image(_png(figures[0]), plot.caption)
                        continue
                    pages.close_page()  # long: pages of their own, here, drawn as vectors
                    for fig in plot.pages(WIDTH, HEIGHT, MARGIN):
                        pages.number += 1
                        _footer(fig, report.title, pages.number)
                        pdf.savefig(fig)
                for layout in section.charts:  # drawn as vectors, pages of their own at the end
                    charts.append(layout)
                    pages.paragraph("组织架构图见报告最后一页。" if len(charts) == 1 else "组织架构图见报告最后几页。",
                                    8.5, "#555555")
            pages.paragraph(FOOTER, 8, "#777777")
            pages.close_page()
            for layout in charts:  # numbered on in the same footer as the text pages
                pages.number += 1
                fig = draw.figure(layout)
                _footer(fig, report.title, pages.number)
                pdf.savefig(fig)
    return pages.number


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    return buffer.getvalue()


def _footer(fig, title: str, number: int) -> None:
    """The report's page footer on a page drawn as a figure of its own."""
    fig.text(0.5, 0.5 * MARGIN / HEIGHT, f"{title}　第 {number} 页", fontsize=7, color="#777777",
             ha="center", va="center")
