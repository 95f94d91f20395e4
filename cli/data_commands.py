"""Commands that move data: load, export, history, demo."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import click

from govgraph.errors import warning_lines
from govgraph.ledger import write_ledger
from govgraph.loading import load_ledger
from govgraph.schema import load_schema
from govgraph.store.base import Submission
from govgraph.store.choose import default_db_path

from .options import DateType, ZhChoice, load_option
from .progress import terminal_progress
from .output import Table, output_options, say
from . import zh_click


def _print_warnings(warnings) -> None:
    for line in warning_lines(warnings):
        say(f"提醒：{line}", err=True)


def _load_summary(result) -> str:
    r = result.record
    return (
        f"已导入台账 {r.ledger}（{'合并' if r.mode == 'merge' else '替换'}"
        f"{'，期别 ' + r.period if r.period else ''}）："
        f"实体新增 {r.entities_added}、变更 {r.entities_changed}、删除 {r.entities_removed}；"
        f"关系新增 {r.relations_added}、变更 {r.relations_changed}、删除 {r.relations_removed}。"
        f"现有实体 {result.entity_total} 个，关系 {result.relation_total} 条。"
    )


@click.command()
@click.argument("ledger", type=zh_click.Path(exists=True, path_type=Path), metavar="台账")
@click.option("--merge", is_flag=True,
              help="合并到库中已有数据（同编号的实体、同一关系以本台账为准），默认是整体替换。")
@click.option("--allow-id-numbers", is_flag=True,
              help="允许台账中出现身份证号（默认拒绝导入；导入后显示时一律打码）。")
@click.option("--force", is_flag=True,
              help="确认整体替换：即使台账缺少某类数据（例如没有小区表），也删除库中这类已有数据。")
@click.option("--mapping", type=zh_click.Path(exists=True, dir_okay=False, path_type=Path), metavar="映射文件",
              help="按映射文件（.toml）读取表头与一表通不同的宽表；不加时自动识别一表通。")
@click.option("--period", metavar="期别", default=None,
              help="本次导入所属的期别（例如 2026Q3、2026年）；以后可用 --period 查看这一期的数据。")
@click.option("--scope", metavar="编号", default=None,
              help="只替换一个街道或社区自己的数据（其下的社区、小区、业委会，只覆盖其内单位的党组织，以及与它们相连的关系）；"
                   "物业企业和人员合并，不删除；范围以外的数据不能改动。")
@click.pass_obj
def load(settings, ledger: Path, merge: bool, allow_id_numbers: bool, force: bool, mapping: Path | None,
         period: str | None, scope: str | None) -> None:
    """导入台账（一表通、CSV 文件夹或 .xlsx 工作簿）。

    一表通（每个小区一行、用名称而不用编号的宽表）单独一个文件或作为工作簿中的一张表都能直接导入。

    先完整校验：有任何错误则一条也不导入，并列出全部错误（文件:行:列: 值: 原因），退出码 2。
    默认整体替换库中数据；台账缺少库中已有的某类数据时会拒绝替换，除非加 --merge 或 --force。
    """
    store = settings.store(create=True)
    try:
        with terminal_progress() as progress:
            result = load_ledger(store, ledger, mode="merge" if merge else "replace",
                                 allow_id_numbers=allow_id_numbers, force=force, mapping=mapping,
                                 period=period, scope=scope, progress=progress,
                                 on_wait=lambda message: click.echo(message, err=True))
    finally:
        store.close()
    _print_warnings(result.warnings)
    say(_load_summary(result))


@click.command()
@click.argument("ledger", type=zh_click.Path(exists=True, path_type=Path), metavar="台账")
@click.option("--mapping", type=zh_click.Path(exists=True, dir_okay=False, path_type=Path), metavar="映射文件",
              help="按映射文件（.toml）读取宽表。")
@click.option("--allow-id-numbers", is_flag=True, help="不把身份证号当作错误。")
def check(ledger: Path, mapping: Path | None, allow_id_numbers: bool) -> None:
    """只校验台账，不写入数据库：列出全部错误和提醒（文件:行:列: 值: 原因）。

    没有错误时退出码 0，有错误时退出码 2。
    """
    from govgraph.ledger import read_ledger

    result = read_ledger(ledger, allow_id_numbers=allow_id_numbers, mapping=mapping)
    _print_warnings(result.warnings)
    kinds = Counter(e.kind for e in result.data.entities.values())
    schema = load_schema()
    counts = "、".join(f"{schema.entities[k].zh} {kinds[k]} 个" for k in schema.entities if kinds[k])
    say(f"台账 {ledger.name} 没有错误：{counts or '没有实体'}；关系 {len(result.data.relations)} 条。未写入数据库。")


@click.command()
@click.argument("out", type=zh_click.Path(dir_okay=False, path_type=Path), metavar="工作簿.xlsx")
@click.option("--roster", is_flag=True, help="写一表通（每个小区一行）的空表，而不是规范台账的各张表。")
def template(out: Path, roster: bool) -> None:
    """写一个空白台账工作簿：中文表头、填表说明、下拉选项、日期格式，每张表一行示例（导入时跳过）。

    填好后可直接用 govgraph load 导入。
    """
    from govgraph.errors import GovgraphError
    from govgraph.ledger.workbook import write_template

    if out.suffix.lower() != ".xlsx":
        raise GovgraphError(f"模板是 Excel 工作簿：文件名请以 .xlsx 结尾（而不是 {out.name}）")
    written = write_template(out, roster=roster)
    say(f"已写出{'一表通' if roster else '台账'}模板 {written}：先看“填表说明”，填好后用 govgraph load {written.name} 导入")


@click.command()
@click.argument("out", type=zh_click.Path(path_type=Path), metavar="输出位置")
@load_option
@click.option("--scope", metavar="编号", default=None,
              help="只导出一个街道或社区自己的数据（与 load --scope 替换的部分相同），改好后可用 load --scope 交回。")
@click.option("--roster", is_flag=True,
              help="导出为一表通（每个小区一行，.xlsx 或 .csv），并列出一表通写不下的内容。")
@click.option("--as-of", "as_of", type=DateType(), default=None,
              help="与 --roster 同用：一表通按该日有效的关系填写（例如 2026-06-30）；默认今天（北京时间）。")
@click.pass_obj
def export(settings, out: Path, load, scope, roster: bool, as_of) -> None:
    """把库中数据导出为台账：以 .xlsx 结尾则写一个工作簿，否则写 CSV 文件夹。

    导出的台账可以再次导入，得到相同的数据。加 --roster 时导出一表通：每个小区一行，
    写不下的内容（历史、带日期的关系、双报到、兼职委员等）会逐类列出，完整导出请用规范台账。
    """
    from .options import today
    from govgraph.errors import GovgraphError

    suffix = out.suffix.lower()
    if not roster and suffix in (".csv", ".xls", ".xlsm", ".txt", ".json"):
        # A normalised ledger is a folder of CSV files or one .xlsx: a folder called
        # 台账.csv is not what anyone asking for 台账.csv meant.
        raise GovgraphError(f"规范台账导出为一个 .xlsx 工作簿或一个 CSV 文件夹（如 {out.with_suffix('.xlsx').name} 或 "
                            f"{out.with_suffix('').name}），不能是 {out.name}；要一个 CSV 文件的一表通请加 --roster")
    if roster:
        from govgraph.ledger.roster_write import ROSTER_SUFFIXES

        if out.suffix.lower() not in ROSTER_SUFFIXES:  # before reading the store
            raise GovgraphError(f"一表通导出为 .xlsx 或 .csv 文件：文件名请以 .xlsx 或 .csv 结尾（而不是 {out.name}）")
    store = settings.store()
    try:
        data = store.read(scope, load=load.seq(store))
    finally:
        store.close()
    if scope is not None:
        from govgraph.store.scope import scoped_ledger

        whole, data = data, scoped_ledger(data, scope, today())
        if roster:  # a roster names the street and district on each row
            from govgraph.ledger.roster_write import with_ancestors

            data = with_ancestors(data, whole, as_of or today())
    if roster:
        _export_roster(data, out, as_of or today())
        return
    written = write_ledger(data, out)
    say(f"已导出 {len(data.entities)} 个实体、{len(data.relations)} 条关系到 {written}")


def _export_roster(data, out: Path, on) -> None:
    from govgraph.ledger.roster_write import write_roster

    result = write_roster(data, out, on)
    say(f"已导出一表通 {result.path}：{result.rows} 个小区，每个小区一行（按 {on.isoformat()} 生效的关系）")
    if not data.entities:
        say("库中还没有数据，写出的是只有表头的一表通：先用 govgraph load 导入台账。")
        return
    if not result.left_out:
        say("一表通写下了全部数据：再导入得到相同的数据。")
        return
    say("一表通写不下以下内容，再导入时会缺少或改变（要完整导出，请导出规范台账：govgraph export 台账.xlsx；"
        "也可以把这些内容写在规范台账的表里，和一表通放在同一个工作簿或文件夹中一起导入）：")
    for line in result.left_out:
        say(f"  - {line}")


@click.command()
@output_options
@click.pass_obj
def history(settings, out) -> None:
    """列出历次导入（每次导入是一次报送，编号 1、2、3……）：何时、哪个台账、期别、范围、新增/变更/删除了多少。

    任何查看数据的命令加 --load N 或 --period 期别，即可查看当时报送的数据。"""
    store = settings.store()
    try:
        submissions = store.submissions()
    finally:
        store.close()
    keys = list(Submission.__dataclass_fields__)
    out.emit([Table("submissions", "导入记录", [s.as_row() for s in submissions], keys, empty="（尚无导入记录）")])


# The demo is two periods' submissions, so `diff`, `audit --baseline` and `trend --periods`
# have something to compare: the earlier one first, then the current one (seeds/demo).
DEMO_PERIODS = (("2026Q3", "demo-2026Q3"), ("2026Q4", "demo"))


def demo_ledger_path(folder: str = "demo") -> Path:
    return Path(str(resources.files("govgraph.seeds").joinpath(folder)))


def demo_db_path() -> Path:
    return default_db_path().with_name("demo.sqlite")


def _remove_sqlite_file(path: Path) -> None:
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        part.unlink(missing_ok=True)


@click.command()
@click.option("--level", type=ZhChoice(["street", "community", "compound"]), default="community",
              show_default=True, help="汇总层级：街道、社区，或逐个小区列出。")
@click.pass_context
def demo(ctx, level: str) -> None:
    """导入自带的示例台账，并打印覆盖情况和空白小区。

    示例数据存放在单独的数据库文件里（除非在命令行用 --db 或 --neo4j-uri 另行指定；环境变量
    GOVGRAPH_DB、NEO4J_URI 对 demo 不起作用），不会覆盖你自己的数据。
    """
    from .audit_commands import coverage, orphans

    settings = ctx.obj
    if not settings.given_on_command_line:
        # GOVGRAPH_DB or NEO4J_URI in the environment point at the user's own data: keep off.
        settings.db, settings.neo4j_uri = str(demo_db_path()), None
    if not settings.given_on_command_line:
        _remove_sqlite_file(demo_db_path())  # the demo's own file starts afresh each time
    store = settings.store(create=True)
    try:
        for period, folder in DEMO_PERIODS:
            result = load_ledger(store, demo_ledger_path(folder), name=f"示例台账（{period}）", period=period)
            say(_load_summary(result))
    finally:
        store.close()
    say(f"数据库：{store.description}\n")
    say("【覆盖情况】")
    ctx.invoke(coverage, level=level)
    say("\n【空白小区】")
    ctx.invoke(orphans)
    if not settings.given_on_command_line:
        hint = "--demo "
    else:
        hint = f"--db {settings.db} " if settings.neo4j_uri is None else ""
    say(f"\n接着可以试试：govgraph {hint}show C-JCY，govgraph {hint}coverage --level compound，"
               f"govgraph {hint}audit，或与上期（2026Q3）比较：govgraph {hint}diff")


COMMANDS = [load, check, template, export, history, demo]
