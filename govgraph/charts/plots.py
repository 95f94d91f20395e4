"""Coverage plots: per street or community, the share of compounds in each coverage
status as stacked bars, with the policy target line from the profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import networkx as nx
from matplotlib.figure import Figure

from ..coverage import STATUSES, UnitCoverage, coverage, rollups
from ..errors import GovgraphError
from ..outputs import check_output_file, write_failed
from ..profile import Profile
from . import draw, fonts

STATUS_COLORS = {"单独建": "#A50F15", "联合建": "#DE2D26", "挂靠建": "#FB6A4A", "工作覆盖": "#FCBBA1",
                 "空白": "#D9D9D9"}
TARGET_INDICATOR = "org_and_work_coverage_rate"
MM = 1 / 25.4
ONE_FIGURE_UNITS = 30  # bars one figure holds at 8 pt; more go on pages (coverage_pages) or a level up


def coverage_figure(graph: nx.MultiDiGraph, on: date, profile: Profile, level: str = "street",
                    rows: list[UnitCoverage] | None = None, title: str | None = None) -> Figure:
    """Horizontal stacked bars, one per unit of `level` (street or community), in percent
    of its compounds; counts inside the segments; a dashed line at the target."""
    if rows is None:
        rows = coverage(graph, on, profile.min_formal_members)
    units = [r for r in rollups(graph, on, rows, level) if r.unit_kind != "Total" and r.compound_total]
    if not units:
        raise GovgraphError("范围内没有小区，无法绘制覆盖情况图")
    n = len(units)
    bar_mm = 7.0 if n <= ONE_FIGURE_UNITS else 4.5
    size = 8 if n <= ONE_FIGURE_UNITS else 6
    top_mm, bottom_mm = 27.0, 16.0  # title, legend and target label above; axis label below
    height = top_mm + bar_mm * n + bottom_mm
    fig = Figure(figsize=(180 * MM, height * MM))
    ax = fig.add_axes((0.2, bottom_mm / height, 0.74, bar_mm * n / height))
    names = [r.unit_name for r in units]
    left = [0.0] * n
    for status in STATUSES:
        counts = [r.compounds[status] for r in units]
        shares = [100 * c / r.compound_total for c, r in zip(counts, units)]
        ax.barh(range(n), shares, left=left, color=STATUS_COLORS[status], label=status, height=0.72,
                edgecolor="white", linewidth=0.4)
        for i, (c, share) in enumerate(zip(counts, shares)):
            if c and share >= 7:
                ax.text(left[i] + share / 2, i, str(c), ha="center", va="center", fontsize=size - 1,
                        color="white" if status in ("单独建", "联合建") else "#333333")
        left = [a + b for a, b in zip(left, shares)]
    ax.set_yticks(range(n), names, fontsize=size)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 103)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("占小区总数的比例（%，色块内数字为小区个数）", fontsize=size)
    ax.tick_params(axis="x", labelsize=size)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    target = profile.standing_target(TARGET_INDICATOR, on)
    if target is not None:
        ax.axvline(100 * target.value, color="#1F5FA8", linestyle="--", linewidth=1.2, clip_on=False)
        passed = "，期限已过" if target.deadline < on else ""
        fig.text(0.2 + 0.74 * target.value * 100 / 103, 1 - (top_mm - 2) / height,
                 f"目标 {target.value:.0%}（{target.deadline.isoformat()}{passed}）", color="#1F5FA8",
                 fontsize=size, ha="right" if target.value > 0.6 else "center", va="bottom")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="center", bbox_to_anchor=(0.5, 1 - 15 / height), ncol=5, fontsize=size,
               frameon=False, handlelength=1.2, columnspacing=1.2)
    unit_word = {"district": "区县", "street": "街道"}.get(level, "社区")
    fig.text(0.5, 1 - 6 / height, title or f"各{unit_word}小区党的组织和工作覆盖情况（截至 {on.isoformat()}）",
             fontsize=size + 2, ha="center", va="center")
    return fig


def save_figure(fig: Figure, path: Path, title: str = "") -> Path:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise GovgraphError(f"不支持的图片格式：{path.suffix or '（无扩展名）'}，请用 .png、.svg 或 .pdf")
    metadata = draw.file_metadata(fmt, title)
    check_output_file(path)
    try:
        fig.savefig(path, format=fmt, dpi=300, metadata=metadata)
    except OSError as exc:
        raise write_failed(path, exc) from None
    return path


def render_coverage(graph: nx.MultiDiGraph, on: date, profile: Profile, path: Path, level: str = "street",
                    paper: str | None = None, orientation: str = "portrait",
                    progress=None) -> tuple[int, list[Path]]:
    """The coverage plot as a file: one tall picture, or with `paper` pages of that size
    (a PDF holds them all; PNG and SVG one file a page: 图.png, 图-2.png …). Returns the
    number of pages and the files written."""
    with fonts.chart_style():
        if paper is None:
            return 1, [save_figure(coverage_figure(graph, on, profile, level), path, "小区党的组织和工作覆盖情况")]
        figures = coverage_pages(graph, on, profile, level, paper, orientation, progress=progress)
        tell = progress or (lambda what, done, total: None)
        if path.suffix.lower() == ".pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            check_output_file(path)
            try:
                with PdfPages(path, metadata=draw.file_metadata("pdf", "小区党的组织和工作覆盖情况")) as pdf:
                    for k, fig in enumerate(figures, start=1):
                        pdf.savefig(fig)
                        tell("写入覆盖情况图（页）", k, len(figures))
            except OSError as exc:
                raise write_failed(path, exc) from None
            return len(figures), [path]
        paths = draw.page_paths(path, len(figures))
        for k, (fig, p) in enumerate(zip(figures, paths), start=1):
            save_figure(fig, p, "小区党的组织和工作覆盖情况")
            tell("写入覆盖情况图（页）", k, len(figures))
        return len(figures), paths


PAGE_MARGIN = 12.0  # mm
PAGE_BAR = 7.0  # mm a bar
PAGE_PT = 9.0  # type size of the paged plot (the org charts' minimum too)


def coverage_pages(graph: nx.MultiDiGraph, on: date, profile: Profile, level: str, paper: str = "A4",
                   orientation: str = "portrait", rows: list[UnitCoverage] | None = None,
                   progress=None, size: tuple[float, float] | None = None, margin: float | None = None,
                   numbered: bool = True, shrink: bool = False) -> list[Figure]:
    """The coverage plot on pages of `paper`: units grouped by district (a heading row
    each), within a district by street and name, as many bars to a page as fit at 9 pt;
    every page has the title, the legend, the target line and 第 k 页，共 N 页 (unless not
    `numbered`: a report numbers its own pages). `size` (width, height in mm) and `margin`
    (mm) instead of a paper: the room a report gives a figure, drawn at 1:1; with `shrink`
    a plot that fits one page is only as tall as its bars need (it can stand in the text)."""
    from ..mirror import Snapshot
    from .layout import PAPERS
    from .orgchart import natural_key

    if rows is None:
        rows = coverage(graph, on, profile.min_formal_members)
    units = [r for r in rollups(graph, on, rows, level) if r.unit_kind != "Total" and r.compound_total]
    if not units:
        raise GovgraphError("范围内没有小区，无法绘制覆盖情况图")
    snap = Snapshot(graph, on)

    def up(unit_id: str, kind: str) -> str | None:
        node = unit_id
        while node is not None and snap.kind(node) != kind:
            node = next((v for v, _ in snap.out("隶属", node)), None)
        return node

    def name(node: str | None) -> str:
        return graph.nodes[node]["name"] if node else ""

    def key(r):
        district = up(r.unit_id, "District")
        street = up(r.unit_id, "Street") if level == "community" else None
        return natural_key(name(district)), district or "", natural_key(name(street)), natural_key(r.unit_name)

    units.sort(key=key)
    lines: list[tuple[str, object]] = []  # ("district", name) headings and ("unit", rollup) bars
    current = object()
    for r in units:
        district = up(r.unit_id, "District")
        if district != current and level != "district":
            lines.append(("district", name(district) or "（未归属区县）"))
            current = district
        label = r.unit_name
        if level == "community":
            street = name(up(r.unit_id, "Street"))
            label = f"{r.unit_name}（{street}）" if street else r.unit_name
        lines.append(("unit", (label, r)))
    short, long = PAPERS[paper]
    width, height = (long, short) if orientation == "landscape" else (short, long)
    if size is not None:
        width, height = size
    margin = PAGE_MARGIN if margin is None else margin
    top_mm, bottom_mm = 30.0, 22.0 if numbered else 16.0
    per_page = max(1, int((height - 2 * margin - top_mm - bottom_mm) // PAGE_BAR))
    chunks = _pages_of(lines, per_page)
    if shrink and len(chunks) == 1:
        height = 2 * margin + top_mm + bottom_mm + PAGE_BAR * len(chunks[0])
    figures = []
    for k, chunk in enumerate(chunks, start=1):
        fig = Figure(figsize=(width * MM, height * MM))
        _bars(fig, chunk, width, height, top_mm, bottom_mm, on, profile, level, margin)
        if numbered:
            fig.text(0.5, margin / 2 / height, f"第 {k} 页，共 {len(chunks)} 页", fontsize=PAGE_PT,
                     color="#777777", ha="center", va="center")
        figures.append(fig)
        if progress is not None:
            progress("绘制覆盖情况图（页）", k, len(chunks))
    return figures


CONTINUED = "（续）"


def _pages_of(lines: list[tuple[str, object]], per_page: int) -> list[list[tuple[str, object]]]:
    """The lines shared out `per_page` to a page: a district heading never ends a page (it
    moves to the next), and a page that starts inside a district starts with its heading
    again, marked （续）."""
    chunks: list[list[tuple[str, object]]] = []
    page: list[tuple[str, object]] = []
    district = None
    for kind, item in lines:
        if kind == "district":
            district = item
        if len(page) >= per_page or (kind == "district" and len(page) == per_page - 1 and per_page > 1):
            chunks.append(page)
            page = []
        if not page and chunks and kind == "unit" and district is not None and per_page > 1:
            page.append(("district", f"{district}{CONTINUED}"))
        page.append((kind, item))
    return [c for c in [*chunks, page] if c]


def _bars(fig: Figure, lines, width: float, height: float, top_mm: float, bottom_mm: float, on: date,
          profile: Profile, level: str, margin: float = PAGE_MARGIN) -> None:
    n = len(lines)
    used = PAGE_BAR * n
    y0 = height - margin - top_mm - used  # the bars hang from the top of the page
    label_mm = min(70.0, 0.36 * width)
    ax = fig.add_axes(((margin + label_mm) / width, y0 / height,
                       (width - 2 * margin - label_mm - 4) / width, used / height))
    units = [(i, item) for i, (kind, item) in enumerate(lines) if kind == "unit"]
    left = [0.0] * len(units)
    for status in STATUSES:
        counts = [r.compounds[status] for _, (_, r) in units]
        shares = [100 * c / r.compound_total for c, (_, (_, r)) in zip(counts, units)]
        ax.barh([i for i, _ in units], shares, left=left, color=STATUS_COLORS[status], label=status, height=0.72,
                edgecolor="white", linewidth=0.4)
        for (i, _), c, share, x in zip(units, counts, shares, left):
            if c and share >= 9:
                ax.text(x + share / 2, i, str(c), ha="center", va="center", fontsize=PAGE_PT,
                        color="white" if status in ("单独建", "联合建") else "#333333")
        left = [a + b for a, b in zip(left, shares)]
    ax.set_yticks(range(n), [item if kind == "district" else item[0] for kind, item in lines], fontsize=PAGE_PT)
    for tick, (kind, _) in zip(ax.get_yticklabels(), lines):
        if kind == "district":
            tick.set_color("#A0001E")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 103)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("占小区总数的比例（%，色块内数字为小区个数）", fontsize=PAGE_PT)
    ax.tick_params(axis="x", labelsize=PAGE_PT)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    target = profile.standing_target(TARGET_INDICATOR, on)
    top = 1 - margin / height
    if target is not None:
        ax.axvline(100 * target.value, color="#1F5FA8", linestyle="--", linewidth=1.2, clip_on=False)
        passed = "，期限已过" if target.deadline < on else ""
        fig.text(1 - margin / width, top - 22 / height,
                 f"虚线：目标 {target.value:.0%}（{target.deadline.isoformat()}{passed}）", color="#1F5FA8",
                 fontsize=PAGE_PT, ha="right", va="center")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="center", bbox_to_anchor=(0.5, top - 15 / height), ncol=5, fontsize=PAGE_PT,
               frameon=False, handlelength=1.2, columnspacing=1.2)
    unit_word = {"district": "区县", "street": "街道"}.get(level, "社区")
    fig.text(0.5, top - 5 / height, f"各{unit_word}小区党的组织和工作覆盖情况（截至 {on.isoformat()}）",
             fontsize=PAGE_PT + 4, ha="center", va="center")


TREND_INDICATORS = ("org_coverage_rate", "org_and_work_coverage_rate", "should_build_rate", "firm_org_coverage_rate")
TREND_COLORS = ("#A50F15", "#1F5FA8", "#3F9E3A", "#A35C00")


def trend_figure(points: list[tuple[str, list]], title: str) -> Figure:
    """Lines of the whole-ledger (合计) headline indicators across `points`, each a
    (label, the `indicators()` answer at that point); a missing value leaves a gap."""
    from ..profile import INDICATORS

    if not points:
        raise GovgraphError("没有可画趋势的时点")
    fig = Figure(figsize=(180 * MM, 80 * MM))
    ax = fig.add_axes((0.08, 0.2, 0.62, 0.66))
    xs = range(len(points))
    # Two indicators often share a value (e.g. both rates at 83.3%): a marker and a dash of
    # each line's own keep both visible where the lines lie on each other.
    styles = zip(TREND_INDICATORS, TREND_COLORS, "osD^vPX*", ["-", "--", "-.", ":"] * 2)
    for i, (key, color, marker, dash) in enumerate(styles):
        values = []
        for _, answer in points:
            total = next((i for i in answer if i.unit_id == "TOTAL" and i.indicator == key), None)
            values.append(100 * total.value if total is not None and total.value is not None else float("nan"))
        ax.plot(xs, values, marker=marker, linestyle=dash, color=color, label=INDICATORS[key], linewidth=1.6,
                markersize=7 - i * 0.6, markerfacecolor="none" if i % 2 else color)
    ax.set_xticks(list(xs), [label for label, _ in points], fontsize=7, rotation=0 if len(points) <= 6 else 30)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7, frameon=False)
    fig.text(0.5, 0.94, title, fontsize=10, ha="center", va="center")
    return fig
