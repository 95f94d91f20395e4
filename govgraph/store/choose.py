"""Choosing a store from settings: the Neo4j server a URI names, else the embedded SQLite file.

Apart from `base.py` so that the stores, which import `base`, are never imported by it."""

from __future__ import annotations

import os
from pathlib import Path

from .base import Store

DEFAULT_DB_ENV = "GOVGRAPH_DB"


def default_db_path() -> Path:
    """$GOVGRAPH_DB, else a file in the user's data directory."""
    if os.environ.get(DEFAULT_DB_ENV):
        return Path(os.environ[DEFAULT_DB_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "govgraph" / "govgraph.sqlite"


def open_store(db: str | None = None, neo4j_uri: str | None = None, create: bool = True) -> Store:
    """Neo4j when a URI is given (option or NEO4J_URI), else the embedded SQLite file
    (created when `create`, else it must exist)."""
    uri = neo4j_uri or os.environ.get("NEO4J_URI")
    if uri:
        from .neo4j import Neo4jStore

        return Neo4jStore.from_settings(uri)
    from .sqlite import SqliteStore

    return SqliteStore(Path(db) if db else default_db_path(), create=create)
