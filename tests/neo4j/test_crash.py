"""The server dies in the middle of a load: after recovery the previous graph is intact.

This uses a second, throwaway server (not the session's), killed with SIGKILL while the
write transaction is running and then restarted on the same data directory. Two server
starts (the second one with recovery) take a minute or more on a small machine; it runs
in every suite all the same, since "nothing half-written" is what the store promises.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from neo4j import GraphDatabase

from govgraph.errors import StoreError
from govgraph.store.base import LoadRecord
from govgraph.store.neo4j import Neo4jStore

RUNNING_WRITE = """
SHOW TRANSACTIONS YIELD currentQuery, status
WHERE currentQuery CONTAINS 'UNWIND $rows' RETURN count(*) AS n
"""


def _record(name):
    return LoadRecord("2024-06-30T12:00:00+08:00", name, "replace", 0, 0, 0, 0, 0, 0)


def test_server_killed_mid_load_keeps_previous_graph(tmp_path_factory, ledgers, ledger_paths, start_neo4j):
    start_server = start_neo4j
    home = tmp_path_factory.mktemp("neo4j-crash-home")
    server = start_server(home)
    try:
        old, new = ledgers("core" if "core" in ledger_paths else "gen1"), ledgers("gen2")
        store = Neo4jStore(server.uri, server.auth, batch_size=100, max_transaction_retry_time=1.0)
        store.replace_all(old, _record("old"))

        failure: list[BaseException] = []

        def load():
            try:
                store.replace_all(new, _record("new"))
            except BaseException as exc:  # noqa: BLE001 - inspected below
                failure.append(exc)

        writer = threading.Thread(target=load)
        watcher = GraphDatabase.driver(server.uri, auth=server.auth)
        writer.start()
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # wait until the load is writing batches
                if watcher.execute_query(RUNNING_WRITE, database_="neo4j").records[0]["n"]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the load never started writing")
            time.sleep(0.3)
            os.kill(server.pid, signal.SIGKILL)
        finally:
            watcher.close()
            writer.join(120)
        store.close()
        assert not writer.is_alive()
        assert failure and isinstance(failure[0], StoreError), failure
        message = str(failure[0])
        assert message.startswith(f"写入 Neo4j（{server.uri}）"), message
        assert "已回滚，库中数据未改变" in message and "\n" not in message
    finally:
        server.stop(timeout=10)

    restarted = start_server(home)  # recovery runs on start
    try:
        store = Neo4jStore(restarted.uri, restarted.auth)
        try:
            assert store.read().same_content(old)
            assert [r.ledger for r in store.load_records()] == ["old"]
        finally:
            store.close()
    finally:
        restarted.stop()
