"""Earlier submissions on the web (`?load=N`): the demo's two periods, worked by hand in
seeds/demo/README.md — in 2026Q3 苜卫路23号 was 空白 and 苜卫路27号 had an instructor; in
2026Q4 it is the other way round."""

from __future__ import annotations

from govgraph.cli.data_commands import DEMO_PERIODS, demo_ledger_path
from govgraph.loading import load_ledger
from govgraph.profile import load_profile
from govgraph.store import open_store

from .conftest import client_for


def two_period_bench(db_path):
    from govgraph.web.state import Workbench

    store = open_store(str(db_path), None, create=True)
    try:
        for period, folder in DEMO_PERIODS:
            load_ledger(store, demo_ledger_path(folder), period=period)
    finally:
        store.close()
    return Workbench(lambda create=False: open_store(str(db_path), None, create=create), load_profile())


def test_an_earlier_submission_is_shown_when_asked_for_and_links_keep_it(tmp_path):
    client = client_for(two_period_bench(tmp_path / "two.sqlite"))
    latest, earlier = client.get("/orphans"), client.get("/orphans?load=1")
    assert latest.status_code == earlier.status_code == 200
    assert "苜卫路27号" in latest.text and "苜卫路23号" not in latest.text
    assert "苜卫路23号" in earlier.text and "苜卫路27号" not in earlier.text
    assert "第 1 次报送（非最新）" in earlier.text and "非最新" not in latest.text
    assert 'href="/unit/S-RJ?load=1"' in client.get("/?load=1").text
    assert '<option value="1" selected>第 1 次（2026Q3）</option>' in earlier.text
    newest = client.get("/orphans?load=2").text  # the latest by number is the latest
    assert "苜卫路27号" in newest and "非最新" not in newest


def test_a_submission_that_does_not_exist_is_a_chinese_error(tmp_path):
    client = client_for(two_period_bench(tmp_path / "two.sqlite"))
    for bad in ("9", "x", "0"):
        page = client.get(f"/?load={bad}")
        assert page.status_code == 400 and f"没有第 {bad} 次报送（现有第 1–2 次）" in page.text
