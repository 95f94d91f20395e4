"""The embedded default store: one SQLite file, no server."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from types import MappingProxyType

from ..bulk import paused_gc
from ..errors import StoreError
from ..graph import Entity, GraphData, Origin, Relation
from .base import LoadRecord
from .codec import attrs_from_plain, attrs_to_plain
from .scope import read_scope

_DDL = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, attrs TEXT NOT NULL,
    ledger_file TEXT, ledger_row INTEGER
);
CREATE TABLE IF NOT EXISTS relations (
    type TEXT NOT NULL, from_id TEXT NOT NULL, to_id TEXT NOT NULL, role TEXT,
    since TEXT, until TEXT, source TEXT, ledger_file TEXT, ledger_row INTEGER
);
CREATE INDEX IF NOT EXISTS relations_from ON relations(from_id);
CREATE INDEX IF NOT EXISTS relations_to ON relations(to_id);
CREATE TABLE IF NOT EXISTS loads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, ledger TEXT, mode TEXT,
    entities_added INTEGER, entities_changed INTEGER, entities_removed INTEGER,
    relations_added INTEGER, relations_changed INTEGER, relations_removed INTEGER
);
"""

_RELATION_COLUMNS = "type, from_id, to_id, role, since, until, source, ledger_file, ledger_row"
# The relation indexes, dropped while a whole graph is written and built again after it
# (in the same transaction): building an index once is much faster than keeping it up
# to date row by row.
_RELATION_INDEXES = (("relations_from", "from_id"), ("relations_to", "to_id"))


class SqliteStore:
    def __init__(self, path: Path, create: bool = True):
        self.path = path
        self.description = str(path)
        if not create and not path.exists():
            # A mistyped --db must not look like an empty ledger.
            raise StoreError(f"本地数据库 {path} 不存在：请先用 govgraph load 导入台账，或用 --db 指定已有的数据库")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path)
            self.conn.executescript(_DDL)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开本地数据库 {path}：请检查路径是否可写，且该文件是 govgraph 的数据库") from exc

    def close(self) -> None:
        self.conn.close()

    # -- writing --------------------------------------------------------------------
    def replace_all(self, data: GraphData, record: LoadRecord) -> None:
        with paused_gc():
            entity_rows = [
                (e.id, e.kind, e.name, json.dumps(attrs_to_plain(e.kind, e.attrs), ensure_ascii=False),
                 *_provenance(e.origin))
                for e in data.entities.values()
            ]
            iso = _memo(_iso)
            relation_rows = [
                (r.type, r.from_id, r.to_id, r.role, iso(r.since), iso(r.until), r.source, *_provenance(r.origin))
                for r in data.relations
            ]
        try:
            with self.conn:  # one transaction: the load lands whole or not at all
                self.conn.execute("DELETE FROM entities")
                self.conn.execute("DELETE FROM relations")
                for name, _ in _RELATION_INDEXES:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
                self.conn.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", entity_rows)
                self.conn.executemany(f"INSERT INTO relations ({_RELATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                      relation_rows)
                for name, column in _RELATION_INDEXES:
                    self.conn.execute(f"CREATE INDEX {name} ON relations({column})")
                self.conn.execute(
                    "INSERT INTO loads (at, ledger, mode, entities_added, entities_changed, entities_removed,"
                    " relations_added, relations_changed, relations_removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.at, record.ledger, record.mode, record.entities_added, record.entities_changed,
                     record.entities_removed, record.relations_added, record.relations_changed,
                     record.relations_removed),
                )
        except sqlite3.Error as exc:
            raise StoreError(f"写入本地数据库 {self.path} 失败，已回滚，库中数据未改变：{_sqlite_reason(exc)}") from exc

    # -- reading --------------------------------------------------------------------
    def read(self, scope: str | None = None) -> GraphData:
        if scope is not None:
            return read_scope(self, scope)
        with paused_gc():
            entities = self._entities(self.conn.execute("SELECT * FROM entities"))
            relations = self._relations(self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations"),
                                        ids=entities)
        return GraphData(entities, relations)

    def entities_by_id(self, ids: set[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            found.update(self._entities(self.conn.execute(f"SELECT * FROM entities WHERE id IN ({marks})", chunk)))
        return found

    def relations_touching(self, ids: set[str]) -> list[Relation]:
        """Every relation with either end in `ids`, each once."""
        seen: dict[int, Relation] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT rowid, {_RELATION_COLUMNS} FROM relations WHERE from_id IN ({marks}) OR to_id IN ({marks})",
                chunk + chunk,
            )
            for rowid, *rest in rows:
                seen.setdefault(rowid, self._relations([rest])[0])
        return [seen[k] for k in sorted(seen)]

    def load_records(self) -> list[LoadRecord]:
        rows = self.conn.execute(
            "SELECT at, ledger, mode, entities_added, entities_changed, entities_removed,"
            " relations_added, relations_changed, relations_removed FROM loads ORDER BY seq"
        )
        return [LoadRecord(*row) for row in rows]

    @staticmethod
    def _entities(rows) -> dict[str, Entity]:
        rows = rows.fetchall() if hasattr(rows, "fetchall") else list(rows)
        # All the attrs in one JSON array: one call, and the decoder shares the field names
        # across entities; repeated values (enum words) are shared below. SQLite hands back a
        # new copy of each text per row.
        plains = json.loads("[" + ",".join(r[3] for r in rows) + "]") if rows else []
        same = {}.setdefault
        return {
            id_: Entity(same(kind, kind), id_, name,
                        attrs_from_plain(kind, {k: same(v, v) if v.__class__ is str else v for k, v in plain.items()}),
                        Origin(same(file, file), row, _NOTHING, _NOTHING) if file else None)
            for (id_, kind, name, _, file, row), plain in zip(rows, plains)
        }

    @staticmethod
    def _relations(rows, ids: dict | None = None) -> list[Relation]:
        # Repeated texts (types, roles, sources, file names, and the endpoints' ids, shared
        # with the entities read) and dates are made once: SQLite hands back a new copy of
        # each per row, which for a province is hundreds of megabytes.
        same, day = {}.setdefault, _Dates()
        end = {i: i for i in ids}.get if ids else same
        return [
            Relation(same(t, t), end(f, f), end(to, to), same(role, role), day[since], day[until],
                     same(source, source), Origin(same(file, file), row, _NOTHING, _NOTHING) if file else None)
            for t, f, to, role, since, until, source, file, row in rows
        ]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _provenance(origin) -> tuple[str | None, int | None]:
    return (getattr(origin, "file", None), getattr(origin, "row", None))


_NOTHING = MappingProxyType({})  # the headers and cells of a stored origin: none, read-only


class _Dates(dict):
    """ISO text (or NULL) -> date (or None), each distinct text converted once."""

    def __missing__(self, text):
        value = self[text] = _date(text)
        return value


def _memo(convert):
    """`convert` remembering its result per argument (dates to and from ISO text)."""
    cache: dict = {}

    def call(value):
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = convert(value)
            return result

    return call


def _chunks(items: list[str], size: int = 400):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# SQLite's result codes, in Chinese: neither the driver's English nor its class name
# (OperationalError …) reaches a message.
_SQLITE_REASONS = {
    "SQLITE_FULL": "磁盘空间不足",
    "SQLITE_READONLY": "数据库文件或其所在的文件夹是只读的",
    "SQLITE_CORRUPT": "数据库文件已损坏",
    "SQLITE_NOTADB": "该文件不是 govgraph 的数据库",
    "SQLITE_BUSY": "数据库正被其他程序占用",
    "SQLITE_LOCKED": "数据库正被其他程序占用",
    "SQLITE_IOERR": "读写磁盘出错",
    "SQLITE_CANTOPEN": "无法打开数据库文件",
    "SQLITE_PERM": "没有写入权限",
    "SQLITE_CONSTRAINT": "数据违反了数据库的约束",
    "SQLITE_TOOBIG": "有数据超出了数据库的大小上限",
}


def _sqlite_reason(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    for code, reason in _SQLITE_REASONS.items():
        if name == code or name.startswith(code + "_"):
            return reason
    return "数据库出错，请检查磁盘空间和文件权限"
