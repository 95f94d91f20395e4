"""Entity fields to and from plain JSON-able values, as each column's type says
(`column_types`: `to_stored`, `from_stored`).

Both stores keep dates as dates (SQLite as ISO text, Neo4j as `date`); the SQLite store
turns fields to and from JSON here.
"""

from __future__ import annotations

from functools import cache

from ..column_types import column_type
from ..schema import load_schema


@cache
def _converted(kind: str) -> dict:
    """{field: its column type} for the fields whose stored form differs (dates)."""
    return {c.name: column_type(c) for c in load_schema().entities[kind].fields if column_type(c).stored_differs}


def attrs_to_plain(kind: str, attrs: dict) -> dict:
    types = _converted(kind)
    return {k: (types[k].to_stored(v) if k in types else v) for k, v in attrs.items()}


def attrs_from_plain(kind: str, plain: dict) -> dict:
    types = _converted(kind)
    return {k: (types[k].from_stored(v) if k in types else v) for k, v in plain.items()}
