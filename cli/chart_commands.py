"""The command that draws: `chart` (org charts and coverage plots)."""

from __future__ import annotations

from pathlib import Path

import click

from govgraph.errors import GovgraphError
from govgraph.profile import load_profile

from .options import ZhChoice, as_of_option, load_option, profile_option, read_around_unit, read_mirror, today
from .progress import terminal_progress
from .output import say
from . import zh_click

ORIENTATION_WORDS = {"portrait": "纵向", "landscape": "横向"}


def prepare_font(output: Path) -> None:
    """Before a drawing command starts work: `output` can be written (so a mistyped
    folder fails at once, not after the drawing), and the Chinese font is ready."""
    from govgraph.charts import fonts
    from govgraph.outputs import check_output_file

    check_output_file(output)
    if not fonts.is_ready():
        say("首次使用：正在准备中文字体（约需半分钟，只需一次）……", err=True)
    fonts.register()


@click.command()
@click.argument("unit_id", metavar="编号", required=False)
@click.option("-o", "--output", type=zh_click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件，按扩展名定格式：.png（300 dpi）、.svg 或 .pdf（矢量，内嵌中文字体）。")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True, help="纸张大小。")
@click.option("--orientation", type=ZhChoice(["portrait", "landscape"]), default=None,
              help="纸张方向：portrait 纵向，landscape 横向（默认：组织架构图横向，覆盖情况图纵向）。")
@as_of_option
@load_option
@click.option("--hide-names", is_flag=True,
              help="只印职务，不印姓名（例如张贴公示时）。电话号码在任何情况下都不会印出。")
@click.option("--coverage", "coverage_plot", is_flag=True,
              help="改为绘制覆盖情况图：各街道或社区的小区覆盖状态堆叠条形图，附政策目标线；给出编号时只画该街道或社区。")
@click.option("--level", type=ZhChoice(["street", "community"]), default=None,
              help="覆盖情况图按街道还是按社区汇总（默认：全部台账按街道，给出编号时按社区）。")
@profile_option
@click.pass_obj
def chart(settings, unit_id, output: Path, paper, orientation, as_of, load, hide_names, coverage_plot, level,
          profile_path) -> None:
    """绘制组织架构图，或用 --coverage 绘制覆盖情况图。

    编号为小区时画“三方联动”架构图（社区党组织在上，小区党组织、业委会、物业并列）；为社区时画社区党组织、
    居委会、兼职委员、双报到单位、小区党支部和物业企业；为街道时画各社区，按覆盖率着色。
    实线表示隶属、领导，虚线表示兼职委员、挂靠建、派驻、双报到；同一人出现在多个方框时标同一编号（交叉任职）。
    """
    from govgraph.charts import draw, plots
    from govgraph.charts.orgchart import render_chart

    if output.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise GovgraphError(f"不支持的图片格式：{output.suffix or '（无扩展名）'}，请用 .png、.svg 或 .pdf")
    as_of = as_of or today()
    orientation = orientation or ("portrait" if coverage_plot else "landscape")
    profile = load_profile(profile_path)
    prepare_font(output)
    if coverage_plot:
        graph = read_mirror(settings, unit_id, load)
        with terminal_progress() as progress:
            count, written = plots.render_coverage(graph, as_of, profile, output,
                                                   level or ("community" if unit_id else "street"), paper,
                                                   orientation, progress)
        pages = f"，{paper} {ORIENTATION_WORDS[orientation]}，共 {count} 页" if count > 1 else ""
        say(f"已写入 {'、'.join(str(p) for p in written)}（覆盖情况图{pages}，统计时点 {as_of.isoformat()}）")
        return
    if not unit_id:
        raise click.UsageError("请给出小区、社区或街道的编号（或加 --coverage 绘制覆盖情况图）")
    graph = read_around_unit(settings, unit_id, as_of, load)
    pages, written = render_chart(graph, unit_id, as_of, output, paper, orientation, hide_names, profile)
    missing = sorted({ch for layout in pages for ch in draw.missing_glyphs(layout)})
    if missing:
        say(f"注意：字体中没有这些字符，图中将显示为空框：{''.join(missing)}", err=True)
    boxes = len({b for layout in pages for b in layout.boxes if not b.startswith("legend:")})
    count = f"，共 {len(pages)} 页" if len(pages) > 1 else ""
    say(f"已写入 {'、'.join(str(p) for p in written)}（{paper} {ORIENTATION_WORDS[orientation]}{count}，方框 {boxes} 个，"
        f"正文 {pages[0].base:.1f} 磅，统计时点 {as_of.isoformat()}）")
    if len(pages) > 1 and paper == "A4":
        say("提示：内容较多，已分页以保持字号；想印在一张纸上可改用 --paper A3。", err=True)


COMMANDS = [chart]
