"""Coverage plots, the audit report (HTML and PDF) and the `chart` / `report` commands."""

from __future__ import annotations

import base64
import re

import pytest

from govgraph.charts import fonts
from govgraph.charts.plots import coverage_figure, render_coverage
from govgraph.charts.report import build_report, render_html, write_report
from govgraph.loading import load_ledger
from govgraph.mirror import Snapshot, build_mirror
from govgraph.profile import load_profile
from govgraph.store.sqlite import SqliteStore

from .conftest import AS_OF
from .test_orgcharts import pdf_fonts


def test_coverage_plot_has_the_target_line_and_a_bar_per_unit(big_graph, tmp_path, strict_glyphs):
    profile = load_profile()
    with fonts.chart_style():
        fig = coverage_figure(big_graph, AS_OF, profile, "community")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["幸福社区"]
    target = profile.target_on("org_and_work_coverage_rate", AS_OF) or profile.last_passed(
        "org_and_work_coverage_rate", AS_OF)
    assert any(list(line.get_xdata()) == [100 * target.value] * 2 for line in ax.lines)
    assert len(ax.patches) == 5  # one segment per status
    for suffix in ("png", "svg", "pdf"):
        render_coverage(big_graph, AS_OF, profile, tmp_path / f"plot.{suffix}", "street")
        assert (tmp_path / f"plot.{suffix}").stat().st_size > 1000


def test_coverage_plot_goes_on_pages_of_the_paper_grouped_by_district(tmp_path, strict_glyphs):
    """90 communities in 2 districts: bars at 9 pt on A4 pages (never one page 2 m long),
    each district under its heading, every community once; A3 needs fewer pages."""
    import re
    from datetime import date

    from govgraph.charts.plots import PAGE_PT, coverage_pages
    from govgraph.ledger import read_ledger
    from govgraph.mirror import build_mirror
    from govgraph.synth import Tier, write_synthetic

    write_synthetic(tmp_path / "ledger", spec=Tier("t", 1, 2, 6, 90, 220, 30, (1, 2)))
    graph = build_mirror(read_ledger(tmp_path / "ledger").data)
    on, profile = date(2026, 6, 30), load_profile()
    snap = Snapshot(graph, on)
    with fonts.chart_style():
        a4 = coverage_pages(graph, on, profile, "community", "A4", "portrait")
        a3 = coverage_pages(graph, on, profile, "community", "A3", "portrait")
    assert 2 <= len(a4) <= 4 and len(a3) < len(a4)
    labels, firsts = [], []
    for fig in a4:
        width, height = fig.get_size_inches() * 25.4
        assert abs(width - 210) < 0.5 and abs(height - 297) < 0.5
        ax = fig.axes[0]
        assert all(t.get_fontsize() >= PAGE_PT for t in ax.get_yticklabels() + fig.texts + ax.texts)
        labels += [t.get_text() for t in ax.get_yticklabels()]
        firsts.append(ax.get_yticklabels()[0].get_text())
    assert any("第 1 页，共" in t.get_text() for t in a4[0].texts)
    districts = sorted(graph.nodes[d]["name"] for d in snap.nodes_of("District"))
    # every page starts with a district's heading: its own, or again marked （续） inside a district
    assert all(t in districts or (t.endswith("（续）") and t[:-3] in districts) for t in firsts)
    labels = [t for t in labels if not t.endswith("（续）")]
    headings = [t for t in labels if t in districts]
    assert headings == districts  # each district once, in order, its communities below it
    communities = [t for t in labels if t not in districts]
    assert len(communities) == len([c for c in snap.nodes_of("Community") if any(
        snap.kind(k) == "Compound" for k, _ in snap.into("隶属", c))])
    position = {t: i for i, t in enumerate(labels)}
    for c in snap.nodes_of("Community"):
        street = snap.parent(c, "Street")
        label = f"{graph.nodes[c]['name']}（{graph.nodes[street]['name']}）"
        if label in position:
            district = graph.nodes[snap.parent(street, "District")]["name"]
            heading = max(i for i, t in enumerate(labels) if t in districts and i < position[label])
            assert labels[heading] == district
    told = []
    count, written = render_coverage(graph, on, profile, tmp_path / "cov.pdf", "community", "A4", "portrait",
                                     lambda what, done, total: told.append((what, done, total)))
    assert written == [tmp_path / "cov.pdf"] and count == len(a4)
    assert told[-1] == ("写入覆盖情况图（页）", count, count)  # progress: pages drawn, then written
    assert [d for w, d, _ in told if w.startswith("绘制")] == list(range(1, count + 1))
    assert len(re.findall(rb"/Type\s*/Page\b", (tmp_path / "cov.pdf").read_bytes())) == count


@pytest.fixture(scope="module")
def html_report(demo_graph, ledger_path, tmp_path_factory):
    """A community's report, on the graph read for that community (as the command does)."""
    community = Snapshot(demo_graph, AS_OF).nodes_of("Community")[0]
    store = SqliteStore(tmp_path_factory.mktemp("store") / "s.sqlite")
    try:
        load_ledger(store, ledger_path)
        graph = build_mirror(store.read(community))
    finally:
        store.close()
    return build_report(graph, AS_OF, load_profile(), community), community


def test_html_report_is_one_file_with_its_images_inside(html_report, tmp_path, demo_graph):
    report, community = html_report
    path = write_report(report, tmp_path / "report.html")
    text = path.read_text("utf-8")
    sources = re.findall(r"<img[^>]*\ssrc=\"([^\"]+)\"", text)
    assert len(sources) >= 2  # the coverage plot and the org chart
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"(src|href)=\"(?!data:)", text)  # nothing fetched from elsewhere
    assert "@font-face" in text and "data:font/ttf;base64," in text
    assert f"统计时点：{AS_OF.isoformat()}" in text
    for heading in ("核心指标", "覆盖情况", "问题清单", "党建指导员选派名单", "组织架构图"):
        assert heading in text
    assert demo_graph.nodes[community]["name"] in text
    others = [c for c in Snapshot(demo_graph, AS_OF).nodes_of("Community") if c != community]
    assert not any(f"<td>{demo_graph.nodes[c]['name']}</td>" in text for c in others)  # only the scope
    phones = [a["phone"] for _, a in demo_graph.nodes(data=True) if a.get("phone")]
    assert not any(p in text for p in phones)


def test_whole_ledger_report_lists_every_street_and_the_planner(demo_graph):
    report = build_report(demo_graph, AS_OF, load_profile())
    text = render_html(report)
    for street in Snapshot(demo_graph, AS_OF).nodes_of("Street"):
        assert demo_graph.nodes[street]["name"] in text
    assert "合计" in text
    planner = next(s for s in report.sections if "选派" in s.title)
    if planner.tables:
        scores = [int(r[5].text) for r in planner.tables[0].rows]
        assert scores == sorted(scores, reverse=True)


def test_pdf_report_embeds_the_font(html_report, tmp_path, strict_glyphs):
    report, _ = html_report
    path = write_report(report, tmp_path / "report.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 3 or data.count(b"/Type /Page") >= 4
    names, chars, programs = pdf_fonts(data)
    assert names and all(n.endswith("NotoSansSC-Regular") for n in names)
    assert all(p[:4] == b"\x00\x01\x00\x00" for p in programs)
    assert set(report.title) <= set(chars)


def test_report_refuses_other_formats(demo_graph, tmp_path):
    from govgraph.errors import GovgraphError

    with pytest.raises(GovgraphError, match=r"\.html、\.pdf 或 \.docx"):
        write_report(build_report(demo_graph, AS_OF, load_profile(), with_chart=False), tmp_path / "r.odt")


# -- the commands ------------------------------------------------------------------------------------
def test_chart_and_report_commands(run, ledger_path, tmp_path, demo_graph):
    assert run("load", str(ledger_path)).exit_code == 0
    snap = Snapshot(demo_graph, AS_OF)
    compound, community = snap.nodes_of("Compound")[0], snap.nodes_of("Community")[0]
    result = run("chart", compound, "-o", str(tmp_path / "c.svg"), "--as-of", AS_OF.isoformat(), "--hide-names")
    assert result.exit_code == 0, result.output
    assert "已写入" in result.stdout and (tmp_path / "c.svg").exists()
    result = run("chart", community, "-o", str(tmp_path / "m.pdf"), "--paper", "A3", "--orientation", "portrait",
                 "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert "A3 纵向" in result.stdout
    result = run("chart", "--coverage", "-o", str(tmp_path / "cov.png"), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    result = run("report", "-o", str(tmp_path / "r.html"), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text("utf-8").count("data:image/png;base64,") >= 1


def test_chart_command_errors_are_one_chinese_line(run, ledger_path, tmp_path, demo_graph):
    assert run("load", str(ledger_path)).exit_code == 0
    compound = Snapshot(demo_graph, AS_OF).nodes_of("Compound")[0]
    person = Snapshot(demo_graph, AS_OF).nodes_of("Person")[0]
    result = run("chart", compound, "-o", str(tmp_path / "c.jpg"))
    assert result.exit_code == 1 and "请用 .png、.svg 或 .pdf" in result.stderr
    result = run("chart", "NOPE", "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 1 and "找不到编号为 NOPE 的实体" in result.stderr
    result = run("chart", person, "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 1 and "只能为小区、社区或街道制图" in result.stderr
    result = run("chart", "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 2
    result = run("report", "-o", str(tmp_path / "r.txt"))
    assert result.exit_code == 1 and ".html、.pdf 或 .docx" in result.stderr
    assert "Traceback" not in result.output


def test_leader_report_by_default_full_appendix_on_request(demo_graph):
    leader = build_report(demo_graph, AS_OF, load_profile())
    findings = next(s for s in leader.sections if s.title == "三、问题清单")
    assert [t.headers for t in findings.tables] == [["序号", "严重程度", "问题", "数量"]]  # counts by kind only
    assert findings.tables[0].rows[-1][2].text == "合计"
    assert int(findings.tables[0].rows[-1][3].text) == sum(int(r[3].text) for r in findings.tables[0].rows[:-1])
    assert any("report --full" in n for n in findings.notes)
    full = build_report(demo_graph, AS_OF, load_profile(), full=True)
    detail = next(s for s in full.sections if s.title == "三、问题清单").tables[1]
    assert len(detail.rows) == int(findings.tables[0].rows[-1][3].text)  # every finding in the appendix
    coverage = next(s for s in leader.sections if s.title.startswith("二、"))
    assert coverage.tables[1].headers[:2] == ["序号", "社区"]  # the worst communities
    rates = [float(r[4].text.rstrip("%")) for r in coverage.tables[1].rows]
    assert rates == sorted(rates)


def test_pdf_page_count_and_report_steps(html_report, demo_graph, tmp_path):
    report, _ = html_report
    path = write_report(report, tmp_path / "report.pdf")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))
    assert report.pages == pages  # what the command prints (每页页码 counts the chart pages too)
    heard = []
    build_report(demo_graph, AS_OF, load_profile(), progress=lambda what, done, total: heard.append((done, total)))
    assert heard[0] == (0, 4) and heard[-1] == (4, 4)
