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
