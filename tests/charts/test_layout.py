"""Pure geometry: text wrapping, tiers wrapped into rows, connectors through the gaps."""

from __future__ import annotations

import pytest

from govgraph.charts.layout import (
    Card,
    Chart,
    Layout,
    MIN_PT,
    LayoutError,
    Link,
    Page,
    Span,
    Tier,
    crossing_segments,
    layout_chart,
    layout_pages,
    overlapping_boxes,
    overlapping_texts,
    span_width,
    text_em,
    wrap_row,
)


def card(i: int, lines: int = 2) -> Card:
    rows = ((Span("小区党支部", "caption"),), (Span(f"第{i}号小区党支部", "title"),))
    rows += tuple((Span(f"书记 张{i}"), Span("一肩挑", "badge")) for _ in range(lines))
    return Card(f"b{i}", rows)


def assert_tidy(layout: Layout) -> None:
    assert overlapping_boxes(layout) == []
    assert overlapping_texts(layout) == []
    assert crossing_segments(layout) == []
    for box in layout.boxes.values():
        for span in box.spans:
            assert box.rect.contains(span.rect), (box.card.id, span.text)
    width, height = layout.page.size
    for span in layout.all_spans():
        assert 0 <= span.rect.x and span.rect.right <= width and 0 <= span.rect.y and span.rect.bottom <= height


def test_text_width_counts_cjk_as_one_em():
    assert text_em("党支部") == pytest.approx(3.06)
    assert text_em("A1") < 2
    assert span_width(Span("党支部"), 10) == pytest.approx(3.06 * 10 * 25.4 / 72)


def test_wrap_row_breaks_after_punctuation_and_keeps_badges_and_names_whole():
    row = (Span("覆盖：锦绣花园、金桂苑、翠湖名邸、阳光家园"), Span("张三丰", keep=True), Span("一肩挑", "badge"))
    rows = wrap_row(row, span_width(Span("一二三四五六七八"), 10), 10)
    assert "".join(s.text for r in rows for s in r) == "覆盖：锦绣花园、金桂苑、翠湖名邸、阳光家园张三丰一肩挑"
    assert all(sum(span_width(s, 10) for s in r) <= span_width(Span("一二三四五六七八"), 10) + 1e-6 for r in rows)
    assert rows[0][0].text.endswith("、") or rows[0][0].text.endswith("：")
    assert any(r == (Span("张三丰", keep=True),) or Span("张三丰", keep=True) in r for r in rows)
    assert any(Span("一肩挑", "badge") in r for r in rows)


@pytest.mark.parametrize("paper,orientation", [("A4", "landscape"), ("A4", "portrait"), ("A3", "landscape")])
def test_sixty_boxes_wrap_into_rows_without_overlap(paper, orientation):
    tiers = (Tier((card(0, 3),)), Tier(tuple(card(i) for i in range(1, 61)), max_em=12))
    chart = Chart("测试社区党建引领物业管理组织架构图", "截至 2025-06-30", tiers,
                  (Link("b0", tuple(f"b{i}" for i in range(1, 61))),), ((Span("图例：实线"),),), "页脚")
    pages = layout_pages(chart, Page(paper, orientation))
    assert (len(pages) == 1) == (paper == "A3") and len(pages) <= 4
    seen = [b for layout in pages for b in layout.boxes if b != "b0"]
    assert sorted(seen) == sorted(f"b{i}" for i in range(1, 61))  # each once; the top box on every page
    for layout in pages:
        assert "b0" in layout.boxes
        assert layout.rows > 2  # the wide tier wrapped (the pages share the boxes evenly)
        assert_tidy(layout)
        assert min(s.size for s in layout.all_spans()) >= MIN_PT
        # A connector reaches every child's top edge.
        tops = {(round(s.x2, 6), round(s.y2, 6)) for s in layout.segments}
        for box_id, box in layout.boxes.items():
            if box_id != "b0":
                assert any(box.rect.x < x < box.rect.right and abs(y - box.rect.y) < 1e-6 for x, y in tops)


def test_solid_and_dotted_lanes_run_on_opposite_sides_of_the_boxes():
    """Links that skip a row run down a lane beside the boxes: solid on the left, dotted on
    the right, so the two kinds never run in parallel down one edge."""
    tiers = (Tier((card(0),)), Tier((card(1), card(2))), Tier((card(3), card(4))))
    chart = Chart("标题", "", tiers, (Link("b0", ("b1", "b3")), Link("b0", ("b2", "b4"), "dotted")))
    layout = layout_chart(chart, Page())
    assert_tidy(layout)
    left = min(b.rect.x for b in layout.boxes.values())
    right = max(b.rect.right for b in layout.boxes.values())
    lanes = {s.style: s.x1 for s in layout.segments if s.x1 == s.x2 and (s.x1 < left or s.x1 > right)}
    assert lanes["solid"] < left and lanes["dotted"] > right
    vertical_outside = [s for s in layout.segments if s.x1 == s.x2 and (s.x1 < left or s.x1 > right)]
    assert len(vertical_outside) == 2  # one lane each


def test_small_tiers_stay_on_one_row_and_text_grows_to_fill_the_page():
    tiers = (Tier((card(0),)), Tier((card(1), card(2), card(3))))
    layout = layout_chart(Chart("标题", "", tiers, (Link("b0", ("b1", "b2", "b3")),)), Page())
    assert layout.rows == 2
    assert layout.base > 11


def test_too_much_for_the_page_is_an_error():
    tiers = (Tier(tuple(card(i, 12) for i in range(200)), max_em=12),)
    with pytest.raises(LayoutError):
        layout_chart(Chart("标题", "", tiers), Page("A4", "portrait"), max_base=7)
