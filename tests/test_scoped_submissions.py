"""Scoped submissions (domain.md §7, issue 10 item 2) on the embedded store: `load --scope U`
replaces only U's part, merges firms and people, refuses changes outside U; `export
--scope U` writes that part so it round-trips; kill -9 during a scoped load."""

from __future__ import annotations

import json
import os
import signal

from govgraph.loading import load_ledger
from govgraph.store.sqlite import SqliteStore
from small_ledger import SMALL
from test_concurrency import python, wait_for

# M2's own ledger, resubmitted: C3 gone, C4's households changed, C5 new; P2 still covers M2.
M2_LEDGER = {
    "communities.csv": "id,name,street_id\nM2,城阳社区,S1",
    "compounds.csv": "id,name,community_id,households\nC4,城阳新苑,M2,320\nC5,海悦花园,M2,200",
    "party_orgs.csv": "id,name,org_type,scope,formal_members,founded\nP2,城阳社区党委,党委,社区,110,2010",
    "firms.csv": "id,name,ownership\nF1,泾华物业,市场化",
    "relations.csv": "type,from_id,to_id,role,since,until,source\n覆盖,P2,M2,,,,城阳区委组织部台账2024\n"
                     "服务,F1,C5,专业物业,2025,,",
}


def _rows(run, *args):
    result = run(*args, *([] if args[0] == "history" else ["--as-of", "2025-06-30"]), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_scoped_load_changes_nothing_outside_its_unit(run, make_ledger, db_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    outside_before = [r for r in _rows(run, "coverage", "--level", "compound") if r["community_id"] != "M2"]
    m1_before = [r for r in _rows(run, "coverage", "--level", "community") if r["unit_id"] != "M2"]
    result = run("load", "--scope", "M2", str(make_ledger(M2_LEDGER)))
    assert result.exit_code == 0, result.stderr
    after = _rows(run, "coverage", "--level", "compound")
    assert [r for r in after if r["community_id"] != "M2"] == outside_before
    assert [r for r in _rows(run, "coverage", "--level", "community") if r["unit_id"] not in ("M2", "S1", "TOTAL")] \
        == [r for r in m1_before if r["unit_id"] not in ("S1", "TOTAL")]
    assert sorted(r["id"] for r in after if r["community_id"] == "M2") == ["C4", "C5"]
    store = SqliteStore(db_path)
    try:
        data = store.read()
        assert data.entities["C4"].attrs["households"] == 320
        assert "C3" not in data.entities and "C1" in data.entities
        assert {"U1", "U2", "U3", "F1"} <= data.entities.keys()  # people and firms are never deleted
        s = store.submissions()[-1]
        assert (s.seq, s.scope, s.entities_added, s.entities_changed, s.entities_removed) == (2, "M2", 1, 1, 1)
        # C3's two relations went with it (its 隶属 to M2, F1 服务 C3); C5's two came
        # (隶属 M2, F1 服务 C5); C4's undated 隶属 is the same relation as before
        assert (s.relations_added, s.relations_removed) == (2, 2)
        assert store.read(load=1).entities["C4"].attrs["households"] == 300
    finally:
        store.close()


def test_a_scoped_load_may_not_change_what_lies_outside(run, make_ledger):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    bad = {**M2_LEDGER, "compounds.csv": M2_LEDGER["compounds.csv"] + "\nC1,青特城（改名）,M1,1200"}
    result = run("load", "--scope", "M2", str(make_ledger(bad)))
    assert result.exit_code == 2
    assert result.stderr.startswith("范围导入 M2 只能改动该社区自己的数据，本台账改动了范围以外的 1 处，未导入任何数据：C1：不在本范围内，内容与库中不同")
    assert len(_rows(run, "history")) == 1
    missing = run("load", "--scope", "M9", str(make_ledger(M2_LEDGER)))
    assert missing.exit_code != 0 and "找不到街道或社区：M9" in missing.stderr


def test_export_scope_round_trips(run, make_ledger, tmp_path):
    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    assert run("export", "--scope", "M2", str(tmp_path / "m2")).exit_code == 0
    written = (tmp_path / "m2" / "compounds.csv").read_text("utf-8-sig")
    assert "C3" in written and "C4" in written and "C1" not in written
    assert run("load", "--scope", "M2", str(tmp_path / "m2")).exit_code == 0
    last = _rows(run, "history")[-1]
    assert [last[k] for k in list(last)[6:]] == [0, 0, 0, 0, 0, 0] and last["scope"] == "M2"


def test_a_scoped_loader_killed_mid_write_leaves_the_previous_submission(make_ledger, tmp_path):
    db = tmp_path / "s.sqlite"
    store = SqliteStore(db)
    load_ledger(store, make_ledger(SMALL))
    before = store.read()
    store.close()
    marker = tmp_path / "written"
    loader = python(f"import store_processes as p; p.held_load({str(db)!r}, {str(make_ledger(M2_LEDGER))!r}, "
                    f"{str(marker)!r}, 60, scope='M2')")
    wait_for(marker, loader)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(30)
    store = SqliteStore(db, create=False)
    try:
        assert store.read().same_content(before)
        assert [s.seq for s in store.submissions()] == [1]
        assert load_ledger(store, make_ledger(M2_LEDGER), scope="M2").record.seq == 2
    finally:
        store.close()
