"""The Neo4j store: the same interface as `SqliteStore`, over the official driver.

Representation (docs/design.md, "Neo4j representation"): one node `:Entity:<Kind>` per
entity with `id`, `name`, its fields (dates as Neo4j `date`, tags as a list) and load
provenance `ledger_file`, `ledger_row`; one relationship per relation, typed with the
Chinese relation name, with `role`, `since`, `until`, `source` and provenance. A value
not given is absent, never null. The load log is `:LoadRecord` nodes.

Every query is a constant with `$parameters`. Cypher cannot parameterise labels and
relationship types, so the per-label and per-type queries are built once, from the
schema's names only (a fixed, trusted set), and each name is checked before use.

`replace_all` is one managed write transaction: delete the old relationships, merge the
new entities by id and create the new relationships in `UNWIND` batches, delete the
entities that are gone, append the load record. If anything fails the transaction is
rolled back and the previous graph stays as it was.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import fields as dataclass_fields
from functools import cache
from importlib import resources
from typing import Any

from neo4j import GraphDatabase, RoutingControl
from neo4j import exceptions as neo4j_errors
from neo4j.time import Date as Neo4jDate

from ..errors import StoreError
from ..graph import Entity, GraphData, Origin, Relation
from ..schema import load_schema
from .base import Build, LoadRecord, Submission, change_counts
from .scope import read_scope

ENTITY_LABEL = "Entity"
DEFAULT_DATABASE = "neo4j"
DEFAULT_USERNAME = "neo4j"
BATCH_SIZE = 5000
_PROVENANCE = ("ledger_file", "ledger_row")
_RELATION_PROPERTIES = ("role", "since", "until", "source")
_LOAD_RECORD_FIELDS = tuple(f.name for f in dataclass_fields(Submission))
# Bolt only: the driver's preview HTTP scheme needs extra packages and another server API.
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

# The driver logs retries and lost connections in English; without a handler Python would
# print them on stderr. Users get one Chinese line instead (an application that configures
# logging still sees them).
logging.getLogger("neo4j").addHandler(logging.NullHandler())

# A label or relationship type is spliced into a query only if it is a schema name and
# a plain identifier (letters, digits, underscore; Chinese letters count as letters).
_IDENTIFIER = re.compile(r"[^\W\d]\w*")

# -- constant queries ----------------------------------------------------------------------
_READ_IDS = """
MATCH (n:Entity)
RETURN n.id AS id
"""

_DELETE_RELATION_BATCH = """
MATCH (:Entity)-[r]->(:Entity)
WHERE type(r) IN $types
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS deleted
"""

_DELETE_ENTITIES = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DETACH DELETE n
RETURN count(*) AS deleted
"""

_ADD_LOAD_RECORD = """
OPTIONAL MATCH (previous:LoadRecord)
WITH coalesce(max(previous.seq), 0) + 1 AS seq
CREATE (record:LoadRecord)
SET record = $record, record.seq = seq
RETURN seq
"""

_READ_ENTITIES = """
MATCH (n:Entity)
RETURN labels(n) AS labels, properties(n) AS props
ORDER BY n.id
"""

_READ_ENTITIES_BY_ID = """
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN labels(n) AS labels, properties(n) AS props
"""

_RELATION_COLUMNS = """
RETURN type(r) AS type, a.id AS from_id, b.id AS to_id, r.role AS role, r.since AS since,
       r.until AS until, r.source AS source, r.ledger_file AS ledger_file, r.ledger_row AS ledger_row
"""

_READ_RELATIONS = """
MATCH (a:Entity)-[r]->(b:Entity)
WHERE type(r) IN $types
""" + _RELATION_COLUMNS

_READ_RELATIONS_TOUCHING = """
MATCH (n:Entity)
WHERE n.id IN $ids
MATCH (n)-[r]-(:Entity)
WITH DISTINCT r
WHERE type(r) IN $types
MATCH (a:Entity)-[r]->(b:Entity)
""" + _RELATION_COLUMNS

_READ_LOAD_RECORDS = """
MATCH (record:LoadRecord)
RETURN properties(record) AS props
ORDER BY record.seq
"""


def _trusted(name: str, allowed: Iterable[str]) -> str:
    """A schema label or relationship type, checked before it is spliced into Cypher."""
    if name not in set(allowed) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a schema name: {name!r}")
    return name


@cache
def _create_entities_query(label: str) -> str:
    # MERGE on the unique id: an entity kept from the previous load is updated in place
    # (all its properties replaced, its kind label set), a new one is created.
    schema_labels = load_schema().entities
    label = _trusted(label, schema_labels)
    others = "".join(f":{_trusted(other, schema_labels)}" for other in schema_labels if other != label)
    return (
        "UNWIND $rows AS row\n"
        f"MERGE (n:{ENTITY_LABEL} {{id: row.id}})\n"
        f"REMOVE n{others}\n"
        f"SET n:{label}, n = row\n"
        "RETURN count(n) AS written"
    )


@cache
def _create_relations_query(rtype: str) -> str:
    # Properties are set one by one (a missing key is null, and setting null stores
    # nothing): with named keys the planner needs no Eager barrier, unlike `SET r = map`.
    rtype = _trusted(rtype, load_schema().relations)
    assignments = ", ".join(f"r.{key} = row.{key}" for key in (*_RELATION_PROPERTIES, *_PROVENANCE))
    return (
        "UNWIND $rows AS row\n"
        "MATCH (a:Entity {id: row.from_id})\n"
        "MATCH (b:Entity {id: row.to_id})\n"
        f"CREATE (a)-[r:{rtype}]->(b)\n"
        f"SET {assignments}\n"
        "RETURN count(r) AS created"
    )


def schema_statements() -> list[str]:
    """The statements of `cypher/schema.cypher`, comments removed, in order."""
    text = resources.files("govgraph.cypher").joinpath("schema.cypher").read_text("utf-8")
    lines = [line.split("//", 1)[0] for line in text.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class _EndpointsMissing(Exception):
    """Raised inside the write transaction: some relations found no endpoint node."""

    def __init__(self, rtype: str, missing: int):
        super().__init__(rtype, missing)
        self.rtype = rtype
        self.missing = missing


class Neo4jStore:
    """A Neo4j database as a govgraph store (see the module docstring)."""

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None,
        database: str = DEFAULT_DATABASE,
        *,
        batch_size: int = BATCH_SIZE,
        password_missing: bool = False,
        **driver_options: Any,
    ):
        self.uri = uri
        self.description = uri
        self.database = database
        self.batch_size = batch_size
        self._password_missing = password_missing
        self._schema_applied = False
        self._schema = load_schema()
        # Stored fields per kind: what an entity's properties are read back as.
        self._fields = {label: tuple(c.name for c in kind.fields) for label, kind in self._schema.entities.items()}
        self._relation_types = sorted(self._schema.relations)
        # No server notifications: the driver would log them in English on the user's terminal.
        options = {"connection_timeout": 15.0, "user_agent": "govgraph",
                   "notifications_min_severity": "OFF", **driver_options}
        invalid = StoreError(f"Neo4j 地址无效（{uri}）：应形如 bolt://主机:端口 或 neo4j://主机:端口")
        if uri.partition("://")[0].lower() not in _SCHEMES or not uri.partition("://")[2]:
            raise invalid
        try:
            self.driver = GraphDatabase.driver(uri, auth=auth, **options)
        except (neo4j_errors.ConfigurationError, ValueError) as exc:
            raise invalid from exc
        try:
            self.driver.verify_connectivity()
        except Exception as exc:
            self.driver.close()
            raise self._error(exc, "connect") from exc

    @classmethod
    def from_settings(cls, uri: str, **options: Any) -> Neo4jStore:
        """Connect with NEO4J_USERNAME (default neo4j), NEO4J_PASSWORD and NEO4J_DATABASE
        (default neo4j) from the environment, read now."""
        user = os.environ.get("NEO4J_USERNAME") or DEFAULT_USERNAME
        password = os.environ.get("NEO4J_PASSWORD")
        database = os.environ.get("NEO4J_DATABASE") or DEFAULT_DATABASE
        auth = (user, password) if password is not None else None
        return cls(uri, auth, database, password_missing=password is None, **options)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- errors ---------------------------------------------------------------------------
    def _error(self, exc: Exception, action: str) -> StoreError:
        """One Chinese line naming the URI and what to check; never the driver's English.

        `action` is connect, schema, read or write."""
        # Never the driver's English nor its class name (ServiceUnavailable …): the
        # exception stays attached (`from exc`) for GOVGRAPH_DEBUG.
        uri = self.uri
        code = getattr(exc, "code", None) or ""
        if isinstance(exc, neo4j_errors.AuthError) or code.startswith("Neo.ClientError.Security.Unauthorized"):
            hint = "（未设置 NEO4J_PASSWORD）" if self._password_missing else ""
            return StoreError(f"Neo4j（{uri}）拒绝登录：请检查 NEO4J_USERNAME 和 NEO4J_PASSWORD{hint}")
        unreachable = isinstance(exc, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError))
        if action == "connect" or (unreachable and action != "write"):
            return StoreError(f"无法连接 Neo4j（{uri}）：请确认服务已启动、地址和端口正确")
        if action == "write" and isinstance(exc, neo4j_errors.IncompleteCommit):
            return StoreError(
                f"写入 Neo4j（{uri}）时连接在提交过程中中断，无法确定是否已写入："
                "请用 history 命令查看最近一次导入记录"
            )
        reason = self._reason(exc)
        if action == "write":
            return StoreError(f"写入 Neo4j（{uri}）失败，已回滚，库中数据未改变：{reason}")
        if action == "schema":
            return StoreError(f"在 Neo4j（{uri}）上建立约束和索引失败，未写入任何数据：{reason}")
        return StoreError(f"读取 Neo4j（{uri}）失败：{reason}")

    def _reason(self, exc: Exception) -> str:
        code = getattr(exc, "code", None) or ""
        if isinstance(exc, _EndpointsMissing):
            return f"有 {exc.missing} 条“{exc.rtype}”关系的起点或终点不在本次写入的实体中"
        if isinstance(exc, neo4j_errors.ConstraintError) or "ConstraintValidationFailed" in code:
            return "实体编号重复，违反唯一性约束（同一编号只能对应一个实体）"
        if isinstance(exc, neo4j_errors.CypherTypeError) or "Statement.TypeError" in code:
            return "有字段的值不是 Neo4j 能保存的类型（只能是文字、数字、日期、是否或它们的列表）"
        if "DatabaseNotFound" in code:
            return f"数据库 {self.database} 不存在：请检查 NEO4J_DATABASE"
        if "Memory" in code:
            return ("整个台账在一个事务中写入，超出了服务器的事务内存上限："
                    "请增大 Neo4j 的堆内存（或 dbms.memory.transaction.total.max）")
        if "Forbidden" in code or isinstance(exc, neo4j_errors.Forbidden):
            return "当前用户没有写入权限：请检查 NEO4J_USERNAME 对应用户的角色"
        if isinstance(exc, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)):
            return "与服务器的连接中断，请确认服务仍在运行"
        if isinstance(exc, neo4j_errors.TransientError):
            return "服务器暂时不可用或事务冲突，多次重试后仍失败"
        if isinstance(exc, neo4j_errors.DatabaseError):
            return "服务器内部错误，请查看 Neo4j 日志"
        if isinstance(exc, neo4j_errors.ClientError):
            return "服务器拒绝了请求，请确认 Neo4j 版本为 5.x"
        return "驱动程序出错"

    def _guard(self, action: str, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except StoreError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, _EndpointsMissing, OSError) as exc:
            raise self._error(exc, action) from exc

    # -- schema ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Apply cypher/schema.cypher (idempotent: IF NOT EXISTS) once per store object."""
        if self._schema_applied:
            return

        def apply() -> None:
            for statement in schema_statements():
                self.driver.execute_query(statement, database_=self.database, routing_=RoutingControl.WRITE)

        self._guard("schema", apply)
        self._schema_applied = True

    # -- writing --------------------------------------------------------------------------
    def replace_all(self, data: GraphData, record: LoadRecord) -> Submission:
        return self.submit(lambda before: data, at=record.at, ledger=record.ledger, mode=record.mode)

    def submit(self, build: Build, *, at: str, ledger: str, mode: str, period: str | None = None,
               scope: str | None = None, on_wait=None) -> Submission:
        self.ensure_schema()

        def work() -> Submission:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(self._submit_tx, build, dict(at=at, ledger=ledger, mode=mode,
                                                                          period=period, scope=scope))

        return self._guard("write", work)

    def _submit_tx(self, tx, build, info) -> Submission:
        before = GraphData(self._entities(list(tx.run(_READ_ENTITIES))),
                           self._relations(list(tx.run(_READ_RELATIONS, types=self._relation_types))))
        data = build(before)
        ids = [e.id for e in data.entities.values()]
        if len(set(ids)) != len(ids):  # MERGE by id would silently fold them into one node
            repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
            raise StoreError(
                f"写入 Neo4j（{self.uri}）失败，库中数据未改变：实体编号重复（{'、'.join(repeated[:5])}）"
            )
        counts = change_counts(before, data)
        entity_batches = self._entity_batches(data.entities.values())
        relation_batches = self._relation_batches(data.relations)
        seq = self._replace_tx(tx, entity_batches, relation_batches, {**info, **counts})
        return Submission(seq=seq, **info, **counts)

    def _replace_tx(self, tx, entity_batches, relation_batches, record_props) -> None:
        """The whole load in the one transaction `tx`: any failure rolls all of it back.

        Order matters for speed, not for the result: deleting nodes early in a large
        transaction makes every later index look-up in it several times slower, so the
        old relationships go first, entities are merged by id, relationships created,
        and only then are the entities that are not in the new graph deleted.
        """
        old_ids = {row["id"] for row in tx.run(_READ_IDS)}
        while True:
            deleted = tx.run(_DELETE_RELATION_BATCH, types=self._relation_types, batch=self.batch_size).single()
            if deleted["deleted"] < self.batch_size:
                break
        new_ids = set()
        for query, rows in entity_batches:
            tx.run(query, rows=rows).consume()
            new_ids.update(row["id"] for row in rows)
        for rtype, query, rows in relation_batches:
            created = tx.run(query, rows=rows).single()["created"]
            if created != len(rows):
                raise _EndpointsMissing(rtype, len(rows) - created)
        for chunk in _chunks(sorted(old_ids - new_ids), self.batch_size):
            tx.run(_DELETE_ENTITIES, ids=chunk).consume()
        return tx.run(_ADD_LOAD_RECORD, record={k: v for k, v in record_props.items() if v is not None}).single()["seq"]

    def _entity_batches(self, entities: Iterable[Entity]) -> list[tuple[str, list[dict]]]:
        by_kind: dict[str, list[dict]] = {}
        for e in entities:
            row = {"id": e.id, "name": e.name}
            row.update((k, v) for k, v in e.attrs.items() if v is not None)
            row.update(_provenance(e.origin))
            by_kind.setdefault(e.kind, []).append(row)
        return [
            (_create_entities_query(kind), chunk)
            for kind, rows in by_kind.items()
            for chunk in _chunks(rows, self.batch_size)
        ]

    def _relation_batches(self, relations: Iterable[Relation]) -> list[tuple[str, str, list[dict]]]:
        by_type: dict[str, list[dict]] = {}
        for r in relations:
            row = {"from_id": r.from_id, "to_id": r.to_id}
            row.update((k, getattr(r, k)) for k in _RELATION_PROPERTIES if getattr(r, k) is not None)
            row.update(_provenance(r.origin))
            by_type.setdefault(r.type, []).append(row)
        return [
            (rtype, _create_relations_query(rtype), chunk)
            for rtype, rows in by_type.items()
            for chunk in _chunks(rows, self.batch_size)
        ]

    # -- reading --------------------------------------------------------------------------
    def _fetch(self, query: str, parameters: dict | None = None) -> list:
        """Records of one read query, run as a managed (retried) read transaction."""

        def work():
            return self.driver.execute_query(
                query, parameters or {}, database_=self.database, routing_=RoutingControl.READ
            ).records

        return self._guard("read", work)

    def run_read(self, query: str, parameters: dict | None = None) -> list[dict]:
        """Run one read query; rows as plain dicts, Neo4j dates as `datetime.date`."""
        return [{k: _native(v) for k, v in record.items()} for record in self._fetch(query, parameters)]

    def read(self, scope: str | None = None, load: int | None = None) -> GraphData:
        if load is not None and load != len(self.submissions()):
            from .base import resolve_load

            resolve_load(self.submissions(), load)
            raise StoreError("Neo4j 暂不支持查看以前的导入")
        if scope is not None:
            return read_scope(self, scope)
        entities = self._entities(self._fetch(_READ_ENTITIES))
        relations = self._relations(self._fetch(_READ_RELATIONS, {"types": self._relation_types}))
        return GraphData(entities, relations)

    def entities_by_id(self, ids: set[str], load: int | None = None) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for chunk in _chunks(sorted(ids), self.batch_size):
            found.update(self._entities(self._fetch(_READ_ENTITIES_BY_ID, {"ids": chunk})))
        return found

    def relations_touching(self, ids: set[str], load: int | None = None) -> list[Relation]:
        """Every relation with either end in `ids`, each once."""
        seen: dict[tuple, Relation] = {}
        for chunk in _chunks(sorted(ids), self.batch_size):
            records = self._fetch(_READ_RELATIONS_TOUCHING, {"ids": chunk, "types": self._relation_types})
            for rel in self._relations(records):
                # A relation with its two ends in different chunks comes back twice.
                seen.setdefault(_full_key(rel), rel)
        return sorted(seen.values(), key=_full_key)

    def submissions(self) -> list[Submission]:
        records = self._fetch(_READ_LOAD_RECORDS)
        return [Submission(**{f: _native(r["props"].get(f)) for f in _LOAD_RECORD_FIELDS}) for r in records]

    load_records = submissions

    def _entities(self, records: list) -> dict[str, Entity]:
        entities = {}
        for labels, props in records:
            kind = next((label for label in labels if label in self._fields), None)
            if kind is None:
                continue  # an :Entity node without a schema label is not govgraph's
            attrs = {name: _native(props[name]) for name in self._fields[kind] if props.get(name) is not None}
            origin = _origin(props.get("ledger_file"), props.get("ledger_row"))
            entities[props["id"]] = Entity(kind, props["id"], props.get("name", ""), attrs, origin)
        return entities

    @staticmethod
    def _relations(records: list) -> list[Relation]:
        return [
            Relation(rtype, from_id, to_id, role, _native(since), _native(until), source, _origin(file, row))
            for rtype, from_id, to_id, role, since, until, source, file, row in records
        ]


def _native(value: Any) -> Any:
    """Neo4j temporal values to Python ones, recursively through lists and maps."""
    if isinstance(value, Neo4jDate):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    return value


def _full_key(r: Relation) -> tuple:
    return (*r.identity, r.until.isoformat() if r.until else "", r.source or "")


def _provenance(origin: Origin | None) -> dict:
    file, row = getattr(origin, "file", None), getattr(origin, "row", None)
    return {k: v for k, v in zip(_PROVENANCE, (file, row)) if v is not None}


def _origin(file: str | None, row: int | None) -> Origin | None:
    return Origin(file, row) if file else None


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["Neo4jStore", "schema_statements"]
