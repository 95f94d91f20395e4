"""The audit report as a Word document (python-docx), in the form of a Chinese official
report, because that is what gets forwarded: the title centred, 填报单位 and 统计时点
under it, numbered sections (一、二、…), tables with 序号 and 合计 and a repeated
header row, the coverage plot and the org chart as pictures, page numbers in the
footer (第 N 页). It presents the same `Report` the HTML and PDF present.
"""

from __future__ import annotations

import io
from pathlib import Path

from . import fonts
from .document import COLOR_FILLS, FOOTER, Report

MM_EMU = 36000  # python-docx lengths are EMU
PLOT_HEIGHT_MM = 150.0  # a coverage plot page: under the 170 mm between the margins, so one to a page
BODY_FONT = "宋体"  # SimSun: on every Chinese Windows; Word substitutes elsewhere
HEADING_FONT = "黑体"  # SimHei
TITLE_RED = (0xA0, 0x00, 0x1E)


def write_docx(report: Report, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    # A4 landscape: the roll-up tables have a dozen columns
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    _set_font(doc.styles["Normal"], BODY_FONT, Pt(10.5))
    _page_number_footer(section, WD_ALIGN_PARAGRAPH)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report.title)
    _set_run_font(run, HEADING_FONT, Pt(18), bold=True, color=RGBColor(*TITLE_RED))
    meta = doc.add_paragraph("　".join(report.meta))
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    usable = section.page_width - section.left_margin - section.right_margin
    for part in report.sections:
        heading = doc.add_paragraph()
        _set_run_font(heading.add_run(part.title), HEADING_FONT, Pt(14), bold=True)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.keep_with_next = True
        for note in part.notes:
            doc.add_paragraph(note)
        for t in part.tables:
            grid = doc.add_table(rows=1, cols=len(t.headers))
            grid.style = "Table Grid"
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
            weights = t.weights or [1.0] * len(t.headers)
            widths = [int(usable * w / sum(weights)) for w in weights]
            grid.autofit = False
            for column, w in zip(grid.columns, widths):  # the grid's widths: what LibreOffice and WPS follow
                column.width = w
            for cell, text, w in zip(grid.rows[0].cells, t.headers, widths):
                _cell(cell, text, Pt(9), bold=True, fill="F3E6E6", width=w)
            _repeat_header(grid.rows[0])
            for row in t.rows:
                cells = grid.add_row().cells
                for cell, value, w in zip(cells, row, widths):
                    _cell(cell, value.text, Pt(9), fill=COLOR_FILLS.get(value.color, "").lstrip("#") or None, width=w)
            doc.add_paragraph()
        room = (usable, section.page_height - section.top_margin - section.bottom_margin - Cm(3.5))
        for caption, png in part.images:
            doc.add_picture(io.BytesIO(png), **_fit(png, *room))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.add_paragraph(caption).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for plot in part.plots:  # each page as wide as the text and drawn at that size: 9 pt stays 9 pt
            with fonts.chart_style():
                figures = plot.pages(usable / MM_EMU, PLOT_HEIGHT_MM, 2.0)
                if len(figures) > 1:  # pages of pictures: the caption above them, kept with the first
                    caption = doc.add_paragraph(f"{plot.caption}（共 {len(figures)} 页）")
                    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    caption.paragraph_format.keep_with_next = True
                for fig in figures:
                    doc.add_picture(io.BytesIO(_figure_png(fig)), width=usable)
                    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if len(figures) == 1:
                doc.add_paragraph(plot.caption).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for layout in part.charts:
            png = _chart_png(layout)
            doc.add_picture(io.BytesIO(png), **_fit(png, *room))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(FOOTER)
    doc.core_properties.title = report.title
    doc.core_properties.author = "govgraph"
    doc.save(str(path))


def _fit(png: bytes, width, height) -> dict:
    """The picture as large as the page allows, so a heading never sits alone above it."""
    import struct

    w, h = struct.unpack(">II", png[16:24])  # the PNG header's pixel size
    return {"width": width} if w * height >= h * width else {"height": height}


def _chart_png(layout) -> bytes:
    from . import draw

    with fonts.chart_style():
        return _figure_png(draw.figure(layout))


def _figure_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    return buffer.getvalue()


def _set_font(style, name: str, size) -> None:
    from docx.oxml.ns import qn

    style.font.name = name
    style.font.size = size
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _set_run_font(run, name: str, size, bold: bool = False, color=None) -> None:
    from docx.oxml.ns import qn

    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _cell(cell, text: str, size, bold: bool = False, fill: str | None = None, width=None) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold
    if width is not None:
        cell.width = width
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    """The header row printed again at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _page_number_footer(section, align) -> None:
    """第 N 页 / 共 M 页 in the footer, as Word fields (right for every page count)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = align.CENTER

    def field(code: str) -> None:
        run = paragraph.add_run()
        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            elif text == code:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = code
            else:
                element = OxmlElement("w:t")
                element.text = text
            run._r.append(element)

    paragraph.add_run("第 ")
    field("PAGE")
    paragraph.add_run(" 页，共 ")
    field("NUMPAGES")
    paragraph.add_run(" 页")
