"""The full audit: findings, indicators and trends, cross-appointments, people and
paths, and the instructor planner."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import click

from govgraph import appointments as ap
from govgraph.coverage import coverage as compute_coverage
from govgraph.errors import GovgraphError, NotFoundError
from govgraph.findings import audit as run_audit
from govgraph.findings import SEVERITY_ORDER, finding_texts
from govgraph.indicators import indicators as compute_indicators
from govgraph.mirror import Snapshot
from govgraph.paths import connecting_paths, in_force_graph
from govgraph.planner import candidates, instructors, plan
from govgraph.profile import load_profile

from govgraph.labels import entity_fields, value_for_display

from .chart_commands import prepare_font
from .options import (DateType, ZhChoice, answer_from_mirror, as_of_option, audit_by_parts, load_option, profile_option,
                      read_mirror, scope_option, today)
from .output import Table, entity_names, output_options, say
from .progress import terminal_progress
from . import zh_click

FINDING_KEYS = ["severity", "code", "title", "entity_id", "entity_name", "unit_id", "message", "remedy", "evidence", "policy"]
FINDING_TABLE_KEYS = ["severity", "title", "entity_id", "entity_name", "message", "evidence", "remedy"]
INDICATOR_KEYS = ["unit_id", "unit_name", "indicator_name", "numerator", "denominator", "value", "target",
                  "deadline", "color", "last_deadline", "last_met"]


class FailOn(click.ParamType):
    """Finding codes or their Chinese titles (`空白小区` is ORPHAN_COMPOUND), comma-separated."""

    name = "问题"

    def convert(self, value, param, ctx):
        texts = finding_texts()
        by_title = {t["title"]: code for code, t in texts.items()}
        words = [w.strip() for w in str(value).replace("，", ",").replace("、", ",").split(",") if w.strip()]
        codes = [by_title.get(w, w.upper()) for w in words]
        unknown = [w for w, c in zip(words, codes) if c not in texts]
        if unknown:
            choices = "、".join(f"{t['title']}（{code}）" for code, t in texts.items())
            self.fail(f"未知问题：{'、'.join(unknown)}（可选：{choices}）", param, ctx)
        return codes


@click.command()
@as_of_option
@load_option
@scope_option
@profile_option
@click.option("--fail-on", "fail_on", type=FailOn(), multiple=True,
              help="出现这些问题时以退出码 3 结束（问题名称如 空白小区，或问题代码如 ORPHAN_COMPOUND；"
                   "可多次给出或用逗号分隔），供脚本使用。")
@click.option("--baseline", metavar="N", is_flag=False, flag_value="previous", default=None,
              help="对照第 N 次导入（或期别，如 2026Q3）标出每条问题的状态：新增、持续、回潮、已整改，"
                   "附首次出现的报送序号和整改台账的进展；只写 --baseline 时对照所审计报送的前一次。")
@output_options
@click.pass_obj
def audit(settings, as_of, load, scope, profile_path, fail_on, baseline, out) -> None:
    """全面审计：列出各类问题、依据（关系、日期、来源）、整改建议和政策依据。

    加 --baseline 时对照一次较早的报送，标出新增、持续、回潮、已整改的问题，并按问题和街道汇总。
    写成 xlsx 时总是附上每条问题的状态（默认对照前一次报送）和整改台账各列（责任单位、整改时限、
    整改状态、整改措施、责任人、进展、豁免），并按区县、街道汇总新增、已整改、超期、回潮的问题。"""
    as_of = as_of or today()
    profile = load_profile(profile_path)
    if baseline is None and out.fmt == "xlsx":  # a workbook is what is sent out: states and register always
        from govgraph.rectify import PREVIOUS

        baseline = PREVIOUS
    if baseline is not None:
        findings = _audit_against_baseline(settings, as_of, load, scope, profile, baseline, out)
        _fail_on(fail_on, findings)
        return
    from govgraph import partition

    found = audit_by_parts(settings, scope, load, lambda parts: partition.findings(parts, as_of, profile))
    if found is None:
        found = answer_from_mirror(settings, scope, load, ("audit", as_of.isoformat(), profile.model_dump_json()),
                                   lambda graph: (run_audit(graph, as_of, profile), entity_names(graph)))
    findings, names = found
    rows = [{**f.as_row(), "entity_name": names[f.entity_id]} for f in findings]
    counts = Counter((f.severity, f.code) for f in findings)
    summary = [{"severity": sev, "code": code, "title": finding_texts()[code]["title"], "count": n}
               for (sev, code), n in sorted(counts.items(), key=lambda x: (SEVERITY_ORDER[x[0][0]], x[0][1]))]
    out.emit([Table("summary", "问题汇总", summary, ["severity", "code", "title", "count"]),
              Table("findings", "问题清单", rows, FINDING_TABLE_KEYS if out.fmt == "table" else FINDING_KEYS)],
             as_of=as_of, heading=f"统计时点：{as_of.isoformat()}；共 {len(findings)} 条问题（口径：{profile.name}）",
             names=names)
    _fail_on(fail_on, findings)


STATE_FINDING_KEYS = ["state", "first_seen", "severity", "code", "title", "entity_id", "entity_name", "unit_id",
                      "message", "remedy", "evidence", "policy", "responsible_unit", "responsible_unit_name",
                      "rectify_deadline", "register_status", "progress", "waiver", "overdue", "reported_not_fixed"]
STATE_TABLE_KEYS = ["state", "first_seen", "severity", "title", "entity_id", "entity_name", "message",
                    "responsible_unit_name", "rectify_deadline", "register_status"]
STATE_KEYS = ["state", "first_seen", "closed_in"]
REGISTER_KEYS = ["responsible_unit", "responsible_unit_name", "rectify_deadline", "register_status", "overdue",
                 "measures", "person", "progress", "waiver_reason", "approver", "waiver_expires", "reported_not_fixed"]
PROGRESS_TABLE_KEYS = ["present", "新增", "持续", "回潮", "已整改", "超期", "已豁免"]


def _audit_against_baseline(settings, as_of, load, scope, profile, baseline, out):
    """`audit --baseline B`: the findings of the audited submission with their §7 states
    against B, then the 已整改 ones; summaries per code and per street. An xlsx (which
    takes this path with or without --baseline) holds the findings' columns first, then
    their states and the register's columns; with no earlier submission it says so and
    leaves the state columns out."""
    from govgraph.finding_states import FIXED, STATES
    from govgraph.rectify import PREVIOUS, progress_counts, state_summary, track_store

    store = settings.store()
    try:
        current = load.seq(store)
        if baseline != PREVIOUS:
            baseline = _baseline_seq(store, baseline)
        audited = track_store(store, as_of, profile, current=current, baseline=baseline, scope=scope)
    finally:
        store.close()
    present = [t.audited.finding for t in audited.tracked if t.state.state != FIXED]
    counts = "、".join(f"{s} {sum(1 for t in audited.tracked if t.state.state == s)} 条" for s in STATES)
    if out.fmt == "xlsx":
        compared = audited.baseline is not None
        states = STATE_KEYS if compared else []
        shown = PROGRESS_TABLE_KEYS if compared else ["present", "超期", "已豁免"]
        by_street = progress_counts(audited.tracked, audited.units, "street")
        tables = [Table("summary", "问题汇总", progress_counts(audited.tracked, audited.units, "code"),
                        ["severity", "code", "title", *shown])]
        if len(audited.units.district_names) > 1:
            tables.append(Table("districts", "整改情况（按区县）",
                                progress_counts(audited.tracked, audited.units, "district"),
                                ["unit_id", "unit_name", *shown]))
        tables += [Table("streets", "整改情况（按街道）", by_street, ["unit_id", "unit_name", *shown]),
                   Table("findings", "问题清单", [t.sheet_row() for t in audited.tracked
                                                  if compared or t.state.state != FIXED],
                         [*FINDING_KEYS, *states, *REGISTER_KEYS])]
        out.emit(tables, as_of=as_of, note=audited.against_words(), names=audited.names)
        return present
    by_code, by_street = state_summary(audited.tracked, audited.units)
    rows = [t.as_row() for t in audited.tracked]
    if out.fmt != "json":  # 整改时限 (the §6 key `deadline` is the indicators' 目标期限 elsewhere)
        rows = [{**r, "rectify_deadline": r["deadline"]} for r in rows]
    against = f"对照第 {audited.baseline} 次导入" if audited.baseline else "没有更早的导入可对照，全部为新增"
    state_keys = list(STATES)
    out.emit([Table("states_by_code", "问题状态（按问题）", by_code, ["severity", "code", "title", *state_keys]),
              Table("states_by_street", "问题状态（按街道）", by_street, ["unit_id", "unit_name", *state_keys]),
              Table("findings", "问题清单", rows, STATE_TABLE_KEYS if out.fmt == "table" else STATE_FINDING_KEYS)],
             as_of=as_of, heading=f"第 {audited.current} 次导入，{against}（统计时点：{as_of.isoformat()}；"
                                  f"口径：{profile.name}）：{counts}")
    return present


def _baseline_seq(store, baseline: str) -> int:
    """--baseline N or --baseline 2026Q3: the submission it names (an unknown one is an error)."""
    from govgraph.store.base import resolve_load

    number = str(baseline).isdigit()
    return resolve_load(store.submissions(), int(baseline) if number else None, None if number else str(baseline))


def _fail_on(fail_on, findings) -> None:
    wanted = {c for group in fail_on for c in group}
    hit = sorted(wanted & {f.code for f in findings})
    if hit:
        named = "、".join(f"{finding_texts()[c]['title']}（{c}）" for c in hit)
        say(f"发现指定的问题：{named}", err=True)
        raise click.exceptions.Exit(3)


@click.command()
@click.option("--level", type=ZhChoice(["district", "street", "community"]), default="street", show_default=True,
              help="按区县、街道或社区列出指标（最后一行为合计）。")
@as_of_option
@load_option
@scope_option
@profile_option
@output_options
@click.pass_obj
def indicators(settings, level, as_of, load, scope, profile_path, out) -> None:
    """核心指标：组织覆盖率、应建尽建率、业委会党员过半率、一肩挑率、交叉任职率等，对照目标标红黄绿。"""
    as_of = as_of or today()
    profile = load_profile(profile_path)
    from govgraph import partition

    found = audit_by_parts(settings, scope, load, lambda parts: (
        [i.as_row() for i in partition.indicators(parts, as_of, profile, level)], partition.names(parts, [])))
    if found is None:
        graph = read_mirror(settings, scope, load)
        found = [i.as_row() for i in compute_indicators(graph, as_of, profile, level)], entity_names(graph)
    rows, names = found
    out.emit([Table("indicators", "核心指标", rows, INDICATOR_KEYS)], as_of=as_of,
             heading=f"统计时点：{as_of.isoformat()}（口径：{profile.name}）", names=names)


@click.command()
@click.option("--dates", "dates", type=DateType(), multiple=True,
              help="统计时点，可多次给出，例如 --dates 2020-12-31 --dates 2021-12-31。")
@click.option("--year-ends", metavar="起始年-结束年", default=None, help="逐年年底，例如 2020-2024。")
@click.option("--periods", is_flag=True,
              help="按历次导入（报送）对比：每次导入的合计指标并排列出，统计时点相同（--as-of，默认今天）。")
@as_of_option
@load_option
@scope_option
@profile_option
@output_options
@click.pass_obj
def trend(settings, dates, year_ends, periods, as_of, load, scope, profile_path, out) -> None:
    """趋势：在多个时点审计合计指标，看向目标推进的情况。

    不给 --dates 和 --year-ends 时，列出统计时点（--as-of，默认今天）之前最近五个年底，以及统计时点本身。
    加 --periods 时改为对比历次导入（报送）的合计指标。
    """
    if periods:
        if dates or year_ends:
            raise GovgraphError("--periods 不能和 --dates、--year-ends 同时使用")
        _trend_by_submission(settings, as_of or today(), load, scope, load_profile(profile_path), out)
        return
    points = list(dates)
    if year_ends:
        try:
            first, last = (int(x) for x in year_ends.split("-"))
        except ValueError:
            raise GovgraphError(f"--year-ends 应写成 起始年-结束年，例如 2020-2024，而不是 {year_ends}") from None
        if first > last:
            raise GovgraphError(f"--year-ends 的起始年应不晚于结束年，例如 {last}-{first}")
        points += [date(y, 12, 31) for y in range(first, last + 1)]
    if not points:  # the year ends up to the as-of date, and the date itself
        as_of = as_of or today()
        points = [date(y, 12, 31) for y in range(as_of.year - 5, as_of.year + 1) if date(y, 12, 31) <= as_of][-5:]
        points.append(as_of)
    profile = load_profile(profile_path)
    graph = read_mirror(settings, scope, load)
    rows = []
    for point in sorted(set(points)):
        for i in compute_indicators(graph, point, profile, "street"):
            if i.unit_id == "TOTAL":
                rows.append({"date": point, **i.as_row()})
    out.emit([Table("trend", "指标趋势", rows, ["date", "indicator_name", "numerator", "denominator", "value",
                                             "target", "deadline", "color"])])


def _trend_by_submission(settings, as_of, load, scope, profile, out) -> None:
    """`trend --periods`: the headline indicators (合计) of each submission up to the chosen
    one, side by side; JSON keeps one row per submission and indicator."""
    from govgraph.indicators import submission_totals

    store = settings.store()
    try:
        last = load.seq(store)
        if not store.submissions():
            raise GovgraphError("库中还没有任何导入记录：请先用 govgraph load 导入台账")
        rows = [{"seq": s.seq, "period": s.period, "at": s.at, **i.as_row()}
                for s, totals in submission_totals(store, as_of, profile, last=last, scope=scope)
                for i in totals]
    finally:
        store.close()
    heading = f"历次导入的合计指标（统计时点：{as_of.isoformat()}；口径：{profile.name}）"
    if out.fmt == "json":
        out.emit([Table("trend", "指标趋势", rows, list(rows[0]) if rows else [])])
        return
    columns = {}  # one column per submission: 第 N 次（期别）
    for r in rows:
        columns.setdefault(r["seq"], f"第 {r['seq']} 次" + (f"（{r['period']}）" if r["period"] else ""))
    table = {}
    for r in rows:
        line = table.setdefault(r["indicator"], {"indicator_name": r["indicator_name"], "target": r["target"]})
        line[columns[r["seq"]]] = ("" if r["value"] is None
                                   else f"{r['value']:.1%}（{r['numerator']}/{r['denominator']}）")
    out.emit([Table("trend", "指标趋势", list(table.values()), ["indicator_name", *columns.values(), "target"])],
             as_of=as_of, heading=heading)


@click.command()
@click.option("--level", type=ZhChoice(["compound", "community"]), default="compound", show_default=True,
              help="按小区或按社区列出。")
@as_of_option
@load_option
@scope_option
@output_options
@click.pass_obj
def cross(settings, level, as_of, load, scope, out) -> None:
    """交叉任职和一肩挑：每个单位的交叉任职人员及其职务、核实的一肩挑，以及比率。"""
    as_of = as_of or today()
    kind = "Compound" if level == "compound" else "Community"
    from govgraph import partition

    found = audit_by_parts(settings, scope, load, lambda parts: partition.cross(parts, as_of, kind))
    if found is None:
        snap = Snapshot(read_mirror(settings, scope, load), as_of)
        found = ap.cross_rows(snap, kind, snap.nodes_of(kind))
    people_rows, unit_rows, counted = found
    rates = [ap.appointment_rates(counted)]
    out.emit([Table("people", "交叉任职人员", people_rows, ["unit_id", "unit_name", "person_id", "person_name", "posts"]),
              Table("units", "各单位情况", unit_rows, ["unit_id", "unit_name", "cross_appointed", "confirmed", "asserted"]),
              Table("rates", "比率", rates, list(rates[0]))],
             as_of=as_of, heading=f"统计时点：{as_of.isoformat()}")


@click.command()
@as_of_option
@load_option
@scope_option
@output_options
@click.pass_obj
def parttime(settings, as_of, load, scope, out) -> None:
    """社区党组织的兼职委员、应进未进的业委会主任和物业项目负责人，以及双报到人数和单位数。"""
    as_of = as_of or today()
    graph = read_mirror(settings, scope, load)
    snap = Snapshot(graph, as_of)
    rows = []
    for community in snap.nodes_of("Community"):
        found = ap.community_part_time(snap, community)
        rows.append({
            "unit_id": community, "unit_name": snap.node(community)["name"],
            "org_name": "、".join(snap.node(o)["name"] for o in found["orgs"]) or None,
            "part_time_members": sorted(snap.node(p)["name"] for p in found["members"]),
            "missing": sorted(snap.node(p)["name"] for p in found["missing"]),
            "dual_people": len(found["dual_people"]),
            "dual_units": len(found["dual_units"]),
        })
    out.emit([Table("communities", "兼职委员和双报到", rows, list(rows[0]) if rows else ["unit_id"])],
             as_of=as_of, heading=f"统计时点：{as_of.isoformat()}")


@click.command()
@click.argument("person_id", metavar="人员编号")
@as_of_option
@load_option
@output_options
@click.pass_obj
def person(settings, person_id, as_of, load, out) -> None:
    """一个人的全部职务：统计时点在任的，以及历史（已卸任或尚未开始）。"""
    as_of = as_of or today()
    store = settings.store()
    try:
        seq = load.seq(store)
        found = store.entities_by_id({person_id}, load=seq).get(person_id)
        if found is None or found.kind != "Person":
            raise NotFoundError(f"找不到编号为 {person_id} 的人员")
        relations = [r for r in store.relations_touching({person_id}, load=seq) if r.from_id == person_id]
        names = store.entities_by_id({r.to_id for r in relations}, load=seq)
    finally:
        store.close()
    rows = [{"type": r.type, "other_id": r.to_id, "other_name": names[r.to_id].name, "role": r.role,
             "since": r.since, "until": r.until, "source": r.source,
             "in_force": r.in_force(as_of)}
            for r in sorted(relations, key=lambda r: (r.since or date.min, r.type, r.to_id))]
    keys = ["type", "other_id", "other_name", "role", "since", "until", "source"]
    out.emit([Table("current", "在任职务", [r for r in rows if r["in_force"]], keys),
              Table("history", "不在任的职务（已卸任或尚未开始）", [r for r in rows if not r["in_force"]], keys)],
             as_of=as_of, heading="\n".join(
                 [f"人员 {found.id} {found.name}（统计时点：{as_of.isoformat()}）"]
                 + [f"  {label}：{value_for_display('', value, 'table')}" for name, label, value in entity_fields(found)
                    if name in ("party_status", "tags")]))


@click.command()
@click.argument("source_id", metavar="起点编号")
@click.argument("target_id", metavar="终点编号")
@as_of_option
@load_option
@click.option("--limit", default=3, show_default=True, metavar="条数", help="最多列出几条路径（最短的在前）。")
@output_options
@click.pass_obj
def path(settings, source_id, target_id, as_of, load, limit, out) -> None:
    """两个实体之间怎样相连：按在统计时点有效的关系，最短路径在前。"""
    as_of = as_of or today()
    graph = read_mirror(settings, None, load)
    for node in (source_id, target_id):
        if node not in graph:
            raise NotFoundError(f"找不到编号为 {node} 的实体")
    rows = []
    for steps in connecting_paths(in_force_graph(graph, as_of), source_id, target_id, limit):
        text = [graph.nodes[source_id]["name"]]
        for step in steps:
            arrow = "→" if step["forward"] else "←"
            label = step["type"] + (f"（{step['role']}）" if step["role"] else "")
            text.append(f" {arrow}{label}{arrow} {graph.nodes[step['to_id']]['name']}")
        rows.append({"length": len(steps), "path": "".join(text)})
    out.emit([Table("paths", "连接路径", rows, ["length", "path"], empty="（在该日两者之间没有连接）")], as_of=as_of)


@click.command()
@as_of_option
@load_option
@scope_option
@profile_option
@output_options
@click.pass_obj
def plan_command(settings, as_of, load, scope, profile_path, out) -> None:
    """党建指导员选派计划：需要指导员的小区按得分排序（列出各项得分），并给出覆盖最多小区的分配方案。"""
    as_of = as_of or today()
    profile = load_profile(profile_path)
    graph = read_mirror(settings, scope, load)
    ranked = candidates(graph, as_of, profile, compute_coverage(graph, as_of, profile.min_formal_members))
    result = plan(ranked, instructors(graph, as_of, profile))
    out.emit([
        Table("ranking", "需选派指导员的小区", [c.as_row() for c in ranked],
              ["id", "name", "community_id", "street_id", "score", "score_households", "score_category",
               "score_complex", "score_members"]),
        Table("assignments", "分配方案", result.assignments,
              ["id", "name", "community_id", "instructor_id", "instructor_name", "match"]),
        Table("uncovered", "仍未覆盖", result.uncovered, ["id", "name", "community_id", "score", "reason"]),
    ], as_of=as_of, heading=f"统计时点：{as_of.isoformat()}；每名指导员最多负责 {profile.instructor_capacity} 个小区",
        names=entity_names(graph))


plan_command.name = "plan"

@click.command()
@click.option("-o", "--output", type=zh_click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件：.html（单个文件，图片内嵌）、.pdf 或 .docx（Word，便于转发和修改）。")
@scope_option
@as_of_option
@load_option
@profile_option
@click.option("--reporter", metavar="单位名称", default=None, help="填报单位，写在报告抬头。")
@click.option("--full", is_flag=True,
              help="附上逐条问题清单和完整的指导员选派名单（全市可达上千页）；默认只印领导需要看的汇总和最差单位。")
@click.option("--baseline", metavar="N", default=None,
              help="问题整改情况对照第 N 次导入（或期别，如 2026Q3）；默认对照所审计报送的前一次。")
@click.pass_obj
def report(settings, output: Path, scope, as_of, load, profile_path, reporter, full, baseline) -> None:
    """审计报告：核心指标、覆盖情况表和覆盖情况图、问题清单、问题整改情况（对照上一次报送：
    各街道新增、已整改、超期、回潮的问题）、党建指导员选派名单，街道或社区范围另附组织架构图。
    写成一个 HTML、PDF 或 Word 文件，图片都在文件内。"""
    from govgraph.charts.report import build_report, write_report
    from govgraph import reading
    from govgraph.rectify import PREVIOUS, track_store

    if output.suffix.lower() not in (".html", ".htm", ".pdf", ".docx"):
        raise GovgraphError(f"报告只能写成 .html、.pdf 或 .docx（Word）文件，而不是 {output.suffix or '（无扩展名）'}")
    as_of = as_of or today()
    profile = load_profile(profile_path)
    prepare_font(output)
    with terminal_progress() as progress:
        store = settings.store()
        try:  # the audited submission read once, for the report and for its findings' states
            submissions = store.submissions()
            current = load.seq(store) or (submissions[-1].seq if submissions else None)
            graph = reading.read_mirror(store, scope, current)
            tracking = track_store(store, as_of, profile, current=current, scope=scope, progress=progress,
                                   baseline=_baseline_seq(store, baseline) if baseline else PREVIOUS,
                                   current_graph=graph)
        finally:
            store.close()
        report = build_report(graph, as_of, profile, scope, reporter, full=full, progress=progress,
                              tracking=tracking)
        write_report(report, output)
    pages = f"，共 {report.pages} 页" if report.pages else ""
    say(f"已写入 {output}（统计时点 {as_of.isoformat()}{pages}）")


COMMANDS = [report, audit, indicators, trend, cross, parttime, person, path, plan_command]
