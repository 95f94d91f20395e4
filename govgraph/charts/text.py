"""Text size estimates for the charts and the PDF report: a span's width and a row's height at a
base size, and wrapping a row of spans into a width (Chinese line-breaking rules). Nothing here
draws or places; `layout.py` places boxes with it, `pdfreport.py` sets text with it.

Units are millimetres on the page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

PT_MM = 25.4 / 72  # one typographic point in millimetres
# Font size of each text style relative to the base size.
STYLE_SCALE = {"title": 1.12, "body": 1.0, "caption": 0.82, "note": 0.82, "badge": 0.8, "mark": 1.0}
LINE = 1.5  # row height, in units of the largest font size in the row
BADGE_PAD = 0.3  # badge padding each side, in em of the badge size
UNBREAKABLE = {"badge", "mark"}
MIN_PT = 9.0  # no text of a printed chart is smaller, on A4 or A3: a chart that needs less goes on more pages


@dataclass(frozen=True)
class Span:
    text: str
    style: str = "body"
    color: str | None = None  # None: the renderer's colour for the style
    keep: bool = False  # never split (a person's name)


def char_em(ch: str) -> float:
    """Advance width of one character in em; generous for Latin so text never overflows."""
    if unicodedata.east_asian_width(ch) in "WFA" or ord(ch) >= 0x2E80:
        return 1.02  # 1 em, plus room for the renderer's rounding of advances
    if ch in "MWmw@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch.isalnum():
        return 0.58
    if ch == " ":
        return 0.26
    return 0.42


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in text)


def span_size(span: Span, base: float) -> float:
    """Smaller styles (notes, captions) shrink with the base but not below MIN_PT."""
    return max(base * STYLE_SCALE.get(span.style, 1.0), min(base, MIN_PT))


def span_width(span: Span, base: float) -> float:
    size = span_size(span, base) * PT_MM
    pad = 2 * BADGE_PAD * size if span.style == "badge" else 0.0
    return text_em(span.text) * size + pad


def row_height(row: tuple[Span, ...], base: float) -> float:
    return LINE * max((span_size(s, base) for s in row), default=base) * PT_MM


_NO_LINE_START = set("）)]】》」』、，。；：！？")
_NO_LINE_END = set("（([【《「『")
_BREAK_AFTER = "、，,；;：: ）)"


def wrap_row(row: tuple[Span, ...], width: float, base: float) -> list[tuple[Span, ...]]:
    """Break a row of spans into rows no wider than `width`; text splits between
    characters, preferably after punctuation; badges and marks never split."""
    rows: list[list[Span]] = [[]]
    used = 0.0
    for span in row:
        w = span_width(span, base)
        if used + w <= width + 1e-6:
            rows[-1].append(span)
            used += w
            continue
        if span.style in UNBREAKABLE or span.keep:
            if rows[-1]:
                rows.append([])
            rows[-1].append(span)
            used = w
            continue
        text = span.text
        size = span_size(span, base) * PT_MM
        while text:
            room = width - used
            n = _fit(text, room / size)
            if n == 0:
                if not rows[-1]:
                    n = 1  # a single character wider than the box: place it anyway
                else:
                    rows.append([])
                    used = 0.0
                    continue
            piece, text = text[:n], text[n:]
            rows[-1].append(Span(piece, span.style, span.color, span.keep))
            used += text_em(piece) * size
            if text:
                rows.append([])
                used = 0.0
                text = text.lstrip(" ")
    return [tuple(r) for r in rows if r]


def _fit(text: str, room_em: float) -> int:
    """How many leading characters fit in `room_em`, preferring a break after punctuation."""
    total, n = 0.0, 0
    for ch in text:
        if total + char_em(ch) > room_em + 1e-9:
            break
        total += char_em(ch)
        n += 1
    if n == len(text) or n == 0:
        return n
    for i in range(n, max(0, n - 8), -1):  # look back a few characters for a nicer break
        if text[i - 1] in _BREAK_AFTER:
            return i
    # No line starts with a closing mark or ends with an opening bracket, and no word
    # leaves one character alone on the next line (服务有限/公司, not 服务有限公/司).
    while n > 1 and (text[n] in _NO_LINE_START or text[n - 1] in _NO_LINE_END):
        n -= 1
    while n > 2 and len(text[n:].rstrip("".join(_NO_LINE_START))) == 1:  # 山桥小/区） → 山桥/小区）
        n -= 1
    return n
