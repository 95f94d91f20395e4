"""Submissions (domain.md §7) on the embedded store: every load kept as system-versioned
rows, `--load N` / `--period P` on the reading commands, `history`, the upgrade of a file
written before submissions, and a writer that finds the store busy."""

from __future__ import annotations

import json
import sqlite3

import pytest

from govgraph.cli.main import cli
from govgraph.ledger import read_ledger
from govgraph.loading import load_ledger
from govgraph.store.base import Submission
from govgraph.store.sqlite import SqliteStore
from small_ledger import SMALL

# The second period: C5 added to M2 (one entity, its undated 隶属 one relation), C4's
# households changed, P1's 覆盖 of C1 withdrawn (so C1 goes from 单独建 to 空白).
SECOND = {
    **SMALL,
    "compounds.csv": SMALL["compounds.csv"].replace("C4,城阳新苑,M2,300", "C4,城阳新苑,M2,301")
    + "        C5,海悦花园,M2,200,商品房,否,\n",
    "relations.csv": SMALL["relations.csv"].replace("        覆盖,P1,C1,,2021,,城阳党建〔2021〕3号\n", ""),
}


@pytest.fixture
def two_periods(run, make_ledger):
    assert run("load", "--period", "2026Q1", str(make_ledger(SMALL))).exit_code == 0
    assert run("load", "--period", "2026Q2", str(make_ledger(SECOND))).exit_code == 0
    return run


def _statuses(run, *args):
    result = run("coverage", "--level", "compound", "--as-of", "2024-04-30", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {r["id"]: r["status"] for r in json.loads(result.stdout)}


def test_load_and_period_give_the_earlier_answers(two_periods):
    first = {"C1": "单独建", "C2": "空白", "C3": "空白", "C4": "空白", "F1": "空白"}
    second = {**first, "C1": "空白", "C5": "空白"}
    assert _statuses(two_periods) == second
    assert _statuses(two_periods, "--load", "2") == second
    assert _statuses(two_periods, "--load", "1") == first
    assert _statuses(two_periods, "--period", "2026Q1") == first
    assert _statuses(two_periods, "--period", "2026Q2") == second
    # the scoped read and the per-entity look-ups see the same submission
    scoped = two_periods("coverage", "--level", "compound", "--scope", "M2", "--load", "1", "--format", "json")
    assert sorted(r["id"] for r in json.loads(scoped.stdout) if r["kind"] == "Compound") == ["C3", "C4"]
    shown = json.loads(two_periods("show", "C4", "--load", "1", "--format", "json").stdout)
    assert shown["fields"]["households"] == 300
    shown = json.loads(two_periods("show", "C4", "--format", "json").stdout)
    assert shown["fields"]["households"] == 301
    assert two_periods("show", "C5", "--load", "1").exit_code != 0
    assert two_periods("show", "C5", "--load", "2").exit_code == 0


def test_export_of_an_earlier_submission_round_trips(two_periods, tmp_path, db_path):
    assert two_periods("export", "--load", "1", str(tmp_path / "out")).exit_code == 0
    store = SqliteStore(db_path)
    try:
        assert read_ledger(tmp_path / "out").data.same_content(store.read(load=1))
        assert not store.read(load=1).same_content(store.read())
    finally:
        store.close()


def test_history_lists_submissions_with_the_section_6_keys(two_periods):
    rows = json.loads(two_periods("history", "--format", "json").stdout)
    assert [list(r) for r in rows] == [[
        "seq", "at", "ledger", "mode", "period", "scope", "entities_added", "entities_changed", "entities_removed",
        "relations_added", "relations_changed", "relations_removed"]] * 2
    assert [(r["seq"], r["mode"], r["period"], r["scope"]) for r in rows] == [
        (1, "replace", "2026Q1", None), (2, "replace", "2026Q2", None)]
    counts = [rows[1][k] for k in list(rows[1])[6:]]
    assert counts == [1, 1, 0, 1, 0, 1]  # C5; C4; C5's 隶属; P1's 覆盖 of C1
    table = two_periods("history").stdout
    assert "报送序号" in table and "期别" in table and "2026Q2" in table


def test_unknown_load_or_period_is_a_chinese_error_listing_what_exists(two_periods):
    result = two_periods("coverage", "--load", "9")
    assert result.exit_code != 0
    assert "没有第 9 次导入：现有第 1 至第 2 次" in result.stderr
    result = two_periods("orphans", "--period", "2030")
    assert "没有期别为 2030 的导入：现有期别 2026Q1、2026Q2" in result.stderr
    result = two_periods("audit", "--load", "1", "--period", "2026Q1")
    assert "--load 和 --period 只能给一个" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_every_command_that_reads_the_graph_takes_load_and_period():
    reading = ["coverage", "orphans", "show", "audit", "indicators", "trend", "cross", "parttime", "person",
               "path", "plan", "chart", "report", "export"]
    for name in reading:
        options = {o for p in cli.commands[name].params for o in p.opts}
        assert {"--load", "--period"} <= options, name


def test_storage_grows_with_the_change_only(store, make_ledger, db_path):
    path = make_ledger(SMALL)
    for _ in range(3):
        load_ledger(store, path)
    rows = sqlite3.connect(db_path).execute("SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM relations)")
    assert rows.fetchone() == (15, 19)  # three identical submissions: the rows of one
    load_ledger(store, make_ledger(SECOND))
    conn = sqlite3.connect(db_path)
    # C4 changed (old row kept, marked removed) and C5 added; one relation each way
    assert conn.execute("SELECT count(*), count(removed) FROM entities").fetchone() == (17, 1)
    assert conn.execute("SELECT count(*), count(removed) FROM relations").fetchone() == (20, 1)
    assert [s.seq for s in store.submissions()] == [1, 2, 3, 4]
    assert store.read(load=2).same_content(read_ledger(path).data)


def test_merges_are_computed_on_the_graph_as_stored_when_writing(store, make_ledger):
    load_ledger(store, make_ledger(SMALL))
    one = make_ledger({"compounds.csv": "id,name,community_id\nC5,海悦花园,M2"})
    two = make_ledger({"compounds.csv": "id,name,community_id\nC6,海景花园,M1"})
    load_ledger(store, one, mode="merge")
    record = load_ledger(store, two, mode="merge").record
    assert {"C5", "C6"} <= store.read().entities.keys()
    assert (record.seq, record.entities_added, record.relations_added) == (3, 1, 1)


OLD_DDL = """
CREATE TABLE entities (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, attrs TEXT NOT NULL,
    ledger_file TEXT, ledger_row INTEGER
);
CREATE TABLE relations (
    type TEXT NOT NULL, from_id TEXT NOT NULL, to_id TEXT NOT NULL, role TEXT,
    since TEXT, until TEXT, source TEXT, ledger_file TEXT, ledger_row INTEGER
);
CREATE INDEX relations_from ON relations(from_id);
CREATE INDEX relations_to ON relations(to_id);
CREATE TABLE loads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, ledger TEXT, mode TEXT,
    entities_added INTEGER, entities_changed INTEGER, entities_removed INTEGER,
    relations_added INTEGER, relations_changed INTEGER, relations_removed INTEGER
);
"""


def test_a_store_file_from_before_submissions_upgrades_itself(tmp_path, make_ledger):
    """The file layout main wrote before submissions: entities keyed by id, a `loads` log."""
    path = tmp_path / "old.sqlite"
    ledger = read_ledger(make_ledger(SMALL)).data
    conn = sqlite3.connect(path)
    conn.executescript(OLD_DDL)
    conn.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", [
        (e.id, e.kind, e.name, json.dumps({k: v.isoformat() if hasattr(v, "isoformat") else v
                                           for k, v in e.attrs.items()}, ensure_ascii=False), "x.csv", 2)
        for e in ledger.entities.values()])
    conn.executemany("INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (r.type, r.from_id, r.to_id, r.role, r.since and r.since.isoformat(), r.until and r.until.isoformat(),
         r.source, None, None) for r in ledger.relations])
    conn.executemany("INSERT INTO loads (at, ledger, mode, entities_added, entities_changed, entities_removed,"
                     " relations_added, relations_changed, relations_removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [("2026-01-05T09:00:00+08:00", "旧台账", "replace", 15, 0, 0, 19, 0, 0),
                      ("2026-02-05T09:00:00+08:00", "旧台账2", "merge", 0, 1, 0, 0, 0, 0)])
    conn.commit()
    conn.close()
    store = SqliteStore(path)
    try:
        assert store.read().same_content(ledger)
        assert store.submissions() == [
            Submission(1, "2026-02-05T09:00:00+08:00", "旧台账2", "merge", None, None, 15, 0, 0, 19, 0, 0)]
        record = load_ledger(store, make_ledger(SECOND), period="2026Q2").record
        assert record.seq == 2 and (record.entities_added, record.entities_changed) == (1, 1)
        assert store.read(load=1).same_content(ledger)
        assert store.read(load=2).same_content(read_ledger(make_ledger(SECOND)).data)
    finally:
        store.close()
    again = SqliteStore(path)  # opening an upgraded file again changes nothing
    assert [s.seq for s in again.submissions()] == [1, 2]
    again.close()


def test_a_writer_that_finds_the_store_busy_says_so(two_periods, db_path, make_ledger, monkeypatch):
    from govgraph.store import sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "WAIT_SECONDS", 1)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the store
    try:
        result = two_periods("load", "--merge", str(make_ledger({"compounds.csv": "id,name\nC7,新小区"})))
        # reads go on meanwhile (WAL)
        assert _statuses(two_periods)["C1"] == "空白"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code != 0
    assert result.stderr.splitlines() == [
        "数据库正被另一个导入占用，正在等待它完成后再导入……",
        "数据库正被另一个导入占用，等待 1 秒仍未完成，本次未导入：请稍后再试",
    ]
    assert len(json.loads(two_periods("history", "--format", "json").stdout)) == 2
