"""Loading a ledger into a store: replace or merge, validated whole, logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collections import Counter

from .errors import GovgraphError, LedgerIssue
from .graph import GraphData
from .ledger.read import read_ledger
from .schema import load_schema
from .store.base import Store, Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class LoadResult:
    record: Submission  # the submission that landed, with the counts of its change
    warnings: list[LedgerIssue]
    data: GraphData


def load_ledger(store: Store, path: str | Path, *, mode: str = "replace", allow_id_numbers: bool = False,
                force: bool = False, name: str | None = None, mapping: str | Path | None = None,
                period: str | None = None, scope: str | None = None, progress=None, on_wait=None) -> LoadResult:
    """Validate the ledger (with the stored graph, when merging) and submit it in one go.

    Merge: a ledger entity replaces the stored one with the same id, including its
    undated parent; a ledger relation replaces the stored one with the same identity;
    everything else stored stays. Nothing is written unless the whole result is valid.
    The merge is computed inside the store's write transaction, on the graph as it is
    then, so two merges at once both land, one after the other. `progress(what, done,
    total)` hears of each step; `on_wait(message)` is told once when another writer
    holds the store.

    `scope` (a street or community id): a scoped submission (domain.md §7) replacing only
    that unit's part (`store.scope.scope_part`); firms and people are merged; anything
    else outside the part must stay as stored.
    """
    step = progress or (lambda what, done, total: None)
    ledger = None
    step("读取库中现有数据", 0, 3)
    if mode != "merge" and scope is None:  # a replace does not depend on the stored graph: validate before the lock
        step("读取并校验台账", 1, 3)
        ledger = read_ledger(path, allow_id_numbers=allow_id_numbers, mapping=mapping)
    read = {}

    def build(before: GraphData) -> GraphData:
        result = ledger
        if scope is not None:
            result = _scoped(before, path, scope, allow_id_numbers, mapping)
            step("读取并校验台账", 1, 3)
        elif result is None:
            step("读取并校验台账", 1, 3)
            result = read_ledger(path, allow_id_numbers=allow_id_numbers, base=before, mapping=mapping)
        elif not force:
            _refuse_silent_removal(before, result.data)
        read["ledger"] = result
        step("写入数据库", 2, 3)
        return result.data

    submission = store.submit(build, at=datetime.now(SHANGHAI).isoformat(timespec="seconds"),
                              ledger=name or str(path), mode=mode, period=period, scope=scope, on_wait=on_wait)
    step("写入数据库", 3, 3)
    return LoadResult(submission, read["ledger"].warnings, read["ledger"].data)


def _refuse_silent_removal(before: GraphData, after: GraphData) -> None:
    """A replace that would wipe a whole kind of data is almost always the wrong folder or
    one updated sheet loaded without --merge: refuse it and say how to proceed."""
    kept = {e.kind for e in after.entities.values()}
    lost = Counter(e.kind for e in before.entities.values() if e.kind not in kept)
    # Relations likewise, by type: a relations.csv with its header only would wipe them all.
    # Those whose endpoints go too are said by the entities above.
    kept_types = {r.type for r in after.relations}
    ids = after.entities.keys()
    lost_types = Counter(r.type for r in before.relations
                         if r.type not in kept_types and r.from_id in ids and r.to_id in ids)
    if lost or lost_types:
        what = "、".join([*(f"{load_schema().entities[k].zh} {n} 个" for k, n in sorted(lost.items())),
                         *(f"{t}关系 {n} 条" for t, n in sorted(lost_types.items()))])
        raise RemovalRefused(
            f"本台账没有以下数据：{what}（库中现有）。整体替换会把它们全部删除，已停止。"
            "如只想更新部分表，请加 --merge；确需整体替换，请加 --force。"
        )


def _scoped(before: GraphData, path, scope: str, allow_id_numbers: bool, mapping):
    """The graph after a scoped submission of `scope`: the stored graph less the scope's
    part, with the ledger laid over it (so references to stored units resolve and the
    whole result is validated)."""
    from .errors import NotFoundError
    from .store.scope import outside_changes, scope_part, without_part

    unit = before.entities.get(scope)
    if unit is None or unit.kind not in ("Street", "Community"):
        raise NotFoundError(f"找不到街道或社区：{scope}（范围导入只能针对库中已有的街道或社区）")
    on = datetime.now(SHANGHAI).date()
    part = scope_part(before, scope, on)
    result = read_ledger(path, allow_id_numbers=allow_id_numbers, base=without_part(before, part), mapping=mapping)
    problems = outside_changes(before, result.data, part | scope_part(result.data, scope, on))
    if problems:
        shown = "；".join(problems[:10]) + (f"；另有 {len(problems) - 10} 处" if len(problems) > 10 else "")
        raise ScopeViolation(f"范围导入 {scope} 只能改动该{_KIND_WORD[unit.kind]}自己的数据，"
                             f"本台账改动了范围以外的 {len(problems)} 处，未导入任何数据：{shown}")
    return result


_KIND_WORD = {"Street": "街道", "Community": "社区"}


class ScopeViolation(GovgraphError):
    exit_code = 2


class RemovalRefused(GovgraphError):
    exit_code = 2


