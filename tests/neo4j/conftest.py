"""Fixtures for the Neo4j tests: a real Neo4j 5.26 server for the whole session.

The server is the project's own launcher (scripts/neo4j_server.py, loaded by path), on
a free port with a fresh data directory under pytest's temporary folder, stopped at the
end. If it cannot start, the tests FAIL: there is no mock and no skip.

GOVGRAPH_TEST_NEO4J_URI may name an existing server instead (user and password from
NEO4J_USERNAME / NEO4J_PASSWORD). Either way the database must be empty when the session
starts: the session marks it as its own, and every wipe first checks that mark, so a
database holding data this session did not create is never wiped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from govgraph.ledger import read_ledger
from govgraph.synth import boundaries as gen_ledger
from govgraph.store.base import LoadRecord
from govgraph.store.neo4j import Neo4jStore

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVER_SCRIPT = REPO / "scripts" / "neo4j_server.py"
ACCEPTANCE = REPO / "tests" / "acceptance"
DEMO = REPO / "seeds" / "demo"
MARKER_LABEL = "GovgraphTestSession"  # a node only this test session creates


def load_module(name: str, path: Path):
    """Import a file by path (tests run with --import-mode=importlib, off sys.path)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module




# -- the server -------------------------------------------------------------------------------
@dataclass
class Server:
    uri: str
    user: str
    password: str
    handle: object = None  # the launcher's ServerHandle when this session started it

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


def start_server(data_dir: Path, attempts: int = 3):
    """Start a launcher JVM on a free port; pytest.fail (never skip) if it cannot."""
    if not SERVER_SCRIPT.is_file():
        pytest.fail(f"Neo4j launcher script missing: {SERVER_SCRIPT}", pytrace=False)
    launcher = load_module("govgraph_neo4j_server", SERVER_SCRIPT)
    error = None
    for _ in range(attempts):  # a free port can be taken between choosing and binding it
        try:
            return launcher.start(launcher.free_port(), data_dir, heap="1g", pagecache="128m", timeout=300)
        except Exception as exc:  # noqa: BLE001 - reported below, whatever it is
            error = exc
            if "already in use" not in str(exc):
                break
    pytest.fail(f"could not start the Neo4j test server: {type(error).__name__}: {error}", pytrace=False)


@pytest.fixture(scope="session")
def start_neo4j():
    """start_neo4j(data_dir) -> a launcher handle for an extra, throwaway server."""
    return start_server


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    external = os.environ.get("GOVGRAPH_TEST_NEO4J_URI")
    if external:
        yield Server(external, os.environ.get("NEO4J_USERNAME") or "neo4j", os.environ.get("NEO4J_PASSWORD") or "")
        return
    handle = start_server(tmp_path_factory.mktemp("neo4j-home"))
    try:
        yield Server(handle.uri, handle.user, handle.password, handle)
    finally:
        handle.stop()


@dataclass
class Database:
    """The session's database: its driver, its mark, and which ledger is loaded now."""

    server: Server
    driver: object
    token: str
    loaded: str | None = None
    _ledgers: dict = field(default_factory=dict)

    def wipe(self) -> None:
        """Delete everything but the mark, after checking the mark is this session's."""
        marks = self.driver.execute_query(
            f"MATCH (m:{MARKER_LABEL}) RETURN m.token AS token", database_="neo4j"
        ).records
        if [r["token"] for r in marks] != [self.token]:
            pytest.fail("refusing to wipe: the Neo4j database is not the one this test session created", pytrace=False)
        self.driver.execute_query(f"MATCH (n) WHERE NOT n:{MARKER_LABEL} DETACH DELETE n", database_="neo4j")
        self.loaded = None

    def count(self, query: str = "MATCH (n:Entity) RETURN count(n) AS n") -> int:
        return self.driver.execute_query(query, database_="neo4j").records[0][0]


@pytest.fixture(scope="session")
def neo4j_db(neo4j_server):
    driver = GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)
    try:
        try:
            driver.verify_connectivity()
            existing = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_="neo4j").records[0]["n"]
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"cannot use the Neo4j test server at {neo4j_server.uri}: {type(exc).__name__}: {exc}",
                        pytrace=False)
        if existing:
            pytest.fail(
                f"refusing to use {neo4j_server.uri}: its database already holds {existing} nodes "
                "that this test session did not create (point GOVGRAPH_TEST_NEO4J_URI at an empty database)",
                pytrace=False,
            )
        token = uuid.uuid4().hex
        driver.execute_query(f"CREATE (:{MARKER_LABEL} {{token: $token}})", token=token, database_="neo4j")
        yield Database(neo4j_server, driver, token)
    finally:
        driver.close()


@pytest.fixture
def neo4j_env(neo4j_server, monkeypatch):
    """The environment `Neo4jStore.from_settings` and the CLI read."""
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return neo4j_server


@pytest.fixture
def clean_store(neo4j_db, neo4j_env):
    """A store on an emptied database (this session's own)."""
    neo4j_db.wipe()
    store = Neo4jStore.from_settings(neo4j_env.uri)
    yield store
    store.close()
    neo4j_db.loaded = None  # the test may have written anything


# -- ledgers ------------------------------------------------------------------------------------
def record(ledger: str = "test") -> LoadRecord:
    return LoadRecord("2024-06-30T12:00:00+08:00", ledger, "replace", 0, 0, 0, 0, 0, 0)


@pytest.fixture(scope="session")
def ledger_paths(tmp_path_factory) -> dict[str, Path]:
    """Ledgers for round trips and differential tests: the hand-worked acceptance ledger,
    the demo network (when present) and generated ledgers of a few thousand entities."""
    paths = {}
    core = ACCEPTANCE / "core" / "ledger"
    if core.is_dir():
        paths["core"] = core
    if DEMO.is_dir() and any(DEMO.glob("*.csv")):
        paths["demo"] = DEMO
    root = tmp_path_factory.mktemp("generated")
    paths["gen1"] = gen_ledger.write_ledger_folder(root / "gen1", seed=1, scale=1)
    paths["gen2"] = gen_ledger.write_ledger_folder(root / "gen2", seed=2, scale=2)
    return paths


@pytest.fixture(scope="session")
def ledgers(ledger_paths):
    """{name: GraphData}, read (and validated) once per session."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = read_ledger(ledger_paths[name]).data
        return cache[name]

    return get


@pytest.fixture
def loaded(neo4j_db, neo4j_env, ledgers):
    """load(name) -> a store holding that ledger (loaded only when not loaded already)."""
    stores = []

    def load(name: str) -> Neo4jStore:
        store = Neo4jStore.from_settings(neo4j_env.uri)
        stores.append(store)
        if neo4j_db.loaded != name:
            neo4j_db.wipe()
            store.replace_all(ledgers(name), record(name))
            neo4j_db.loaded = name
        return store

    yield load
    for store in stores:
        store.close()


# The ledgers every differential test runs on (those present are used; generated ones always are).
LEDGER_NAMES = [name for name, present in (
    ("core", (ACCEPTANCE / "core" / "ledger").is_dir()),
    ("demo", DEMO.is_dir() and any(DEMO.glob("*.csv"))),
    ("gen1", True),
    ("gen2", True),
) if present]


def pytest_generate_tests(metafunc):
    if "ledger_name" in metafunc.fixturenames:  # differential tests: every ledger
        metafunc.parametrize("ledger_name", LEDGER_NAMES)
    if "small_ledger" in metafunc.fixturenames:  # store round trips: all but the largest
        metafunc.parametrize("small_ledger", [n for n in LEDGER_NAMES if n != "gen2"])


def as_of_dates(name: str) -> list:
    """The as-of dates to audit a ledger on: the hand-worked ones for acceptance cases,
    every boundary date and its eve for generated ledgers."""
    from datetime import date

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    expected = ACCEPTANCE / name / "expected.toml"
    if expected.is_file():
        return [date.fromisoformat(a["date"]) for a in tomllib.loads(expected.read_text("utf-8"))["asof"]]
    return list(gen_ledger.AS_OF_DATES)


@pytest.fixture
def dates():
    return as_of_dates


@pytest.fixture(scope="session")
def generator():
    """The module govgraph/synth/boundaries.py."""
    return gen_ledger


def pytest_configure(config):
    config.addinivalue_line("markers", "ledger(name): the ledger a Neo4j test loads (groups tests by ledger)")


def pytest_collection_modifyitems(config, items):
    """Run the tests of this folder grouped by the ledger they load, so that each ledger
    is loaded once: tests that wipe the database first, then core, gen1, gen2."""
    mine = [i for i, item in enumerate(items) if Path(str(item.fspath)).resolve().parent == HERE]
    if not mine:
        return
    order = {name: n for n, name in enumerate(LEDGER_NAMES)}

    def key(item):
        callspec = getattr(item, "callspec", None)
        params = getattr(callspec, "params", {})
        for name in ("ledger_name", "small_ledger"):
            if name in params:
                return 1 + order[params[name]]
        marker = item.get_closest_marker("ledger")
        if marker is not None and marker.args[0] in order:
            return 1 + order[marker.args[0]]
        if "loaded" in getattr(item, "fixturenames", ()):
            return 1 + order["gen1"]
        return 0

    first, last = mine[0], mine[-1] + 1
    if mine != list(range(first, last)):
        return  # not contiguous: leave the order alone
    items[first:last] = sorted(items[first:last], key=key)
