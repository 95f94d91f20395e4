"""Issue 16 items 2 and 3, and kill -9 during a load, on the embedded store, with real
processes: a load in one while another reads in a loop (every read is the old or the new
graph), two merges at once (both land, in order), a loader killed mid-write (the previous
submission stays current, the next load works)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govgraph.ledger import read_ledger
from govgraph.loading import load_ledger
from govgraph.store.sqlite import SqliteStore
from govgraph.synth import Tier, write_synthetic
from store_processes import digest

TESTS = Path(__file__).parent
SPEC = Tier("test", 1, 1, 3, 12, 200, 60, (3, 8))


def python(code: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    env.pop("NEO4J_URI", None)
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the process ended early: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the process never got there")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def two_ledgers(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledgers")
    a, b = root / "a", root / "b"
    write_synthetic(a, spec=SPEC, seed=1)
    write_synthetic(b, spec=SPEC, seed=2)
    return a, b


def test_reads_during_a_load_see_the_old_or_the_new_graph(two_ledgers, tmp_path):
    a, b = two_ledgers
    db, out, stop = tmp_path / "s.sqlite", tmp_path / "reads.txt", tmp_path / "stop"
    store = SqliteStore(db)
    load_ledger(store, a)
    old, new = digest(store.read()), digest(read_ledger(b).data)
    assert old != new
    reading = python(f"import store_processes as p; p.reader({str(db)!r}, {str(out)!r}, {str(stop)!r})")
    try:
        while not out.exists() or not out.read_text():
            time.sleep(0.02)
        marker = tmp_path / "written"
        loader = python(f"import store_processes as p; p.held_load({str(db)!r}, {str(b)!r}, {str(marker)!r}, 1.0)")
        wait_for(marker, loader)
        during = len(out.read_text().splitlines())
        assert loader.wait(120) == 0, loader.stderr.read()
        deadline = time.monotonic() + 60  # until a read begun after the commit is in
        while out.read_text().splitlines()[-1:] != [new] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.touch()
        reading.wait(60)
    reads = out.read_text().splitlines()
    assert reading.returncode == 0, reading.stderr.read()
    assert set(reads) <= {old, new}
    assert len(reads) > during  # the reader went on while the writer held its transaction
    assert reads[-1] == new and reads[0] == old
    store.close()


def test_two_merges_at_once_both_land_in_order(tmp_path, make_ledger):
    from small_ledger import SMALL

    db = tmp_path / "s.sqlite"
    store = SqliteStore(db)
    load_ledger(store, make_ledger(SMALL))
    one = make_ledger({"compounds.csv": "id,name,community_id\nC5,海悦花园,M2"})
    two = make_ledger({"compounds.csv": "id,name,community_id\nC6,海景花园,M1"})
    marker = tmp_path / "first-written"
    release = tmp_path / "release"
    first = python(f"import store_processes as p; p.held_load({str(db)!r}, {str(one)!r}, {str(marker)!r}, 120, 'merge',"
                   f" release={str(release)!r})")
    wait_for(marker, first)
    second = python(f"import store_processes as p; p.held_load({str(db)!r}, {str(two)!r}, "
                    f"{str(tmp_path / 'second-written')!r}, 0, 'merge')")
    waiting = second.stderr.readline()  # the second writer finds the store taken, and says so
    release.touch()
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    err2 = waiting + err2
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert out1.split() == ["2", "1"] and out2.split() == ["3", "1"]  # seq, entities added
    assert err2.strip() == "数据库正被另一个导入占用，正在等待它完成后再导入……"
    assert {"C5", "C6"} <= store.read().entities.keys()
    assert [(s.seq, s.entities_added, s.relations_added) for s in store.submissions()][1:] == [(2, 1, 1), (3, 1, 1)]
    store.close()


def test_a_loader_killed_mid_write_leaves_the_previous_submission(two_ledgers, tmp_path):
    a, b = two_ledgers
    db = tmp_path / "s.sqlite"
    store = SqliteStore(db)
    load_ledger(store, a)
    before = digest(store.read())
    store.close()
    marker = tmp_path / "written"
    loader = python(f"import store_processes as p; p.held_load({str(db)!r}, {str(b)!r}, {str(marker)!r}, 60)")
    wait_for(marker, loader)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(30)
    store = SqliteStore(db, create=False)
    try:
        assert digest(store.read()) == before
        assert [s.seq for s in store.submissions()] == [1]
        assert load_ledger(store, b).record.seq == 2
        assert digest(store.read()) == digest(read_ledger(b).data)
        assert digest(store.read(load=1)) == before
    finally:
        store.close()
