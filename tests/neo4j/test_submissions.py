"""Submissions on the real Neo4j server (domain.md §7): versioned nodes and relationships,
`--load N` / `--period P` on the Python and the server-side paths, merges computed with
the head locked, and the upgrade of a database written before submissions."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from govgraph.cli.main import cli
from govgraph.ledger import read_ledger
from govgraph.loading import load_ledger
from govgraph.store.neo4j import Neo4jStore
from small_ledger import SMALL

# As in tests/test_submissions.py: C5 added, C4 changed, P1's 覆盖 of C1 withdrawn.
SECOND = {
    **SMALL,
    "compounds.csv": SMALL["compounds.csv"].replace("C4,城阳新苑,M2,300", "C4,城阳新苑,M2,301")
    + "        C5,海悦花园,M2,200,商品房,否,\n",
    "relations.csv": SMALL["relations.csv"].replace("        覆盖,P1,C1,,2021,,城阳党建〔2021〕3号\n", ""),
}
FIRST_STATUSES = {"C1": "单独建", "C2": "空白", "C3": "空白", "C4": "空白", "F1": "空白"}
SECOND_STATUSES = {**FIRST_STATUSES, "C1": "空白", "C5": "空白"}


def _write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip("\n") + "\n", encoding="utf-8")
    return folder


def _statuses(runner, uri, *args):
    result = runner.invoke(cli, ["--neo4j-uri", uri, "coverage", "--level", "compound", "--as-of", "2024-04-30",
                                 "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return {r["id"]: r["status"] for r in json.loads(result.stdout)}


def test_load_and_period_on_both_paths(clean_store, neo4j_env, tmp_path):
    uri, runner = neo4j_env.uri, CliRunner()
    for period, files in (("2026Q1", SMALL), ("2026Q2", SECOND)):
        result = runner.invoke(cli, ["--neo4j-uri", uri, "load", "--period", period, str(_write(tmp_path / period, files))])
        assert result.exit_code == 0, result.output
    for server in ((), ("--server-side",)):
        assert _statuses(runner, uri, *server) == SECOND_STATUSES
        assert _statuses(runner, uri, "--load", "1", *server) == FIRST_STATUSES
        assert _statuses(runner, uri, "--period", "2026Q1", *server) == FIRST_STATUSES
        assert _statuses(runner, uri, "--period", "2026Q2", *server) == SECOND_STATUSES
    shown = json.loads(runner.invoke(cli, ["--neo4j-uri", uri, "show", "C4", "--load", "1", "--format", "json"]).stdout)
    assert shown["fields"]["households"] == 300
    scoped = runner.invoke(cli, ["--neo4j-uri", uri, "coverage", "--level", "compound", "--scope", "M2", "--load", "1",
                                 "--format", "json"])
    assert sorted(r["id"] for r in json.loads(scoped.stdout) if r["kind"] == "Compound") == ["C3", "C4"]
    history = json.loads(runner.invoke(cli, ["--neo4j-uri", uri, "history", "--format", "json"]).stdout)
    assert [(r["seq"], r["period"], r["scope"]) for r in history] == [(1, "2026Q1", None), (2, "2026Q2", None)]
    assert [history[1][k] for k in list(history[1])[6:]] == [1, 1, 0, 1, 0, 1]
    missing = runner.invoke(cli, ["--neo4j-uri", uri, "coverage", "--load", "7"])
    assert missing.exit_code != 0 and "没有第 7 次导入：现有第 1 至第 2 次" in missing.output
    # Both submissions read back exactly, against the SQLite reference.
    assert clean_store.read(load=1).same_content(read_ledger(tmp_path / "2026Q1").data)
    assert clean_store.read().same_content(read_ledger(tmp_path / "2026Q2").data)


def test_storage_grows_with_the_change_only(clean_store, neo4j_db, tmp_path):
    first, second = _write(tmp_path / "a", SMALL), _write(tmp_path / "b", SECOND)
    for _ in range(3):
        load_ledger(clean_store, first)
    assert neo4j_db.count() == 15
    assert neo4j_db.count("MATCH (:Entity)-[r]->(:Entity) RETURN count(r)") == 19
    load_ledger(clean_store, second)
    # C4 changed: a new node, its 2 relationships moved to it; C5 and its 隶属 added;
    # P1's 覆盖 of C1 marked removed.
    assert neo4j_db.count() == 17
    assert neo4j_db.count("MATCH (:Entity)-[r]->(:Entity) RETURN count(r)") == 19 + 1 + 1
    assert clean_store.read(load=3).same_content(read_ledger(first).data)
    assert clean_store.read(load=4).same_content(read_ledger(second).data)


def test_merges_are_computed_on_the_graph_as_stored(clean_store, tmp_path):
    load_ledger(clean_store, _write(tmp_path / "a", SMALL))
    load_ledger(clean_store, _write(tmp_path / "b", {"compounds.csv": "id,name,community_id\nC5,海悦花园,M2"}), mode="merge")
    record = load_ledger(clean_store, _write(tmp_path / "c", {"compounds.csv": "id,name,community_id\nC6,海景,M1"}),
                         mode="merge").record
    assert {"C5", "C6"} <= clean_store.read().entities.keys()
    assert (record.seq, record.entities_added, record.relations_added) == (3, 1, 1)


def test_a_database_from_before_submissions_upgrades_itself(clean_store, neo4j_db, neo4j_env, tmp_path):
    """What main wrote before submissions: nodes without `added`, `:LoadRecord` nodes."""
    ledger = _write(tmp_path / "a", SMALL)
    load_ledger(clean_store, ledger)
    d = neo4j_db.driver
    for query in ("MATCH (n:Entity) REMOVE n.added", "MATCH (:Entity)-[r]->(:Entity) REMOVE r.added",
                  "MATCH (n:Submission) DETACH DELETE n", "MATCH (n:SubmissionHead) DETACH DELETE n",
                  "CREATE (:LoadRecord {seq: 1, at: '2026-01-05T09:00:00+08:00', ledger: '旧台账', mode: 'replace'})"):
        d.execute_query(query, database_="neo4j")
    store = Neo4jStore.from_settings(neo4j_env.uri)
    try:
        assert store.read().same_content(read_ledger(ledger).data)
        assert [(s.seq, s.at, s.ledger, s.entities_added, s.relations_added) for s in store.submissions()] == [
            (1, "2026-01-05T09:00:00+08:00", "旧台账", 15, 19)]
        record = load_ledger(store, _write(tmp_path / "b", SECOND)).record
        assert record.seq == 2
        assert store.read(load=1).same_content(read_ledger(ledger).data)
    finally:
        store.close()


def test_a_scoped_load_changes_nothing_outside_its_unit(clean_store, tmp_path):
    from govgraph.coverage import coverage
    from govgraph.mirror import build_mirror
    from test_scoped_submissions import M2_LEDGER

    from datetime import date

    load_ledger(clean_store, _write(tmp_path / "a", SMALL))
    on = date(2025, 6, 30)

    def outside():
        return [r.as_row() for r in coverage(build_mirror(clean_store.read()), on) if r.community_id != "M2"]

    before = outside()
    record = load_ledger(clean_store, _write(tmp_path / "m2", M2_LEDGER), scope="M2").record
    assert (record.seq, record.scope, record.entities_added, record.entities_changed, record.entities_removed) == (
        2, "M2", 1, 1, 1)
    assert outside() == before
    data = clean_store.read()
    assert data.entities["C4"].attrs["households"] == 320 and "C3" not in data.entities
    assert clean_store.read(load=1).entities["C4"].attrs["households"] == 300


def test_a_scoped_loader_killed_mid_write_leaves_the_previous_submission(clean_store, neo4j_env, tmp_path):
    import os
    import signal

    from test_concurrency import python, wait_for
    from test_scoped_submissions import M2_LEDGER

    load_ledger(clean_store, _write(tmp_path / "a", SMALL))
    before = clean_store.read()
    marker, m2 = tmp_path / "written", _write(tmp_path / "m2", M2_LEDGER)
    loader = python(f"import store_processes as p; p.held_load({neo4j_env.uri!r}, {str(m2)!r}, {str(marker)!r}, 120,"
                    " scope='M2')")
    wait_for(marker, loader)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(30)
    assert clean_store.read().same_content(before)
    import time

    deadline = time.monotonic() + 60
    while True:  # the server rolls the dead client's transaction back when it notices
        try:
            assert load_ledger(clean_store, m2, scope="M2").record.seq == 2
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert [s.seq for s in clean_store.submissions()] == [1, 2]
