"""The audit queries in `cypher/` (installed as `govgraph.cypher`), run on the Neo4j server.

Each .cypher file is a standalone parameterised query that computes its answer in Cypher
alone; nothing here shares logic with the Python audits (`coverage.py` on the NetworkX
mirror), so the two can check each other. The functions below only read a file, pass
the parameters and return the rows as plain dicts (dates as `datetime.date`); the keys
are those of domain.md §6 (coverage rows: id, name, kind, district_id, street_id,
community_id, status, eligible, formal_members).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

from .coverage import DEFAULT_MIN_FORMAL_MEMBERS
from .store.neo4j import Neo4jStore
from .store.scope import require_scope

AUDITS = (
    "compound_coverage",
    "firm_coverage",
    "coverage_rollup",
    "orphans",
    "yijiantiao_confirmed",
    "cross_appointments",
)
ROLLUP_LEVELS = ("district", "street", "community")


@cache
def query_text(name: str) -> str:
    """The text of `cypher/<name>.cypher`, exactly as a user would paste it into Neo4j Browser."""
    if name not in AUDITS:
        raise ValueError(f"unknown audit query: {name!r}")
    return resources.files("govgraph.cypher").joinpath(f"{name}.cypher").read_text("utf-8")


def run_audit(store: Neo4jStore, name: str, load: int | None = None, **parameters) -> list[dict]:
    """Run one audit query server-side and return its rows, on submission `load` (None:
    the latest; the query's `$seq`). A `scope` that is not a street or community of the
    store is refused, as a scoped read refuses it."""
    if parameters.get("scope") is not None:
        require_scope(store, parameters["scope"], load)
    return store.run_read(query_text(name), parameters, load=load)


def compound_coverage(store: Neo4jStore, as_of: date | None = None, *,
                      min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS, scope: str | None = None,
                      load: int | None = None) -> list[dict]:
    return run_audit(store, "compound_coverage", load, as_of=as_of, min_formal_members=min_formal_members,
                     scope=scope)


def firm_coverage(store: Neo4jStore, as_of: date | None = None, *,
                  min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS, scope: str | None = None,
                  load: int | None = None) -> list[dict]:
    return run_audit(store, "firm_coverage", load, as_of=as_of, min_formal_members=min_formal_members, scope=scope)


def coverage(store: Neo4jStore, as_of: date | None = None, *,
             min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS, scope: str | None = None,
             load: int | None = None) -> list[dict]:
    """Every compound, then every firm (the order of `govgraph.coverage.coverage`)."""
    options = {"min_formal_members": min_formal_members, "scope": scope, "load": load}
    return compound_coverage(store, as_of, **options) + firm_coverage(store, as_of, **options)


def coverage_rollup(store: Neo4jStore, as_of: date | None = None, level: str = "street",
                    load: int | None = None) -> list[dict]:
    """Counts per status and the two coverage rates per unit of `level`, then the TOTAL row."""
    if level not in ROLLUP_LEVELS:
        raise ValueError(f"level must be one of {ROLLUP_LEVELS}, not {level!r}")
    return run_audit(store, "coverage_rollup", load, as_of=as_of, level=level)


def orphans(store: Neo4jStore, as_of: date | None = None, *,
            min_formal_members: int = DEFAULT_MIN_FORMAL_MEMBERS, scope: str | None = None) -> list[dict]:
    return run_audit(store, "orphans", as_of=as_of, min_formal_members=min_formal_members, scope=scope)


def yijiantiao_confirmed(store: Neo4jStore, as_of: date | None = None) -> list[dict]:
    return run_audit(store, "yijiantiao_confirmed", as_of=as_of)


def cross_appointments(store: Neo4jStore, as_of: date | None = None) -> list[dict]:
    return run_audit(store, "cross_appointments", as_of=as_of)
