"""Typed row models, generated from the schema with pydantic.

One model per entity kind and one for relations.csv. Each field parser raises a
`PydanticCustomError` whose type is a ledger error code and whose message is the
Chinese reason, so a validation error maps straight onto `file:row:column: value: reason`.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from ..column_types import column_type
from ..column_types import strip_text as _text  # noqa: F401 - the readers' plain text
from ..schema import Column, load_schema


def _field(column: Column, parser) -> tuple[Any, Any]:
    return (Annotated[Optional[column_type(column).python], BeforeValidator(parser)], None)


@cache
def entity_model(label: str) -> type[BaseModel]:
    parsers = entity_parsers(label)
    return create_model(
        f"{label}Row",
        __config__=ConfigDict(extra="ignore"),
        **{c.name: _field(c, parsers[c.name]) for c in load_schema().entities[label].columns},
    )


@cache
def entity_parsers(label: str) -> dict[str, Any]:
    """The same parsers as `entity_model(label)`, as plain functions: {column: parser}.

    The reader calls them directly (a row that parses cleanly gives exactly the values
    the model would) and goes through the model only for a row with an error, so that
    error messages come from one place."""
    return {c.name: column_type(c).parser(c) for c in load_schema().entities[label].columns}


@cache
def relation_model() -> type[BaseModel]:
    """The model of a relations.csv row, from the schema's relation columns."""
    parsers = relation_parsers()
    return create_model("RelationRow", __config__=ConfigDict(extra="ignore"),
                        **{c.name: _field(c, parsers[c.name]) for c in load_schema().relation_columns})


@cache
def relation_parsers() -> dict[str, Any]:
    """The same parsers as `relation_model()`, as plain functions (see `entity_parsers`)."""
    return {c.name: column_type(c).parser(c) for c in load_schema().relation_columns}
