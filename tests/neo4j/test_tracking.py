"""Tracking on the real Neo4j server (domain.md §7): the register kept as `:RegisterEntry`
nodes, and `diff`, `audit --baseline` and `rectify` giving the same answers as on SQLite
for the three hand-made periods of tests/test_tracking_cli.py."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timedelta

from click.testing import CliRunner
from openpyxl import load_workbook

from govgraph.cli.main import cli
from govgraph.store.sqlite import SqliteStore
from small_ledger import SMALL
from test_tracking_cli import SECOND, THIRD

REASON = "小区列入拆迁或征收计划"


def _write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip("\n") + "\n", encoding="utf-8")
    return folder


def test_register_and_diff_on_neo4j_equal_sqlite(clean_store, neo4j_db, neo4j_env, tmp_path):
    runner = CliRunner()
    stores = {"neo4j": ["--neo4j-uri", neo4j_env.uri], "sqlite": ["--db", str(tmp_path / "s.sqlite")]}

    def run(store, *args):
        result = runner.invoke(cli, [*stores[store], *args], catch_exceptions=False)
        return result

    def as_json(store, *args):
        result = run(store, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    for i, (period, files) in enumerate((("2026Q1", SMALL), ("2026Q2", SECOND), ("2026Q3", THIRD))):
        folder = _write(tmp_path / period, files)
        for store in stores:
            assert run(store, "load", "--force", "--period", period, str(folder)).exit_code == 0
    day = datetime.fromisoformat(as_json("neo4j", "history")[0]["at"]).date()
    on = str(day + timedelta(days=45))
    for args in (("diff", "--as-of", on), ("diff", "--from", "1", "--to", "2", "--as-of", on)):
        assert as_json("neo4j", *args) == as_json("sqlite", *args)
    orphans = {r["entity_id"]: r["state"] for r in as_json("neo4j", "audit", "--baseline", "--as-of", on)["findings"]
               if r["code"] == "ORPHAN_COMPOUND"}
    assert orphans == {"C1": "已整改", "C3": "持续", "C4": "回潮", "C5": "持续"}

    # The register: exported from Neo4j, one waiver and one bad date, refused with nothing written.
    path = tmp_path / "整改台账.xlsx"
    assert run("neo4j", "rectify", "export", str(path), "--as-of", on).exit_code == 0
    book = load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[2]}
    row = {(sheet.cell(r, col["问题代码"]).value, sheet.cell(r, col["对象编号"]).value): r
           for r in range(3, sheet.max_row + 1)}
    waive, work = row["ORPHAN_COMPOUND", "C3"], row["ORPHAN_COMPOUND", "C5"]
    for header, value in (("进展", "申请豁免"), ("豁免理由", REASON), ("审批人", "城阳区委组织部"), ("豁免到期", "2024-13-01")):
        sheet.cell(waive, col[header], value)
    sheet.cell(work, col["进展"], "整改中")
    sheet.cell(work, col["整改措施"], "联系物业企业组建党支部")
    book.save(path)
    refused = run("neo4j", "rectify", "import", str(path), "--as-of", on)
    assert refused.exit_code == 2 and "豁免到期: 2024-13-01" in refused.output
    assert clean_store.register_rows() == []
    assert neo4j_db.count("MATCH (r:RegisterEntry) RETURN count(r)") == 0
    book = load_workbook(path)
    book.active.cell(waive, col["豁免到期"], str(day + timedelta(days=60)))
    book.save(path)
    for store in stores:
        assert run(store, "rectify", "import", str(path), "--as-of", on).exit_code == 0
    rows = clean_store.register_rows()
    sqlite = SqliteStore(tmp_path / "s.sqlite", create=False)
    try:
        assert rows == sqlite.register_rows()
    finally:
        sqlite.close()
    entries = {(r["code"], r["entity_id"]): r for r in rows}
    assert len(entries) == len(row) == neo4j_db.count("MATCH (r:RegisterEntry) RETURN count(r)")
    waived = entries["ORPHAN_COMPOUND", "C3"]
    assert (waived["progress"], waived["waiver_reason"], waived["waiver_expires"], waived["reported_in"]) == (
        "申请豁免", REASON, str(day + timedelta(days=60)), 3)
    assert entries["ORPHAN_COMPOUND", "C5"]["measures"] == "联系物业企业组建党支部"
    # importing again replaces entries by key: still one node per finding
    assert run("neo4j", "rectify", "import", str(path), "--as-of", on).exit_code == 0
    assert neo4j_db.count("MATCH (r:RegisterEntry) RETURN count(r)") == len(row)
    assert as_json("neo4j", "rectify", "--as-of", on) == as_json("sqlite", "rectify", "--as-of", on)
    assert as_json("neo4j", "audit", "--baseline", "--as-of", on) == as_json("sqlite", "audit", "--baseline", "--as-of", on)
