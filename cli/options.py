"""Options shared by several commands."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import click
from pydantic_core import PydanticCustomError

from govgraph.loading import SHANGHAI
from govgraph.values import parse_date
from . import zh_click


def today() -> date:
    """Today in Asia/Shanghai, whatever the machine's clock zone."""
    return datetime.now(SHANGHAI).date()


class DateType(click.ParamType):
    """A point in time as auditors write it: 2024-06-30, 2024/6/30, 2024.6.30, 2024年6月30日;
    a month or a year alone (2024.6, 2024年6月, 2024) means its last day."""

    name = "日期"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_date(value, end_of_period=True)
        except PydanticCustomError:
            self.fail(f"“{value}”不是有效日期（例如 2024-06-30）", param, ctx)


as_of_option = click.option(
    "--as-of", "as_of", type=DateType(), default=None,
    help="统计时点（例如 2024-12-31、2024.6.30；只写年月或年时指该月、该年的最后一天，如 2024.6 即 2024-06-30）；"
         "默认今天（北京时间）。只计入在该日有效的关系。",
)

scope_option = click.option(
    "--scope", metavar="编号", default=None,
    help="只看一个街道或社区（填其编号），只读取该范围的数据。",
)

profile_option = click.option(
    "--profile", "profile_path", type=zh_click.Path(exists=True, dir_okay=False), default=None,
    help="口径文件（TOML），替换默认的阈值和目标；格式见 govgraph/profiles/default.toml。",
)


@dataclass(frozen=True)
class LoadChoice:
    """`--load N` / `--period P` as given; `seq(store)` is the submission they name
    (None: the latest)."""

    load: int | None = None
    period: str | None = None

    def seq(self, store) -> int | None:
        from govgraph.store.base import resolve_load

        if self.load is None and self.period is None:
            return None
        return resolve_load(store.submissions(), self.load, self.period)


LATEST = LoadChoice()


def load_option(command):
    """`--load N` and `--period P` on a command that reads the graph; the command gets
    one `load` argument (a LoadChoice)."""

    @functools.wraps(command)
    def wrapper(*args, load_seq=None, period=None, **kwargs):
        return command(*args, load=LoadChoice(load_seq, period), **kwargs)

    wrapper = click.option(
        "--period", metavar="期别", default=None,
        help="按某一期别导入时的数据（例如 2026Q3；取该期别最近一次导入）。")(wrapper)
    return click.option(
        "--load", "load_seq", type=click.IntRange(min=1), metavar="N", default=None,
        help="按第 N 次导入后的数据（见 govgraph history）；默认最近一次。")(wrapper)


def read_mirror(settings, scope: str | None, load: LoadChoice = LATEST):
    """The NetworkX mirror of the chosen store, whole or around one street or community,
    as submitted in the chosen submission."""
    from govgraph import reading

    store = settings.store()
    try:
        return reading.read_mirror(store, scope, load.seq(store))
    finally:
        store.close()


def answer_from_mirror(settings, scope: str | None, load: LoadChoice, question: tuple, work):
    """`work(mirror)` on the chosen mirror. For the whole graph of a store that keeps
    snapshots (SQLite), the answer is kept per submission and `question` (what is asked,
    with every setting it depends on) and served again (govgraph/snapshot.py)."""
    from govgraph import reading
    from govgraph.snapshot import cached_answer

    store = settings.store()
    try:
        seq = load.seq(store)
        if scope is not None:
            return work(reading.read_mirror(store, scope, seq))
        return cached_answer(store, seq, question, lambda at: work(reading.read_mirror(store, None, at)))
    finally:
        store.close()


def audit_by_parts(settings, scope: str | None, load: LoadChoice, work):
    """`work(parts)` street by street (govgraph/partition.py) when the chosen store reads
    in parts and the whole store is asked for; None otherwise, or when the streets do not
    list every compound once (the caller then reads the whole graph)."""
    from govgraph import partition

    if scope is not None:
        return None
    store = settings.store()
    try:
        if not partition.by_parts(store, load.seq(store)):
            return None
        try:
            return work(partition.Parts(store, load.seq(store)))
        except partition.Incomplete:
            return None
    finally:
        store.close()


def read_around_unit(settings, unit_id: str, on: date, load: LoadChoice = LATEST):
    """The mirror around a unit to chart (see `reading.read_around`)."""
    from govgraph import reading

    store = settings.store()
    try:
        return reading.read_around(store, unit_id, on, load.seq(store))
    finally:
        store.close()


# Chinese words accepted wherever a choice is asked for: `--level 社区` is `--level community`.
CHOICE_WORDS = {
    "district": ("区县", "区", "县"), "street": ("街道", "乡镇"), "community": ("社区",), "compound": ("小区",),
    "table": ("表格",), "portrait": ("纵向", "竖版"), "landscape": ("横向", "横版"),
    "demo": ("示例",), "city": ("城市", "市"), "province": ("全省", "省"),
}


class ZhChoice(click.Choice):
    """A click.Choice that also takes the Chinese word for each value and returns the value."""

    def __init__(self, choices, case_sensitive: bool = False):
        self.canonical = {word: c for c in choices for word in CHOICE_WORDS.get(c, ())}
        super().__init__([*choices, *self.canonical], case_sensitive=case_sensitive)

    def convert(self, value, param, ctx):
        chosen = super().convert(value, param, ctx)
        return self.canonical.get(chosen, chosen)
