"""The report as Word: the form of a Chinese official report (title, 填报单位, 统计时点,
numbered sections, tables with 序号 and 合计 whose header repeats, page numbers)."""

from __future__ import annotations

from docx import Document

from govgraph.charts.report import build_report, write_report
from govgraph.mirror import Snapshot
from govgraph.profile import load_profile

from .conftest import AS_OF


def test_word_report_is_an_official_report(demo_graph, tmp_path):
    street = Snapshot(demo_graph, AS_OF).nodes_of("Street")[0]
    report = build_report(demo_graph, AS_OF, load_profile(), street, reporter="城阳街道党工委")
    path = write_report(report, tmp_path / "报告.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == report.title
    assert "填报单位：城阳街道党工委" in texts[1] and f"统计时点：{AS_OF.isoformat()}" in texts[1]
    headings = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert headings == [s.title for s in report.sections]
    indicators = doc.tables[0]
    assert indicators.rows[0].cells[0].text == "序号"
    assert indicators.rows[-1].cells[1].text == "合计" and indicators.rows[-1].cells[0].text == ""
    assert all(t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") for t in doc.tables)  # header on every page
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in doc.sections[0].footer.paragraphs[0].text
    assert len(doc.inline_shapes) >= 2  # the coverage plot and the org chart
