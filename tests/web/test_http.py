"""Every route through the framework's test client: pages, charts, error pages, and the
security rules (login beyond loopback, CSRF, escaping, masking, no stack trace)."""

from __future__ import annotations

import re

import pytest

from govgraph.coverage import coverage
from govgraph.profile import load_profile

from .conftest import client_for, make_bench

DEMO_PHONE = re.compile(r"1[3-9]\d{9}")


def test_overview_shows_indicators_rollups_and_findings(client, demo_bench):
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    for word in ("总览", "核心指标（按区县）", "核心指标（按街道）", "各街道覆盖情况", "问题汇总", "合计"):
        assert word in text
    # every street of the demo appears with a drill-down link, named as in the ledger
    streets = [e for e in demo_bench.data.entities.values() if e.kind == "Street"]
    assert streets
    for street in streets:
        assert f'href="/unit/{street.id}"' in text and street.name in text
    # the orphan count on the card is the library's
    orphans = sum(1 for r in coverage(demo_bench.latest.graph, demo_bench.whole(_today()).on, 3)
                  if r.kind == "Compound" and r.status == "空白")
    assert re.search(rf"<b>{orphans}</b>空白小区", text)


def _today():
    from govgraph.cli.options import today

    return today()


def test_drill_down_from_district_to_compound(client, demo_bench):
    on = _today()
    whole = demo_bench.whole(on)
    compound = next(r for r in whole.coverage if r.kind == "Compound" and r.status == "空白")
    for unit in (compound.district_id, compound.street_id, compound.community_id):
        page = client.get(f"/unit/{unit}")
        assert page.status_code == 200, unit
        assert demo_bench.latest.entity(unit).name in page.text
    street_page = client.get(f"/unit/{compound.street_id}").text
    assert f'href="/unit/{compound.community_id}"' in street_page
    community_page = client.get(f"/unit/{compound.community_id}").text
    assert f'href="/unit/{compound.id}"' in community_page and "空白小区" in community_page
    page = client.get(f"/unit/{compound.id}").text
    # breadcrumbs, the status, why it is blank, its org chart and the download buttons
    crumbs = re.search(r'<nav class="crumbs">(.*?)</nav>', page, re.S).group(1)
    for unit in (compound.district_id, compound.street_id, compound.community_id):
        assert f'/unit/{unit}"' in crumbs
    assert "为什么是空白" in page and "空白" in page
    assert f'src="/chart/{compound.id}.svg"' in page
    for paper in ("A4", "A3"):
        assert f"/chart/{compound.id}.pdf?paper={paper}" in page


def test_as_of_is_kept_in_every_link(client):
    page = client.get("/unit/S-RJ?as_of=2021-12-31").text
    assert 'value="2021-12-31"' in page
    assert re.search(r'<a href="/unit/S-RJ">回到今天</a>', page)  # the one link that drops the date
    links = re.findall(r'href="(/[^"]*)"', page.replace('<a href="/unit/S-RJ">回到今天</a>', ""))
    internal = [u for u in links if not u.startswith("/static/")]
    assert internal and all("as_of=2021-12-31" in u for u in internal), [u for u in internal if "as_of" not in u]


def test_as_of_changes_the_answers(client, demo_bench):
    early = client.get("/?as_of=2015-01-01").text
    now = client.get("/").text
    assert re.search(r"<b>(\d+)</b>空白小区", early).group(1) != re.search(r"<b>(\d+)</b>空白小区", now).group(1)


@pytest.mark.parametrize("fmt,media,magic", [("svg", "image/svg+xml", b"<?xml"), ("png", "image/png", b"\x89PNG"),
                                             ("pdf", "application/pdf", b"%PDF")])
def test_charts(client, fmt, media, magic):
    for unit in ("C-HYH", "M-RJ", "S-RJ"):
        response = client.get(f"/chart/{unit}.{fmt}?paper=A3")
        assert response.status_code == 200, (unit, response.text[:200])
        assert response.headers["content-type"].startswith(media)
        assert response.content.startswith(magic)
        if fmt != "svg":
            assert "attachment" in response.headers["content-disposition"]


def test_coverage_plot_and_static_files(client):
    assert client.get("/chart/coverage.svg").content.startswith(b"<?xml")
    assert client.get("/chart/coverage.svg?unit=S-RJ").content.startswith(b"<?xml")
    trend = client.get("/chart/trend.svg?as_of=2024-06-30")
    assert trend.status_code == 200 and trend.content.startswith(b"<?xml")
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "GovgraphCJK" in css.text
    font = client.get("/static/font/NotoSansSC.otf")
    assert font.status_code == 200 and font.content[:4] == b"OTTO"


def test_no_address_outside_the_app(client):
    """Works offline: every script, style sheet, font and image comes from the app."""
    for path in ("/", "/unit/S-RJ", "/unit/C-HYH", "/static/style.css"):
        text = client.get(path).text
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "url(http" not in text and "@import" not in text


def test_error_pages_are_chinese_and_carry_no_trace(client, demo_bench, monkeypatch):
    missing = client.get("/unit/NO-SUCH")
    assert missing.status_code == 404 and "找不到编号为 NO-SUCH 的单位" in missing.text
    assert client.get("/no/such/page").status_code == 404
    bad_date = client.get("/?as_of=2024-13-45")
    assert bad_date.status_code == 400 and "不是有效日期" in bad_date.text
    not_a_unit = client.get("/chart/P-HYH.svg")
    assert not_a_unit.status_code == 400 and "只能为小区、社区或街道制图" in not_a_unit.text

    def broken(on):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(demo_bench.latest, "whole", broken)
    page = client.get("/")
    assert page.status_code == 500
    assert "内部错误" in page.text
    assert "Traceback" not in page.text and "secret internal detail" not in page.text


def test_phones_are_masked_everywhere(client, demo_bench):
    phones = {e.attrs["phone"] for e in demo_bench.data.entities.values() if e.attrs.get("phone")}
    assert phones
    for path in ("/", "/unit/S-RJ", "/unit/M-RJ", "/unit/C-HYH"):
        text = client.get(path).text
        for phone in phones:
            assert phone not in text, (path, phone)
    assert "****" in client.get("/unit/C-HYH").text  # the masked form is shown


def test_script_in_a_name_shows_as_text(tmp_path, make_ledger):
    ledger = make_ledger({
        "streets.csv": "id,name\nS1,<script>alert('x')</script>街道\n",
        "communities.csv": "id,name,street_id\nM1,<b>社区</b>,S1\n",
        "compounds.csv": "id,name,community_id\nC1,<img src=x onerror=alert(1)>,M1\n",
    })
    client = client_for(make_bench(tmp_path / "x.sqlite", ledger))
    for path in ("/", "/unit/S1", "/unit/M1", "/unit/C1"):
        text = client.get(path).text
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>社区</b>" not in text, path
    assert "&lt;script&gt;alert(" in client.get("/unit/S1").text


def test_beyond_loopback_needs_a_login(demo_bench):
    client = client_for(demo_bench, password="s3cret")
    for path in ("/", "/unit/S-RJ", "/chart/C-HYH.png"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    form = client.get("/login")
    assert form.status_code == 200 and "密码" in form.text
    # before login: no menu, no date control, not where the data lives
    assert "问题清单" not in form.text and "as_of" not in form.text and str(demo_bench.description) not in form.text
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    assert client.post("/login", data={"password": "s3cret"}).status_code == 403  # no CSRF token
    wrong = client.post("/login", data={"password": "nope", "csrf": token})
    assert wrong.status_code == 403 and "密码不正确" in wrong.text
    assert client.get("/").status_code == 303
    ok = client.post("/login", data={"password": "s3cret", "csrf": token, "next": "/unit/S-RJ"})
    assert ok.status_code == 303 and ok.headers["location"] == "/unit/S-RJ"
    page = client.get("/")
    assert page.status_code == 200 and "退出登录" in page.text and "问题清单" in page.text
    logout = client.post("/logout", data={"csrf": token})
    assert logout.status_code == 303
    assert client.get("/").status_code == 303


def test_login_does_not_redirect_off_site(demo_bench):
    client = client_for(demo_bench, password="pw")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"password": "pw", "csrf": token, "next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_serve_refuses_an_open_address_without_a_password(run, monkeypatch):
    monkeypatch.delenv("GOVGRAPH_PASSWORD", raising=False)
    run("demo")
    result = run("serve", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert "必须设置登录密码" in result.output


def test_profile_thresholds_reach_the_pages(tmp_path):
    """The page shows the library's answer for the profile the server was started with."""
    from govgraph.cli.data_commands import demo_ledger_path

    bench = make_bench(tmp_path / "p.sqlite", demo_ledger_path())
    strict = load_profile().model_copy(update={"min_formal_members": 1000})
    bench.profile = strict
    bench.reload()
    text = client_for(bench).get("/unit/C-HYH").text
    assert "达到单独组建党组织的人数" not in text


def test_a_chart_of_several_pages_downloads_whole(tmp_path):
    """A community too big for one legible A4 page: the PDF holds every page, the PNG
    download is a zip of one PNG a page."""
    import io
    import zipfile

    from govgraph.ledger import write_ledger

    from ..charts.conftest import big_community

    ledger = write_ledger(big_community(60), tmp_path / "big.xlsx")
    client = client_for(make_bench(tmp_path / "big.sqlite", ledger))
    pdf = client.get("/chart/M1.pdf?paper=A4&as_of=2025-06-30")
    assert pdf.status_code == 200 and len(re.findall(rb"/Type\s*/Page\b", pdf.content)) > 1
    png = client.get("/chart/M1.png?paper=A4&as_of=2025-06-30")
    assert png.headers["content-type"] == "application/zip" and ".zip" in png.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(png.content)).namelist()
    assert len(names) == len(re.findall(rb"/Type\s*/Page\b", pdf.content))
    assert names[0].endswith("第1页.png") and all(n.endswith(".png") for n in names)
