"""Entity fields to and from plain JSON-able values, driven by the schema's column types.

Both stores keep dates as dates (SQLite as ISO text, Neo4j as `date`); this module is the
one place that knows which fields are dates.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from ..schema import load_schema


@cache
def _date_fields(kind: str) -> frozenset[str]:
    return frozenset(c.name for c in load_schema().entities[kind].fields if c.type == "date")


def attrs_to_plain(kind: str, attrs: dict) -> dict:
    dates = _date_fields(kind)
    return {k: (v.isoformat() if k in dates else v) for k, v in attrs.items()}


def attrs_from_plain(kind: str, plain: dict) -> dict:
    dates = _date_fields(kind)
    return {k: (date.fromisoformat(v) if k in dates and isinstance(v, str) else v) for k, v in plain.items()}
