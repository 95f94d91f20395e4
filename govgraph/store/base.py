"""The store interface, the load log record, and choosing a store from settings."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from ..graph import GraphData

DEFAULT_DB_ENV = "GOVGRAPH_DB"


@dataclass(frozen=True)
class LoadRecord:
    at: str  # ISO timestamp, Asia/Shanghai
    ledger: str
    mode: str  # replace or merge
    entities_added: int
    entities_changed: int
    entities_removed: int
    relations_added: int
    relations_changed: int
    relations_removed: int

    def as_row(self) -> dict:
        return asdict(self)


class Store(Protocol):
    """What every store offers. `replace_all` and its load record land in one transaction."""

    description: str  # for messages: the file path or the Neo4j URI

    def replace_all(self, data: GraphData, record: LoadRecord) -> None: ...

    def read(self, scope: str | None = None) -> GraphData: ...

    def load_records(self) -> list[LoadRecord]: ...

    def close(self) -> None: ...


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
