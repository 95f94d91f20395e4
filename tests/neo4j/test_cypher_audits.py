"""The Cypher audit files (cypher/*.cypher), run on the real server, against the Python
audits on the mirror (govgraph.coverage, govgraph.appointments) and against the answers
worked out by hand for the acceptance ledger. The two paths share no code, so agreement
id by id and status by status, on every as-of date, means something."""

from __future__ import annotations

import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from govgraph import appointments as ap
from govgraph import cypher_audits
from govgraph.coverage import STATUSES, coverage, rollups
from govgraph.mirror import Snapshot, build_mirror

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ACCEPTANCE = Path(__file__).resolve().parents[1] / "acceptance"


@pytest.fixture(scope="session")
def mirrors(ledgers):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = build_mirror(ledgers(name))
        return cache[name]

    return get


def _python_rows(graph, on):
    return [u.as_row() for u in coverage(graph, on)]


# -- coverage, id by id and status by status ------------------------------------------------------
def _sample(name, days):
    """Every date for the small ledgers; every third for the largest (runtime)."""
    return days[::3] if name == "gen2" else days


def test_coverage_equals_python(loaded, mirrors, dates, ledger_name):
    store, graph = loaded(ledger_name), mirrors(ledger_name)
    seen = Counter()
    for on in _sample(ledger_name, dates(ledger_name)):
        got = cypher_audits.coverage(store, on)
        want = _python_rows(graph, on)
        assert [r["id"] for r in got] == [r["id"] for r in want], on
        for g, w in zip(got, want):
            assert g == w, (on, g["id"])
        seen.update(r["status"] for r in want)
    if ledger_name.startswith("gen"):
        assert set(seen) == set(STATUSES), "the generated ledger exercises every status"


def test_status_changes_across_boundaries(mirrors):
    """The generated ledgers have relations going in and out of force on the boundary
    dates, so statuses differ between a boundary and its eve."""
    graph = mirrors("gen1")
    statuses = {on: {r["id"]: r["status"] for r in _python_rows(graph, on)} for on in
                (date(2022, 6, 30), date(2022, 7, 1))}
    changed = [i for i in statuses[date(2022, 7, 1)] if statuses[date(2022, 7, 1)][i] != statuses[date(2022, 6, 30)][i]]
    assert len(changed) >= 5


def test_rollups_equal_python(loaded, mirrors, dates, ledger_name):
    store, graph = loaded(ledger_name), mirrors(ledger_name)
    for on in _sample(ledger_name, dates(ledger_name))[::2]:
        rows = coverage(graph, on)
        for level in ("district", "street", "community"):
            got = cypher_audits.coverage_rollup(store, on, level)
            want = [r.as_row() for r in rollups(graph, on, rows, level)]
            assert [r["unit_id"] for r in got] == [r["unit_id"] for r in want], (on, level)
            for g, w in zip(got, want):
                for key, value in w.items():
                    if key.endswith("_rate") and value is not None:
                        # Both round to 4 places; ties may round differently in Java and Python.
                        assert g[key] == pytest.approx(value, abs=1.01e-4), (on, level, w["unit_id"], key)
                    else:
                        assert g[key] == value, (on, level, w["unit_id"], key)


def test_orphans_equal_python(loaded, mirrors, dates, ledger_name):
    store, graph = loaded(ledger_name), mirrors(ledger_name)
    for on in _sample(ledger_name, dates(ledger_name)):
        got = cypher_audits.orphans(store, on)
        want = [r for r in _python_rows(graph, on) if r["kind"] == "Compound" and r["status"] == "空白"]
        assert [{k: v for k, v in r.items() if k != "suggestion"} for r in got] == want, on
        for row in got:
            assert ("应单独组建党组织" in row["suggestion"]) == row["eligible"]


def test_min_formal_members_parameter(loaded, mirrors):
    store, graph = loaded("gen1"), mirrors("gen1")
    on = date(2024, 1, 1)
    got = cypher_audits.coverage(store, on, min_formal_members=5)
    want = [u.as_row() for u in coverage(graph, on, min_formal_members=5)]
    assert got == want
    assert any(r["eligible"] for r in got) and not all(r["eligible"] for r in got)


def test_scoped_cypher_coverage(loaded, mirrors):
    """$scope keeps the compounds placed (in force) in the street or community, and the
    firms serving one of them; their rows are those of the whole-graph answer."""
    store, graph = loaded("gen1"), mirrors("gen1")
    on = date(2023, 3, 15)
    whole = _python_rows(graph, on)
    snap = Snapshot(graph, on)
    units = coverage(graph, on)
    for scope in (snap.nodes_of("Street")[0], snap.nodes_of("Community")[3]):
        compounds = [r for r in whole if r["kind"] == "Compound" and scope in (r["community_id"], r["street_id"])]
        inside = {r["community_id"] for r in compounds}
        firms = [u.as_row() for u in units if u.kind == "Firm" and inside.intersection(u.communities)]
        assert cypher_audits.compound_coverage(store, on, scope=scope) == compounds
        assert cypher_audits.firm_coverage(store, on, scope=scope) == firms
        assert compounds and firms


# -- §4.4 and §4.5 --------------------------------------------------------------------------------
def _units(snap):
    return [(u, "Compound") for u in snap.nodes_of("Compound")] + [(u, "Community") for u in snap.nodes_of("Community")]


def test_cross_appointments_equal_python(loaded, mirrors, dates, ledger_name):
    store, graph = loaded(ledger_name), mirrors(ledger_name)
    total = 0
    for on in _sample(ledger_name, dates(ledger_name))[::2]:
        snap = Snapshot(graph, on)
        want = [
            {"unit_id": u, "unit_kind": kind, "person_id": person,
             "posts": [{**p.as_dict(), "org_name": snap.node(p.org_id)["name"]} for p in posts]}
            for u, kind in _units(snap) for person, posts in ap.cross_appointed(snap, u).items()
        ]
        got = [{k: r[k] for k in ("unit_id", "unit_kind", "person_id", "posts")}
               for r in cypher_audits.cross_appointments(store, on)]
        assert got == want, on
        total += len(want)
    assert total > 0


def test_yijiantiao_equals_python(loaded, mirrors, dates, ledger_name):
    store, graph = loaded(ledger_name), mirrors(ledger_name)
    total = 0
    for on in _sample(ledger_name, dates(ledger_name)):
        snap = Snapshot(graph, on)
        want = [(u, kind, person, person in ap.yijiantiao_asserted(snap, u))
                for u, kind in _units(snap) for person in ap.yijiantiao_confirmed(snap, u)]
        got = [(r["unit_id"], r["unit_kind"], r["person_id"], r["asserted"])
               for r in cypher_audits.yijiantiao_confirmed(store, on)]
        assert got == want, on
        total += len(want)
    assert total > 0


# -- the hand-worked acceptance answers -----------------------------------------------------------
def _expected():
    path = ACCEPTANCE / "core" / "expected.toml"
    if not path.is_file():
        return []
    return tomllib.loads(path.read_text("utf-8"))["asof"]


@pytest.mark.ledger("core")
@pytest.mark.parametrize("want", _expected(), ids=lambda a: a["date"])
def test_acceptance_answers(loaded, want):
    store = loaded("core")
    on = date.fromisoformat(want["date"])
    rows = {r["id"]: r for r in cypher_audits.coverage(store, on)}
    assert {i: r["status"] for i, r in rows.items() if r["kind"] == "Compound"} == want["compounds"]
    assert {i: r["status"] for i, r in rows.items() if r["kind"] == "Firm"} == want["firms"]
    assert sorted(i for i, r in rows.items() if r["eligible"]) == want["eligible"]
    assert {i: r["formal_members"] for i, r in rows.items()} == want["formal_members"]
    assert [r["id"] for r in cypher_audits.orphans(store, on)] == want["orphans"]
    assert {i: r["community_id"] for i, r in rows.items() if r["community_id"]} == want["parents"]
    assert sorted({r["unit_id"] for r in cypher_audits.yijiantiao_confirmed(store, on)}) == want["yijiantiao_confirmed"]
    crossed: dict[str, list[str]] = {}
    for r in cypher_audits.cross_appointments(store, on):
        crossed.setdefault(r["unit_id"], []).append(r["person_id"])
    assert {u: sorted(p) for u, p in crossed.items()} == want["cross_appointed"]
    got = {}
    for level in ("district", "street", "community"):
        for r in cypher_audits.coverage_rollup(store, on, level):
            org = r["single"] + r["joint"] + r["affiliated"]
            got[r["unit_id"]] = {
                "compounds": {word: r[key] for word, key in STATUSES.items()},
                "firms": {word: r[f"firm_{key}"] for word, key in STATUSES.items()},
                "rates": {"组织覆盖率": [org, r["compounds"]], "组织和工作覆盖率": [org + r["work"], r["compounds"]]},
            }
    assert {u: got[u] for u in want["rollup"]} == want["rollup"]
    assert set(got) == set(want["rollup"])


# -- the files themselves -------------------------------------------------------------------------
@pytest.mark.parametrize("name", cypher_audits.AUDITS)
def test_every_parameter_is_documented(name):
    """Each file is standalone: every $parameter it uses has a `:param name => …` line in
    its comment header, so it runs as-is in Neo4j Browser or cypher-shell."""
    text = cypher_audits.query_text(name)
    header = "\n".join(line for line in text.splitlines() if line.startswith("//"))
    body = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    used = set(re.findall(r"\$(\w+)", body))
    documented = set(re.findall(r":param (\w+) =>", header))
    assert used and used == documented


@pytest.mark.parametrize("name", cypher_audits.AUDITS)
def test_text_parameters_work_like_dates(loaded, name):
    """`:param as_of => '2023-03-15'` in the Browser is text; it must mean the same date."""
    store = loaded("gen1")
    params = {"as_of": date(2023, 3, 15), "min_formal_members": 3, "scope": None, "level": "street"}
    used = set(re.findall(r"\$(\w+)", cypher_audits.query_text(name)))
    params = {k: v for k, v in params.items() if k in used}
    as_text = {**params, "as_of": "2023-03-15"}
    assert store.run_read(cypher_audits.query_text(name), params) == store.run_read(
        cypher_audits.query_text(name), as_text)


def test_bad_level_is_refused(loaded):
    with pytest.raises(ValueError):
        cypher_audits.coverage_rollup(loaded("gen1"), date(2024, 1, 1), "province")
