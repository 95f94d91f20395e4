"""Commands that follow an audit across submissions (domain.md §7): diff between two
submissions and the rectification register (整改台账). They present what govgraph.diff
and govgraph.rectify compute; no rule lives here."""

from __future__ import annotations

from pathlib import Path

import click

from govgraph.errors import GovgraphError
from govgraph.profile import load_profile

from .options import as_of_option, load_option, profile_option, scope_option, today
from .output import Table, output_options, render_json, say
from . import zh_click

STATUS_KEYS = ["id", "name", "kind", "community_id", "street_id", "before", "after", "change"]
INDICATOR_CHANGE_KEYS = ["unit_id", "unit_name", "indicator_name", "before", "after", "delta"]
ENTITY_CHANGE_KEYS = ["change", "id", "name", "kind", "fields"]
RELATION_CHANGE_KEYS = ["change", "type", "from_id", "to_id", "role", "since", "until", "source", "fields"]


def _submission_pair(store, from_seq: int | None, to_seq: int | None) -> tuple[int, int]:
    """--from / --to as given, checked; by default the last two submissions."""
    from govgraph.rectify import previous_submission
    from govgraph.store.base import resolve_load

    submissions = store.submissions()
    if to_seq is not None:
        resolve_load(submissions, to_seq)
    to_seq = to_seq or (submissions[-1].seq if submissions else None)
    if from_seq is not None:
        resolve_load(submissions, from_seq)
    else:
        from_seq = previous_submission(submissions, to_seq) if to_seq else None
    if len(submissions) < 2:
        raise GovgraphError(f"库中只有 {len(submissions)} 次导入，至少要两次才能比较（用 govgraph history 查看）")
    if from_seq is None:
        raise GovgraphError(f"第 {to_seq} 次导入之前没有导入可比较：请用 --from 指定另一次导入")
    if from_seq == to_seq:
        raise GovgraphError(f"--from 和 --to 都是第 {to_seq} 次导入：请指定两次不同的导入")
    return from_seq, to_seq


@click.command()
@click.option("--from", "from_seq", type=click.IntRange(min=1), metavar="N", default=None,
              help="比较的起点：第 N 次导入（默认 --to 的前一次）。")
@click.option("--to", "to_seq", type=click.IntRange(min=1), metavar="M", default=None,
              help="比较的终点：第 M 次导入（默认最近一次）。")
@as_of_option
@profile_option
@output_options
@click.pass_obj
def diff(settings, from_seq, to_seq, as_of, profile_path, out) -> None:
    """比较两次报送：新增、删除、变更的实体和关系（变更了哪些字段），覆盖状态改善或退步的小区和物业企业，
    各街道和合计的核心指标之前、之后。

    默认比较最近两次导入；两次报送按同一统计时点（--as-of，默认今天）审计。"""
    from govgraph.diff import diff as compute_diff

    as_of = as_of or today()
    profile = load_profile(profile_path)
    store = settings.store()
    try:
        from_seq, to_seq = _submission_pair(store, from_seq, to_seq)
        before, after = store.read(load=from_seq), store.read(load=to_seq)
    finally:
        store.close()
    result = compute_diff(before, after, as_of, profile, from_seq=from_seq, to_seq=to_seq)
    if out.fmt == "json":
        out.write(render_json(result.as_dict()))
        return
    counts = result.status_counts()
    heading = (f"第 {from_seq} 次导入 → 第 {to_seq} 次导入（统计时点：{as_of.isoformat()}）：覆盖状态改善 "
               f"{counts['improved']} 个、退步 {counts['worsened']} 个、新增 {counts['added']} 个、删除 {counts['removed']} 个；"
               f"实体变化 {len(result.entities)} 个，关系变化 {len(result.relations)} 条")
    out.emit([Table("statuses", "覆盖状态变化", result.statuses, STATUS_KEYS, empty="（覆盖状态无变化）"),
              Table("indicators", "核心指标变化", result.indicators, INDICATOR_CHANGE_KEYS),
              Table("entities", "实体变化", result.entities, ENTITY_CHANGE_KEYS, empty="（实体无变化）"),
              Table("relations", "关系变化", result.relations, RELATION_CHANGE_KEYS, empty="（关系无变化）")],
             as_of=as_of, heading=heading, names=_names(before, after))


def _names(*graphs) -> dict[str, str]:
    """id → name over both submissions (a removed entity keeps its name)."""
    return {i: e.name for data in graphs for i, e in data.entities.items()}


# -- the rectification register --------------------------------------------------------------
REGISTER_SUMMARY_KEYS = ["unit_id", "unit_name", "street_id", "open_total", "待整改", "整改中", "超期", "已豁免",
                         "已销号", "reported_not_fixed"]


def _tracked(settings, as_of, load, profile, *, include_all_closed: bool):
    from govgraph.rectify import track_store

    store = settings.store()
    try:
        return track_store(store, as_of, profile, current=load.seq(store), include_all_closed=include_all_closed)
    finally:
        store.close()


@click.group(invoke_without_command=True, options_metavar="[选项]", subcommand_metavar="[export|import] [参数]...")
@as_of_option
@load_option
@scope_option
@profile_option
@output_options
@click.pass_context
def rectify(ctx, as_of, load, scope, profile_path, out) -> None:
    """整改台账：按责任单位列出问题的整改状态（待整改、整改中、超期、已豁免、已销号）。

    \b
    govgraph rectify                      查看各责任单位的整改进度
    govgraph rectify export 整改台账.xlsx  导出问题清单，发给各单位填写
    govgraph rectify import 整改台账.xlsx  导入各单位填好的台账（有错时全部列出，不导入任何内容）
    """
    if ctx.invoked_subcommand is not None:
        return
    from govgraph.rectify import in_scope, summary_by_unit

    as_of = as_of or today()
    profile = load_profile(profile_path)
    audited = _tracked(ctx.obj, as_of, load, profile, include_all_closed=True)
    tracked = [t for t in audited.tracked if in_scope(t, scope)]
    rows = summary_by_unit(tracked)
    open_rows = [{**t.as_row(), "rectify_deadline": t.deadline} for t in tracked if t.overdue]
    out.emit([Table("units", "整改进度", rows, REGISTER_SUMMARY_KEYS),
              Table("overdue", "超期问题", open_rows,
                    ["responsible_unit", "responsible_unit_name", "title", "entity_id", "entity_name",
                     "rectify_deadline", "progress"], empty="（无超期问题）")],
             as_of=as_of, heading=f"第 {audited.current} 次导入的整改台账（统计时点：{as_of.isoformat()}）",
             names=audited.units.names)


@rectify.command("export", options_metavar="[选项]")
@click.argument("path", type=zh_click.Path(dir_okay=False, path_type=Path), metavar="整改台账.xlsx")
@as_of_option
@load_option
@scope_option
@profile_option
@click.pass_obj
def rectify_export(settings, path: Path, as_of, load, scope, profile_path) -> None:
    """导出整改台账：未销号的问题按责任单位排列，附问题、依据、整改建议、整改时限，
    以及留给单位填写的整改措施、责任人、进展、豁免理由等列。--scope 只导出一个街道或社区的问题。"""
    if path.suffix.lower() != ".xlsx":
        raise GovgraphError(f"整改台账是 Excel 工作簿：文件名请以 .xlsx 结尾（而不是 {path.name}）")
    as_of = as_of or today()
    profile = load_profile(profile_path)
    audited = _tracked(settings, as_of, load, profile, include_all_closed=False)
    count = write_register_workbook(path, audited, scope, as_of)
    say(f"已导出 {count} 条问题到 {path}：请各单位填写整改措施、责任人、进展后，用 govgraph rectify import 导入")


def write_register_workbook(path: Path, audited, scope: str | None, as_of) -> int:
    """The 整改台账 workbook of `audited` (track_store's answer), only `scope`'s findings
    when given; the number of rows written. The CLI's export and the web's download."""
    from govgraph.rectify import EXPORT_KEYS, export_rows, in_scope

    from .output import write_xlsx

    rows = export_rows([t for t in audited.tracked if in_scope(t, scope)])
    write_xlsx(path, [Table("register", "整改台账", rows, EXPORT_KEYS)], as_of=as_of, names=audited.names)
    return len(rows)


@rectify.command("import", options_metavar="[选项]")
@click.argument("path", type=zh_click.Path(exists=True, dir_okay=False, path_type=Path), metavar="整改台账.xlsx")
@as_of_option
@profile_option
@click.pass_obj
def rectify_import(settings, path: Path, as_of, profile_path) -> None:
    """导入填好的整改台账：按问题代码、对象编号、单位编号对应问题，行的顺序可以调整，删掉的行不受影响。
    有错误时全部列出（文件:行:列: 值: 原因），不导入任何内容。"""
    from govgraph.rectify import entry_to_row, merge_entries, read_register_workbook, track_store

    as_of = as_of or today()
    profile = load_profile(profile_path)
    store = settings.store()
    try:
        audited = track_store(store, as_of, profile, include_all_closed=True)
        # every finding ever raised: a row of one closed since the export is still that finding's
        known = {t.key: t.audited.responsible_unit for t in audited.tracked}
        entries = read_register_workbook(path, set(known), profile, audited.units, audited.current)
        store.write_register([entry_to_row(e) for e in merge_entries(entries, known)])
    finally:
        store.close()
    say(f"已导入 {len(entries)} 条整改情况（第 {audited.current} 次导入的问题）；用 govgraph rectify 查看进度")


COMMANDS = [diff, rectify]
