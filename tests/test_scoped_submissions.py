"""Scoped submissions (domain.md §7, issue 10 item 2) on the embedded store: `load --scope U`
replaces only U's part, merges firms and people, refuses changes outside U; `export
--scope U` writes that part so it round-trips; kill -9 during a scoped load."""

from __future__ import annotations

import json
import os
import signal
from datetime import date

import pytest

from govgraph.loading import load_ledger
from govgraph.store.sqlite import SqliteStore
from govgraph.store.window import Window
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


# -- the scoped load reads only around its unit (store/window.py) -------------------------
# Each variant of M2's ledger is loaded on the small ledger by `load --scope` (which reads
# only around M2) and by the definition of §7 applied to the whole stored graph (below:
# the ledger laid over the whole graph less M2's part and validated whole, then refused if
# it changes anything outside). What the user is told and what is stored must be the same;
# the only difference allowed is a warning about a stored community the scoped load never
# reads (it says nothing of the load), and no variant here has one.
def _with(base: dict, **changes) -> dict:
    out = dict(base)
    for name, (drop, add) in changes.items():
        lines = [line for line in out.get(name, "").split("\n") if line and not any(line.startswith(d) for d in drop)]
        out[name] = "\n".join(lines + add)
    return out


SCOPED_VARIANTS = {
    "resubmitted": M2_LEDGER,
    "unchanged export": None,  # written by `export --scope M2` in the test
    "outside unit changed": _with(M2_LEDGER, **{"compounds.csv": ((), ["C1,青特城（改名）,M1,1200"])}),
    "a compound by name": _with(M2_LEDGER, **{"relations.csv": ((), ["派驻,U3,城阳新苑,党建指导员,2025,,"])}),
    "a mistyped id": _with(M2_LEDGER, **{"relations.csv": ((), ["派驻,U3,C44,党建指导员,2025,,"])}),
    "a dropped unit still named": _with(M2_LEDGER, **{"relations.csv": ((), ["派驻,U3,C3,党建指导员,2025,,"])}),
    # P0 (outside M2) placed under P2 (inside) while P2 is under P0: a cycle through the store
    "party-org cycle": _with(M2_LEDGER, **{
        "party_orgs.csv": (("id,", "P2,"), ["id,name,org_type,scope,formal_members,parent_id,founded",
                                             "P2,城阳社区党委,党委,社区,110,P0,2010"]),
        "relations.csv": ((), ["隶属,P0,P2,,2024,,"])}),
    # P2 placed under P4, which the store holds under P3, P1 and P0; and P0 under P2: the
    # cycle closes through P3 → P1, which no row of the ledger names
    "party-org cycle through the store": _with(M2_LEDGER, **{
        "party_orgs.csv": (("id,", "P2,"), ["id,name,org_type,scope,formal_members,parent_id,founded",
                                             "P2,城阳社区党委,党委,社区,110,P4,2010"]),
        "relations.csv": ((), ["隶属,P0,P2,,2024,,"])}),
    # C1 (under M1) given a second parent in force inside M2
    "two parents": _with(M2_LEDGER, **{"relations.csv": ((), ["隶属,C1,M2,,2024,,"])}),
    # C1 moved into M2: P1, which covers only C1, then belongs to the part too
    "a unit moved in": _with(M2_LEDGER, **{"compounds.csv": ((), ["C1,青特城,M2,1200,商品房,否,"])}),
    # a firm's id given to a person: F1's stored relations outside M2 lose their kind
    "a kind changed": _with(M2_LEDGER, **{"firms.csv": (("F1,",), []), "people.csv": ((), ["id,name,party_status", "F1,赵六,群众"]),
                                          "relations.csv": (("服务,F1",), [])}),
    "community left uncovered": _with(M2_LEDGER, **{"relations.csv": (("覆盖,P2",), [])}),
    "a relation between outside units": _with(M2_LEDGER, **{"relations.csv": ((), ["居住,U3,C2,,,,"])}),
}


LONGER_CHAIN = _with(SMALL, **{"party_orgs.csv": ((), ["        P3,青特城第三支部,党支部,小区,3,P1,2021",
                                                     "        P4,青特城党小组,党小组,小区,3,P3,2021"])})


def _outcome(store, ledger) -> tuple:
    from govgraph.errors import GovgraphError, LedgerError

    try:
        result = load_ledger(store, ledger, scope="M2")
        said = ("ok", result.record.as_row() | {"at": "", "ledger": ""}, (result.entity_total, result.relation_total),
                [str(w) for w in result.warnings])
    except LedgerError as exc:
        said = ("invalid", [str(i) for i in exc.issues], [str(w) for w in exc.warnings])
    except GovgraphError as exc:
        said = ("refused", str(exc))
    return said, *_outcome_stored(store)


def _outcome_stored(store) -> tuple:
    data = store.read()
    stored = (sorted((e.kind, e.id, e.name, sorted(e.attrs.items())) for e in data.entities.values()),
              sorted((*r.identity, str(r.until), r.source or "") for r in data.relations))
    return stored, [(s.seq, s.scope) for s in store.submissions()]


class _WholeGraphStore(SqliteStore):
    """A store whose scoped loads follow §7 on the whole stored graph (the reference)."""

    def submit(self, build, **kwargs):
        from govgraph.loading import ScopeViolation
        from govgraph.ledger import read_ledger
        from govgraph.store.scope import outside_changes, scope_part, without_part

        if not isinstance(build, Window):
            return super().submit(build, **kwargs)
        scope, on = kwargs["scope"], date.today()

        def whole(before):
            part = scope_part(before, scope, on)
            result = read_ledger(self.ledger, base=without_part(before, part))
            self.result = result
            problems = outside_changes(before, result.data, part | scope_part(result.data, scope, on))
            if problems:
                raise ScopeViolation(f"范围导入 {scope} 只能改动该社区自己的数据，"
                                     f"本台账改动了范围以外的 {len(problems)} 处，未导入任何数据：{'；'.join(problems)}")
            return result.data

        return super().submit(whole, **kwargs)


def _whole_outcome(store, ledger) -> tuple:
    from govgraph.errors import GovgraphError, LedgerError

    store.ledger = ledger
    try:
        record = store.submit(Window(None), at="", ledger="", mode="replace", scope="M2")
        said = ("ok", record.as_row() | {"at": "", "ledger": ""},
                (len(store.result.data.entities), len(store.result.data.relations)),
                [str(w) for w in store.result.warnings])
    except LedgerError as exc:
        said = ("invalid", [str(i) for i in exc.issues], [str(w) for w in exc.warnings])
    except GovgraphError as exc:
        said = ("refused", str(exc))
    return said, *_outcome_stored(store)


@pytest.mark.parametrize("variant", SCOPED_VARIANTS)
def test_a_scoped_load_through_its_window_is_the_same_as_on_the_whole_graph(variant, make_ledger, tmp_path, monkeypatch):
    from govgraph.ledger.write import write_ledger
    from govgraph.store.scope import scoped_ledger

    outcomes = []
    for cls in (SqliteStore, _WholeGraphStore):
        store = cls(tmp_path / f"{cls.__name__}.sqlite")
        try:
            load_ledger(store, make_ledger(LONGER_CHAIN if "through the store" in variant else SMALL))
            if SCOPED_VARIANTS[variant] is None:
                ledger = tmp_path / f"export-{cls.__name__}"
                write_ledger(scoped_ledger(store.read("M2"), "M2", date.today()), ledger)
            else:
                ledger = make_ledger(SCOPED_VARIANTS[variant])
            outcomes.append((_outcome if cls is SqliteStore else _whole_outcome)(store, ledger))
        finally:
            store.close()
    window, whole = outcomes
    if variant == "community left uncovered":
        assert any("城阳社区" in w for w in window[0][3])  # M2 itself: its relations are read
    assert window == whole
    expected = {"resubmitted": "ok", "unchanged export": "ok", "outside unit changed": "refused",
                "a compound by name": "ok", "a mistyped id": "invalid", "a dropped unit still named": "invalid",
                "party-org cycle": "invalid", "party-org cycle through the store": "invalid", "two parents": "invalid", "a unit moved in": "ok",
                "a kind changed": "invalid", "community left uncovered": "ok",
                "a relation between outside units": "refused"}
    assert window[0][0] == expected[variant]


def test_a_scoped_load_naming_stored_ids_does_not_read_the_whole_graph(make_ledger, tmp_path, monkeypatch):
    store = SqliteStore(tmp_path / "s.sqlite")
    try:
        load_ledger(store, make_ledger(SMALL))

        def whole(*args):
            raise AssertionError("the whole graph was read")

        monkeypatch.setattr(SqliteStore, "_current", whole)
        record = load_ledger(store, make_ledger(M2_LEDGER), scope="M2").record
        assert (record.seq, record.entities_added, record.entities_removed) == (2, 1, 1)
    finally:
        store.close()
