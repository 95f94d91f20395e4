"""The coverage plot of the report, paged as `chart --coverage --paper` pages it (issue 15,
item 5): at city scale many pages, each at 1:1 on the room each writer gives it, so no text
is under 9 pt on the printed A4; a short plot stands in the text as wide as the text."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from govgraph.charts import fonts
from govgraph.charts.plots import PAGE_PT
from govgraph.charts.report import build_report, write_report
from govgraph.ledger import read_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile
from govgraph.synth import Tier, write_synthetic

ON = date(2026, 6, 30)
MM_PER_INCH = 25.4


@pytest.fixture(scope="module")
def many_streets(tmp_path_factory):
    """60 streets in 2 districts: more bars than one page holds at 9 pt."""
    folder = tmp_path_factory.mktemp("city") / "ledger"
    write_synthetic(folder, spec=Tier("t", 1, 2, 60, 120, 240, 30, (1, 2)))
    return build_mirror(read_ledger(folder).data)


def _plot(report):
    (section,) = [s for s in report.sections if s.plots]
    (plot,) = section.plots
    return plot


def _texts(fig):
    ax = fig.axes[0]
    return ax.get_yticklabels() + ax.get_xticklabels() + fig.texts + ax.texts + fig.legends[0].get_texts()


def test_city_plot_is_paged_at_nine_points_with_every_street_once(many_streets):
    report = build_report(many_streets, ON, load_profile(), with_chart=False)
    plot = _plot(report)
    with fonts.chart_style():
        pages = plot.pages(297, 210, 12)  # the PDF's own page
    assert len(pages) >= 3
    labels = []
    for fig in pages:
        width, height = fig.get_size_inches() * MM_PER_INCH
        assert abs(width - 297) < 0.5 and abs(height - 210) < 0.5
        assert min(t.get_fontsize() for t in _texts(fig) if t.get_text()) >= PAGE_PT
        assert not any("第 1 页，共" in t.get_text() for t in fig.texts)  # the report numbers its pages
        labels += [t.get_text() for t in fig.axes[0].get_yticklabels()]
    snap = Snapshot(many_streets, ON)
    streets = sorted(many_streets.nodes[s]["name"] for s in snap.nodes_of("Street"))
    districts = {many_streets.nodes[d]["name"] for d in snap.nodes_of("District")}
    continued = [t for t in labels if t.endswith("（续）")]
    assert continued and all(t[:-3] in districts for t in continued)  # pages inside a district say whose
    assert sorted(t for t in labels if t not in districts and t not in continued) == streets
    assert {t for t in labels if t in districts} == districts


def test_city_pdf_prints_the_plot_pages_at_a4_size(many_streets, tmp_path):
    report = build_report(many_streets, ON, load_profile(), with_chart=False)
    path = write_report(report, tmp_path / "报告.pdf")
    data = path.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert len(boxes) == report.pages
    assert all(abs(float(w) - 841.89) < 1 and abs(float(h) - 595.28) < 1 for w, h in boxes)  # A4 landscape, 1:1
    with fonts.chart_style():
        assert report.pages > len(_plot(report).pages(297, 210, 12))


def test_short_plot_stands_in_the_text_at_text_width(demo_graph, tmp_path):
    from docx import Document

    from govgraph.charts.pdfreport import HEIGHT, MARGIN, WIDTH

    report = build_report(demo_graph, ON, load_profile(), with_chart=False)
    with fonts.chart_style():
        (fig,) = _plot(report).pages(WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 10, 0.0)
    width, height = fig.get_size_inches() * MM_PER_INCH
    assert abs(width - (WIDTH - 2 * MARGIN)) < 0.5 and height < HEIGHT / 2  # only as tall as its bars
    assert min(t.get_fontsize() for t in _texts(fig) if t.get_text()) >= PAGE_PT
    # Word: the picture is as wide as the text and drawn at that width, so 9 pt stays 9 pt
    doc = Document(str(write_report(report, tmp_path / "报告.docx")))
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    from PIL import Image

    pictures = [s for s in doc.inline_shapes if s.width == usable]
    assert pictures
    blob = doc.part.related_parts[pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    pixels = Image.open(io.BytesIO(blob)).size[0]
    assert abs(pixels / 200 * MM_PER_INCH - usable / 36000) < 1.0  # 200 dpi at the printed width
