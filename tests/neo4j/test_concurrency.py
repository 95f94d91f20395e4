"""Issue 16 items 2 and 3, and kill -9 of a loader, on the real Neo4j server, with real
processes (tests/store_processes.py): reads during a load see the old or the new graph,
two merges at once both land in order, a killed loader leaves the previous submission
current; and the leftovers a killed batched load would leave (rows added or removed
after the head) are invisible and cleaned by the next load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govgraph.ledger import read_ledger
from govgraph.loading import load_ledger
from govgraph.synth import Tier, write_synthetic
from small_ledger import SMALL
from store_processes import digest

TESTS = Path(__file__).parents[1]
SPEC = Tier("test", 1, 1, 3, 12, 200, 60, (3, 8))


def python(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the process ended early: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the process never got there")
        time.sleep(0.05)


def _write(folder: Path, files: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip("\n") + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def two_ledgers(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledgers")
    a, b = root / "a", root / "b"
    write_synthetic(a, spec=SPEC, seed=1)
    write_synthetic(b, spec=SPEC, seed=2)
    return a, b


def test_reads_during_a_load_see_the_old_or_the_new_graph(clean_store, neo4j_env, two_ledgers, tmp_path):
    a, b = two_ledgers
    uri, out, stop = neo4j_env.uri, tmp_path / "reads.txt", tmp_path / "stop"
    load_ledger(clean_store, a)
    old, new = digest(clean_store.read()), digest(read_ledger(b).data)
    reading = python(f"import store_processes as p; p.reader({uri!r}, {str(out)!r}, {str(stop)!r})")
    try:
        while not out.exists() or not out.read_text():
            if reading.poll() is not None:
                pytest.fail(reading.stderr.read())
            time.sleep(0.05)
        marker = tmp_path / "written"
        loader = python(f"import store_processes as p; p.held_load({uri!r}, {str(b)!r}, {str(marker)!r}, 2.0)")
        wait_for(marker, loader)
        during = len(out.read_text().splitlines())
        assert loader.wait(180) == 0, loader.stderr.read()
        deadline = time.monotonic() + 60  # until a read begun after the commit is in
        while out.read_text().splitlines()[-1:] != [new] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.touch()
        reading.wait(120)
    reads = out.read_text().splitlines()
    assert reading.returncode == 0, reading.stderr.read()
    assert set(reads) <= {old, new}
    assert len(reads) > during and reads[0] == old and reads[-1] == new


def test_two_merges_at_once_both_land_in_order(clean_store, neo4j_env, tmp_path):
    uri = neo4j_env.uri
    load_ledger(clean_store, _write(tmp_path / "base", SMALL))
    one = _write(tmp_path / "one", {"compounds.csv": "id,name,community_id\nC5,海悦花园,M2"})
    two = _write(tmp_path / "two", {"compounds.csv": "id,name,community_id\nC6,海景花园,M1"})
    marker = tmp_path / "first-written"
    release = tmp_path / "release"
    first = python(f"import store_processes as p; p.held_load({uri!r}, {str(one)!r}, {str(marker)!r}, 120, 'merge',"
                   f" release={str(release)!r})")
    wait_for(marker, first)
    second = python(f"import store_processes as p; p.held_load({uri!r}, {str(two)!r}, "
                    f"{str(tmp_path / 'second-written')!r}, 0, 'merge')")
    waiting = second.stderr.readline()  # the second writer finds the head locked, and says so
    release.touch()
    out1, err1 = first.communicate(timeout=180)
    out2, err2 = second.communicate(timeout=180)
    assert waiting.strip() == "数据库正被另一个导入占用，正在等待它完成后再导入……", waiting + err2
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert out1.split() == ["2", "1"] and out2.split() == ["3", "1"]  # seq, entities added
    assert {"C5", "C6"} <= clean_store.read().entities.keys()
    assert [(s.seq, s.entities_added) for s in clean_store.submissions()] == [(1, 15), (2, 1), (3, 1)]


def test_a_loader_killed_mid_write_leaves_the_previous_submission(clean_store, neo4j_env, two_ledgers, tmp_path):
    a, b = two_ledgers
    load_ledger(clean_store, a)
    before = digest(clean_store.read())
    marker = tmp_path / "written"
    loader = python(f"import store_processes as p; p.held_load({neo4j_env.uri!r}, {str(b)!r}, {str(marker)!r}, 120)")
    wait_for(marker, loader)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(30)
    deadline = time.monotonic() + 60
    while True:  # the server notices the dropped connection and rolls its transaction back
        try:
            assert load_ledger(clean_store, b).record.seq == 2
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert digest(clean_store.read(load=1)) == before
    assert digest(clean_store.read()) == digest(read_ledger(b).data)


AFTER_HEAD = """
CALL () { MATCH (h:SubmissionHead) RETURN h.seq AS head }
CALL (head) { MATCH (n:Entity) WHERE n.added > head OR n.removed > head RETURN count(n) AS nodes }
CALL (head) { MATCH ()-[r]->() WHERE r.added > head OR r.removed > head RETURN count(r) AS rels }
CALL (head) { MATCH (s:Submission) WHERE s.seq > head RETURN count(s) AS submissions }
RETURN nodes, rels, submissions
"""


@pytest.mark.parametrize("where", ["during the batches", "before the head switch"])
def test_a_batched_load_killed_leaves_the_previous_submission_and_the_next_load_cleans(
        clean_store, neo4j_db, neo4j_env, two_ledgers, tmp_path, where):
    """kill -9 of a loader after some of its batch transactions committed, or after all of
    them (before the switch): readers still see submission 1, the lock is free once the
    server drops the dead connection, and the next load removes every leftover row."""
    a, b = two_ledgers
    uri = neo4j_env.uri
    load_ledger(clean_store, a)
    before = digest(clean_store.read())
    marker = tmp_path / "held"
    hold = "after_batches=3, batch_size=100" if where == "during the batches" else "batch_size=100"
    loader = python(f"import store_processes as p; p.held_load({uri!r}, {str(b)!r}, {str(marker)!r}, 300, {hold})")
    wait_for(marker, loader)
    left = neo4j_db.driver.execute_query(AFTER_HEAD, database_="neo4j").records[0]
    assert left["nodes"] + left["rels"] > 0  # batches of submission 2 were committed
    if where == "during the batches":
        assert left["submissions"] == 0 and left["nodes"] + left["rels"] <= 300
    else:
        assert left["submissions"] == 1
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(30)
    assert digest(clean_store.read()) == before
    assert [s.seq for s in clean_store.submissions()] == [1]
    # The next load, in another process: it waits for the server to free the dead lock.
    nxt = python(f"import store_processes as p; p.held_load({uri!r}, {str(b)!r}, {str(tmp_path / 'next')!r}, 0)")
    out, err = nxt.communicate(timeout=180)
    assert nxt.returncode == 0, err
    assert out.split()[0] == "2"
    assert digest(clean_store.read(load=1)) == before
    assert digest(clean_store.read()) == digest(read_ledger(b).data)
    assert [s.seq for s in clean_store.submissions()] == [1, 2]
    left = neo4j_db.driver.execute_query(AFTER_HEAD, database_="neo4j").records[0]
    assert (left["nodes"], left["rels"], left["submissions"]) == (0, 0, 0)
    # Exactly one version per row of b, and a's rows each either still current or removed at 2.
    versions = neo4j_db.count("MATCH (n:Entity) WHERE n.added = 2 RETURN count(n)")
    assert versions == clean_store.submissions()[1].entities_added + clean_store.submissions()[1].entities_changed


def test_leftovers_after_the_head_are_invisible_and_cleaned(clean_store, neo4j_db, tmp_path):
    """What a batched load killed before its head switch leaves: rows added at head+1 and
    rows marked removed at head+1, and its token on the head. Readers ignore them; the next
    load removes them."""
    ledger = _write(tmp_path / "a", SMALL)
    load_ledger(clean_store, ledger)
    expected = read_ledger(ledger).data
    d = neo4j_db.driver
    d.execute_query("MATCH (h:SubmissionHead) SET h.writer = 'a killed load'", database_="neo4j")
    d.execute_query("CREATE (:Submission {seq: 2, ledger: '半途'})", database_="neo4j")
    d.execute_query("CREATE (:Entity:Compound {id: 'C9', name: '半途小区', added: 2})", database_="neo4j")
    d.execute_query("MATCH (n:Entity {id: 'C1'}) SET n.removed = 2", database_="neo4j")
    d.execute_query("MATCH (:Entity {id: 'P1'})-[r:覆盖]->() SET r.removed = 2", database_="neo4j")
    d.execute_query("MATCH (a:Entity {id: 'U3'}), (b:Entity {id: 'C2'}) CREATE (a)-[:居住 {added: 2}]->(b)",
                    database_="neo4j")
    assert clean_store.read().same_content(expected)
    assert clean_store.entities_by_id({"C9", "C1"}).keys() == {"C1"}
    assert [s.seq for s in clean_store.submissions()] == [1]
    record = load_ledger(clean_store, ledger).record
    assert (record.seq, record.entities_added, record.entities_removed, record.relations_added) == (2, 0, 0, 0)
    assert clean_store.read().same_content(expected)
    assert neo4j_db.count("MATCH (n:Entity) WHERE n.id = 'C9' RETURN count(n)") == 0
    assert neo4j_db.count("MATCH (n:Entity) WHERE n.removed IS NOT NULL RETURN count(n)") == 0
    assert neo4j_db.count("MATCH ()-[r]->() WHERE r.removed IS NOT NULL OR r.added > 1 RETURN count(r)") == 0
    assert [(s.seq, s.ledger) for s in clean_store.submissions()] == [(1, str(ledger)), (2, str(ledger))]
    assert neo4j_db.count("MATCH (h:SubmissionHead) WHERE h.writer IS NULL AND h.seq = 2 RETURN count(h)") == 1


def test_a_torn_read_is_read_again_until_whole(clean_store, neo4j_db, tmp_path):
    """A read whose relations lack an end is never returned: read() waits and reads again;
    here the missing end becomes visible after a moment (as a commit being applied would)."""
    import threading

    from govgraph.graph import Relation

    ledger = _write(tmp_path / "a", SMALL)
    load_ledger(clean_store, ledger)
    expected = read_ledger(ledger).data
    d = neo4j_db.driver
    # Visible at the head (1): a relation to a node only the next submission (2) shows.
    d.execute_query("CREATE (:Entity:Compound {id: 'C9', name: '半途小区', added: 2})", database_="neo4j")
    d.execute_query("MATCH (a:Entity {id: 'U3'}), (b:Entity {id: 'C9'}) CREATE (a)-[:居住 {added: 1}]->(b)",
                    database_="neo4j")
    healed = threading.Timer(0.6, lambda: d.execute_query(
        "MATCH (n:Entity {id: 'C9'}) SET n.added = 1", database_="neo4j"))
    healed.start()
    started = time.monotonic()
    data = clean_store.read()
    healed.join()
    assert time.monotonic() - started >= 0.6
    assert "C9" in data.entities
    assert Relation("居住", "U3", "C9") in data.relations
    assert len(data.relations) == len(expected.relations) + 1


def test_a_read_that_stays_torn_is_an_error_not_a_graph(clean_store, neo4j_db, tmp_path):
    from govgraph.errors import StoreError

    load_ledger(clean_store, _write(tmp_path / "a", SMALL))
    d = neo4j_db.driver
    d.execute_query("CREATE (:Entity:Compound {id: 'C9', name: '半途小区', added: 2})", database_="neo4j")
    d.execute_query("MATCH (a:Entity {id: 'U3'}), (b:Entity {id: 'C9'}) CREATE (a)-[:居住 {added: 1}]->(b)",
                    database_="neo4j")
    clean_store.torn_read_seconds = 1.0
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        clean_store.read()
    assert 0.5 <= time.monotonic() - started <= 30
    message = str(caught.value)
    assert message.startswith(f"读取 Neo4j（{clean_store.uri}）失败：") and "不完整" in message
    assert "\n" not in message
