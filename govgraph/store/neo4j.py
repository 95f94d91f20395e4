"""The Neo4j store: the same interface as `SqliteStore`, over the official driver.

Representation (docs/design.md, "Neo4j representation"): one node `:Entity:<Kind>` per
entity with `id`, `name`, its fields (dates as Neo4j `date`, tags as a list) and load
provenance `ledger_file`, `ledger_row`; one relationship per relation, typed with the
Chinese relation name, with `role`, `since`, `until`, `source` and provenance. A value
not given is absent, never null. Submissions are `:Submission` nodes; the current one is
named by the `:SubmissionHead` node.

Every query is a constant with `$parameters`. Cypher cannot parameterise labels and
relationship types, so the per-label and per-type queries are built once, from the
schema's names only (a fixed, trusted set), and each name is checked before use.

A submission (`submit`) is written in batches of `batch_size` rows, each batch its own
transaction, as rows of the next seq that readers at the head do not see; one last
transaction switches the head's `seq`, and that is all it changes. The writer lock is a
transaction held open on the `:SubmissionLock` node for the whole load, so a killed
loader frees it when its connection drops; the next load removes what it left.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from neo4j import GraphDatabase, Query, RoutingControl
from neo4j import exceptions as neo4j_errors
from neo4j.time import Date as Neo4jDate

from ..errors import NotFoundError, StoreError
from ..graph import NO_CELLS, Entity, GraphData, Origin, Relation
from ..schema import load_schema
from .base import Build, LoadRecord, Submission, change_counts, resolve_load
from .scope import read_scope
from .window import Window

ENTITY_LABEL = "Entity"
DEFAULT_DATABASE = "neo4j"
DEFAULT_USERNAME = "neo4j"
BATCH_SIZE = 20_000  # rows per batch transaction
# A torn whole-graph read (see `read`) is read again after 0.05 s, the wait doubling up to
# 1 s, for up to this long; then a Chinese error rather than a torn graph.
TORN_READ_SECONDS = 120.0
_TORN_FIRST_WAIT, _TORN_MAX_WAIT = 0.05, 1.0
_PROVENANCE = ("ledger_file", "ledger_row")
_RELATION_PROPERTIES = ("role", "since", "until", "source")
_SUBMISSION_FIELDS = tuple(f.name for f in dataclass_fields(Submission))
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
# Versioned rows (docs/design.md, "Submissions: system-versioned rows"): every node and
# relationship carries `added` and, once gone, `removed`; the graph as submitted in $seq is
# what this filter lets through. Readers take $seq from the head node in the same
# transaction, so a write not yet switched on (added > head) is invisible.
_VISIBLE = "{v}.added <= $seq AND ({v}.removed IS NULL OR {v}.removed > $seq)"

_READ_HEAD = """
OPTIONAL MATCH (h:SubmissionHead {key: 'head'})
RETURN h.seq AS seq
"""

# A submission is written in batches, each its own transaction, and made visible by a last
# one that changes the head's `seq` only (docs/design.md, "Neo4j representation").
#
# The writer lock is a transaction held open for the whole load on the one
# `:SubmissionLock` node: a second writer's lock statement waits there until the first one
# ends. When a loader dies, the server rolls its open transaction back as the connection
# drops, which frees the lock: a killed load never blocks the next one.
_ENSURE_LOCK = """
MERGE (h:SubmissionHead {key: 'head'})
ON CREATE SET h.seq = 0
MERGE (l:SubmissionLock {key: 'writer'})
"""
_TAKE_LOCK = """
MATCH (l:SubmissionLock {key: 'writer'})
SET l.taken = coalesce(l.taken, 0) + 1
"""
_PROBE_LOCK = """
MATCH (l:SubmissionLock {key: 'writer'})
SET l.taken = l.taken
"""
_PROBE_SECONDS = 1.0

# With the lock held, the writer's token goes on the head (committed). A token found
# there belonged to a load that never finished: its leftovers are cleaned first. Every
# batch checks the token (taking the head's write lock for its own length), so rows are
# never written for a load whose lock was lost to another writer.
_CLAIM_HEAD = """
MATCH (h:SubmissionHead {key: 'head'})
WITH h, h.writer AS stale
SET h.writer = $token
RETURN h.seq AS seq, stale
"""
_CHECK_TOKEN = """
MATCH (h:SubmissionHead {key: 'head'}) WHERE h.writer = $token
SET h.writer = $token
RETURN count(h) AS held
"""
_RELEASE_HEAD = """
MATCH (h:SubmissionHead {key: 'head'}) WHERE h.writer = $token
SET h.writer = null
"""
# The switch: the one visible change of a submission.
_SWITCH_HEAD = """
MATCH (h:SubmissionHead {key: 'head'}) WHERE h.writer = $token AND h.seq = $head
SET h.seq = $seq, h.writer = null
RETURN count(h) AS switched
"""

# Leftovers of a load that did not reach its switch: rows it added are deleted, rows it
# marked removed are current again, its submission node goes. Each in batches of its own
# transactions (the rows are invisible to readers either way).
_CLEANING = (
    """MATCH (:Entity)-[r]->(:Entity) WHERE type(r) IN $types AND r.added > $head
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS""",
    """MATCH (:Entity)-[r]->(:Entity) WHERE type(r) IN $types AND r.removed > $head
CALL (r) { SET r.removed = null } IN TRANSACTIONS OF 20000 ROWS""",
    """MATCH (n:Entity) WHERE n.added > $head
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS""",
    """MATCH (n:Entity) WHERE n.removed > $head
CALL (n) { SET n.removed = null } IN TRANSACTIONS OF 20000 ROWS""",
    """MATCH (s:Submission) WHERE s.seq > $head
DETACH DELETE s""",
)

# Reads return their rows collected into lists, one record per chunk of ids: the driver
# spends about 25 µs of Python on each record (one Bolt message), which made 250,000
# one-relation records cost more client CPU than everything else in a city's read. Relation
# dates come as ISO text (`toString`), parsed once per distinct date (`_day`): hydrating
# half a million `neo4j.time.Date` objects cost ~3 s of CPU more per city.
_READ_IDS = """
MATCH (n:Entity) WHERE """ + _VISIBLE.format(v="n") + """
WITH DISTINCT n.id AS id ORDER BY id
RETURN collect(id) AS ids
"""

_READ_CURRENT_ENTITIES = """
MATCH (n:Entity)
WHERE n.id IN $ids AND """ + _VISIBLE.format(v="n") + """
RETURN collect([elementId(n), labels(n), properties(n)]) AS rows
"""

_MARK_ENTITIES = """
UNWIND $eids AS eid
MATCH (n:Entity) WHERE elementId(n) = eid
SET n.removed = $seq
"""

_MARK_RELATIONS = """
UNWIND $eids AS eid
MATCH ()-[r]->() WHERE elementId(r) = eid
SET r.removed = $seq
"""

_ADD_SUBMISSION = """
CREATE (s:Submission)
SET s = $props
"""

_READ_ENTITIES_BY_ID = """
MATCH (n:Entity)
WHERE n.id IN $ids AND """ + _VISIBLE.format(v="n") + """
WITH n ORDER BY n.id
RETURN collect([labels(n), properties(n)]) AS rows
"""

_RELATION_ROW = ("[type(r), a.id, b.id, r.role, toString(r.since), toString(r.until), r.source, "
                 "r.ledger_file, r.ledger_row]")
_RELATION_COLUMNS = "\nRETURN collect(" + _RELATION_ROW + ") AS rows\n"

# The relations starting at a chunk of ids (every node of those ids, any version: the
# relation's own `added`/`removed` say whether it is in the submission read).
_RELATIONS_FROM = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE type(r) IN $types AND """ + _VISIBLE.format(v="r") + "\n"

_READ_CURRENT_RELATIONS = _RELATIONS_FROM + "RETURN collect([elementId(r)] + " + _RELATION_ROW + ") AS rows\n"

_READ_RELATIONS = _RELATIONS_FROM + _RELATION_COLUMNS

_COUNT_RELATIONS = """
MATCH (:Entity)-[r]->(:Entity)
WHERE type(r) IN $types AND """ + _VISIBLE.format(v="r") + """
RETURN count(r) AS n
"""

_READ_RELATIONS_TOUCHING = """
MATCH (n:Entity)
WHERE n.id IN $ids AND """ + _VISIBLE.format(v="n") + """
MATCH (n)-[r]-(:Entity)
WITH DISTINCT r
WHERE type(r) IN $types AND """ + _VISIBLE.format(v="r") + """
MATCH (a:Entity)-[r]->(b:Entity)
""" + _RELATION_COLUMNS

_READ_SUBMISSIONS = """
MATCH (s:Submission)
RETURN properties(s) AS props
ORDER BY s.seq
"""

# The rectification register (整改台账, §7): one `:RegisterEntry` node per finding key (the
# key's three parts joined in `key`), not versioned: it is what the units reported last.
REGISTER_FIELDS = ("code", "entity_id", "unit_id", "responsible_unit", "measures", "person", "progress",
                   "waiver_reason", "approver", "waiver_expires", "reported_in")
_READ_REGISTER = """
MATCH (r:RegisterEntry)
RETURN properties(r) AS props
ORDER BY r.code, r.entity_id, r.unit_id
"""
_WRITE_REGISTER = """
UNWIND $rows AS row
MERGE (r:RegisterEntry {key: row.key})
SET r = row
"""

# A database written before submissions: `:LoadRecord` nodes and unversioned rows.
_UPGRADE = """
MATCH (n:Entity) WHERE n.added IS NULL SET n.added = 1
WITH count(*) AS entities
CALL { MATCH (:Entity)-[r]->(:Entity) WHERE r.added IS NULL SET r.added = 1 RETURN count(*) AS relations }
OPTIONAL MATCH (old:LoadRecord)
WITH entities, relations, old ORDER BY old.seq DESC LIMIT 1
RETURN entities, relations, old.at AS at, old.ledger AS ledger, old.mode AS mode
"""


def _trusted(name: str, allowed: Iterable[str]) -> str:
    """A schema label or relationship type, checked before it is spliced into Cypher."""
    if name not in set(allowed) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a schema name: {name!r}")
    return name


@cache
def _create_entities_query(label: str) -> str:
    # A new version is a new node (the old one, if any, is marked removed).
    label = _trusted(label, load_schema().entities)
    return (
        "UNWIND $rows AS row\n"
        f"CREATE (n:{ENTITY_LABEL}:{label})\n"
        "SET n = row\n"
        "RETURN collect([n.id, elementId(n)]) AS written"
    )


@cache
def _create_relations_query(rtype: str) -> str:
    # A row is a list [start eid, end eid, role, since, until, source, ledger_file,
    # ledger_row] (cheaper to pack and unpack than a map); properties are set one by one
    # (setting null stores nothing), so the planner needs no Eager barrier.
    rtype = _trusted(rtype, load_schema().relations)
    assignments = ", ".join(f"r.{key} = row[{i}]" for i, key in enumerate((*_RELATION_PROPERTIES, *_PROVENANCE), 2))
    # Between the current versions of its ends (the new one where an entity changed),
    # found by element id (known from the read and from creating them): no index look-up.
    return (
        "UNWIND $rows AS row\n"
        "MATCH (a) WHERE elementId(a) = row[0]\n"
        "MATCH (b) WHERE elementId(b) = row[1]\n"
        f"CREATE (a)-[r:{rtype}]->(b)\n"
        f"SET {assignments}, r.added = $seq\n"
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
        self.torn_read_seconds = TORN_READ_SECONDS
        self._password_missing = password_missing
        self._schema_applied = False
        self._upgraded = False
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

        `action` is connect, schema, read, write or switch (the one transaction of a load
        that readers see)."""
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
        if action == "switch" and isinstance(exc, neo4j_errors.IncompleteCommit):
            # Only the head switch can be in doubt: a batch's rows are invisible until it,
            # so a batch cut off mid-commit left what readers see unchanged.
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
            return ("一批写入超出了服务器的事务内存上限："
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
        """One submission (docs/design.md, "Submissions" and "Neo4j representation"): the
        writer lock taken (a transaction held open on the lock node), a killed load's
        leftovers cleaned, the current graph read and `build(before)` run with the lock
        held, the change written in batches of their own transactions (rows readers at the
        head cannot see), and last the head switched to the new seq in one transaction that
        changes nothing else. A load that fails removes what it wrote; one that is killed
        leaves rows the next load removes. Either way readers never see any of it."""
        if isinstance(build, Window):  # a scoped load: its window run on the whole graph read
            build = build.over
        self.ensure_schema()
        self._upgrade_if_needed()
        info = dict(at=at, ledger=ledger, mode=mode, period=period, scope=scope)

        def work() -> Submission:
            with self.driver.session(database=self.database) as session, \
                    self.driver.session(database=self.database) as lock_session:
                session.execute_write(lambda tx: tx.run(_ENSURE_LOCK).consume())
                if on_wait and self._lock_taken(session):
                    on_wait("数据库正被另一个导入占用，正在等待它完成后再导入……")
                lock = lock_session.begin_transaction()
                try:
                    lock.run(_TAKE_LOCK).consume()  # waits while another writer holds it
                    return self._locked_submit(session, build, info)
                finally:
                    # The lock transaction never changes anything. If the server ended it
                    # already (dropped connection, timeout), the outcome above stands.
                    with contextlib.suppress(neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError):
                        lock.rollback()

        return self._guard("write", work)

    def _locked_submit(self, session, build: Build, info: dict) -> Submission:
        token = uuid.uuid4().hex
        claim = session.execute_write(lambda tx: tx.run(_CLAIM_HEAD, token=token).single())
        head, stale = claim["seq"], claim["stale"]
        if stale is not None:  # a load that never finished: remove what it wrote
            self._clean(session, head)
        try:
            submission = self._write_change(session, token, head, build, info)
        except BaseException:
            try:  # remove what this load wrote now (else the next load will)
                self._clean(session, head)
                session.execute_write(lambda tx: tx.run(_RELEASE_HEAD, token=token).consume())
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise
        try:
            switched = session.execute_write(
                lambda tx: tx.run(_SWITCH_HEAD, token=token, head=head, seq=submission.seq).single()["switched"])
        except neo4j_errors.IncompleteCommit as exc:
            raise self._error(exc, "switch") from exc
        if switched != 1:
            raise StoreError(self._LOCK_LOST.format(uri=self.uri))
        return submission

    _LOCK_LOST = ("写入 Neo4j（{uri}）失败，库中数据未改变：导入过程中写入锁被另一个导入取得"
                  "（本次导入的连接曾中断？），请重新导入")

    def _clean(self, session, head: int) -> None:
        """Remove every row of a submission after `head` (one not switched on)."""
        for query in _CLEANING:
            session.run(query, head=head, types=self._relation_types).consume()

    def _write_change(self, session, token: str, head: int, build: Build, info: dict) -> Submission:
        """Read the graph at `head`, build the new one, and write the change as rows of
        submission head+1, in batches; returns the submission (not yet switched on)."""
        seq = head + 1

        def read_current(tx):
            return (self._collected(tx, _READ_CURRENT_ENTITIES, head),
                    self._collected(tx, _READ_CURRENT_RELATIONS, head, types=self._relation_types))

        entity_records, relation_records = session.execute_read(read_current)
        entities = self._entities([row[1:] for row in entity_records])
        entity_eids = {props["id"]: eid for eid, _, props in entity_records}
        relations = self._relations([row[1:] for row in relation_records])
        before = GraphData(entities, relations)
        data = build(before)
        ids = [e.id for e in data.entities.values()]
        if len(set(ids)) != len(ids):  # two nodes for one id
            repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
            raise StoreError(
                f"写入 Neo4j（{self.uri}）失败，库中数据未改变：实体编号重复（{'、'.join(repeated[:5])}）"
            )
        counts = change_counts(before, data)
        new_entities, gone_entities = [], []
        for e in data.entities.values():
            old = before.entities.get(e.id)
            if old is None or old != e:
                new_entities.append(e)
                if old is not None:
                    gone_entities.append(e.id)
        changed_ids = set(gone_entities)
        gone_entities += sorted(before.entities.keys() - set(ids))
        kept: dict[Relation, list[str]] = {}
        for record, r in zip(relation_records, relations):
            kept.setdefault(r, []).append(record[0])
        new_relations = []
        for r in data.relations:
            eids = kept.get(r)
            # A relation kept unchanged stays, unless an end changed: then it moves to the
            # end's new node (the old relationship removed with the old node).
            if eids and r.from_id not in changed_ids and r.to_id not in changed_ids:
                eids.pop()
            else:
                new_relations.append(r)
        gone_relations = [eid for eids in kept.values() for eid in eids]
        del entities, relations, before, kept, entity_records, relation_records

        # Marks first, so a relation below finds only the new version of a changed end.
        for chunk in _chunks(gone_relations, self.batch_size):
            self._write_batch(session, token, _MARK_RELATIONS, {"eids": chunk, "seq": seq})
        for chunk in _chunks([entity_eids[i] for i in gone_entities], self.batch_size):
            self._write_batch(session, token, _MARK_ENTITIES, {"eids": chunk, "seq": seq})
        # The element id of every current node: kept ones from the read, new ones as created.
        current = {i: eid for i, eid in entity_eids.items() if i not in changed_ids and i in data.entities}
        for query, rows in self._entity_batches(new_entities, seq):
            current.update(self._write_batch(session, token, query, {"rows": rows}))
        missing = Counter(r.type for r in new_relations if r.from_id not in current or r.to_id not in current)
        if missing:  # refused before any relation is written
            rtype, n = min(missing.items())
            raise _EndpointsMissing(rtype, n)
        for rtype, query, rows in self._relation_batches(new_relations, current):
            created = self._write_batch(session, token, query, {"rows": rows, "seq": seq})
            if created != len(rows):
                raise _EndpointsMissing(rtype, len(rows) - created)
        submission = Submission(seq=seq, **info, **counts)
        props = {k: v for k, v in submission.as_row().items() if v is not None}
        self._write_batch(session, token, _ADD_SUBMISSION, {"props": props})
        return submission

    def _write_batch(self, session, token: str, query: str, parameters: dict) -> int | None:
        """One batch in its own (retried) write transaction, after checking this load
        still holds the head; the batch query's single value, if it returns one."""

        def tx_work(tx):
            if tx.run(_CHECK_TOKEN, token=token).single()["held"] != 1:
                raise StoreError(self._LOCK_LOST.format(uri=self.uri))
            records = list(tx.run(query, parameters))
            return records[0][0] if records else None

        return session.execute_write(tx_work)

    def _lock_taken(self, session) -> bool:
        """Whether another writer holds the lock now: a probe that takes the same lock
        in a transaction the server ends after a second (Neo4j has no "lock or fail")."""
        try:
            session.run(Query(_PROBE_LOCK, timeout=_PROBE_SECONDS)).consume()
            return False
        except neo4j_errors.Neo4jError as exc:
            code = exc.code or ""
            # ended by the timeout while waiting for the lock (the code varies by version)
            if any(word in code for word in ("TimedOut", "Timeout", "Terminated", "LockClientStopped")):
                return True
            raise

    def _upgrade_if_needed(self) -> None:
        """A database written before submissions (`:LoadRecord` nodes, no head node)
        becomes submission 1, as an old SQLite file does (docs/design.md)."""
        if self._upgraded:
            return

        def upgrade(tx) -> None:
            if tx.run(_READ_HEAD).single()["seq"] is not None:
                return
            if tx.run("MATCH (n) WHERE n:Entity OR n:LoadRecord RETURN count(n) > 0 AS any").single()["any"]:
                row = tx.run(_UPGRADE).single()
                props = Submission(1, row["at"] or "", row["ledger"] or "升级前的数据", row["mode"] or "replace",
                                   None, None, row["entities"], 0, 0, row["relations"], 0, 0).as_row()
                tx.run(_ADD_SUBMISSION, props={k: v for k, v in props.items() if v is not None}).consume()
                tx.run("MERGE (h:SubmissionHead {key: 'head'}) SET h.seq = 1").consume()

        def work() -> None:
            with self.driver.session(database=self.database) as session:
                if session.execute_read(lambda tx: tx.run(_READ_HEAD).single()["seq"]) is None:
                    session.execute_write(upgrade)

        self._guard("write", work)
        self._upgraded = True

    def _entity_batches(self, entities: Iterable[Entity], seq: int) -> list[tuple[str, list[dict]]]:
        by_kind: dict[str, list[dict]] = {}
        for e in entities:
            row = {"id": e.id, "name": e.name, "added": seq}
            row.update((k, v) for k, v in e.attrs.items() if v is not None)
            row.update(_provenance(e.origin))
            by_kind.setdefault(e.kind, []).append(row)
        return [
            (_create_entities_query(kind), chunk)
            for kind, rows in by_kind.items()
            for chunk in _chunks(rows, self.batch_size)
        ]

    def _relation_batches(self, relations: Iterable[Relation], eids: dict[str, str]) -> list[tuple[str, str, list]]:
        by_type: dict[str, list[list]] = {}
        for r in sorted(relations, key=lambda r: r.from_id):  # a start node's rows together
            file, row = (r.origin.file, r.origin.row) if r.origin else (None, None)
            by_type.setdefault(r.type, []).append(
                [eids[r.from_id], eids[r.to_id], r.role, r.since, r.until, r.source, file, row])
        return [
            (rtype, _create_relations_query(rtype), chunk)
            for rtype, rows in by_type.items()
            for chunk in _chunks(rows, self.batch_size)
        ]

    # -- reading --------------------------------------------------------------------------
    def _read(self, load: int | None, work: Callable[[Any, int], Any]) -> Any:
        """`work(tx, seq)` in one managed read transaction, `seq` the submission read:
        `load`, checked against the head read in the same transaction, or the head."""
        self._upgrade_if_needed()

        def in_tx(tx):
            head = tx.run(_READ_HEAD).single()["seq"] or 0
            if load is None or load == head or 1 <= load < head:
                return work(tx, head if load is None else load)
            resolve_load([s for s in self._submissions(tx) if s.seq <= head], load)  # raises, listing what exists
            raise NotFoundError(f"没有第 {load} 次导入")

        def run():
            with self.driver.session(database=self.database) as session:
                return session.execute_read(in_tx)

        return self._guard("read", run)

    def _fetch(self, query: str, parameters: dict | None = None, load: int | None = None) -> list:
        """Records of one read query, run as a managed (retried) read transaction, with
        `$seq` set to the submission read (unless the parameters give it)."""

        def work(tx, seq):
            return list(tx.run(query, {"seq": seq, **(parameters or {})}))

        return self._read(load, work)

    def run_read(self, query: str, parameters: dict | None = None, load: int | None = None) -> list[dict]:
        """Run one read query; rows as plain dicts, Neo4j dates as `datetime.date`. The
        query sees `$seq`: the head, or `load`, read in the same transaction."""
        return [{k: _native(v) for k, v in record.items()} for record in self._fetch(query, parameters, load)]

    def read(self, scope: str | tuple[str, ...] | None = None, load: int | None = None) -> GraphData:
        if scope is not None:
            seq = self._read(load, lambda tx, seq: seq)
            return read_scope(_At(self, seq), scope)

        def work(tx, seq):
            entities = self._entities(self._collected(tx, _READ_ENTITIES_BY_ID, seq))
            relations = self._relations(self._collected(tx, _READ_RELATIONS, seq, types=self._relation_types))
            if len(relations) != tx.run(_COUNT_RELATIONS, seq=seq, types=self._relation_types).single()["n"]:
                relations.append(None)  # a relation whose start is not in the graph: torn, below
            return GraphData(entities, relations)

        # Neo4j reads are read-committed: a scan that runs while a large transaction commits
        # can see part of it. A submission's rows are written before the transaction that
        # switches the head (which changes that one property), so this should not happen;
        # but if a graph comes back whose relations lack an end, it was torn: read it again,
        # waiting longer each time, and never hand it on.
        deadline = time.monotonic() + self.torn_read_seconds
        wait = _TORN_FIRST_WAIT
        while True:
            data = self._read(load, work)
            if all(r is not None and r.from_id in data.entities and r.to_id in data.entities
                   for r in data.relations):
                return data
            if time.monotonic() + wait > deadline:
                raise StoreError(
                    f"读取 Neo4j（{self.uri}）失败：多次读到的图都不完整（有关系的起点或终点不在图中），"
                    "可能有写入正在进行或库中数据已损坏：请稍后重试，如仍失败请检查数据库"
                )
            time.sleep(wait)
            wait = min(wait * 2, _TORN_MAX_WAIT)

    def entities_by_id(self, ids: set[str], load: int | None = None) -> dict[str, Entity]:
        def work(tx, seq):
            found: dict[str, Entity] = {}
            for chunk in _chunks(sorted(ids), self.batch_size):
                found.update(self._entities(tx.run(_READ_ENTITIES_BY_ID, ids=chunk, seq=seq).single()["rows"]))
            return found

        return self._read(load, work)

    def relations_touching(self, ids: set[str], load: int | None = None) -> list[Relation]:
        """Every relation with either end in `ids`, each once."""

        def work(tx, seq):
            seen: dict[tuple, Relation] = {}
            for chunk in _chunks(sorted(ids), self.batch_size):
                records = tx.run(_READ_RELATIONS_TOUCHING, ids=chunk, types=self._relation_types, seq=seq)
                for rel in self._relations(records.single()["rows"]):
                    # A relation with its two ends in different chunks comes back twice.
                    seen.setdefault(_full_key(rel), rel)
            return [seen[key] for key in sorted(seen)]

        return self._read(load, work)

    def _submissions(self, tx) -> list[Submission]:
        return [Submission(**{f: _native(r["props"].get(f)) for f in _SUBMISSION_FIELDS})
                for r in tx.run(_READ_SUBMISSIONS)]

    def submissions(self) -> list[Submission]:
        """The submissions up to the head (a killed load's node, if any, is not one)."""
        return self._read(None, lambda tx, seq: [s for s in self._submissions(tx) if s.seq <= seq])

    load_records = submissions

    # -- the rectification register -------------------------------------------------------
    def register_rows(self) -> list[dict]:
        """Every register entry (plain values, see `rectify.entry_to_row`), by key."""
        def run():
            records = self.driver.execute_query(_READ_REGISTER, database_=self.database,
                                                routing_=RoutingControl.READ).records
            return [{f: _native(r["props"].get(f)) for f in REGISTER_FIELDS} for r in records]

        return self._guard("read", run)

    def write_register(self, rows: list[dict]) -> None:
        """Store these entries in one write transaction, each replacing the node of its
        key; entries of other keys are kept. A value not given is absent, never null."""
        self.ensure_schema()
        batch = [{"key": register_key(row), **{f: row[f] for f in REGISTER_FIELDS if row.get(f) is not None}}
                 for row in rows]

        def run():
            with self.driver.session(database=self.database) as session:
                session.execute_write(lambda tx: tx.run(_WRITE_REGISTER, rows=batch).consume())

        self._guard("write", run)

    def _collected(self, tx, query: str, seq: int, **parameters) -> list:
        """The rows `query` collects for every entity id in submission `seq`, asked for in
        chunks of ids (id order), one record per chunk."""
        ids = tx.run(_READ_IDS, seq=seq).single()["ids"]
        rows: list = []
        for chunk in _chunks(ids, self.batch_size):
            rows += tx.run(query, ids=chunk, seq=seq, **parameters).single()["rows"]
        return rows

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
            Relation(rtype, from_id, to_id, role, _day(since), _day(until), source, _origin(file, row))
            for rtype, from_id, to_id, role, since, until, source, file, row in records
        ]


class _At:
    """A store pinned to one submission: the two look-ups `read_scope` asks for."""

    def __init__(self, store: Neo4jStore, seq: int):
        self.store, self.seq = store, seq

    def entities_by_id(self, ids):
        return self.store.entities_by_id(ids, load=self.seq or None)

    def relations_touching(self, ids):
        return self.store.relations_touching(ids, load=self.seq or None)


@lru_cache(maxsize=1 << 16)  # a ledger has a few thousand distinct dates
def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _native(value: Any) -> Any:
    """Neo4j temporal values to Python ones, recursively through lists and maps."""
    if isinstance(value, Neo4jDate):
        return value.to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    return value


def register_key(row: dict) -> str:
    """One string for a finding key (code, entity_id, unit_id): the node's merge key."""
    return "\x1f".join((row["code"], row["entity_id"], row.get("unit_id") or ""))


def _full_key(r: Relation) -> tuple:
    return (*r.identity, r.until.isoformat() if r.until else "", r.source or "")


def _provenance(origin: Origin | None) -> dict:
    file, row = getattr(origin, "file", None), getattr(origin, "row", None)
    return {k: v for k, v in zip(_PROVENANCE, (file, row)) if v is not None}


def _origin(file: str | None, row: int | None) -> Origin | None:
    return Origin(file, row, NO_CELLS, NO_CELLS) if file else None


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["Neo4jStore", "schema_statements"]
