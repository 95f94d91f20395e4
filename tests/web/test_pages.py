"""The list pages, the upload page and the downloads, through the test client."""

from __future__ import annotations

import io
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import openpyxl

from govgraph.cli.data_commands import demo_ledger_path

from .conftest import client_for, make_bench

ACCEPTANCE = Path(__file__).parent.parent / "acceptance"


def _token(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/upload").text).group(1)


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, f"台账/{path.name}")  # inside a folder, as Windows' 压缩 does
    return buffer.getvalue()


def _rows(text: str, table_class: str) -> list[list[str]]:
    body = re.search(rf'<table class="grid {table_class}">(.*?)</table>', text, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)]


def test_findings_filters_search_and_pages(client, demo_bench):
    from govgraph.cli.options import today

    every = demo_bench.whole(today()).findings
    page = client.get("/findings")
    assert page.status_code == 200 and f"共 {len(every)} 条" in page.text
    errors = [f for f in every if f.severity == "error"]
    assert f"共 {len(errors)} 条" in client.get("/findings?severity=error").text
    orphan = [f for f in every if f.code == "ORPHAN_COMPOUND"]
    text = client.get("/findings?code=ORPHAN_COMPOUND").text
    assert f"共 {len(orphan)} 条" in text
    for f in orphan:
        assert demo_bench.latest.entity(f.entity_id).name in text
    # search by a compound's name finds its findings only
    name = demo_bench.latest.entity(orphan[0].entity_id).name
    found = client.get("/findings", params={"q": name}).text
    expected = [f for f in every if name in f"{demo_bench.latest.entity(f.entity_id).name} {f.message}"]
    assert f"共 {len(expected)} 条" in found
    # a street's findings are its scoped audit's
    street = client.get("/findings?unit=S-RJ").text
    assert f"共 {len(demo_bench.latest.scoped('S-RJ', today()).findings)} 条" in street
    assert client.get("/findings?unit=NOPE").status_code == 404


def test_findings_paginate(tmp_path, monkeypatch):
    from govgraph.web import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 5)
    bench = make_bench(tmp_path / "d.sqlite", demo_ledger_path())
    client = client_for(bench)
    first = client.get("/findings").text
    assert "第 1/" in first and 'page=2"' in first
    assert len(_rows(first, "findings")) == 5
    last_page = int(re.search(r"第 1/(\d+) 页", first).group(1))
    last = client.get(f"/findings?page={last_page}").text
    from govgraph.cli.options import today

    assert len(_rows(last, "findings")) == len(bench.whole(today()).findings) - 5 * (last_page - 1)
    assert client.get("/findings?page=abc").status_code == 200


def test_findings_xlsx_opens_with_the_filter_applied(client, demo_bench):
    response = client.get("/findings.xlsx?severity=warning")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    headers = [c.value for c in sheet[2]]
    assert headers[:3] == ["序号", "严重程度", "问题代码"]
    values = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    from govgraph.cli.options import today

    warnings = [f for f in demo_bench.whole(today()).findings if f.severity == "warning"]
    assert len(values) == len(warnings) and {v[1] for v in values} == {"警告"}


def test_orphans_plan_person_pages(client, demo_bench):
    from govgraph.cli.options import today

    on = today()
    orphans = demo_bench.whole(on).orphans
    text = client.get("/orphans").text
    assert f"共 {len(orphans)} 个" in text
    for unit, reason, _ in orphans:
        assert unit.name in text and reason in text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/orphans.xlsx").content))
    assert book.active.max_row == 2 + len(orphans)
    ranked, result = demo_bench.whole(on).plan
    plan = client.get("/plan").text
    for c in ranked:
        assert c.name in plan
    for a in result.assignments:
        assert a["instructor_name"] in plan
    search = client.get("/person?q=董").text
    assert 'href="/person?id=' in search
    person_id = re.search(r'href="/person\?id=([^"&]+)"', search).group(1)
    person = client.get(f"/person?id={person_id}").text
    assert demo_bench.latest.entity(person_id).name in person and "在任的职务" in person
    assert client.get("/person?id=C-HYH").status_code == 404


def test_upload_with_errors_writes_nothing_and_lists_every_error(client, demo_bench):
    before = (len(demo_bench.data.entities), len(demo_bench.records))
    expected = tomllib.loads((ACCEPTANCE / "errors" / "expected.toml").read_text("utf-8"))["errors"]
    response = client.post("/upload", data={"csrf": _token(client), "mode": "replace"},
                           files={"ledger": ("errors.zip", _zip(ACCEPTANCE / "errors" / "ledger"), "application/zip")})
    assert response.status_code == 400
    assert "未导入任何数据" in response.text
    rows = _rows(response.text, "issues")
    assert len(rows) == len(expected)
    shown = {(r[1], r[2], r[3]) for r in rows}
    for e in expected:
        assert (e["file"], str(e["row"]), e["column"]) in shown, e
    demo_bench.reload()
    assert (len(demo_bench.data.entities), len(demo_bench.records)) == before


def test_upload_a_good_ledger_shows_the_change(client, demo_bench, tmp_path):
    ledger = tmp_path / "next"
    shutil.copytree(demo_ledger_path(), ledger)
    with (ledger / "relations.csv").open("a", encoding="utf-8") as f:
        f.write("派驻,U-FANGL,C-MW27,党建指导员,2024-01,,瑞金街道选派计划\n")
    before = len(demo_bench.records)
    response = client.post("/upload", data={"csrf": _token(client), "mode": "replace"},
                           files={"ledger": ("下月台账.zip", _zip(ledger), "application/zip")})
    assert response.status_code == 200, response.text[:2000]
    assert "已导入台账" in response.text and "关系新增 1" in response.text
    statuses = re.search(r"覆盖状态有变化的小区和物业企业（(\d+) 个）", response.text).group(1)
    assert statuses == "1"
    assert "苜卫路27号" in response.text and "改善" in response.text
    assert len(demo_bench.records) == before + 1
    # the pages now show the new graph
    assert "为什么是空白" not in client.get("/unit/C-MW27").text


def test_upload_an_xlsx(client, demo_bench, tmp_path):
    from govgraph.ledger import write_ledger

    path = write_ledger(demo_bench.data, tmp_path / "导出.xlsx")
    response = client.post("/upload", data={"csrf": _token(client), "mode": "merge"},
                           files={"ledger": ("导出.xlsx", path.read_bytes(), "application/octet-stream")})
    assert response.status_code == 200 and "已导入台账" in response.text
    assert "（0 个）" in response.text  # the same data: no status moved


def test_upload_needs_a_csrf_token(client, demo_bench):
    before = len(demo_bench.records)
    response = client.post("/upload", data={"mode": "replace"},
                           files={"ledger": ("x.zip", _zip(demo_ledger_path()), "application/zip")})
    assert response.status_code == 403 and "安全令牌" in response.text
    wrong = client.post("/upload", data={"mode": "replace", "csrf": "forged"},
                        files={"ledger": ("x.zip", _zip(demo_ledger_path()), "application/zip")})
    assert wrong.status_code == 403
    demo_bench.reload()
    assert len(demo_bench.records) == before


def test_oversized_upload_gets_the_chinese_message(tmp_path):
    bench = make_bench(tmp_path / "s.sqlite", demo_ledger_path())
    client = client_for(bench, max_upload_mb=1)
    token = _token(client)
    response = client.post("/upload", data={"csrf": token},
                           files={"ledger": ("big.xlsx", b"0" * (1024 * 1024 + 10), "application/octet-stream")})
    assert response.status_code == 413
    assert "文件太大：上传的台账不能超过 1 MB" in response.text


def test_upload_refuses_what_is_not_a_ledger(client):
    token = _token(client)
    not_zip = client.post("/upload", data={"csrf": token}, files={"ledger": ("a.zip", b"not a zip", "application/zip")})
    assert not_zip.status_code == 400 and "无法打开这个 .zip 压缩包" in not_zip.text
    other = client.post("/upload", data={"csrf": token}, files={"ledger": ("a.docx", b"x", "application/msword")})
    assert other.status_code == 400 and "不支持的文件类型" in other.text
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("../../etc/evil.txt", "x")
    no_csv = client.post("/upload", data={"csrf": token}, files={"ledger": ("b.zip", empty.getvalue(), "application/zip")})
    assert "压缩包里没有 CSV 文件" in no_csv.text
    missing = client.post("/upload", data={"csrf": token})
    assert missing.status_code == 400 and "请选择要上传的台账文件" in missing.text


def test_downloads(client, demo_bench, tmp_path):
    assert "审计报告" in client.get("/downloads").text
    template = openpyxl.load_workbook(io.BytesIO(client.get("/download/template.xlsx").content))
    assert len(template.sheetnames) >= 9
    export = client.get("/download/export.xlsx")
    path = tmp_path / "export.xlsx"
    path.write_bytes(export.content)
    from govgraph.ledger.read import read_ledger

    assert read_ledger(path).data.same_content(demo_bench.data)
    report = client.get("/download/report.html?unit=S-RJ")
    assert report.status_code == 200 and "瑞金街道" in report.text and "审计报告" in report.text
    assert "问题整改情况" in report.text  # the states and the register, as `govgraph report` gives them
    assert client.get("/download/report.pdf").content.startswith(b"%PDF")
    assert client.get("/download/nothing").status_code == 404


def test_path_page(client, demo_bench):
    from govgraph.cli.options import today
    from govgraph.paths import connecting_paths, in_force_graph

    expected = connecting_paths(in_force_graph(demo_bench.latest.graph, today()), "U-FANGL", "C-HYH", 3)
    assert expected
    text = client.get("/path?from=U-FANGL&to=C-HYH").text
    assert len(re.findall(r'class="pathline"', text)) == len(expected)
    for step in expected[0]:
        assert f">{demo_bench.latest.entity(step['to_id']).name}</a>" in text
    assert client.get("/path?from=U-FANGL&to=NOPE").status_code == 404
    assert "关系路径" in client.get("/path").text


def test_demo_ledger_download_loads_back(client, tmp_path):
    from govgraph.ledger.read import read_ledger

    path = tmp_path / "demo.xlsx"
    path.write_bytes(client.get("/download/demo.xlsx").content)
    assert read_ledger(path).data.same_content(read_ledger(demo_ledger_path()).data)


def test_upload_with_an_empty_file_says_so_and_counts_what_it_broke(client, demo_bench, tmp_path):
    ledger = tmp_path / "broken"
    shutil.copytree(demo_ledger_path(), ledger)
    (ledger / "people.csv").write_bytes(b"")
    response = client.post("/upload", data={"csrf": _token(client), "mode": "replace"},
                           files={"ledger": ("broken.zip", _zip(ledger), "application/zip")})
    assert response.status_code == 400
    rows = _rows(response.text, "issues")
    assert [r[1] for r in rows] == ["people.csv", ""] and "是空文件（0 字节）" in rows[0][5]
    dangling = int(re.search(r"另有 (\d+) 处引用因 people.csv 无法读取而失效", rows[1][5]).group(1))
    assert f"有 {dangling + 1} 处错误" in response.text


def test_template_download_is_the_workbook_govgraph_template_writes(client, tmp_path):
    from govgraph.ledger.workbook import write_template

    def cells(book):
        return {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}

    served = openpyxl.load_workbook(io.BytesIO(client.get("/download/template.xlsx").content))
    written = openpyxl.load_workbook(write_template(tmp_path / "模板.xlsx"))
    assert served.sheetnames == written.sheetnames
    assert cells(served) == cells(written)  # guide sheet, headers and the example rows alike
    assert any(ws.data_validations.dataValidation for ws in served.worksheets)  # the drop-down choices


def test_upload_messages_name_the_form_controls_not_terminal_options(client, demo_bench, tmp_path):
    ledger = tmp_path / "ids"
    shutil.copytree(demo_ledger_path(), ledger)
    people = (ledger / "people.csv").read_text("utf-8").splitlines()
    people[1] = people[1] + "身份证110101199003071233"  # in the tags column
    (ledger / "people.csv").write_text("\n".join(people) + "\n", "utf-8")
    response = client.post("/upload", data={"csrf": _token(client), "mode": "replace"},
                           files={"ledger": ("ids.zip", _zip(ledger), "application/zip")})
    assert response.status_code == 400
    reason = _rows(response.text, "issues")[0][5]
    assert "疑似身份证号" in reason and "勾选下方“允许台账中出现身份证号”" in reason
    assert "允许台账中出现身份证号" in response.text.split("<form")[1]  # the box the message names is there
    assert "--" not in re.sub(r"<[^>]+>|<!--.*?-->", "", response.text.split("<form")[0])
    allowed = client.post("/upload", data={"csrf": _token(client), "mode": "replace", "allow_id_numbers": "1"},
                          files={"ledger": ("ids.zip", _zip(ledger), "application/zip")})
    assert allowed.status_code == 200 and "已导入台账" in allowed.text

    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("districts.csv", "streets.csv"):
        shutil.copy(demo_ledger_path() / name, partial)
    refused = client.post("/upload", data={"csrf": _token(client), "mode": "replace"},
                          files={"ledger": ("partial.zip", _zip(partial), "application/zip")})
    assert "整体替换会把它们全部删除" in refused.text
    assert "请在下方选择“合并”" in refused.text and "请勾选下方“确认整体替换”" in refused.text
    assert "--merge" not in refused.text and "--force" not in refused.text


def test_no_page_shows_a_phone_or_id_number(tmp_path):
    """Crawl every page the workbench links to (HTML and the inline SVG charts) on a ledger
    whose people carry phones and, in their tags, an ID number and a phone."""
    from govgraph.loading import load_ledger
    from govgraph.store import open_store

    ledger = tmp_path / "ledger"
    shutil.copytree(demo_ledger_path(), ledger)
    people = (ledger / "people.csv").read_text("utf-8").splitlines()
    people[1] = people[1] + "身份证110101199003071233；电话13912345678"
    (ledger / "people.csv").write_text("\n".join(people) + "\n", "utf-8")
    store = open_store(str(tmp_path / "x.sqlite"), None, create=True)
    try:  # two submissions, so that the pages of finding states (and their links) are there
        load_ledger(store, demo_ledger_path("demo-2026Q3"), period="2026Q3")
        load_ledger(store, ledger, allow_id_numbers=True, period="2026Q4")
    finally:
        store.close()
    bench = make_bench(tmp_path / "x.sqlite")
    secrets = {e.attrs["phone"] for e in bench.data.entities.values() if e.attrs.get("phone")}
    secrets |= {"110101199003071233", "13912345678"}
    client = client_for(bench)
    seen, queue = set(), ["/", "/person?q=" + people[1].split(",")[1]]
    while queue:
        path = queue.pop()
        if path in seen or path.startswith(("/download", "/static", "/logout")) or path.split("?")[0].endswith((".png", ".pdf")):
            continue
        seen.add(path)
        response = client.get(path)
        kind = response.headers.get("content-type", "")
        if "html" not in kind and "svg" not in kind:
            continue
        for secret in secrets:
            assert secret not in response.text, (path, secret)
        if "html" in kind:
            queue += [h.replace("&amp;", "&") for h in re.findall(r'(?:href|src)="(/[^"#]*)"', response.text)]
    assert len(seen) > 100 and any(p.startswith("/person?id=U-") for p in seen), seen  # people's pages too
    from urllib.parse import unquote

    assert {"/findings?state=新增", "/findings?state=已整改", "/chart/trend.svg"} <= {unquote(p) for p in seen}, seen
    import io

    import openpyxl

    for path in ("/findings.xlsx", "/findings.xlsx?state=已整改", "/findings.xlsx?state=持续&unit=S-RJ"):
        book = openpyxl.load_workbook(io.BytesIO(client.get(path).content))
        cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
        assert "问题状态" in cells, path
        for secret in secrets:
            assert secret not in cells, (path, secret)
