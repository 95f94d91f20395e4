"""Typed row models, generated from the schema with pydantic.

One model per entity kind and one for relations.csv. Each field parser raises a
`PydanticCustomError` whose type is a ledger error code and whose message is the
Chinese reason, so a validation error maps straight onto `file:row:column: value: reason`.
"""

from __future__ import annotations

from datetime import date
from functools import cache, partial
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model
from pydantic_core import PydanticCustomError

from .. import values
from ..schema import Column, load_schema


def _enum_parser(enum_name: str):
    lookup = load_schema().enums[enum_name]
    allowed = "、".join(load_schema().enum_values[enum_name])

    def parse(value: object) -> str:
        word = lookup.get(str(value).strip().lower())
        if word is None:
            raise PydanticCustomError("unknown_enum", "不是可选值（可选：{allowed}）", {"allowed": allowed})
        return word

    return parse


def _text(value: object) -> str:
    return str(value).strip()


def _parser(column: Column) -> tuple[Any, Any]:
    """(Python type, parser) for a column: the parser turns a cell into that type or
    raises `PydanticCustomError`."""
    if column.type == "int":
        kind, parser = int, values.parse_count
    elif column.type == "date":
        # A term end given as a year or month means the end of that period.
        kind, parser = date, partial(values.parse_date, end_of_period=column.name.endswith("_end"))
    elif column.type == "bool":
        kind, parser = bool, values.parse_bool
    elif column.type == "enum":
        kind, parser = str, _enum_parser(column.enum)
    elif column.type == "tags":
        kind, parser = list[str], values.split_tags
    elif column.type == "credit_code":
        kind, parser = str, values.parse_credit_code
    elif column.type == "phone":
        kind, parser = str, values.parse_phone
    else:  # str, parent
        kind, parser = str, _text
    return kind, parser


def _field(column: Column) -> tuple[Any, Any]:
    kind, parser = _parser(column)
    return (Annotated[Optional[kind], BeforeValidator(parser)], None)


@cache
def entity_model(label: str) -> type[BaseModel]:
    kind = load_schema().entities[label]
    return create_model(
        f"{label}Row",
        __config__=ConfigDict(extra="ignore"),
        **{c.name: _field(c) for c in kind.columns},
    )


@cache
def entity_parsers(label: str) -> dict[str, Any]:
    """The same parsers as `entity_model(label)`, as plain functions: {column: parser}.

    The reader calls them directly (a row that parses cleanly gives exactly the values
    the model would) and goes through the model only for a row with an error, so that
    error messages come from one place."""
    return {c.name: _parser(c)[1] for c in load_schema().entities[label].columns}


def _until(value: object) -> date | None:
    if str(value).strip().lower() in values.OPEN_ENDED:
        return None
    return values.parse_date(value, end_of_period=True)


def _relation_type(value: object) -> str:
    text = str(value).strip()
    if text not in load_schema().relations:
        allowed = "、".join(load_schema().relations)
        raise PydanticCustomError("unknown_relation_type", "不是关系类型（可选：{allowed}）", {"allowed": allowed})
    return text


class RelationRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Annotated[Optional[str], BeforeValidator(_relation_type)] = None
    from_id: Annotated[Optional[str], BeforeValidator(_text)] = None
    to_id: Annotated[Optional[str], BeforeValidator(_text)] = None
    role: Annotated[Optional[str], BeforeValidator(_text)] = None
    since: Annotated[Optional[date], BeforeValidator(values.parse_date)] = None
    until: Annotated[Optional[date], BeforeValidator(_until)] = None
    source: Annotated[Optional[str], BeforeValidator(_text)] = None


# The same parsers as `RelationRow`, as plain functions (see `entity_parsers`).
RELATION_PARSERS = {
    "type": _relation_type,
    "from_id": _text,
    "to_id": _text,
    "role": _text,
    "since": values.parse_date,
    "until": _until,
    "source": _text,
}
