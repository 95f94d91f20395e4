"""The column type objects (govgraph/column_types.py) and what schema.toml declares for them."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic_core import PydanticCustomError

from govgraph.column_types import TYPES, column_type
from govgraph.schema import load_schema

SCHEMA = load_schema()
ALL_COLUMNS = [c for k in SCHEMA.entities.values() for c in k.columns] + list(SCHEMA.relation_columns)


def _column(kind: str, name: str):
    columns = SCHEMA.relation_columns if kind == "relations" else SCHEMA.entities[kind].columns
    return next(c for c in columns if c.name == name)


def test_every_type_in_the_schema_has_an_object():
    assert {c.type for c in ALL_COLUMNS} <= set(TYPES)


# (kind, column, a cell as people write it): the ledger text of the parsed value reads back
# to the same value, and so does its stored form
SAMPLES = [
    ("Compound", "households", "1,200户"), ("Compound", "complex", "√"), ("Compound", "category", "old"),
    ("PartyOrg", "founded", "2021年3月"), ("PartyOrg", "term_end", "2026.2"), ("Person", "tags", "退休干部、在职党员"),
    ("Person", "phone", "138-0000-1111"), ("Firm", "credit_code", "91350100m000100y43"), ("Compound", "name", " 青特城 "),
    ("relations", "type", "任职"), ("relations", "until", "2024-05"),
]


@pytest.mark.parametrize("kind, name, cell", SAMPLES)
def test_ledger_text_and_stored_form_read_back(kind, name, cell):
    column = _column(kind, name)
    kind_type = column_type(column)
    parse = kind_type.parser(column)
    value = parse(cell)
    assert parse(kind_type.to_text(value)) == value
    assert kind_type.from_stored(kind_type.to_stored(value)) == value


def test_end_of_period_is_declared_not_guessed():
    """A year or month alone: the last day where schema.toml says end_of_period."""
    ends = {(k, c.name) for k, kind in SCHEMA.entities.items() for c in kind.columns if c.end_of_period}
    assert ends == {("PartyOrg", "term_end"), ("Committee", "term_end")}
    term_end, founded, until, since = (_column("PartyOrg", "term_end"), _column("PartyOrg", "founded"),
                                       _column("relations", "until"), _column("relations", "since"))
    assert column_type(term_end).parser(term_end)("2021-05") == date(2021, 5, 31)
    assert column_type(founded).parser(founded)("2021-05") == date(2021, 5, 1)
    assert column_type(until).parser(until)("2021") == date(2021, 12, 31)
    assert column_type(since).parser(since)("2021") == date(2021, 1, 1)
    assert column_type(until).parser(until)("至今") is None
    with pytest.raises(PydanticCustomError):
        column_type(term_end).parser(term_end)("至今")  # only `until` is open-ended


def test_single_parent_kinds_are_declared():
    assert {k for k, kind in SCHEMA.entities.items() if kind.single_parent} == {"Compound", "Community", "Street",
                                                                                 "Committee"}


def test_display_masks():
    phone, tags = _column("Person", "phone"), _column("Person", "tags")
    assert column_type(phone).display("13812345678") == "138****5678"
    assert column_type(tags).display(["电话13812345678"]) == ["电话138****5678"]


def test_cells_and_choices():
    assert column_type("bool").to_cell("true") == "是" and column_type("bool").to_cell("false") == "否"
    assert column_type("int").to_cell("12") == 12 and column_type("date").to_cell("2024-05-01") == date(2024, 5, 1)
    assert column_type("str").to_cell("") is None
    category = _column("Compound", "category")
    assert column_type(category).choices(category) == SCHEMA.enum_values["category"]
    assert column_type(_column("relations", "type")).choices(None) == tuple(SCHEMA.relations)
