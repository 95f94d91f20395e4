"""The web workbench on the real Neo4j server: the same pages as on the embedded store."""

from __future__ import annotations

import re
import warnings

from govgraph.profile import load_profile
from govgraph.store.neo4j import Neo4jStore


def _client(bench):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from govgraph.web.app import create_app

    return TestClient(create_app(bench), raise_server_exceptions=False)


def test_pages_on_neo4j_match_the_embedded_store(loaded, neo4j_env, ledger_paths, tmp_path):
    from govgraph.loading import load_ledger
    from govgraph.store import open_store
    from govgraph.web.state import Workbench

    loaded("demo").close()
    on_neo4j = _client(Workbench(lambda create=False: Neo4jStore.from_settings(neo4j_env.uri), load_profile()))
    sqlite_path = tmp_path / "demo.sqlite"
    store = open_store(str(sqlite_path), None, create=True)
    try:
        load_ledger(store, ledger_paths["demo"])
    finally:
        store.close()
    on_sqlite = _client(Workbench(lambda create=False: open_store(str(sqlite_path), None, create=create), load_profile()))
    for path in ("/?as_of=2025-06-30", "/unit/S-RJ?as_of=2025-06-30", "/unit/C-MW27?as_of=2025-06-30",
                 "/findings?as_of=2025-06-30", "/orphans?as_of=2025-06-30"):
        a, b = on_neo4j.get(path), on_sqlite.get(path)
        assert a.status_code == b.status_code == 200, path
        # the same answers: every table cell alike (but the load log's, which differs by store)
        cells = lambda text: re.findall(r"<td[^>]*>(.*?)</td>", re.split(r"<h2>(?:导入|报送)记录", text)[0], re.S)  # noqa: E731
        assert cells(a.text) == cells(b.text), path
    assert "neo4j" in on_neo4j.get("/").text.lower() or "bolt" in on_neo4j.get("/").text.lower()


def test_finding_states_on_neo4j_match_the_embedded_store(clean_store, neo4j_env, ledger_paths, tmp_path):
    """The demo, then its two periods (2026Q3, 2026Q4) on both stores: the same states,
    counts and trend points against the previous submission, read through each store."""
    from govgraph.cli.data_commands import DEMO_PERIODS, demo_ledger_path
    from govgraph.loading import load_ledger
    from govgraph.store import open_store
    from govgraph.web.state import Workbench

    sqlite_path = tmp_path / "demo.sqlite"
    opens = {"neo4j": lambda create=False: Neo4jStore.from_settings(neo4j_env.uri),
             "sqlite": lambda create=False: open_store(str(sqlite_path), None, create=create)}
    for name, open_one in opens.items():
        store = open_one(create=True)
        try:
            load_ledger(store, ledger_paths["demo"])
            for period, folder in DEMO_PERIODS:
                load_ledger(store, demo_ledger_path(folder), period=period)
        finally:
            store.close()
    benches = {name: Workbench(open_one, load_profile()) for name, open_one in opens.items()}
    clients = {name: _client(bench) for name, bench in benches.items()}
    cells = lambda text: re.findall(r"<td[^>]*>(.*?)</td>", re.split(r"<h2>(?:导入|报送)记录", text)[0], re.S)  # noqa: E731
    for path in ("/?as_of=2026-11-23", "/findings?state=已整改&as_of=2026-11-23",
                 "/findings?state=回潮&as_of=2026-11-23", "/findings?state=持续&unit=S-RJ&as_of=2026-11-23",
                 "/?load=2&as_of=2026-11-23"):
        a, b = clients["neo4j"].get(path), clients["sqlite"].get(path)
        assert a.status_code == b.status_code == 200, path
        assert cells(a.text) == cells(b.text), path
    assert "苜卫路23号" in clients["neo4j"].get("/findings?state=已整改&as_of=2026-11-23").text
    from datetime import date

    trends = {name: [(s.seq, [(i.indicator, i.numerator, i.denominator) for i in totals])
                     for s, totals in bench.latest.history(date(2026, 11, 23)).trend]
              for name, bench in benches.items()}
    assert trends["neo4j"] == trends["sqlite"] and [seq for seq, _ in trends["neo4j"]] == [1, 2, 3]
