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
    bar_mm = 7.0 if n <= 30 else 4.5
    size = 8 if n <= 30 else 6
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


def render_coverage(graph: nx.MultiDiGraph, on: date, profile: Profile, path: Path, level: str = "street") -> Path:
    with fonts.chart_style():
        fig = coverage_figure(graph, on, profile, level)
        return save_figure(fig, path, "小区党的组织和工作覆盖情况")


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
    for key, color in zip(TREND_INDICATORS, TREND_COLORS):
        values = []
        for _, answer in points:
            total = next((i for i in answer if i.unit_id == "TOTAL" and i.indicator == key), None)
            values.append(100 * total.value if total is not None and total.value is not None else float("nan"))
        ax.plot(xs, values, marker="o", color=color, label=INDICATORS[key], linewidth=1.6, markersize=4)
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
