"""One object per column type of `schema.toml` (issue 14, item 4), as FollowTheMoney's
`types/` keeps one per property type: how a cell of that type is parsed, kept by the store,
written back to a ledger and into a workbook cell, offered as choices, explained in the
template, and shown. Every module that treats a field by its type asks `column_type(column)`.

The parsers themselves live in `values.py` (pure functions with doctests); this module says
which one a column uses. A parser raises `PydanticCustomError(code, message)`, the ledger
error code and the Chinese reason."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, Callable

from pydantic_core import PydanticCustomError

from . import values
from .schema import Column, load_schema

YES, NO = "是", "否"
DATE_FORMAT = "yyyy-mm-dd"  # an .xlsx date cell's format
TEXT_FORMAT = "@"  # an .xlsx column kept as text: no 1.38E+10, no leading zeros dropped


def strip_text(value: object) -> str:
    """A text cell's value: the text without surrounding blanks."""
    return str(value).strip()


class ColumnType:
    """The plain text type; the others change what differs."""

    name = "str"
    python: Any = str  # what a parsed value is
    memo = False  # parsing is pure and gives an immutable value: the reader may remember it per text
    note = ""  # how the template tells a worker to fill it in
    number_format: str | None = None  # what an empty .xlsx cell of the column is formatted as

    def parser(self, column: Column) -> Callable[[object], Any]:
        """Cell → value, or `PydanticCustomError`."""
        return strip_text

    def to_stored(self, value):
        """The value as the SQLite store keeps it in JSON."""
        return value

    def from_stored(self, plain):
        return plain

    stored_differs = False  # to_stored/from_stored change the value

    def to_text(self, value) -> str:
        """The value as a ledger's CSV cell (export), read back to the same value."""
        return "" if value is None else str(value)

    def to_cell(self, text: str):
        """A ledger text cell as an .xlsx cell holds it (numbers as numbers …)."""
        return text if text != "" else None

    def choices(self, column: Column) -> tuple[str, ...]:
        """What a workbook's drop-down offers."""
        return ()

    def note_for(self, column: Column) -> str:
        return self.note

    def display(self, value):
        """The value as a page or a terminal shows it: no phone or 身份证号 in full."""
        if isinstance(value, str):
            return values.mask_sensitive(value)
        if isinstance(value, list):
            return [values.mask_sensitive(v) if isinstance(v, str) else v for v in value]
        return value


class ParentType(ColumnType):
    """A parent column: the id (or name) of the unit it belongs to, an undated 隶属."""

    name = "parent"
    number_format = TEXT_FORMAT

    def note_for(self, column: Column) -> str:
        kinds = "或".join(load_schema().entities[k].zh for k in column.to)
        return f"所属{kinds}的编号（也可写名称）"


class CountType(ColumnType):
    name = "int"
    python = int
    memo = True
    note = "非负整数（可写 1,200 或 1200户）"

    def parser(self, column):
        return values.parse_count

    def to_cell(self, text):
        return int(text) if text != "" else None


class DateType(ColumnType):
    """A date; a year or month alone is its first day, or its last where the column is an
    end of period (`end_of_period` in schema.toml); `open_ended` columns also take 至今."""

    name = "date"
    python = date
    memo = True
    note = "日期：2024-05-01、2024/5/1、2024年5月1日，也可只写年（2024）或年月（2024-05）"
    stored_differs = True
    number_format = DATE_FORMAT

    def parser(self, column):
        parse = partial(values.parse_date, end_of_period=True) if column.end_of_period else values.parse_date
        if not column.open_ended:
            return parse

        def parse_or_open(value: object) -> date | None:
            if str(value).strip().lower() in values.OPEN_ENDED:
                return None
            return parse(value)

        return parse_or_open

    def to_stored(self, value):
        return value.isoformat()

    def from_stored(self, plain):
        return date.fromisoformat(plain) if isinstance(plain, str) else plain

    def to_text(self, value) -> str:
        return "" if value is None else value.isoformat()

    def to_cell(self, text):
        return date.fromisoformat(text) if text != "" else None


class BoolType(ColumnType):
    name = "bool"
    python = bool
    memo = True
    note = "是/否（也可写 √/×、1/0）"

    def parser(self, column):
        return values.parse_bool

    def to_text(self, value) -> str:
        return "" if value is None else "true" if value else "false"

    def to_cell(self, text):
        return None if text == "" else YES if text == "true" else NO

    def choices(self, column):
        return (YES, NO)


class EnumType(ColumnType):
    """One of the words of `[enums.NAME]`, written as any of its variants."""

    name = "enum"
    memo = True
    note = "从下拉列表中选"

    def parser(self, column):
        schema = load_schema()
        lookup = schema.enums[column.enum]
        allowed = "、".join(schema.enum_values[column.enum])

        def parse(value: object) -> str:
            word = lookup.get(str(value).strip().lower())
            if word is None:
                raise PydanticCustomError("unknown_enum", "不是可选值（可选：{allowed}）", {"allowed": allowed})
            return word

        return parse

    def choices(self, column):
        return load_schema().enum_values[column.enum] if column.enum else ()


class RelationTypeType(ColumnType):
    """relations.csv's `type`: one of the relation types `[relations]` declares."""

    name = "relation_type"
    memo = True

    def parser(self, column):
        names = load_schema().relations
        allowed = "、".join(names)

        def parse(value: object) -> str:
            text = str(value).strip()
            if text not in names:
                raise PydanticCustomError("unknown_relation_type", "不是关系类型（可选：{allowed}）", {"allowed": allowed})
            return text

        return parse

    def choices(self, column):
        return tuple(load_schema().relations)


class TagsType(ColumnType):
    name = "tags"
    python = list[str]
    note = "多个用 ；、、 或 , 分隔"

    def parser(self, column):
        return values.split_tags

    def to_text(self, value) -> str:
        return "" if value is None else ";".join(value)


class PhoneType(ColumnType):
    name = "phone"
    number_format = TEXT_FORMAT
    note = "手机或座机，可带 - 或空格；显示时打码"

    def parser(self, column):
        return values.parse_phone

    def display(self, value):
        return values.mask_phone(value)


class CreditCodeType(ColumnType):
    name = "credit_code"
    number_format = TEXT_FORMAT
    note = "18位统一社会信用代码（校验码须正确）"

    def parser(self, column):
        return values.parse_credit_code


TYPES: dict[str, ColumnType] = {t.name: t for t in (
    ColumnType(), ParentType(), CountType(), DateType(), BoolType(), EnumType(), RelationTypeType(), TagsType(),
    PhoneType(), CreditCodeType(),
)}


def column_type(column: Column | str) -> ColumnType:
    """The type object of a column (or of a type's name)."""
    return TYPES[column if isinstance(column, str) else column.type]
