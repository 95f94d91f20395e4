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


def test_the_rectification_register_downloads_as_the_cli_writes_it(tmp_path):
    """The 整改台账 of the demo's 2026Q4 submission: 苜卫路27号's ORPHAN_COMPOUND is open
    (新增 in 2026Q4), 苜卫路23号's is closed (已整改) so it is not in the register; --load 1
    (2026Q3) is the other way round. Same rows as `govgraph rectify export`."""
    import io

    import openpyxl
    from click.testing import CliRunner

    from govgraph.cli.main import cli

    db = tmp_path / "two.sqlite"
    client = client_for(two_period_bench(db))

    def orphan_rows(book):
        sheet = book.active
        header = [c.value for c in sheet[2]]
        rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=3)]
        return rows, {r["对象编号"] for r in rows if r["问题代码"] == "ORPHAN_COMPOUND"}

    page = client.get("/download/rectify.xlsx?as_of=2026-11-23")
    from urllib.parse import unquote

    assert page.status_code == 200 and "整改台账（全辖区，2026-11-23）.xlsx" in unquote(page.headers["content-disposition"])
    web_rows, orphans = orphan_rows(openpyxl.load_workbook(io.BytesIO(page.content)))
    assert orphans == {"C-JCY", "C-MW27"}
    _, earlier = orphan_rows(openpyxl.load_workbook(io.BytesIO(client.get("/download/rectify.xlsx?as_of=2026-11-23&load=1").content)))
    assert earlier == {"C-JCY", "C-MW23"}
    out = tmp_path / "cli.xlsx"
    assert CliRunner().invoke(cli, ["--db", str(db), "rectify", "export", str(out), "--as-of", "2026-11-23"]).exit_code == 0
    assert orphan_rows(openpyxl.load_workbook(out))[0] == web_rows
    _, street = orphan_rows(openpyxl.load_workbook(io.BytesIO(client.get("/download/rectify.xlsx?as_of=2026-11-23&unit=S-CY").content)))
    assert street == {"C-JCY"}
    assert client.get("/download/rectify.xlsx?unit=NO-SUCH").status_code == 404
