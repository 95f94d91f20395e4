"""The web workbench on a store holding the demo ledger (or a ledger of the test's own)."""

from __future__ import annotations

import warnings

import pytest

from govgraph.cli.data_commands import demo_ledger_path
from govgraph.loading import load_ledger
from govgraph.profile import load_profile
from govgraph.store import open_store


def make_bench(db_path, ledger=None):
    from govgraph.web.state import Workbench

    if ledger is not None:
        store = open_store(str(db_path), None, create=True)
        try:
            load_ledger(store, ledger, name="示例台账" if ledger == demo_ledger_path() else None)
        finally:
            store.close()
    return Workbench(lambda create=False: open_store(str(db_path), None, create=create), load_profile())


def client_for(bench, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the test client's own deprecation notice
        from starlette.testclient import TestClient
    from govgraph.web.app import create_app

    return TestClient(create_app(bench, **kwargs), raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture
def demo_bench(tmp_path):
    return make_bench(tmp_path / "demo.sqlite", demo_ledger_path())


@pytest.fixture
def client(demo_bench):
    return client_for(demo_bench)
