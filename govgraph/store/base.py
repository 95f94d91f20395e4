"""The store interface, the load log record and the submission arithmetic every store shares.

Choosing a store from settings is `choose.py`: it imports the stores, which import this."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from collections.abc import Callable

from ..errors import NotFoundError
from ..graph import GraphData

@dataclass(frozen=True)
class LoadRecord:
    at: str  # ISO timestamp, Asia/Shanghai
    ledger: str
    mode: str  # replace or merge
    entities_added: int
    entities_changed: int
    entities_removed: int
    relations_added: int
    relations_changed: int
    relations_removed: int

    def as_row(self) -> dict:
        return asdict(self)


COUNT_FIELDS = ("entities_added", "entities_changed", "entities_removed",
                "relations_added", "relations_changed", "relations_removed")


@dataclass(frozen=True)
class Submission:
    """One numbered submission (domain.md §7): what `history` lists (§6 keys)."""

    seq: int
    at: str  # ISO timestamp, Asia/Shanghai
    ledger: str
    mode: str  # replace or merge
    period: str | None
    scope: str | None  # None: the whole ledger; else the street or community replaced
    entities_added: int = 0
    entities_changed: int = 0
    entities_removed: int = 0
    relations_added: int = 0
    relations_changed: int = 0
    relations_removed: int = 0

    def as_row(self) -> dict:
        return asdict(self)


# build(before) -> after: run inside the write transaction, with the writer lock held, on
# the graph as it stands then (so a merge is computed against what is really stored).
Build = Callable[[GraphData], GraphData]  # or a store.window.Window (a scoped load)


class Store(Protocol):
    """What every store offers (docs/design.md, "Submissions: system-versioned rows").

    Every read sees exactly one submission: `load=None` is the latest committed one."""

    description: str  # for messages: the file path or the Neo4j URI

    def submit(self, build: Build, *, at: str, ledger: str, mode: str, period: str | None = None,
               scope: str | None = None, on_wait: Callable[[str], None] | None = None) -> Submission: ...

    def read(self, scope: str | tuple[str, ...] | None = None, load: int | None = None) -> GraphData: ...

    def submissions(self) -> list[Submission]: ...

    def close(self) -> None: ...


def change_counts(before: GraphData, after: GraphData) -> dict[str, int]:
    """The six counts of a submission: entities by id, relations by identity; changed is
    present in both with different content (provenance aside)."""
    counts = {}
    for name, old, new in (
        ("entities", before.entities, after.entities),
        ("relations", {r.identity: r for r in before.relations}, {r.identity: r for r in after.relations}),
    ):
        counts[f"{name}_added"] = len(new.keys() - old.keys())
        counts[f"{name}_removed"] = len(old.keys() - new.keys())
        counts[f"{name}_changed"] = sum(1 for k in new.keys() & old.keys() if new[k] != old[k])
    return counts


def resolve_load(submissions: list[Submission], load: int | None = None, period: str | None = None) -> int | None:
    """The submission seq that `--load N` or `--period P` names (a period: its latest
    submission); None when neither is given (the latest). Unknown: a Chinese error that
    lists what exists."""
    if load is None and period is None:
        return None
    if load is not None and period is not None:
        raise NotFoundError("--load 和 --period 只能给一个：--load 指定第几次导入，--period 指定期别")
    if not submissions:
        raise NotFoundError("库中还没有任何导入记录：请先用 govgraph load 导入台账")
    if load is not None:
        if any(s.seq == load for s in submissions):
            return load
        first, last = submissions[0].seq, submissions[-1].seq
        raise NotFoundError(f"没有第 {load} 次导入：现有第 {first} 至第 {last} 次（用 govgraph history 查看）")
    matching = [s.seq for s in submissions if s.period == period]
    if matching:
        return max(matching)
    periods = list(dict.fromkeys(s.period for s in submissions if s.period))
    known = "、".join(periods) if periods else "没有标注期别的导入（导入时用 --period 标注）"
    raise NotFoundError(f"没有期别为 {period} 的导入：现有期别 {known}")
