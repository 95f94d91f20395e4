"""The embedded default store: one SQLite file, no server."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..bulk import paused_gc
from ..errors import StoreError
from ..graph import NO_CELLS, Entity, GraphData, Origin, Relation
from .base import Build, LoadRecord, Submission, change_counts, resolve_load
from .codec import attrs_from_plain, attrs_to_plain
from .scope import read_scope
from .window import Window

_DDL = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, attrs TEXT NOT NULL,
    ledger_file TEXT, ledger_row INTEGER, added INTEGER NOT NULL, removed INTEGER
);
CREATE INDEX IF NOT EXISTS entities_id ON entities(id);
CREATE UNIQUE INDEX IF NOT EXISTS entities_current ON entities(id) WHERE removed IS NULL;
CREATE TABLE IF NOT EXISTS relations (
    type TEXT NOT NULL, from_id TEXT NOT NULL, to_id TEXT NOT NULL, role TEXT,
    since TEXT, until TEXT, source TEXT, ledger_file TEXT, ledger_row INTEGER,
    added INTEGER NOT NULL, removed INTEGER
);
CREATE INDEX IF NOT EXISTS relations_from ON relations(from_id);
CREATE INDEX IF NOT EXISTS relations_to ON relations(to_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, ledger TEXT NOT NULL, mode TEXT NOT NULL,
    period TEXT, scope TEXT,
    entities_added INTEGER, entities_changed INTEGER, entities_removed INTEGER,
    relations_added INTEGER, relations_changed INTEGER, relations_removed INTEGER
);
"""

_ENTITY_COLUMNS = "id, kind, name, attrs, ledger_file, ledger_row"
_RELATION_COLUMNS = "type, from_id, to_id, role, since, until, source, ledger_file, ledger_row"
_SUBMISSION_COLUMNS = ", ".join(f.name for f in dataclass_fields(Submission))
# The rectification register (整改台账, §7): one row per finding key, what the unit reported.
# Created by the first write of the register (a file without it has an empty register).
_REGISTER_DDL = """
CREATE TABLE IF NOT EXISTS register (
    code TEXT NOT NULL, entity_id TEXT NOT NULL, unit_id TEXT NOT NULL,
    responsible_unit TEXT, measures TEXT, person TEXT, progress TEXT,
    waiver_reason TEXT, approver TEXT, waiver_expires TEXT, reported_in INTEGER,
    PRIMARY KEY (code, entity_id, unit_id)
)
"""
REGISTER_FIELDS = ("code", "entity_id", "unit_id", "responsible_unit", "measures", "person", "progress",
                   "waiver_reason", "approver", "waiver_expires", "reported_in")
# A row belongs to the graph as submitted in N when N is in [added, removed).
_VISIBLE = "added <= ? AND (removed IS NULL OR removed > ?)"
# The relation indexes, dropped while most of a graph is written and built again after
# it (in the same transaction): building an index once is much faster than keeping it up
# to date row by row.
_RELATION_INDEXES = (("relations_from", "from_id"), ("relations_to", "to_id"))
_BULK = 100_000  # inserting more relations than this (and than are kept): rebuild the indexes
WAIT_SECONDS = 600  # how long a writer waits for another one before giving up
BUSY = "数据库正被另一个导入占用"


class SqliteStore:
    """One SQLite file in WAL mode: readers see one committed submission while a writer
    writes; writers take the write lock first (BEGIN IMMEDIATE) and so run one at a time."""

    def __init__(self, path: Path, create: bool = True):
        self.path = path
        self.description = str(path)
        if not create and not path.exists():
            # A mistyped --db must not look like an empty ledger.
            raise StoreError(f"本地数据库 {path} 不存在：请先用 govgraph load 导入台账，或用 --db 指定已有的数据库")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: every transaction below is begun and ended explicitly.
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=WAIT_SECONDS, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开本地数据库 {path}：请检查路径是否可写，且该文件是 govgraph 的数据库") from exc
        try:
            self._prepare()
        except sqlite3.Error as exc:
            self.conn.close()
            if _is_busy(exc):
                raise StoreError(f"{BUSY}（{path}），请等它完成后再试") from exc
            raise StoreError(f"无法打开本地数据库 {path}：请检查路径是否可写，且该文件是 govgraph 的数据库") from exc

    def _prepare(self) -> None:
        """WAL mode, the tables, and the upgrade of a file from before submissions."""
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(entities)")}
        if columns and "added" in columns:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in self.conn.execute("PRAGMA table_info(entities)")}
            if columns and "added" not in columns:
                self._upgrade()
            for statement in _DDL.split(";"):  # not executescript: that would commit first
                if statement.strip():
                    self.conn.execute(statement)
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _upgrade(self) -> None:
        """A file written before submissions existed (docs/design.md, "Upgrading an old
        file"): its graph becomes submission 1, dated and named as its last load."""
        c = self.conn
        c.execute("ALTER TABLE entities RENAME TO entities_before_submissions")
        for statement in _DDL.split(";"):
            if statement.strip():
                c.execute(statement)
        c.execute(f"INSERT INTO entities ({_ENTITY_COLUMNS}, added) SELECT {_ENTITY_COLUMNS}, 1"
                  " FROM entities_before_submissions")
        c.execute("DROP TABLE entities_before_submissions")
        c.execute("ALTER TABLE relations ADD COLUMN added INTEGER NOT NULL DEFAULT 1")
        c.execute("ALTER TABLE relations ADD COLUMN removed INTEGER")
        entities = c.execute("SELECT count(*) FROM entities").fetchone()[0]
        relations = c.execute("SELECT count(*) FROM relations").fetchone()[0]
        last = None
        if c.execute("SELECT 1 FROM sqlite_master WHERE name = 'loads'").fetchone():
            last = c.execute("SELECT at, ledger, mode FROM loads ORDER BY seq DESC LIMIT 1").fetchone()
        if last is None and not (entities or relations):
            return
        at, ledger, mode = last or (datetime.now(SHANGHAI).isoformat(timespec="seconds"), "升级前的数据", "replace")
        c.execute(f"INSERT INTO submissions ({_SUBMISSION_COLUMNS}) VALUES (1, ?, ?, ?, NULL, NULL, ?, 0, 0, ?, 0, 0)",
                  (at, ledger, mode, entities, relations))

    def close(self) -> None:
        self.conn.close()

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def _reading(self):
        """One read transaction (nested calls share it): every query in it sees one
        committed state of the file."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def _begin_write(self, on_wait) -> None:
        """BEGIN IMMEDIATE: the writer lock first. If another writer holds it, say so once
        and wait for it (up to WAIT_SECONDS)."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {WAIT_SECONDS * 1000}")
        if on_wait:
            on_wait(f"{BUSY}，正在等待它完成后再导入……")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise StoreError(f"{BUSY}，等待 {WAIT_SECONDS} 秒仍未完成，本次未导入：请稍后再试") from exc

    # -- writing --------------------------------------------------------------------
    def submit(self, build: Build, *, at: str, ledger: str, mode: str, period: str | None = None,
               scope: str | None = None, on_wait: Callable[[str], None] | None = None) -> Submission:
        """One submission in one write transaction: the graph as it stands is read with
        the lock held, `build(before)` gives the new graph, and only the rows that differ
        are written (removed rows marked, new and changed rows added)."""
        try:
            self._begin_write(on_wait)
            seq = self._head() + 1
            self._identify()
            if isinstance(build, Window):  # only what the window reads (a scoped load)
                view = _WriteView(self)
                after = build.build(view)
                before, entity_rowids, relation_rowids = view.read_so_far()
            else:
                before, entity_rowids, relation_rowids = self._current()
                after = build(before)
            counts = change_counts(before, after)
            submission = Submission(seq, at, ledger, mode, period, scope, **counts)
            self._write_change(seq, before, after, entity_rowids, relation_rowids)
            self.conn.execute(f"INSERT INTO submissions ({_SUBMISSION_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                              tuple(submission.as_row().values()))
            self.conn.execute("COMMIT")
            return submission
        except BaseException as exc:
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the transaction is gone with the error
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"写入本地数据库 {self.path} 失败，已回滚，库中数据未改变：{_sqlite_reason(exc)}") from exc
            raise

    def _identify(self) -> None:
        """The store's own random id and snapshot secret (govgraph/snapshot.py), made by
        its first submission (a file from before them gets them at its next one)."""
        c = self.conn
        c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for key in ("store_id", "snapshot_secret"):
            c.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, secrets.token_hex(16)))

    def replace_all(self, data: GraphData, record: LoadRecord) -> Submission:
        """`data` as a whole new submission (the counts are computed, not taken from `record`)."""
        return self.submit(lambda before: data, at=record.at, ledger=record.ledger, mode=record.mode)

    def _current(self):
        """The latest graph, with the rowid of each entity (by id) and relation (by position)."""
        with paused_gc():
            rows = self.conn.execute(f"SELECT rowid, {_ENTITY_COLUMNS} FROM entities WHERE removed IS NULL").fetchall()
            entity_rowids = {r[1]: r[0] for r in rows}
            entities = self._entities([r[1:] for r in rows])
            rows = self.conn.execute(f"SELECT rowid, {_RELATION_COLUMNS} FROM relations WHERE removed IS NULL").fetchall()
            relation_rowids = [r[0] for r in rows]
            relations = self._relations([r[1:] for r in rows], ids=entities)
        return GraphData(entities, relations), entity_rowids, relation_rowids

    def _write_change(self, seq: int, before: GraphData, after: GraphData, entity_rowids, relation_rowids) -> None:
        seen, removed, added = set(), [], []
        for e in after.entities.values():
            if e.id in seen:
                raise StoreError(f"写入本地数据库 {self.path} 失败，已回滚，库中数据未改变：实体编号重复（{e.id}）")
            seen.add(e.id)
            old = before.entities.get(e.id)
            if old is None or old != e:
                added.append(e)
                if old is not None:
                    removed.append(entity_rowids[e.id])
        removed += [entity_rowids[i] for i in before.entities.keys() - seen]
        kept_rows: dict[Relation, list[int]] = {}
        for rowid, r in zip(relation_rowids, before.relations):
            kept_rows.setdefault(r, []).append(rowid)
        new_relations = []
        for r in after.relations:
            rowids = kept_rows.get(r)
            if rowids:
                rowids.pop()
            else:
                new_relations.append(r)
        gone = [rowid for rowids in kept_rows.values() for rowid in rowids]
        c = self.conn
        c.executemany("UPDATE entities SET removed = ? WHERE rowid = ?", [(seq, i) for i in removed])
        c.executemany("UPDATE relations SET removed = ? WHERE rowid = ?", [(seq, i) for i in gone])
        with paused_gc():
            entity_rows = [
                (e.id, e.kind, e.name, json.dumps(attrs_to_plain(e.kind, e.attrs), ensure_ascii=False),
                 *_provenance(e.origin), seq)
                for e in added
            ]
            iso = _memo(_iso)
            relation_rows = [
                (r.type, r.from_id, r.to_id, r.role, iso(r.since), iso(r.until), r.source, *_provenance(r.origin), seq)
                for r in new_relations
            ]
        bulk = len(relation_rows) > _BULK and len(relation_rows) > len(before.relations) - len(gone)
        if bulk:
            for name, _ in _RELATION_INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {name}")
        c.executemany(f"INSERT INTO entities ({_ENTITY_COLUMNS}, added) VALUES (?, ?, ?, ?, ?, ?, ?)", entity_rows)
        c.executemany(f"INSERT INTO relations ({_RELATION_COLUMNS}, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      relation_rows)
        if bulk:
            for name, column in _RELATION_INDEXES:
                c.execute(f"CREATE INDEX {name} ON relations({column})")

    # -- reading --------------------------------------------------------------------
    def _head(self) -> int:
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM submissions").fetchone()[0]

    def _seq(self, load: int | None) -> int:
        """The submission a read sees: `load`, checked, or the latest."""
        head = self._head()
        if load is None or load == head:
            return head
        if 1 <= load < head:  # submissions are numbered 1..head, none ever deleted
            return load
        return resolve_load(self.submissions(), load)

    def read(self, scope: str | tuple[str, ...] | None = None, load: int | None = None) -> GraphData:
        with self._reading():
            seq = self._seq(load)
            if scope is not None:
                return read_scope(_At(self, seq), scope)
            with paused_gc():
                entities = self._entities(
                    self.conn.execute(f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE {_VISIBLE}", (seq, seq)))
                relations = self._relations(
                    self.conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations WHERE {_VISIBLE}", (seq, seq)),
                    ids=entities)
        return GraphData(entities, relations)

    def snapshot_key(self, load: int | None = None):
        """(seq, key, secret, folder) for the snapshot of the whole graph of submission
        `load` (None: the latest), read in one transaction; None when the store has no
        submission or no id yet (govgraph/snapshot.py says what the key covers)."""
        from ..snapshot import code_digest

        with self._reading():
            seq = self._seq(load)
            if not seq or not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                return None
            meta = dict(self.conn.execute("SELECT key, value FROM meta"))
            if "store_id" not in meta or "snapshot_secret" not in meta:
                return None
            rows = self.conn.execute(f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE seq <= ? ORDER BY seq",
                                     (seq,)).fetchall()
        key = hashlib.sha256(repr((meta["store_id"], rows, code_digest())).encode()).hexdigest()
        return seq, key, meta["snapshot_secret"].encode(), self.path.parent / f"{self.path.name}.snapshots"

    def entities_by_id(self, ids: set[str], load: int | None = None) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        with self._reading():
            seq = self._seq(load)
            for chunk in _chunks(sorted(ids)):
                marks = ",".join("?" * len(chunk))
                found.update(self._entities(self.conn.execute(
                    f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE id IN ({marks}) AND {_VISIBLE}", [*chunk, seq, seq])))
        return found

    def relations_touching(self, ids: set[str], load: int | None = None) -> list[Relation]:
        """Every relation with either end in `ids`, each once."""
        seen: dict[int, Relation] = {}
        with self._reading():
            seq = self._seq(load)
            for chunk in _chunks(sorted(ids)):
                marks = ",".join("?" * len(chunk))
                rows = self.conn.execute(
                    f"SELECT rowid, {_RELATION_COLUMNS} FROM relations"
                    f" WHERE (from_id IN ({marks}) OR to_id IN ({marks})) AND {_VISIBLE}",
                    [*chunk, *chunk, seq, seq],
                )
                for rowid, *rest in rows:
                    seen.setdefault(rowid, self._relations([rest])[0])
        return [seen[k] for k in sorted(seen)]

    def submissions(self) -> list[Submission]:
        rows = self.conn.execute(f"SELECT {_SUBMISSION_COLUMNS} FROM submissions ORDER BY seq")
        return [Submission(*row) for row in rows]

    # -- the rectification register -----------------------------------------------------
    def register_rows(self) -> list[dict]:
        """Every register entry (plain values, see `rectify.entry_to_row`), by key."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'register'").fetchone():
            return []
        rows = self.conn.execute(f"SELECT {', '.join(REGISTER_FIELDS)} FROM register"
                                 " ORDER BY code, entity_id, unit_id")
        return [dict(zip(REGISTER_FIELDS, row)) for row in rows]

    def write_register(self, rows: list[dict]) -> None:
        """Store these entries in one transaction, each replacing the entry of its key;
        entries of other keys are kept. All or nothing."""
        try:
            self._begin_write(None)
            self.conn.execute(_REGISTER_DDL)
            self.conn.executemany(
                f"INSERT OR REPLACE INTO register ({', '.join(REGISTER_FIELDS)})"
                f" VALUES ({', '.join('?' * len(REGISTER_FIELDS))})",
                [tuple(row.get(f) for f in REGISTER_FIELDS) for row in rows])
            self.conn.execute("COMMIT")
        except BaseException as exc:
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"写入本地数据库 {self.path} 失败，已回滚，整改台账未改变：{_sqlite_reason(exc)}") from exc
            raise

    def load_records(self) -> list[Submission]:
        """The submissions (the name the load log had before submissions were kept)."""
        return self.submissions()

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
                        Origin(same(file, file), row, NO_CELLS, NO_CELLS) if file else None)
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
                     same(source, source), Origin(same(file, file), row, NO_CELLS, NO_CELLS) if file else None)
            for t, f, to, role, since, until, source, file, row in rows
        ]


SHANGHAI = ZoneInfo("Asia/Shanghai")


class _WriteView:
    """The current graph inside the write transaction, read piece by piece for a `Window`
    (store/window.py), remembering the rowid of every row read so that only the
    difference is written."""

    def __init__(self, store: SqliteStore):
        self.store = store
        self._entities: dict[str, tuple[int, Entity]] = {}
        self._relations: dict[int, Relation] = {}
        self._complete: set[str] | None = set()
        self._looked_up: set[str] = set()
        self._graph = None  # (what had been read, the graph of it), while nothing more is

    @property
    def complete(self) -> set[str] | None:
        return self._complete

    def entities_by_id(self, ids) -> dict[str, Entity]:
        wanted = set(ids)
        missing = sorted(wanted - self._looked_up - self._entities.keys())
        conn = self.store.conn
        for chunk in _chunks(missing):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT rowid, {_ENTITY_COLUMNS} FROM entities"
                                f" WHERE id IN ({marks}) AND removed IS NULL", chunk).fetchall()
            decoded = SqliteStore._entities([r[1:] for r in rows])
            self._entities.update((r[1], (r[0], decoded[r[1]])) for r in rows)
        self._looked_up.update(missing)
        return {i: self._entities[i][1] for i in wanted if i in self._entities}

    def relations_touching(self, ids) -> list[Relation]:
        wanted = set(ids)
        if self._complete is None:
            found = [r for r in self._relations.values() if r.from_id in wanted or r.to_id in wanted]
            return found
        conn = self.store.conn
        for chunk in _chunks(sorted(wanted - self._complete)):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT rowid, {_RELATION_COLUMNS} FROM relations"
                f" WHERE (from_id IN ({marks}) OR to_id IN ({marks})) AND removed IS NULL",
                [*chunk, *chunk]).fetchall()
            fresh = [r for r in rows if r[0] not in self._relations]
            self._relations.update(zip((r[0] for r in fresh), SqliteStore._relations([r[1:] for r in fresh])))
        self._complete |= wanted
        return [r for _, r in sorted(self._relations.items()) if r.from_id in wanted or r.to_id in wanted]

    def whole(self) -> None:
        data, entity_rowids, relation_rowids = self.store._current()
        self._entities = {i: (entity_rowids[i], e) for i, e in data.entities.items()}
        self._relations = dict(zip(relation_rowids, data.relations))
        self._complete = None

    def totals(self) -> tuple[int, int]:
        conn = self.store.conn
        return tuple(conn.execute(f"SELECT count(*) FROM {table} WHERE removed IS NULL").fetchone()[0]
                     for table in ("entities", "relations"))

    def _ends(self) -> None:
        ends = {end for r in self._relations.values() for end in (r.from_id, r.to_id)}
        self.entities_by_id(ends - self._entities.keys())

    def graph(self) -> GraphData:
        if self._graph is None or self._graph[0] != self._read_size():
            self._ends()
            entities = {i: e for i, (_, e) in self._entities.items()}
            relations = [r for _, r in sorted(self._relations.items())]
            context = set() if self._complete is None else set(entities) - self._complete
            self._graph = (self._read_size(), GraphData(entities, relations, context=context))
        return self._graph[1]

    def _read_size(self) -> tuple:
        return (len(self._entities), len(self._relations), None if self._complete is None else len(self._complete))

    def read_so_far(self):
        """`graph()` with the rowids `_write_change` takes."""
        data = self.graph()
        rowids = sorted(self._relations)
        return data, {i: rowid for i, (rowid, _) in self._entities.items()}, rowids


class _At:
    """A store pinned to one submission: the two look-ups `read_scope` asks for."""

    def __init__(self, store: SqliteStore, seq: int):
        self.store, self.seq = store, seq

    def entities_by_id(self, ids):
        return self.store.entities_by_id(ids, load=self.seq)

    def relations_touching(self, ids):
        return self.store.relations_touching(ids, load=self.seq)


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _provenance(origin) -> tuple[str | None, int | None]:
    return (getattr(origin, "file", None), getattr(origin, "row", None))




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
