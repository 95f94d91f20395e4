"""Draw a `Layout` with matplotlib and save it as PNG (300 dpi), SVG or PDF."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from ..errors import GovgraphError

# Cell and box fills for a rate against its target (indicators.color_for).
RATE_FILLS = {"green": "#E3F4E1", "yellow": "#FFF4CC", "red": "#FDE2E1"}
from ..outputs import check_output_file, write_failed
from . import fonts
from .layout import Layout, PlacedBox, PlacedSpan
from .text import PT_MM

FORMATS = ("png", "svg", "pdf")
PNG_DPI = 300

# Colour scheme per box kind: (header fill, body fill, border).
SCHEMES = {
    "party": ("#C8102E", "#FFF6F6", "#C8102E"),
    "committee": ("#1F5FA8", "#F3F7FD", "#1F5FA8"),
    "firm": ("#A35C00", "#FFF8EE", "#A35C00"),
    "secondary": ("#666666", "#F7F7F7", "#888888"),
    "missing": ("#FFFFFF", "#FFFFFF", "#C8102E"),
    "unit": ("#3A3A3A", "#FFFFFF", "#3A3A3A"),
}
TEXT = {"body": "#222222", "note": "#666666", "caption": "#FFFFFF", "title": "#FFFFFF",
        "badge": "#FFFFFF", "mark": "#D4380D"}
BADGE_FILL = "#D4380D"
LINE_COLOR = "#555555"


def figure(layout: Layout) -> Figure:
    """The chart as a figure; every text names the CJK font itself, so the figure is
    right whatever the rcParams (saving still belongs inside `fonts.chart_style()`)."""
    fonts.register()
    width, height = layout.page.size
    fig = Figure(figsize=(width / 25.4, height / 25.4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    lw = max(0.5, layout.base / 14)
    for seg in layout.segments:
        ax.add_line(Line2D([seg.x1, seg.x2], [seg.y1, seg.y2], color=LINE_COLOR, linewidth=lw,
                           linestyle=(0, (1.5, 1.5)) if seg.style == "dotted" else "-", zorder=1,
                           solid_capstyle="butt"))
    # Each text carries the gid "s<n>", n its place in layout.all_spans(), so checks can
    # match what was drawn with what was laid out.
    gids = {id(s): f"s{n}" for n, s in enumerate(layout.all_spans())}
    for box in layout.boxes.values():
        _draw_box(ax, box, lw, gids)
    for span in layout.texts:
        _draw_span(ax, span, gids[id(span)], header=span.span.style == "title" and span.size > layout.base * 1.3)
    return fig


def _draw_box(ax, box: PlacedBox, lw: float, gids: dict) -> None:
    header_fill, body_fill, border = SCHEMES.get(box.card.kind, SCHEMES["secondary"])
    r = box.rect
    dashed = box.card.dashed or box.card.kind == "missing"
    ax.add_patch(Rectangle((r.x, r.y), r.w, r.h, facecolor=box.card.fill or body_fill, edgecolor=border,
                           linewidth=lw * 1.4, linestyle=(0, (4, 2)) if dashed else "-", zorder=2))
    in_header = box.card.kind != "missing" and box.header > 0
    if in_header:
        ax.add_patch(Rectangle((r.x, r.y), r.w, box.header, facecolor=header_fill, edgecolor="none", zorder=3))
    for span in box.spans:
        on_header = in_header and span.rect.y < r.y + box.header
        _draw_span(ax, span, gids[id(span)], on_header=on_header, missing=box.card.kind == "missing")


def _draw_span(ax, placed: PlacedSpan, gid: str, on_header: bool = False, missing: bool = False,
               header: bool = False) -> None:
    span, r = placed.span, placed.rect
    style = span.style
    color = span.color
    if color is None:
        if style in ("title", "caption"):
            color = TEXT[style] if on_header else ("#C8102E" if missing else "#222222")
            if header:
                color = "#A0001E"
        else:
            color = TEXT.get(style, TEXT["body"])
    x = r.x
    if style == "badge":
        pad = r.h * 0.08
        ax.add_patch(FancyBboxPatch((r.x, r.y + pad), r.w, r.h - 2 * pad, boxstyle="round,pad=0,rounding_size=0.8",
                                    facecolor=BADGE_FILL, edgecolor="none", zorder=4))
        x += 0.3 * placed.size * PT_MM
    ax.text(x, r.y + r.h * 0.8, span.text, fontsize=placed.size, color=color, ha="left", va="baseline",
            zorder=5, gid=gid, fontfamily=fonts.FAMILY)


def missing_glyphs(layout: Layout) -> list[str]:
    """Characters of the chart that the font lacks (they would print as empty boxes)."""
    charmap = _charmap()
    return sorted({ch for s in layout.all_spans() for ch in s.text if not ch.isspace() and ord(ch) not in charmap})


@cache
def _charmap() -> dict:
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(fonts.register())).get_charmap()


def file_metadata(fmt: str, title: str) -> dict | None:
    """Title and creator; no creation date, so the same chart gives the same file."""
    if fmt == "pdf":
        return {"Title": title, "Creator": "govgraph", "CreationDate": None}
    if fmt == "svg":
        return {"Title": title, "Creator": "govgraph", "Date": None}
    return None


def page_paths(path: Path, pages: int) -> list[Path]:
    """Where each page goes: a PDF holds them all; PNG and SVG: 图.png, 图-2.png, 图-3.png …"""
    if path.suffix.lower() == ".pdf" or pages == 1:
        return [path]
    return [path] + [path.with_name(f"{path.stem}-{k}{path.suffix}") for k in range(2, pages + 1)]


def save_pages(layouts: list[Layout], path: Path, title: str = "") -> list[Path]:
    """Every page of a chart: one PDF, or one PNG/SVG file a page (see `page_paths`)."""
    if path.suffix.lower() != ".pdf" or len(layouts) == 1:
        paths = page_paths(path, len(layouts))
        return [save(layout, p, title) for layout, p in zip(layouts, paths)]
    from matplotlib.backends.backend_pdf import PdfPages

    with fonts.chart_style():
        check_output_file(path)
        try:
            with PdfPages(path, metadata=file_metadata("pdf", title)) as pdf:
                for layout in layouts:
                    pdf.savefig(figure(layout))
        except OSError as exc:
            raise write_failed(path, exc) from None
    return [path]


def save(layout: Layout, path: Path, title: str = "") -> Path:
    """Write the chart; the format is the file's extension (.png, .svg or .pdf)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise GovgraphError(f"不支持的图片格式：{path.suffix or '（无扩展名）'}，请用 .png、.svg 或 .pdf")
    with fonts.chart_style():
        fig = figure(layout)
        metadata = file_metadata(fmt, title)
        check_output_file(path)
        try:
            fig.savefig(path, format=fmt, dpi=PNG_DPI if fmt == "png" else 72, metadata=metadata)
        except OSError as exc:
            raise write_failed(path, exc) from None
    return path
