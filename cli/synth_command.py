"""`govgraph synth`: write a synthetic ledger at a scale tier (domain.md §5)."""

from __future__ import annotations

from pathlib import Path

import click

from govgraph.synth import REFERENCE_DATE, TIERS, write_synthetic

from .options import ZhChoice
from .progress import terminal_progress
from .output import say
from . import zh_click

_TIER_HELP = "规模档：demo（几十个单位）、city（约 5,000 个小区、25 万条关系）、province（10 个城市，约 250 万条关系）。"


@click.command()
@click.option("--tier", type=ZhChoice(list(TIERS)), default="demo", show_default=True, help=_TIER_HELP)
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子：同一规模档、同一种子生成的文件逐字节相同。")
@click.argument("out", type=zh_click.Path(file_okay=False, path_type=Path), metavar="输出文件夹")
def synth(tier: str, seed: int, out: Path) -> None:
    """生成合成台账（CSV 文件夹，格式同 load/export），用于性能测试和演练。

    构成比例取自公开文件的数据：武汉有物业项目的企业中建立党组织和选派党建指导员的比例、
    老旧小区的物业管理模式，一肩挑、交叉任职和业委会党员过半的比例。

    含有效期内、已失效和尚未生效的关系，五种覆盖状态都有；人员、电话、信用代码均为虚构。

    审计时加 --as-of 2026-06-30，结果与生成时的设定一致。
    """
    if out.exists() and any(out.iterdir()):
        existing = sorted(p.name for p in out.glob("*.csv"))
        if not existing:
            raise click.ClickException(f"输出文件夹 {out} 不为空且不是台账文件夹，请换一个位置")
    with terminal_progress() as progress:
        counts = write_synthetic(out, tier, seed, progress=progress)
    say(
        f"已生成合成台账 {out}（规模档 {tier}，种子 {seed}）：" + "、".join(f"{name} {n} 行" for name, n in counts.items())
    )
    say(f"导入：govgraph load {out}；审计时点建议 --as-of {REFERENCE_DATE.isoformat()}")


COMMANDS = [synth]
