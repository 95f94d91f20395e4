"""The audit report: one self-contained HTML or PDF file for one street, one community
or the whole ledger, as of a date.

Sections: headline indicators against the targets, coverage per unit with the stacked
bar plot, the findings, the instructor planner's list and (for a street or community)
the org chart. The HTML carries its images as data: URIs and a subset of the CJK font;
the PDF embeds the font. Every text shown passes through `mask_sensitive`.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from pathlib import Path

import networkx as nx

from ..coverage import STATUSES, coverage, rollups
from ..errors import GovgraphError, NotFoundError
from ..findings import audit
from ..indicators import indicators
from ..labels import kind_word
from ..outputs import check_output_file, write_failed
from ..planner import candidates, instructors, plan
from ..profile import INDICATORS, Profile
from ..values import mask_sensitive
from . import draw, fonts
from .layout import LayoutError, Page, layout_pages
from .orgchart import build_chart
from .plots import coverage_pages

from ..labels import SEVERITY_WORDS  # the same words as the CLI
from .document import FOOTER, Cell, PagedPlot, Report, Section, Table

def _cells(values: list) -> list[Cell]:
    return [v if isinstance(v, Cell) else Cell(mask_sensitive("" if v is None else str(v))) for v in values]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


LEADER_ROWS = 20  # the worst units, the first of the instructor list: what a leader reads


NUMERALS = "一二三四五六七八九十"


def build_report(graph: nx.MultiDiGraph, on: date, profile: Profile, scope: str | None = None,
                 reporter: str | None = None, with_chart: bool = True, full: bool = False,
                 progress=None, tracking=None) -> Report:
    """The report on `graph`, which is the mirror read for `scope` (`store.read(scope)`):
    every unit in it counts, so a whole-ledger graph with a scope would report it all.

    By default what a leader reads: the indicators and roll-ups by district and by street
    (or community), the worst units, the findings counted by kind and the first of the
    instructor list; `full` adds every finding and the whole list (the per-unit appendix).
    `tracking` (`rectify.track_store`'s answer for the same submission and scope) adds
    each finding's state and register columns and the section 问题整改情况: per district
    and street (per 责任单位 in a scoped report) 新增, 持续, 回潮, 已整改, 超期, 已豁免.
    `progress(what, done, total)` hears of each section."""
    if scope is not None and scope not in graph:
        raise NotFoundError(f"找不到街道或社区：{scope}")
    scope_name = graph.nodes[scope]["name"] if scope else "全辖区"
    scope_kind = graph.nodes[scope]["kind"] if scope else None
    level = "street" if scope_kind is None else "community"
    step = progress or (lambda what, done, total: None)
    total = 5 if with_chart and scope_kind in ("Street", "Community") else 4
    step("计算覆盖情况和核心指标", 0, total)
    rows = coverage(graph, on, profile.min_formal_members)
    meta = [f"统计时点：{on.isoformat()}", f"口径：{profile.name}"]
    if scope:
        meta.insert(0, f"范围：{kind_word(scope_kind)} {scope_name}（{scope}）")
    if reporter:
        meta.insert(0, f"填报单位：{reporter}")
    sections = [_indicator_section(graph, on, profile, level, rows)]
    step("覆盖情况表和图", 1, total)
    sections.append(_coverage_section(graph, on, profile, level, rows, scope_kind))
    step("问题清单", 2, total)
    sections.append(_findings_section(graph, on, profile, rows, full, tracking))
    if tracking is not None:
        meta.append(tracking.against_words() if tracking.baseline is not None
                    else f"问题状态：{tracking.submission_words(tracking.current)}，尚无上一期可对照")
        sections.append(_progress_section(tracking, scope_kind))
    step("党建指导员选派名单", 3, total)
    sections.append(_planner_section(graph, on, profile, rows, full))
    if with_chart and scope_kind in ("Street", "Community"):
        step("组织架构图", 4, total)
        sections.append(_chart_section(graph, on, profile, scope))
    step("排版", total, total)
    for n, section in enumerate(sections):  # 一、二、… in the order they stand
        section.title = f"{NUMERALS[n]}、{section.title}"
    return Report(mask_sensitive(f"{scope_name}党建引领物业管理审计报告"), [mask_sensitive(m) for m in meta], sections)


def _indicator_section(graph, on, profile, level, rows) -> Section:
    tables = []
    answers = {}
    for by in ("district", level):  # district roll-ups in every report, then the report's level
        found = answers[by] = indicators(graph, on, profile, by, rows)
        units: dict[str, dict] = {}
        for i in found:
            units.setdefault(i.unit_id, {"name": i.unit_name})[i.indicator] = i
        if by == "district" and len(units) <= 2:  # one district and the total: the same row twice
            continue
        table = Table(["序号", "区县" if by == "district" else "单位", *INDICATORS.values()], [])
        for n, (unit, values) in enumerate(units.items(), start=1):
            cells = [Cell("" if unit == "TOTAL" else str(n)), Cell(mask_sensitive(values["name"]))]
            for key in INDICATORS:
                i = values[key]
                text = f"{_pct(i.value)}（{i.numerator}/{i.denominator}）" if i.denominator else "—"
                cells.append(Cell(text, i.color))
            table.rows.append(cells)
        table.weights = [0.5, 1.6] + [1.2] * len(INDICATORS)
        tables.append(table)
    notes = []
    total = {i.indicator: i for i in answers[level] if i.unit_id == "TOTAL"}
    for key, word in INDICATORS.items():
        i = total.get(key)
        if i is None:
            continue
        if i.target is not None:
            notes.append(f"{word}：目标 {i.target:.0%}，期限 {i.deadline.isoformat()}")
        if i.last_deadline is not None:
            met = {True: "已达成", False: "未达成", None: "无法判断"}[i.last_met]
            notes.append(f"{word}：上一期限 {i.last_deadline.isoformat()}（目标 {i.last_target:.0%}）{met}")
    notes.append("底色：绿色达到目标，黄色低于目标 10 个百分点以内，红色低于 10 个百分点以上；无目标的指标不着色。")
    if len(tables) > 1:
        notes.append("先按区县、再按" + ("街道" if level == "street" else "社区") + "列出，最后一行为合计。")
    return Section("核心指标", notes, tables)


def _coverage_section(graph, on, profile, level, rows, scope_kind) -> Section:
    table = Table(["序号", "单位", "小区数", *STATUSES, "组织覆盖率", "组织和工作覆盖率", "物业企业数", "企业空白"], [])
    units = rollups(graph, on, rows, level)
    for n, r in enumerate(units, start=1):
        row = r.as_row()
        table.rows.append(_cells(["" if r.unit_kind == "Total" else n, r.unit_name, r.compound_total,
                                  *[r.compounds[s] for s in STATUSES], _pct(row["org_coverage_rate"]),
                                  _pct(row["org_and_work_coverage_rate"]), row["firms"], row["firm_blank"]]))
    table.weights = [0.5, 1.8] + [0.8] * 6 + [1.1, 1.3, 1.0, 0.9]
    section = Section("党的组织和工作覆盖情况", tables=[table])
    if scope_kind != "Community":  # the communities furthest from covering their compounds
        communities = [r for r in rollups(graph, on, rows, "community") if r.unit_kind != "Total"]
        worst = sorted((r for r in communities if r.as_row()["org_and_work_coverage_rate"] is not None
                        and r.compounds["空白"]),
                       key=lambda r: (r.as_row()["org_and_work_coverage_rate"], -r.compounds["空白"], r.unit_id))
        if worst:
            top = Table(["序号", "社区", "小区数", "空白", "组织和工作覆盖率"], [], [0.5, 2.4, 0.8, 0.8, 1.3])
            for n, r in enumerate(worst[:LEADER_ROWS], start=1):
                top.rows.append(_cells([n, r.unit_name, r.compound_total, r.compounds["空白"],
                                        _pct(r.as_row()["org_and_work_coverage_rate"])]))
            section.notes.append(f"覆盖最差的社区（有空白小区的 {len(worst)} 个社区中，组织和工作覆盖率最低的"
                                 f" {len(top.rows)} 个）列在第二张表。")
            section.tables.append(top)
    if scope_kind == "Community":
        compounds = Table(["序号", "小区", "覆盖状态", "正式党员数", "应单独建"], [], [0.5, 2, 1, 1, 1])
        for n, r in enumerate((r for r in rows if r.kind == "Compound"), start=1):
            compounds.rows.append(_cells([n, r.name, r.status, r.formal_members, "是" if r.eligible else "否"]))
        section.tables.append(compounds)
    if any(r.kind == "Compound" for r in rows):  # paged as `chart --coverage --paper` pages it: 9 pt on the page
        def pages(width: float, height: float, margin: float) -> list:
            return coverage_pages(graph, on, profile, level, rows=rows, size=(width, height), margin=margin,
                                  numbered=False, shrink=True)

        section.plots.append(PagedPlot("各单位覆盖情况（含政策目标线）", pages))
    return section


_NO_UNIT_WORDS = "“未定”各行"
PROGRESS_WORDS = {"present": "本期问题"}  # the other counts are named by their own words (新增 …)


def _findings_section(graph, on, profile, rows, full: bool = False, tracking=None) -> Section:
    from ..finding_states import FIXED

    if tracking is None:
        findings, tracked = audit(graph, on, profile, rows), []
        counts: dict[tuple[str, str], int] = {}
        for f in findings:
            counts[(f.severity, f.title)] = counts.get((f.severity, f.title), 0) + 1
        summary = Table(["序号", "严重程度", "问题", "数量"],
                        [_cells([k, SEVERITY_WORDS[s], t, n]) for k, ((s, t), n) in enumerate(counts.items(), start=1)]
                        + [_cells(["", "", "合计", len(findings)])], [0.5, 1, 3, 1])
    else:  # the tracked findings are the audited submission's own: counted by rectify.progress_counts
        from ..rectify import progress_counts

        tracked = tracking.tracked
        findings = [t.audited.finding for t in tracked if t.state.state != FIXED]
        keys = _progress_keys(tracking)
        summary = Table(["序号", "严重程度", "问题", *(PROGRESS_WORDS.get(k, k) for k in keys)], [],
                        [0.5, 1, 3] + [0.8] * len(keys))
        for n, r in enumerate(progress_counts(tracked, tracking.units, "code"), start=1):
            total = r.get("unit_id") == "TOTAL"
            summary.rows.append(_cells(["" if total else n, "" if total else SEVERITY_WORDS[r["severity"]],
                                        r["title"], *(r[k] for k in keys)]))
    notes = [f"共 {len(findings)} 条问题。"] if findings else ["未发现问题。"]
    tables = [summary] if findings or any(t.state.state == FIXED for t in tracked) else []
    if full:
        headers = ["序号", "严重程度", "问题", "对象", "说明", "整改建议", "政策依据"]
        weights = [0.5, 0.7, 1.2, 1.6, 3.2, 3.0, 2.6]
        if tracking is not None:
            headers += ["状态", "责任单位", "整改时限", "单位反馈"]
            weights = [0.5, 0.6, 1.0, 1.3, 2.2, 2.0, 1.8, 1.0, 1.1, 1.3, 1.6]
        detail = Table(headers, [], weights)
        shown = tracked or [None] * len(findings)
        for n, (f, t) in enumerate(zip([t.audited.finding for t in tracked] or findings, shown), start=1):
            name = t.audited.entity_name if t else graph.nodes[f.entity_id]["name"]
            cells = [n, SEVERITY_WORDS[f.severity], f.title, f"{kind_word(f.entity_kind)} {name}", f.message,
                     f.remedy, f.policy]
            if t is not None:
                cells += _register_cells(t, tracking)
            detail.rows.append(_cells(cells))
        tables.append(detail)
        if tracking is not None and tracking.baseline is not None:
            notes.append("逐条清单先列本期问题，后列已整改（销号）的问题。")
    elif findings:
        notes.append("逐条问题清单（对象、说明、整改建议、政策依据）见 govgraph audit -o 问题清单.xlsx，"
                     "或用 govgraph report --full 生成含全部问题的报告。")
    return Section("问题清单", notes, tables)


def _progress_keys(tracking) -> list[str]:
    """The counts a table shows: every state against a baseline; with none, only what
    the register says (no columns left empty)."""
    if tracking.baseline is None:
        return ["present", "超期", "已豁免"]
    return ["present", "新增", "持续", "回潮", "已整改", "超期", "已豁免"]


def _register_cells(t, tracking) -> list[str]:
    """A tracked finding's state, its 责任单位 and 整改时限, and what the unit reported."""
    from ..finding_states import FIXED

    state = t.state
    if state.state == FIXED:
        words = f"已整改（第 {state.closed_in} 次导入销号）"
    elif tracking.baseline is None:
        words = f"第 {state.first_seen} 次导入发现"
    else:
        words = f"{state.state}（第 {state.first_seen} 次导入起）"
    unit = t.responsible_unit_name or "（未定责任单位）"
    deadline = f"{t.deadline.isoformat()}（{t.status}）"
    e = t.entry
    said = []
    if e is not None:
        said += [f"进展：{e.progress}"] if e.progress else []
        said += [f"措施：{e.measures}"] if e.measures else []
        said += [f"责任人：{e.person}"] if e.person else []
        if e.waiver:
            expires = e.waiver_expires.isoformat() if e.waiver_expires else ""
            said.append(f"豁免：{e.waiver_reason}（{e.approver}批准，至 {expires}）")
    if t.reported_not_fixed:
        said.append("报而未改")
    return [words, unit, deadline, "；".join(said) or "（未反馈）"]


def _progress_section(tracking, scope_kind) -> Section:
    """问题整改情况: the counts `rectify.progress_counts` gives, by district and street for
    the whole ledger, by 责任单位 for a street or community."""
    from ..rectify import progress_counts

    keys = _progress_keys(tracking)
    headers = [PROGRESS_WORDS.get(k, k) for k in keys]
    notes = []
    if tracking.baseline is None:
        notes.append(f"库中{tracking.against_words()}。下表只列本期问题、超期和已豁免的数量。")
    else:
        notes.append(f"{tracking.against_words()}。新增：对照的报送中没有的问题；回潮：对照的报送中没有、"
                     "更早的报送中有过、本期又出现的问题；已整改：对照的报送中有、本期没有的问题（销号）。")
    notes.append("超期：未整改、未豁免且已过整改时限（问题首次出现的报送日期加口径规定的天数）。")
    groups = [("unit", "责任单位")] if scope_kind is not None else [("street", "街道")]
    if scope_kind is None and len(tracking.units.district_names) > 1:
        groups.insert(0, ("district", "区县"))
        notes.append("先按区县、再按街道列出，最后一行为合计；街道为责任单位所在的街道。")
    tables = []
    for by, word in groups:
        table = Table(["序号", word, *headers], [], [0.5, 2.0] + [0.9] * len(keys))
        for n, r in enumerate(progress_counts(tracking.tracked, tracking.units, by), start=1):
            table.rows.append(_cells(["" if r["unit_id"] == "TOTAL" else n, r["unit_name"], *(r[k] for k in keys)]))
        tables.append(table)
    if any(r.responsible_unit is None for r in tracking.tracked):
        notes.append(f"{_NO_UNIT_WORDS}：找不到责任单位的问题（例如在统计时点不服务任何小区的物业企业），请逐条指定责任单位。")
    return Section("问题整改情况", [mask_sensitive(n) for n in notes], tables)


def _planner_section(graph, on, profile, rows, full: bool = False) -> Section:
    ranked = candidates(graph, on, profile, rows)
    result = plan(ranked, instructors(graph, on, profile))
    assigned = {a["id"]: f"{a['instructor_name']}（{a['match']}）" for a in result.assignments}
    reasons = {u["id"]: u["reason"] for u in result.uncovered}
    table = Table(["序号", "小区", "所属社区", "户数", "正式党员数", "得分", "建议选派"], [],
                  [0.5, 2, 1.6, 0.8, 0.9, 0.7, 2.6])
    shown = ranked if full else ranked[:LEADER_ROWS]
    for n, c in enumerate(shown, start=1):
        community = graph.nodes[c.community_id]["name"] if c.community_id else ""
        table.rows.append(_cells([n, c.name, community, c.households, c.formal_members, c.score,
                                  assigned.get(c.id) or reasons.get(c.id, "")]))
    notes = [f"需选派党建指导员的小区（空白且党员不足 {profile.min_formal_members} 名）按得分排序："
             f"户数、类型、情况复杂、党员数；每名指导员最多负责 {profile.instructor_capacity} 个小区。"]
    if len(shown) < len(ranked):
        notes.append(f"共 {len(ranked)} 个小区，此处列出得分最高的 {len(shown)} 个；"
                     "完整名单见 govgraph plan -o 选派名单.xlsx，或 govgraph report --full。")
    if not ranked:
        notes.append("没有需要选派党建指导员的小区。")
    return Section("党建指导员选派名单", notes, [table] if ranked else [])


def _chart_section(graph, on, profile, scope) -> Section:
    chart = build_chart(graph, scope, on, hide_names=False, profile=profile)
    section = Section("组织架构图")
    try:
        section.charts += layout_pages(chart, Page("A4", "landscape"), numbered=False)  # the report numbers its pages
    except LayoutError:
        section.notes.append("组织架构图内容太多，未能放入报告，请用 govgraph chart 单独出图。")
    return section


def _png(fig, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# -- HTML ------------------------------------------------------------------------------------
HTML_PLOT_PAGE = (297.0, 210.0, 12.0)  # A4 landscape and its margin (mm), as the PDF prints it
CSS = """
body{font-family:'GovgraphCJK','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.6;padding:0 1em}
h1{color:#A0001E;text-align:center;font-size:1.6em}h2{color:#A0001E;border-bottom:2px solid #C8102E;
padding-bottom:.2em;margin-top:1.6em}.meta{text-align:center;color:#555}
table{border-collapse:collapse;width:100%;margin:.8em 0;font-size:.9em}th,td{border:1px solid #bbb;
padding:.25em .45em;vertical-align:top}th{background:#F3E6E6}td.green{background:#E3F4E1}
td.yellow{background:#FFF4CC}td.red{background:#FDE2E1}figure{margin:1em 0;text-align:center}
img{max-width:100%;border:1px solid #ddd}figcaption{color:#555;font-size:.9em}.note{color:#555;font-size:.9em}
footer{margin-top:2em;color:#777;font-size:.85em;text-align:center}
"""


def render_html(report: Report) -> str:
    esc = html.escape
    body = [f"<h1>{esc(report.title)}</h1>", f"<p class=meta>{'　'.join(esc(m) for m in report.meta)}</p>"]
    for s in report.sections:
        body.append(f"<h2>{esc(s.title)}</h2>")
        body += [f"<p class=note>{esc(n)}</p>" for n in s.notes]
        for t in s.tables:
            head = "".join(f"<th>{esc(h)}</th>" for h in t.headers)
            weights = t.weights or [1.0] * len(t.headers)
            cols = "".join(f"<col style=\"width:{100 * w / sum(weights):.1f}%\">" for w in weights)
            rows = "".join("<tr>" + "".join(
                f"<td class={c.color}>{esc(c.text)}</td>" if c.color else f"<td>{esc(c.text)}</td>" for c in r)
                + "</tr>" for r in t.rows)
            body.append(f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        pictures = list(s.images)
        for plot in s.plots:  # an A4 landscape page each, as printed
            with fonts.chart_style():
                pictures += [(plot.caption, _png(fig, 110)) for fig in plot.pages(*HTML_PLOT_PAGE)]
        for layout in s.charts:
            with fonts.chart_style():
                pictures.append(("组织架构图", _png(draw.figure(layout), 150)))
        for caption, png in pictures:
            data = base64.b64encode(png).decode("ascii")
            body.append(f"<figure><img alt=\"{esc(caption)}\" src=\"data:image/png;base64,{data}\">"
                        f"<figcaption>{esc(caption)}</figcaption></figure>")
    body.append(f"<footer>{FOOTER}</footer>")
    text = "".join(body)
    return (f"<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>{esc(report.title)}</title>"
            f"<style>{_font_face(report)}{CSS}</style></head><body>{text}</body></html>\n")


def _font_face(report: Report) -> str:
    """The CJK font, cut down to the characters of this report, so the file shows the
    same everywhere (no font needs to be installed to read it)."""
    from fontTools import subset

    chars = {ch for ch in _all_text(report)} | set("0123456789%（）：；，。、—")
    options = subset.Options()
    options.layout_features = ["*"]
    font = subset.load_font(str(fonts.truetype_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    font.close()
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"@font-face{{font-family:'GovgraphCJK';src:url(data:font/ttf;base64,{data}) format('truetype')}}"


def _all_text(report: Report) -> str:
    parts = [report.title, *report.meta, FOOTER]
    for s in report.sections:
        parts += [s.title, *s.notes, *(c for c, _ in s.images)]
        for t in s.tables:
            parts += t.headers + [c.text for r in t.rows for c in r]
    return "".join(parts)


# -- PDF -------------------------------------------------------------------------------------
def write_report(report: Report, path: Path) -> Path:
    """Write the report; a PDF's number of pages is kept in `report.pages`."""
    suffix = path.suffix.lower()
    check_output_file(path)
    try:
        if suffix in (".html", ".htm"):
            path.write_text(render_html(report), encoding="utf-8")
        elif suffix == ".pdf":
            from .pdfreport import write_pdf

            report.pages = write_pdf(report, path)
        elif suffix == ".docx":
            from .docx import write_docx

            write_docx(report, path)
        else:
            raise GovgraphError(f"报告只能写成 .html、.pdf 或 .docx 文件，而不是 {path.suffix or '（无扩展名）'}")
    except OSError as exc:
        raise write_failed(path, exc) from None
    return path
