"""Pure geometry of an org chart; nothing here draws.

Boxes are sized from estimated text widths (`text.py`), tiers are laid out top to bottom and a
tier too wide for the page wraps into rows. Connectors run only through the gaps
between rows (each connection on its own track) and, when they must pass rows, down a
lane in the left margin, so no line crosses a box. The font size is the largest that
lets everything fit on the page.

Units are millimetres on the page, origin at the top left, y growing downwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .text import MIN_PT, PT_MM, STYLE_SCALE, Span, row_height, span_size, span_width, text_em, wrap_row

PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}


class LayoutError(Exception):
    """The content does not fit on the page even at the smallest font size."""


# -- input -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    """One box: rows of spans. Rows starting with a caption or title form the header."""

    id: str
    rows: tuple[tuple[Span, ...], ...]
    kind: str = "party"  # colour scheme: party, committee, firm, secondary, missing, unit
    dashed: bool = False
    fill: str | None = None  # overrides the scheme's fill (street chart: coverage colour)


@dataclass(frozen=True)
class Tier:
    cards: tuple[Card, ...]
    max_em: float = 16.0  # widest text line in a box, in em of the base size


@dataclass(frozen=True)
class Link:
    """A connection from one box to boxes in rows below it."""

    upper: str
    lower: tuple[str, ...]
    style: str = "solid"  # solid: 隶属/领导; dotted: 兼职委员, 挂靠建, 派驻, 双报到


@dataclass(frozen=True)
class Chart:
    title: str
    subtitle: str
    tiers: tuple[Tier, ...]
    links: tuple[Link, ...] = ()
    legend: tuple[tuple[Span, ...], ...] = ()
    footer: str = ""


@dataclass(frozen=True)
class Page:
    paper: str = "A4"
    orientation: str = "landscape"
    margin: float = 12.0

    @property
    def size(self) -> tuple[float, float]:
        short, long = PAPERS[self.paper]
        return (long, short) if self.orientation == "landscape" else (short, long)

    @property
    def scale(self) -> float:
        """Type grows with the paper: A3 text is √2 larger than A4 at the same fill."""
        return min(self.size) / 210.0


# -- output ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Rect, gap: float = 0.0) -> bool:
        """True when the two rectangles come closer than `gap` (touching is not overlapping)."""
        return (self.x < other.right + gap - 1e-6 and other.x < self.right + gap - 1e-6
                and self.y < other.bottom + gap - 1e-6 and other.y < self.bottom + gap - 1e-6)

    def contains(self, other: Rect, tol: float = 1e-6) -> bool:
        return (other.x >= self.x - tol and other.right <= self.right + tol
                and other.y >= self.y - tol and other.bottom <= self.bottom + tol)


@dataclass(frozen=True)
class PlacedSpan:
    span: Span
    rect: Rect  # the estimated extent of the text (a badge: with its padding)
    size: float  # font size in points

    @property
    def text(self) -> str:
        return self.span.text


@dataclass(frozen=True)
class PlacedBox:
    card: Card
    rect: Rect
    header: float  # height of the header band (0: none)
    spans: tuple[PlacedSpan, ...]
    row: int


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    style: str


@dataclass
class Layout:
    page: Page
    base: float  # base font size in points
    boxes: dict[str, PlacedBox]
    segments: list[Segment]
    texts: list[PlacedSpan]  # title, subtitle, legend and footer
    content: Rect  # the area holding boxes and lanes
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    def all_spans(self) -> list[PlacedSpan]:
        return self.texts + [s for b in self.boxes.values() for s in b.spans]


# -- boxes -----------------------------------------------------------------------------------
@dataclass
class _Measured:
    card: Card
    rows: list[tuple[Span, ...]]
    width: float  # outer
    height: float
    header_rows: int


def _pad(base: float) -> tuple[float, float]:
    em = base * PT_MM
    return 0.7 * em, 0.45 * em


def _measure(card: Card, base: float, max_inner: float) -> _Measured:
    rows: list[tuple[Span, ...]] = []
    header_rows = 0
    in_header = True
    for row in card.rows:
        wrapped = wrap_row(row, max_inner, base) if row else []
        is_header = bool(row) and row[0].style in ("caption", "title")
        in_header = in_header and is_header
        if in_header:
            header_rows += len(wrapped)
        rows.extend(wrapped)
    pad_x, pad_y = _pad(base)
    inner = max((sum(span_width(s, base) for s in r) for r in rows), default=0.0)
    width = max(inner, 5 * base * PT_MM) + 2 * pad_x
    height = sum(row_height(r, base) for r in rows) + 2 * pad_y
    if 0 < header_rows < len(rows):
        height += pad_y  # space between the header band and the body
    return _Measured(card, rows, width, height, header_rows)


def _place_box(m: _Measured, x: float, y: float, w: float, h: float, base: float, row_index: int) -> PlacedBox:
    pad_x, pad_y = _pad(base)
    spans: list[PlacedSpan] = []
    cy = y + pad_y
    header = 0.0
    for i, row in enumerate(m.rows):
        rh = row_height(row, base)
        widths = [span_width(s, base) for s in row]
        centred = i < m.header_rows
        cx = x + (w - sum(widths)) / 2 if centred else x + pad_x
        for span, sw in zip(row, widths):
            size = span_size(span, base)
            th = size * PT_MM * 1.2  # glyph box: ascent to descent, with room for accents
            spans.append(PlacedSpan(span, Rect(cx, cy + (rh - th) / 2, sw, th), size))
            cx += sw
        cy += rh
        if i + 1 == m.header_rows:
            header = cy - y + pad_y / 2
            if m.header_rows < len(m.rows):
                cy += pad_y
    if m.header_rows == len(m.rows):
        header = h  # the whole box is header
    return PlacedBox(m.card, Rect(x, y, w, h), header, tuple(spans), row_index)


# -- rows ------------------------------------------------------------------------------------
@dataclass
class _Row:
    tier: int
    items: list[_Measured]
    widths: list[float]
    height: float
    first_of_tier: bool
    y: float = 0.0


def _rows_for_tier(index: int, tier: Tier, base: float, width: float) -> list[_Row]:
    em = base * PT_MM
    gap = 1.6 * em
    max_inner = min(tier.max_em * em, width - 2 * _pad(base)[0])
    measured = [_measure(c, base, max_inner) for c in tier.cards]
    if not measured:
        return []
    natural = sum(m.width for m in measured) + gap * (len(measured) - 1)
    if natural <= width + 1e-6:
        groups = [measured]
        uniform = None
    else:  # wrap: a grid of equal boxes, rows balanced so the last one is not a straggler
        uniform = min(max(m.width for m in measured), width)
        cols = max(1, int((width + gap + 1e-6) // (uniform + gap)))
        nrows = math.ceil(len(measured) / cols)
        cols = math.ceil(len(measured) / nrows)
        groups = [measured[i:i + cols] for i in range(0, len(measured), cols)]
    rows = []
    for k, group in enumerate(groups):
        widths = [uniform or m.width for m in group]
        rows.append(_Row(index, group, widths, max(m.height for m in group), k == 0))
    return rows


# -- connectors ------------------------------------------------------------------------------
@dataclass
class _Route:
    link: Link
    upper_row: int
    lower_rows: list[int]
    lane: int | None = None
    side: str = "left"  # solid lanes run down the left of the boxes, dotted ones down the right
    tracks: dict[int, int] = field(default_factory=dict)  # channel (row index) -> track number


def _plan_routes(chart: Chart, box_row: dict[str, int]) -> tuple[list[_Route], dict[int, int], tuple[int, int]]:
    """Which channel tracks and lanes each link uses; returns routes, tracks per channel
    and the number of lanes (left, right). Solid and dotted lanes go on opposite sides,
    so the two kinds of line never run side by side down the page."""
    routes = []
    tracks: dict[int, int] = {}
    lanes = {"left": 0, "right": 0}
    for link in _merged(chart.links):
        if link.upper not in box_row:
            continue
        below = sorted({box_row[c] for c in link.lower if c in box_row and box_row[c] > box_row[link.upper]})
        if not below:
            continue
        route = _Route(link, box_row[link.upper], below, side="right" if link.style == "dotted" else "left")
        channels = [route.upper_row + 1] + [r for r in below if r != route.upper_row + 1]
        if below != [route.upper_row + 1]:
            route.lane = lanes[route.side]
            lanes[route.side] += 1
        for ch in channels:
            route.tracks[ch] = tracks.get(ch, 0)
            tracks[ch] = tracks.get(ch, 0) + 1
        routes.append(route)
    return routes, tracks, (lanes["left"], lanes["right"])


def _merged(links: tuple[Link, ...]) -> list[Link]:
    """Links from one box in one style become one (one trunk, one lane)."""
    merged: dict[tuple[str, str], list[str]] = {}
    for link in links:
        targets = merged.setdefault((link.upper, link.style), [])
        targets += [c for c in link.lower if c not in targets]
    return [Link(upper, tuple(lower), style) for (upper, style), lower in merged.items()]


def _spread(centre: float, n: int, width: float) -> list[float]:
    """n attachment points around `centre` on an edge `width` wide."""
    step = min(3.0, width / (n + 1))
    return [centre + (i - (n - 1) / 2) * step for i in range(n)]


def _route_segments(routes: list[_Route], boxes: dict[str, PlacedBox], channel_y: dict[int, list[float]],
                    lane_x: dict[str, list[float]]) -> list[Segment]:
    exits: dict[str, list[_Route]] = {}
    entries: dict[str, list[tuple[_Route, str]]] = {}
    for r in routes:
        exits.setdefault(r.link.upper, []).append(r)
        for child in r.link.lower:
            if child in boxes and boxes[child].row in r.lower_rows:
                entries.setdefault(child, []).append((r, child))
    exit_x = {}
    for box_id, rs in exits.items():
        rect = boxes[box_id].rect
        for r, x in zip(rs, _spread(rect.x + rect.w / 2, len(rs), rect.w)):
            exit_x[id(r)] = x
    entry_x = {}
    for box_id, items in entries.items():
        rect = boxes[box_id].rect
        for (r, child), x in zip(items, _spread(rect.x + rect.w / 2, len(items), rect.w)):
            entry_x[(id(r), child)] = x
    segments = []
    for r in routes:
        style = r.link.style
        up = boxes[r.link.upper].rect
        ex = exit_x[id(r)]
        first = r.upper_row + 1
        ty0 = channel_y[first][r.tracks[first]]
        segments.append(Segment(ex, up.bottom, ex, ty0, style))
        by_row: dict[int, list[tuple[float, float]]] = {}
        for child in r.link.lower:
            if child in boxes and boxes[child].row in r.lower_rows:
                by_row.setdefault(boxes[child].row, []).append((entry_x[(id(r), child)], boxes[child].rect.y))
        if r.lane is None:
            xs = [ex] + [x for x, _ in by_row[first]]
            segments.append(Segment(min(xs), ty0, max(xs), ty0, style))
        else:
            lx = lane_x[r.side][r.lane]
            far = max if r.side == "left" else min  # the horizontal runs from the lane to the farthest child
            xs = [ex] + [x for x, _ in by_row.get(first, [])]
            segments.append(Segment(lx, ty0, far(xs), ty0, style))
            last = max(r.lower_rows)
            segments.append(Segment(lx, ty0, lx, channel_y[last][r.tracks[last]], style))
            for row in r.lower_rows:
                if row == first:
                    continue
                ty = channel_y[row][r.tracks[row]]
                segments.append(Segment(lx, ty, far(x for x, _ in by_row[row]), ty, style))
        for row, points in by_row.items():
            ty = channel_y[row][r.tracks[row]]
            for x, top in points:
                segments.append(Segment(x, ty, x, top, style))
    return [s for s in segments if abs(s.x1 - s.x2) > 1e-6 or abs(s.y1 - s.y2) > 1e-6]


# -- the page --------------------------------------------------------------------------------
LANE_GAP = 2.2  # mm between lanes in the left margin
TRACK_GAP = 1.8  # mm between tracks in a channel


def _header_and_footer(chart: Chart, page: Page, base: float) -> tuple[list[PlacedSpan], float, float]:
    """Title, subtitle (top) and legend, footer (bottom); returns them and the free band."""
    width, height = page.size
    m = page.margin
    inner = width - 2 * m
    texts: list[PlacedSpan] = []
    title_pt = min(22 * page.scale, max(15 * page.scale, 1.6 * base))
    while text_em(chart.title) * title_pt * PT_MM > inner and title_pt > 8:
        title_pt -= 0.5
    y = m
    for text, size, style in ((chart.title, title_pt, "title"), (chart.subtitle, 9.5 * page.scale, "body")):
        if not text:
            continue
        span = Span(text, style)
        w = text_em(text) * size * PT_MM
        th = size * PT_MM * 1.2
        texts.append(PlacedSpan(span, Rect((width - w) / 2, y, w, th), size))
        y += size * PT_MM * 1.6
    top = y + 2.0
    bottom = height - m
    foot_pt = max(min(base, MIN_PT), 7 * page.scale)
    if chart.footer:
        for row in reversed(wrap_row((Span(chart.footer, "note"),), inner, foot_pt / STYLE_SCALE["note"])):
            size = foot_pt
            w = text_em(row[0].text) * size * PT_MM
            bottom -= size * PT_MM * 1.5
            texts.append(PlacedSpan(row[0], Rect((width - w) / 2, bottom, w, size * PT_MM * 1.2), size))
    legend_base = min(base, max(MIN_PT, 8.5 * page.scale))
    legend_rows = [r for row in _pack(chart.legend, inner, legend_base) for r in wrap_row(row, inner, legend_base)]
    if legend_rows:
        bottom -= 1.5
    for row in reversed(legend_rows):
        rh = row_height(row, legend_base)
        bottom -= rh
        x = m
        for span in row:
            size = span_size(span, legend_base)
            w = span_width(span, legend_base)
            th = size * PT_MM * 1.2
            texts.append(PlacedSpan(span, Rect(x, bottom + (rh - th) / 2, w, th), size))
            x += w
    return texts, top, bottom - 2.0


def _pack(rows: tuple[tuple[Span, ...], ...], width: float, base: float) -> list[tuple[Span, ...]]:
    """Short legend entries that start with a mark (①…) share a line while they fit."""
    packed: list[tuple[Span, ...]] = []
    gap = Span("　　")
    for row in rows:
        prev = packed[-1] if packed else None
        if (prev and row and prev[0].style == "mark" and row[0].style == "mark"
                and sum(span_width(s, base) for s in prev + (gap,) + row) <= width):
            packed[-1] = prev + (gap,) + row
        else:
            packed.append(row)
    return packed


def _try(chart: Chart, page: Page, base: float, lanes: tuple[int, int],
         wrap_few: bool) -> tuple[Layout | None, tuple[int, int]]:
    """One attempt at `base` with room for `lanes`; (None, lanes needed) when it does not
    fit. Unless `wrap_few`, a tier of up to six boxes must fit in one row."""
    width, _ = page.size
    em = base * PT_MM
    texts, top, bottom = _header_and_footer(chart, page, base)
    room = [n * LANE_GAP + (2.0 if n else 0.0) for n in lanes]
    left = page.margin + room[0]
    avail = width - 2 * page.margin - room[0] - room[1]
    rows: list[_Row] = []
    for i, tier in enumerate(chart.tiers):
        tier_rows = _rows_for_tier(i, tier, base, avail)
        if len(tier_rows) > 1 and len(tier.cards) <= 6 and not wrap_few:
            return None, lanes
        rows.extend(tier_rows)
    box_row = {m.card.id: k for k, row in enumerate(rows) for m in row.items}
    routes, tracks, needed_lanes = _plan_routes(chart, box_row)
    if needed_lanes[0] > lanes[0] or needed_lanes[1] > lanes[1]:
        return None, (max(lanes[0], needed_lanes[0]), max(lanes[1], needed_lanes[1]))
    # Channel above each row: tier boundaries get more air than wrapped rows.
    channel_height = {}
    for k, row in enumerate(rows[1:], start=1):
        base_gap = 2.2 * em if row.first_of_tier else 1.1 * em
        channel_height[k] = base_gap + max(0, tracks.get(k, 0) - 1) * TRACK_GAP
    total = sum(r.height for r in rows) + sum(channel_height.values())
    if total > bottom - top + 1e-6:
        return None, needed_lanes
    if channel_height:  # room to spare (a portrait sheet): give it to the gaps between rows, up to 3 em each
        extra = min((bottom - top - total) / len(channel_height), 3 * em)
        channel_height = {k: h + extra for k, h in channel_height.items()}
        total += extra * len(channel_height)
    y = top + (bottom - top - total) / 2 if total < (bottom - top) else top
    y = min(y, top + 0.25 * (bottom - top))  # small charts sit in the upper part, not mid-page
    channel_y: dict[int, list[float]] = {}
    boxes: dict[str, PlacedBox] = {}
    for k, row in enumerate(rows):
        if k:
            h = channel_height[k]
            n = tracks.get(k, 0)
            span = (n - 1) * TRACK_GAP
            channel_y[k] = [y + (h - span) / 2 + t * TRACK_GAP for t in range(n)]
            y += h
        row.y = y
        row_width = sum(row.widths) + 1.6 * em * (len(row.widths) - 1)
        x = left + (avail - row_width) / 2
        for m, w in zip(row.items, row.widths):
            boxes[m.card.id] = _place_box(m, x, y, w, row.height, base, k)
            x += w + 1.6 * em
        y += row.height
    # Lanes hug the outermost box of the rows they pass, not the page margin.
    lane_x: dict[str, list[float]] = {}
    for side, n in zip(("left", "right"), lanes):
        passed = {k for r in routes if r.lane is not None and r.side == side
                  for k in range(r.upper_row + 1, max(r.lower_rows) + 1)}
        if side == "left":
            hug = min((min(b.rect.x for b in boxes.values() if b.row == k) for k in passed), default=left)
            lane_x[side] = [hug - 2.0 - i * LANE_GAP for i in range(n)]
        else:
            hug = max((max(b.rect.right for b in boxes.values() if b.row == k) for k in passed),
                      default=left + avail)
            lane_x[side] = [hug + 2.0 + i * LANE_GAP for i in range(n)]
    segments = _route_segments(routes, boxes, channel_y, lane_x)
    content = Rect(page.margin, top, width - 2 * page.margin, bottom - top)
    return Layout(page, base, boxes, segments, texts, content, len(rows)), needed_lanes


def _at(chart: Chart, page: Page, base: float, wrap_few: bool) -> Layout | None:
    lanes = (0, 0)
    for _ in range(4):  # reserving lane room can change the wrapping: settle it
        result, needed = _try(chart, page, base, lanes, wrap_few)
        if result is not None or needed == lanes:
            return result
        lanes = needed
    return None


def layout_chart(chart: Chart, page: Page, max_base: float | None = None, min_base: float = MIN_PT) -> Layout:
    """The chart on one page at the largest base font size (0.25 pt steps) that fits.
    Small tiers stay on one row if they can; on a portrait sheet a wrapped tier is taken
    when that makes the type larger (the sheet is tall, not wide)."""
    if max_base is None:
        max_base = 14.0 * page.scale
    best: Layout | None = None
    for wrap_few in (False, True):
        base = max_base
        while base >= min_base - 1e-9 and (best is None or base > best.base + 1e-9):
            result = _at(chart, page, base, wrap_few)
            if result is not None:
                best = result
                break
            base -= 0.25
        if best is not None and page.orientation == "landscape":
            break
    if best is None:
        raise LayoutError(f"内容太多，{page.paper} 纸放不下")
    return best


def _is_entry(row: tuple[Span, ...]) -> bool:
    """A legend row naming one cross-appointed person (① 王华鹏：…), or the row heading them."""
    return bool(row) and row[0].style == "mark"


def layout_pages(chart: Chart, page: Page, numbered: bool = True) -> list[Layout]:
    """The chart on as many pages as it needs to keep every text at MIN_PT or more.

    First one page; then the cross-appointment entries of the legend move to a page of
    their own; then the boxes below the top tier are shared out over pages, each page
    repeating the top tier (the box the others hang from). Every page carries
    第 k 页，共 N 页 in its footer (unless not `numbered`: the pages of a report, which
    numbers them itself)."""
    try:
        return [layout_chart(chart, page)]
    except LayoutError:
        pass
    key = tuple(r for r in chart.legend if not _is_entry(r))
    entries = [r for r in chart.legend if _is_entry(r) and r[0].text != "①②…"]
    placeholder = "　第 99 页，共 99 页"
    if entries:
        key += ((Span("①②…", "mark"), Span(" 同一人在多个方框中任职（交叉任职），名单见最后一页")),)
    slim = replace(chart, legend=key, footer=chart.footer + placeholder)
    try:
        layout_chart(slim, page)
        charts = [slim]
    except LayoutError:
        charts = [replace(slim, tiers=tiers, subtitle=slim.subtitle + ("（续）" if k else ""))
                  for k, tiers in enumerate(_share_out(slim, page, keep_head=True))]
    if entries:
        title = Span("交叉任职：同一人在多个方框中任职", "title")
        cards = tuple(Card(f"legend:{i}", ((title,),) + tuple(entries[i:i + 8]), "unit")
                      for i in range(0, len(entries), 8))
        sheet = replace(chart, tiers=(Tier(cards, max_em=80.0),), links=(), legend=(),
                        subtitle=chart.subtitle + "　图例", footer=chart.footer + placeholder)
        charts += [replace(sheet, tiers=tiers) for tiers in _share_out(sheet, page, keep_head=False)]
    n = len(charts)
    charts = [replace(c, footer=c.footer.replace(placeholder, f"　第 {k} 页，共 {n} 页" if numbered else ""))
              for k, c in enumerate(charts, start=1)]
    layouts = [layout_chart(c, page) for c in charts]
    chart_pages = [la for la in layouts if not any(b.startswith("legend:") for b in la.boxes)]
    base = min(la.base for la in chart_pages)  # the chart's pages alike: the same type size on each
    return [layout_chart(c, page, max_base=base) if la in chart_pages and la.base > base else la
            for la, c in zip(layouts, charts)]


def _share_out(chart: Chart, page: Page, keep_head: bool) -> list[tuple[Tier, ...]]:
    """The chart's boxes in reading order, as many to a page as fit at MIN_PT; with
    `keep_head`, the first tier is on every page."""
    head = chart.tiers[:1] if keep_head else ()
    rest = chart.tiers[1:] if keep_head else chart.tiers
    items = [(k, card) for k, tier in enumerate(rest) for card in tier.cards]

    def tiers_of(part) -> tuple[Tier, ...]:
        return head + tuple(Tier(tuple(c for j, c in part if j == k), tier.max_em)
                            for k, tier in enumerate(rest) if any(j == k for j, _ in part))

    def fits(part) -> bool:
        return _at(replace(chart, tiers=tiers_of(part)), page, MIN_PT, True) is not None

    pages = []
    start = 0
    while start < len(items):
        if not fits(items[start:start + 1]):
            raise LayoutError(f"一个方框在 {page.paper} 纸上也放不下")
        lo, hi = 1, len(items) - start  # the largest count that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(items[start:start + mid]):
                lo = mid
            else:
                hi = mid - 1
        pages.append(items[start:start + lo])
        start += lo
    per = math.ceil(len(items) / len(pages))  # the same count on each page, when that fits too
    even = [items[i:i + per] for i in range(0, len(items), per)]
    if len(even) == len(pages) and all(fits(part) for part in even):
        pages = even
    return [tiers_of(part) for part in pages]


def overlapping_boxes(layout: Layout) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap (tests use this; an empty list is a tidy chart)."""
    items = list(layout.boxes.values())
    return [(a.card.id, b.card.id) for i, a in enumerate(items) for b in items[i + 1:] if a.rect.overlaps(b.rect)]


def overlapping_texts(layout: Layout) -> list[tuple[str, str]]:
    """Pairs of text spans that overlap anywhere on the page."""
    spans = layout.all_spans()
    found = []
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            if a.rect.overlaps(b.rect):
                found.append((a.text, b.text))
    return found


def crossing_segments(layout: Layout) -> list[tuple[str, Segment]]:
    """Connector segments passing through a box (touching its edge is fine)."""
    found = []
    for seg in layout.segments:
        x1, x2 = sorted((seg.x1, seg.x2))
        y1, y2 = sorted((seg.y1, seg.y2))
        for box in layout.boxes.values():
            r = box.rect
            if x1 < r.right - 1e-6 and x2 > r.x + 1e-6 and y1 < r.bottom - 1e-6 and y2 > r.y + 1e-6:
                found.append((box.card.id, seg))
    return found
