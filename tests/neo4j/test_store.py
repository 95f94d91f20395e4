"""Neo4jStore against a real Neo4j server: the same answers as SqliteStore, loads that land
whole or not at all, and one clear Chinese line when the server cannot be used."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from govgraph.cli.main import cli

from govgraph.errors import NotFoundError, StoreError
from govgraph.graph import Entity, GraphData, Relation
from govgraph.store import open_store
from govgraph.store.base import LoadRecord
from govgraph.store.neo4j import Neo4jStore
from govgraph.store.sqlite import SqliteStore


@pytest.fixture
def sqlite_of(tmp_path):
    """sqlite_of(data) -> a SqliteStore holding `data` (the reference implementation)."""
    stores = []

    def make(data, name="ref"):
        store = SqliteStore(tmp_path / f"{name}{len(stores)}.sqlite")
        store.replace_all(data, _record(name))
        stores.append(store)
        return store

    yield make
    for s in stores:
        s.close()


def _record(name="test", **changes):
    return replace(LoadRecord("2024-06-30T12:00:00+08:00", name, "replace", 1, 2, 3, 4, 5, 6), **changes)


SMALL = "core" if (Path(__file__).resolve().parents[1] / "acceptance" / "core" / "ledger").is_dir() else "gen1"


def _origins(data: GraphData):
    return ({i: (e.origin.file, e.origin.row) for i, e in data.entities.items() if e.origin},
            sorted((r.identity, r.origin.file, r.origin.row) for r in data.relations if r.origin))


# -- round trip ---------------------------------------------------------------------------------
def test_round_trip_equals_sqlite(loaded, ledgers, sqlite_of, small_ledger):
    data = ledgers(small_ledger)
    back = loaded(small_ledger).read()
    reference = sqlite_of(data).read()
    assert back.same_content(reference)
    assert back.same_content(data)
    assert _origins(back) == _origins(reference), "ledger file and row survive the round trip"
    assert back.context == set()


def test_values_come_back_typed(loaded, ledgers):
    """Dates as datetime.date, counts as int, flags as bool, tags as a list, absent as absent."""
    data = ledgers("gen1")
    back = loaded("gen1").read()
    for entity in back.entities.values():
        for key, value in entity.attrs.items():
            assert value is not None
            assert type(value) is type(data.entities[entity.id].attrs[key]), (entity.id, key)
    since = [r.since for r in back.relations if r.since]
    assert since and all(type(d) is date for d in since)


def test_dates_are_stored_as_neo4j_dates(loaded, neo4j_db):
    loaded("gen1")
    kinds = neo4j_db.driver.execute_query(
        "MATCH ()-[r]->() WHERE r.since IS NOT NULL RETURN DISTINCT valueType(r.since) AS t", database_="neo4j"
    ).records
    assert [r["t"] for r in kinds] == ["DATE NOT NULL"]
    nulls = neo4j_db.count("MATCH (n:Entity) WHERE any(k IN keys(n) WHERE n[k] IS NULL) RETURN count(n)")
    assert nulls == 0


def test_scoped_reads_equal_sqlite(loaded, ledgers, sqlite_of, small_ledger):
    data = ledgers(small_ledger)
    store, reference = loaded(small_ledger), sqlite_of(data)
    units = sorted(e.id for e in data.entities.values() if e.kind in ("Street", "Community"))
    for unit in units[:: max(1, len(units) // 6)]:  # half a dozen streets and communities
        got, want = store.read(unit), reference.read(unit)
        assert got.same_content(want), unit
        assert got.context == want.context, unit


def test_scope_not_found(loaded):
    with pytest.raises(NotFoundError):
        loaded("gen1").read("没有这个编号")


def test_lookups_equal_sqlite(loaded, ledgers, sqlite_of):
    data = ledgers("gen1")
    store, reference = loaded("gen1"), sqlite_of(data)
    ids = set(sorted(data.entities)[::7]) | {"missing-id"}
    assert store.entities_by_id(ids) == reference.entities_by_id(ids)
    touching, want = store.relations_touching(ids), reference.relations_touching(ids)
    assert len(touching) == len({r.identity for r in touching}), "each relation once"
    assert sorted(r.identity for r in touching) == sorted(r.identity for r in want)
    assert GraphData({}, touching).same_content(GraphData({}, want))


def test_relations_touching_across_batches(clean_store):
    """A relation whose two ends fall in different look-up batches comes back once."""
    people = {f"P{i}": Entity("Person", f"P{i}", f"人{i}") for i in range(6)}
    compound = {"C1": Entity("Compound", "C1", "小区")}
    relations = [Relation("居住", f"P{i}", "C1") for i in range(6)]
    clean_store.replace_all(GraphData({**people, **compound}, relations), _record())
    clean_store.batch_size = 2
    got = clean_store.relations_touching(set(people) | {"C1"})
    assert sorted(r.from_id for r in got) == sorted(people)


# -- load log and replacing ---------------------------------------------------------------------
def test_load_records_in_order(clean_store, ledgers):
    first, second = _record("第一次"), _record("第二次", mode="merge", entities_added=7)
    tiny = GraphData({"X": Entity("District", "X", "区")})
    clean_store.replace_all(ledgers(SMALL), first)
    clean_store.replace_all(tiny, second)
    # The counts are those of the change that landed, whatever the record said.
    records = clean_store.load_records()
    assert [(r.seq, r.ledger, r.mode) for r in records] == [(1, "第一次", "replace"), (2, "第二次", "merge")]
    assert records[1].entities_added == 1 and records[1].entities_removed == len(ledgers(SMALL).entities)
    assert clean_store.read().same_content(tiny)
    assert clean_store.read(load=1).same_content(ledgers(SMALL))


def test_replace_changes_kind_fields_and_drops_the_rest(clean_store, neo4j_db):
    """An id that changes kind has one current node with one kind label; removed fields,
    entities and relations are gone from the current graph (their versions are kept)."""
    before = GraphData(
        {
            "X1": Entity("Compound", "X1", "甲小区", {"households": 10, "complex": True}),
            "X2": Entity("Firm", "X2", "乙公司", {"party_members": 2}),
            "X3": Entity("Person", "X3", "张三", {"tags": ["退役军人"], "party_status": "正式党员"}),
        },
        [Relation("服务", "X2", "X1", "专业物业", date(2020, 1, 1), date(2021, 12, 31), "合同")],
    )
    after = GraphData(
        {
            "X1": Entity("Compound", "X1", "甲小区（更名）", {"households": 12}),
            "X2": Entity("Person", "X2", "原公司编号的人", {}),
        },
        [Relation("居住", "X2", "X1", since=date(2022, 1, 1))],
    )
    clean_store.replace_all(before, _record("before"))
    clean_store.replace_all(after, _record("after"))
    assert clean_store.read().same_content(after)
    labels = neo4j_db.driver.execute_query(
        "MATCH (n:Entity {id: 'X2'}) WHERE n.removed IS NULL RETURN labels(n) AS l", database_="neo4j"
    ).records
    assert [sorted(r["l"]) for r in labels] == [["Entity", "Person"]]
    current = neo4j_db.driver.execute_query(
        "MATCH (n:Entity) WHERE n.removed IS NULL RETURN count(n) AS n", database_="neo4j").records[0]["n"]
    assert current == 2
    assert clean_store.read(load=1).same_content(before)


def test_empty_graph(clean_store):
    clean_store.replace_all(GraphData(), _record())
    assert clean_store.read().same_content(GraphData())
    assert len(clean_store.load_records()) == 1


# -- failures leave the previous graph intact ---------------------------------------------------
def _assert_unchanged(store, data, records):
    assert store.read().same_content(data)
    assert store.load_records() == records
    # What the failed load had written in its batches is gone already, and the head is free.
    left = store.driver.execute_query(
        "MATCH (h:SubmissionHead) "
        "CALL (h) { MATCH (n:Entity) WHERE n.added > h.seq OR n.removed > h.seq RETURN count(n) AS nodes } "
        "CALL (h) { MATCH ()-[r]->() WHERE r.added > h.seq OR r.removed > h.seq RETURN count(r) AS rels } "
        "CALL (h) { MATCH (s:Submission) WHERE s.seq > h.seq RETURN count(s) AS subs } "
        "RETURN nodes, rels, subs, h.writer AS writer", database_="neo4j").records
    assert [tuple(r.values()) for r in left] == [(0, 0, 0, None)]


def test_failing_load_midway_leaves_previous_graph(clean_store, ledgers):
    """The server refuses a row of a late batch (a value Neo4j cannot store): earlier
    batches were already committed, as rows readers cannot see, and are removed again."""
    old = ledgers(SMALL)
    clean_store.replace_all(old, _record("old"))
    records = clean_store.load_records()

    new = ledgers("gen1")
    people = [e for e in new.entities.values() if e.kind == "Person"]
    last = people[-1]
    bad = replace(last, attrs={**last.attrs, "tags": [{"嵌套": 1}]})  # a map inside a list
    broken = GraphData({**new.entities, last.id: bad}, new.relations)
    clean_store.batch_size = 500  # many batches before the bad one
    with pytest.raises(StoreError) as failure:
        clean_store.replace_all(broken, _record("broken"))
    message = str(failure.value)
    assert message == (
        f"写入 Neo4j（{clean_store.uri}）失败，已回滚，库中数据未改变："
        "有字段的值不是 Neo4j 能保存的类型（只能是文字、数字、日期、是否或它们的列表）"
    )
    _assert_unchanged(clean_store, old, records)


def test_duplicate_ids_are_refused(clean_store, ledgers):
    old = ledgers(SMALL)
    clean_store.replace_all(old, _record("old"))
    records = clean_store.load_records()
    new = ledgers("gen1")
    person = next(e for e in new.entities.values() if e.kind == "Person")
    broken = GraphData({**new.entities, "another key": Entity("Person", person.id, "重复编号的人")}, new.relations)
    with pytest.raises(StoreError) as failure:
        clean_store.replace_all(broken, _record("broken"))
    assert str(failure.value) == f"写入 Neo4j（{clean_store.uri}）失败，库中数据未改变：实体编号重复（{person.id}）"
    _assert_unchanged(clean_store, old, records)


def test_uniqueness_constraint_is_in_place(clean_store, neo4j_db):
    """Applied before the first write (cypher/schema.cypher), idempotently. Entity ids are
    unique among current nodes only (versions share an id), which govgraph checks itself."""
    clean_store.replace_all(GraphData(), _record())
    clean_store.ensure_schema()
    constraints = neo4j_db.driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type RETURN *", database_="neo4j").records
    found = [(r["labelsOrTypes"], r["properties"], r["type"]) for r in constraints]
    assert (["SubmissionHead"], ["key"], "UNIQUENESS") in found
    assert (["Entity"], ["id"], "UNIQUENESS") not in found


def test_relation_to_missing_entity_rolls_back(clean_store, ledgers):
    old = ledgers(SMALL)
    clean_store.replace_all(old, _record("old"))
    records = clean_store.load_records()
    new = ledgers("gen1")
    broken = GraphData(new.entities, [*new.relations, Relation("居住", "不存在的人", next(iter(new.entities)))])
    with pytest.raises(StoreError) as failure:
        clean_store.replace_all(broken, _record("broken"))
    assert "已回滚，库中数据未改变" in str(failure.value)
    assert "不在本次写入的实体中" in str(failure.value)
    _assert_unchanged(clean_store, old, records)


# -- connection errors ----------------------------------------------------------------------------
def test_wrong_password(neo4j_server, monkeypatch):
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password + "-wrong")
    with pytest.raises(StoreError) as failure:
        Neo4jStore.from_settings(neo4j_server.uri)
    assert str(failure.value) == (
        f"Neo4j（{neo4j_server.uri}）拒绝登录：请检查 NEO4J_USERNAME 和 NEO4J_PASSWORD"
    )


def test_nothing_listening(monkeypatch):
    with socket.socket() as s:  # a port that was free a moment ago and that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    with pytest.raises(StoreError) as failure:
        Neo4jStore.from_settings(uri)
    assert str(failure.value) == f"无法连接 Neo4j（{uri}）：请确认服务已启动、地址和端口正确"


def test_bad_uri(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    with pytest.raises(StoreError) as failure:
        Neo4jStore.from_settings("http://127.0.0.1:7474")
    assert str(failure.value) == "Neo4j 地址无效（http://127.0.0.1:7474）：应形如 bolt://主机:端口 或 neo4j://主机:端口"


def test_unknown_database(neo4j_env, monkeypatch):
    monkeypatch.setenv("NEO4J_DATABASE", "nosuchdb")
    store = Neo4jStore.from_settings(neo4j_env.uri)
    try:
        with pytest.raises(StoreError) as failure:
            store.read()
    finally:
        store.close()
    assert "数据库 nosuchdb 不存在：请检查 NEO4J_DATABASE" in str(failure.value)


def test_open_store_picks_neo4j_from_the_environment(neo4j_env, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", neo4j_env.uri)
    store = open_store()
    try:
        assert isinstance(store, Neo4jStore) and store.description == neo4j_env.uri
    finally:
        store.close()


# -- the CLI on Neo4j gives what it gives on SQLite -----------------------------------------------
@pytest.mark.parametrize("cli_ledger", ["demo", "core"])
def test_cli_on_neo4j_equals_cli_on_sqlite(neo4j_db, neo4j_env, ledger_paths, tmp_path, monkeypatch, cli_ledger):
    """Every audit command prints exactly the same text on both stores, and the
    server-side Cypher coverage equals the mirror's."""
    neo4j_db.wipe()
    monkeypatch.delenv("GOVGRAPH_DEBUG", raising=False)
    ledger = ledger_paths[cli_ledger]
    runner = CliRunner()
    on_neo4j = ["--neo4j-uri", neo4j_env.uri]
    on_sqlite = ["--db", str(tmp_path / "cli.sqlite")]
    for target in (on_neo4j, on_sqlite):
        result = runner.invoke(cli, [*target, "load", str(ledger)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    ids = ["C-QTC", "M-QT", "U-MAYL", "F-JH"] if cli_ledger == "demo" else ["C1", "M1", "U1", "F1"]
    commands = [["coverage", "--level", "compound"], ["coverage", "--level", "street"],
                ["coverage", "--level", "community"], ["orphans"], ["audit"], ["cross"], ["indicators"],
                ["coverage", "--level", "compound", "--scope", ids[1]]]
    commands += [["show", i, "--all"] for i in ids]
    for day in ("2023-06-01", "2026-11-23"):
        for command in commands:
            for fmt in ("table", "json"):
                args = [*command, "--as-of", day, "--format", fmt]
                got = runner.invoke(cli, [*on_neo4j, *args], catch_exceptions=False)
                want = runner.invoke(cli, [*on_sqlite, *args], catch_exceptions=False)
                assert got.exit_code == want.exit_code == 0, (args, got.output)
                assert got.stdout == want.stdout, args
        for level in ("compound", "street", "community"):
            args = ["coverage", "--level", level, "--as-of", day, "--format", "json"]
            server = runner.invoke(cli, [*on_neo4j, *args, "--server-side"], catch_exceptions=False)
            mirror = runner.invoke(cli, [*on_sqlite, *args], catch_exceptions=False)
            assert server.exit_code == 0, server.output
            assert json.loads(server.stdout) == json.loads(mirror.stdout), level
    neo4j_db.loaded = None


def test_cli_reports_an_unreachable_server_in_one_line(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    result = CliRunner().invoke(cli, ["--neo4j-uri", f"bolt://127.0.0.1:{port}", "history"])
    assert result.exit_code == 1
    assert result.output.strip() == f"无法连接 Neo4j（bolt://127.0.0.1:{port}）：请确认服务已启动、地址和端口正确"


def test_records_survive_as_given(clean_store):
    rec = replace(_record("台账.xlsx"), at="2025-01-02T03:04:05+08:00")
    clean_store.replace_all(GraphData(), rec)
    assert [(r.seq, r.at, r.ledger, r.mode) for r in clean_store.load_records()] == [(1, rec.at, rec.ledger, rec.mode)]


def test_a_batch_cut_off_mid_commit_is_reported_as_nothing_changed(clean_store, ledgers, monkeypatch):
    """A batch's rows are invisible until the head switch, so a connection lost while one
    commits (IncompleteCommit) leaves readers on the previous submission, and the message
    says so rather than 'cannot tell whether it was written' (which only the switch can be)."""
    from neo4j import exceptions as neo4j_errors

    clean_store.replace_all(ledgers(SMALL), _record("第一次"))
    real, calls = Neo4jStore._write_batch, []

    def cut_off(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise neo4j_errors.IncompleteCommit("connection lost during commit")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Neo4jStore, "_write_batch", cut_off)
    tiny = GraphData({"X": Entity("District", "X", "区")})
    with pytest.raises(StoreError) as raised:
        clean_store.replace_all(tiny, _record("第二次"))
    assert "已回滚，库中数据未改变" in str(raised.value) and "无法确定" not in str(raised.value)
    monkeypatch.undo()
    assert [r.seq for r in clean_store.load_records()] == [1]
    assert clean_store.read().same_content(ledgers(SMALL))
    clean_store.replace_all(tiny, _record("第三次"))  # and the next load works
    assert clean_store.read().same_content(tiny)
