"""Earlier submissions on the web (`?load=N`): the demo's two periods, worked by hand in
seeds/demo/README.md — in 2026Q3 苜卫路23号 was 空白 and 苜卫路27号 had an instructor; in
2026Q4 it is the other way round."""

from __future__ import annotations

from govgraph.cli.data_commands import DEMO_PERIODS, demo_ledger_path
from govgraph.loading import load_ledger
from govgraph.profile import load_profile
from govgraph.store import open_store

from .conftest import client_for, make_bench


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


def test_a_period_names_its_submission_as_period_does(tmp_path):
    client = client_for(two_period_bench(tmp_path / "two.sqlite"))
    earlier = client.get("/orphans?period=2026Q3")
    assert earlier.status_code == 200 and "苜卫路23号" in earlier.text and "苜卫路27号" not in earlier.text
    assert "第 1 次报送（非最新）" in earlier.text and 'href="/findings?load=1"' in earlier.text
    assert 'name="period"' not in earlier.text  # the header's own choice replaces it
    latest = client.get("/orphans?period=2026Q4")
    assert "苜卫路27号" in latest.text and "非最新" not in latest.text
    missing = client.get("/?period=2030Q1")
    assert missing.status_code == 404 and "没有期别为 2030Q1 的导入：现有期别 2026Q3、2026Q4" in missing.text


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


# -- finding states and the trend across submissions (tests/periods_ledger.py) ---------------
def three_period_bench(db_path, make_ledger):
    """The three hand-worked periods of tests/periods_ledger.py, and the date 45 days after
    they were submitted (every open ORPHAN_COMPOUND overdue, no NEEDS_INSTRUCTOR)."""
    from datetime import datetime, timedelta

    from periods_ledger import period

    from govgraph.loading import SHANGHAI
    from govgraph.web.state import Workbench

    store = open_store(str(db_path), None, create=True)
    try:
        for n in (1, 2, 3):
            load_ledger(store, make_ledger(period(n)), period=f"2026Q{n}", force=True)
        submitted = datetime.fromisoformat(store.submissions()[0].at).astimezone(SHANGHAI).date()
    finally:
        store.close()
    bench = Workbench(lambda create=False: open_store(str(db_path), None, create=create), load_profile())
    return bench, (submitted + timedelta(days=45)).isoformat()


def _rows(html: str, table_class: str) -> list[list[str]]:
    import re

    body = html.split(f'class="grid {table_class}"', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c.replace("<br>", "\n")).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)]


def test_overview_counts_each_state_against_the_previous_submission(tmp_path, make_ledger):
    """Period 3 against period 2 (tests/periods_ledger.py): S1 C11 回潮, C13 新增, C12 已整改;
    S2 C22 持续, C21 已整改; S3 C31 回潮 — two findings a compound."""
    bench, on = three_period_bench(tmp_path / "p.sqlite", make_ledger)
    client = client_for(bench)
    page = client.get(f"/?as_of={on}").text
    assert "第 3 次导入（2026Q3）对照第 2 次导入（2026Q2）" in page
    cards = page.split('class="cards states"', 1)[1].split("</section>", 1)[0]
    assert [(n, word) for n, word in __import__("re").findall(r"<b>(\d+)</b>(\S+?)</", cards)] == [
        ("2", "新增"), ("2", "持续"), ("4", "回潮"), ("4", "已整改"), ("4", "超期未改")]
    #                      本期 新增 持续 回潮 已整改 超期 已豁免
    assert _rows(page, "states-by-street") == [
        ["城阳街道", "4", "2", "0", "2", "2", "2", "0"],
        ["夏庄街道", "2", "0", "2", "0", "2", "1", "0"],
        ["李村街道", "2", "0", "0", "2", "0", "1", "0"],
        ["合计", "8", "2", "2", "4", "4", "4", "0"]]
    assert _rows(page, "states-by-district") == [
        ["城阳区", "6", "2", "2", "2", "4", "3", "0"], ["李沧区", "2", "0", "0", "2", "0", "1", "0"],
        ["合计", "8", "2", "2", "4", "4", "4", "0"]]
    assert "历次报送（共 3 次）" in page
    second = client.get(f"/?as_of={on}&load=2").text  # period 2 against period 1
    assert "第 2 次导入（2026Q2）对照第 1 次导入（2026Q1）" in second
    assert _rows(second, "states-by-street")[-1] == ["合计", "6", "4", "2", "0", "4", "3", "0"]
    first = client.get(f"/?as_of={on}&load=1").text
    assert "之前没有报送可对照" in first and "states-by-street" not in first
    assert "这次报送之前没有更早的报送，还没有历次报送的趋势" in first  # the trend runs up to the chosen one


def _listed(client, query: str) -> set[tuple[str, str, str]]:
    """(state, code, compound) of every row of the problem list for `query`."""
    import re

    page = client.get(f"/findings?{query}")
    assert page.status_code == 200, page.text
    rows = []
    for row in _rows(page.text, "findings"):
        state = re.match(r"(新增|持续|回潮|已整改)", row[0]).group(1)
        rows.append((state, row[2].split("\n")[-1].strip(), row[3].split()[-1]))
    return set(rows)


def test_the_problem_list_filters_by_state(tmp_path, make_ledger):
    bench, on = three_period_bench(tmp_path / "p.sqlite", make_ledger)
    client = client_for(bench)
    both = ("ORPHAN_COMPOUND", "NEEDS_INSTRUCTOR")
    assert _listed(client, f"as_of={on}&state=回潮") == {("回潮", c, u) for c in both for u in ("C11", "C31")}
    assert _listed(client, f"as_of={on}&state=新增") == {("新增", c, "C13") for c in both}
    assert _listed(client, f"as_of={on}&state=持续") == {("持续", c, "C22") for c in both}
    assert _listed(client, f"as_of={on}&state=已整改") == {("已整改", c, u) for c in both for u in ("C12", "C21")}
    assert _listed(client, f"as_of={on}&state=已整改&unit=S1") == {("已整改", c, "C12") for c in both}
    assert _listed(client, f"as_of={on}&state=已整改&unit=D1&code=ORPHAN_COMPOUND") == {
        ("已整改", "ORPHAN_COMPOUND", u) for u in ("C12", "C21")}
    assert _listed(client, f"as_of={on}&state=回潮&unit=M3") == {("回潮", c, "C31") for c in both}
    assert _listed(client, f"as_of={on}&state=已整改&q=夏庄") == {("已整改", c, "C21") for c in both}
    assert len(_listed(client, f"as_of={on}")) == 8  # no filter: the present findings
    assert '<option value="回潮" selected>回潮</option>' in client.get(f"/findings?as_of={on}&state=回潮").text
    bad = client.get("/findings?state=<b>x</b>")
    assert bad.status_code == 400 and "没有“&lt;b&gt;x&lt;/b&gt;”这种问题状态" in bad.text


def test_the_problem_list_xlsx_carries_the_state_and_the_register(tmp_path, make_ledger):
    import io

    import openpyxl

    from govgraph.rectify import RegisterEntry, entry_to_row

    bench, on = three_period_bench(tmp_path / "p.sqlite", make_ledger)
    client = client_for(bench)

    def sheet(query):
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/findings.xlsx?as_of={on}&{query}").content))
        rows = list(book.active.iter_rows(values_only=True))
        return rows[0][0], [dict(zip(rows[1], r)) for r in rows[2:]]

    note, rows = sheet("state=回潮")
    assert "对照第 2 次导入" in note
    assert sorted((r["问题状态"], r["对象编号"], r["首次出现（报送序号）"]) for r in rows) == [
        ("回潮", "C11", 3), ("回潮", "C11", 3), ("回潮", "C31", 3), ("回潮", "C31", 3)]
    assert "整改状态" not in rows[0]  # no register yet
    store = bench.open_store(create=True)
    try:
        store.write_register([entry_to_row(RegisterEntry((code, "C22", ""), progress="整改中",
                                                         measures="联系物业企业", reported_in=3))
                              for code in ("ORPHAN_COMPOUND", "NEEDS_INSTRUCTOR")])
    finally:
        store.close()
    bench.reload()
    _, rows = sheet("state=持续")
    by_code = {r["问题代码"]: r for r in rows}
    # ORPHAN_COMPOUND of C22 has been open since period 2, past its 30 days: 超期 whatever
    # the register's 进展 says; NEEDS_INSTRUCTOR has 90 days: 整改中 as reported
    assert (by_code["ORPHAN_COMPOUND"]["整改状态"], by_code["ORPHAN_COMPOUND"]["进展"]) == ("超期", "整改中")
    assert (by_code["NEEDS_INSTRUCTOR"]["整改状态"], by_code["NEEDS_INSTRUCTOR"]["进展"]) == ("整改中", "整改中")
    page = client.get(f"/findings?as_of={on}&state=持续").text
    assert "<th>整改台账</th>" in page and "整改中" in page


def test_the_trend_runs_across_submissions(tmp_path, make_ledger):
    """合计 org-and-work coverage per period: 2 of 5, 2 of 5, 2 of 6 compounds covered
    (C12/C22, C11/C31, C12/C21 by the instructor)."""
    bench, on = three_period_bench(tmp_path / "p.sqlite", make_ledger)
    from datetime import date

    trend = bench.latest.history(date.fromisoformat(on)).trend
    assert [s.seq for s, _ in trend] == [1, 2, 3]
    work = [next(i for i in totals if i.indicator == "org_and_work_coverage_rate") for _, totals in trend]
    assert [(i.numerator, i.denominator) for i in work] == [(2, 5), (2, 5), (2, 6)]
    client = client_for(bench)
    svg = client.get(f"/chart/trend.svg?as_of={on}")
    assert svg.status_code == 200 and svg.content.startswith(b"<?xml")


def test_one_submission_says_there_is_nothing_to_compare(client):
    page = client.get("/").text
    assert "之前没有报送可对照" in page and "只有一次报送" in page
    assert "<th>状态</th>" not in client.get("/findings").text
    assert client.get("/chart/trend.svg").status_code == 200


def test_script_in_a_name_shows_as_text_on_the_state_pages(tmp_path, make_ledger):
    """Two submissions whose names are markup: a compound gone from the second (its findings
    已整改, shown by the name it had) and one still there (持续)."""
    files = {
        "streets.csv": "id,name\nS1,<script>alert('s')</script>街道\n",
        "communities.csv": "id,name,street_id\nM1,<b>社区</b>,S1\n",
        "compounds.csv": "id,name,community_id\nC1,<img src=x onerror=alert(1)>,M1\nC2,<script>alert('c')</script>小区,M1\n",
    }
    store = open_store(str(tmp_path / "x.sqlite"), None, create=True)
    try:
        load_ledger(store, make_ledger(files), period="2026Q1")
        files["compounds.csv"] = "id,name,community_id\nC2,<script>alert('c')</script>小区,M1\n"
        load_ledger(store, make_ledger(files), period="2026Q2", force=True)
    finally:
        store.close()
    client = client_for(make_bench(tmp_path / "x.sqlite"))
    fixed = client.get("/findings?state=已整改").text
    assert "C1" in fixed and "&lt;img src=x onerror=alert(1)&gt;" in fixed
    persisting = client.get("/findings?state=持续&unit=M1").text
    assert "C2" in persisting and "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;小区" in persisting
    for path in ("/", "/findings?state=已整改", "/findings?state=持续", "/findings?state=新增&unit=S1",
                 "/unit/S1", "/unit/M1", "/unit/C2", "/?load=1", "/findings?state=新增&load=1"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>社区</b>" not in page.text, path
