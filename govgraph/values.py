"""Cell values: parsing ledger text into typed values, and masking for display.

Each parser raises `pydantic_core.PydanticCustomError(code, message)`; the error code is
one of the ledger error codes in docs/design.md and the message is the Chinese reason a
user sees.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime

from pydantic_core import PydanticCustomError

OPEN_ENDED = {"至今", "今", "现在", "present", "now"}

_DATE_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DATE_YEAR = re.compile(r"^(\d{4})\s*年?$")


def parse_date(value: object, *, end_of_period: bool = False) -> date:
    """A ledger date. Year or month alone is the first day of that period, or the last
    day when `end_of_period` (an `until` or a term end: "2021-05" runs to 2021-05-31).

    >>> parse_date("2024年5月1日"), parse_date("2024/5/1"), parse_date("2024.5.1")
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 1), datetime.date(2024, 5, 1))
    >>> parse_date("2021-05"), parse_date("2021-05", end_of_period=True)
    (datetime.date(2021, 5, 1), datetime.date(2021, 5, 31))
    >>> parse_date("2024", end_of_period=True)
    datetime.date(2024, 12, 31)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if m := _DATE_FULL.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DATE_MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            day = calendar.monthrange(year, month)[1] if end_of_period else 1
            return date(year, month, day)
        if m := _DATE_YEAR.match(text):
            return date(int(m[1]), 12, 31) if end_of_period else date(int(m[1]), 1, 1)
    except ValueError:
        pass
    raise PydanticCustomError("bad_date", "不是有效日期（可写 2024-05-01、2024/5/1、2024年5月1日、2024 或 2024-05）")


_TRUE = {"true", "1", "是", "yes", "y", "t", "√", "✓", "✔"}
_FALSE = {"false", "0", "否", "no", "n", "f", "×", "✗", "✘"}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PydanticCustomError("bad_boolean", "应填 是/否、√/×、true/false 或 1/0")


# A count must fit a 64-bit integer (what Neo4j stores).
_MAX_COUNT = 2**63 - 1


# A count as people type it: "1,200", "1200户", "36 人".
_COUNT_DECORATION = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))|\s*[户人名个套栋]$")


def parse_count(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit():
        text = _COUNT_DECORATION.sub("", text).strip()
    try:
        if text.isascii() and text.isdigit():
            number = int(text)  # exact, where a float would round a long number
        else:
            real = float(text)  # "1200.0" from a spreadsheet; "nan", "inf", "1e400" are not counts
            if not math.isfinite(real) or real != int(real):
                raise ValueError(text)
            number = int(real)
    except ValueError:  # not a number (int() also refuses thousands of digits)
        raise PydanticCustomError("bad_count", "应为非负整数") from None
    if not 0 <= number <= _MAX_COUNT:
        raise PydanticCustomError("bad_count", "应为非负整数")
    return number


# Separators people put in phone numbers: 138-0000-1111, 138 0000 1111, (0816)2345678.
_PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")


def parse_phone(value: object) -> str:
    """A phone number, stored as digits only (the mobile's +86 dropped)."""
    text = _PHONE_SEPARATORS.sub("", str(value).strip())
    if text.startswith(("+86", "0086")) and len(text.lstrip("+").removeprefix("0086").removeprefix("86")) == 11:
        text = text[-11:]
    if not (text.isascii() and text.isdigit() and 7 <= len(text) <= 12):
        raise PydanticCustomError("bad_phone", "不是电话号码（可写 13800001111、138-0000-1111 或 0816-2345678）")
    return text


def split_tags(value: object) -> list[str]:
    return [t.strip() for t in re.split(r"[;；、,，]", str(value)) if t.strip()]


# 统一社会信用代码 (GB 32100-2015): 18 characters, last one a check character.
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the characters a code may hold


def credit_check_char(body: str) -> str:
    """The check character (the 18th) of a credit code's first 17 characters."""
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(body, _CREDIT_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(text: str) -> bool:
    """An 18-character 统一社会信用代码 whose last character is its check character.

    >>> is_valid_credit_code("91350100M000100Y43"), is_valid_credit_code("91350100M000100Y44")
    (True, False)
    >>> is_valid_credit_code("91350100M000100Y4")  # 17 characters
    False
    """
    if len(text) != 18 or any(ch not in CREDIT_CODE_CHARS for ch in text):
        return False
    return credit_check_char(text[:17]) == text[17]


def parse_credit_code(value: object) -> str:
    text = str(value).strip().upper()
    if not is_valid_credit_code(text):
        raise PydanticCustomError("bad_credit_code", "统一社会信用代码无效（应为18位且校验码正确）")
    return text


# 身份证号: 18 characters (17 digits + check digit, ISO 7064 MOD 11-2) or the old
# 15-digit form; both carry a birth date, which keeps phone numbers and most other
# digit strings from being mistaken for one.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"^[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$")
_ID15 = re.compile(r"^[1-9]\d{5}(\d{2})(\d{2})(\d{2})\d{3}$")


# A run that could be a 身份证号 inside longer text: 17 digits and a check character, or
# 15 digits, not part of a longer run of digits.
_ID_RUN = re.compile(r"(?<!\d)(?:\d{17}[\dXx](?!\d)|\d{15}(?![\dXx]))")


def find_id_numbers(text: str) -> list[str]:
    """The 身份证号 written anywhere in `text` ("退休干部；身份证号110105…" too)."""
    return [m for m in _ID_RUN.findall(text) if looks_like_id_card(m)]


def looks_like_id_card(value: object) -> bool:
    text = str(value).strip().upper()
    if m := _ID18.match(text):
        total = sum(int(ch) * w for ch, w in zip(text[:17], _ID_WEIGHTS))
        return _ID_CHECK[total % 11] == text[17] and _is_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _ID15.match(text):
        return _is_date(1900 + int(m[1]), int(m[2]), int(m[3]))
    return False


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


# ASCII control characters other than tab, line feed and carriage return: invisible in a
# spreadsheet (text pasted into Excel can carry them) and not allowed in an .xlsx file.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control(text: str) -> str:
    """`text` without the control characters a user cannot see (one quick scan when
    there are none, the usual case)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def mask_phone(phone: str | None) -> str:
    """138****5678: keep the first three and last four digits.

    >>> mask_phone("13812345678"), mask_phone("08162345678"), mask_phone("1234567"), mask_phone(None)
    ('138****5678', '081****5678', '*******', '')
    """
    if not phone:
        return ""
    digits = str(phone).strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_sensitive(text: str) -> str:
    """Mask any 身份证号 or phone number inside a display string."""
    if len(text) < 11:  # shorter than any phone number or 身份证号
        return text
    return _DIGIT_RUN.sub(_mask_token, text)


_DIGIT_RUN = re.compile(r"\d{11,17}[\dXx]?")  # compiled once: every displayed string passes here
_MOBILE = re.compile(r"1\d{10}")


def _mask_token(m: re.Match) -> str:
    token = m.group(0)
    if looks_like_id_card(token):
        return token[:6] + "*" * (len(token) - 10) + token[-4:]
    if _MOBILE.fullmatch(token):
        return mask_phone(token)
    return token


# CSV formula injection (OWASP): a cell a spreadsheet would take for a formula starts with
# one of these. Every CSV written for people gets a leading ' on such cells (Excel shows
# the text, runs nothing); the reader takes exactly that ' off again, so load → export →
# load is exact. A cell already starting with ' before them gets one more, so text that
# really begins with ' survives too. Plain numbers (-5, +86) are not formulas: kept.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_WRITTEN_GUARD = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def guard_formula(text: str) -> str:
    """`text` as a CSV cell for people: formula-like text behind a leading '."""
    if text and _FORMULA_START.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unguard_formula(text: str) -> str:
    """The cell `guard_formula` wrote, as it was."""
    return text[1:] if text.startswith("'") and _WRITTEN_GUARD.match(text) else text


def rate(numerator: int, denominator: int) -> float | None:
    """A reported rate: numerator / denominator to four decimals (as `--format json`
    writes it), None when there is nothing to count."""
    return round(numerator / denominator, 4) if denominator else None
