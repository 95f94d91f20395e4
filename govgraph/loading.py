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
from .store.window import Window

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class LoadResult:
    record: Submission  # the submission that landed, with the counts of its change
    warnings: list[LedgerIssue]
    data: GraphData  # the graph after it; for a scoped load only what it read and replaced
    totals: tuple[int, int] | None = None  # entities and relations after it, when `data` is not whole

    @property
    def entity_total(self) -> int:
        return self.totals[0] if self.totals else len(self.data.entities)

    @property
    def relation_total(self) -> int:
        return self.totals[1] if self.totals else len(self.data.relations)


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
        if result is None:
            step("读取并校验台账", 1, 3)
            result = read_ledger(path, allow_id_numbers=allow_id_numbers, base=before, mapping=mapping)
        elif not force:
            _refuse_silent_removal(before, result.data)
        read["ledger"] = result
        step("写入数据库", 2, 3)
        return result.data

    if scope is not None:
        def scoped(view) -> GraphData:
            read["ledger"] = _scoped_window(view, path, scope, allow_id_numbers, mapping)
            entities, relations = view.totals()
            window = view.graph()
            after = read["ledger"].data
            read["totals"] = (entities - len(window.entities) + len(after.entities),
                              relations - len(window.relations) + len(after.relations))
            step("读取并校验台账", 1, 3)
            step("写入数据库", 2, 3)
            return read["ledger"].data

        build = Window(scoped)

    submission = store.submit(build, at=datetime.now(SHANGHAI).isoformat(timespec="seconds"),
                              ledger=name or str(path), mode=mode, period=period, scope=scope, on_wait=on_wait)
    step("写入数据库", 3, 3)
    return LoadResult(submission, read["ledger"].warnings, read["ledger"].data, read.get("totals"))


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


def _scoped_window(view, path, scope: str, allow_id_numbers: bool, mapping):
    """A scoped submission of `scope` (domain.md §7) read through `view`: the graph after
    it, for exactly what the view has read (store/window.py).

    The same answer as laying the ledger over the whole stored graph less the scope's
    part and validating the whole, read in proportion to the scope: the part itself
    (found from the scope down), and every relation touching the part, the orgs covering
    it, every stored entity the ledger's rows name, and the party orgs above the ones
    the ledger places. Every check of `validate_graph` looks only at relations with an
    end among those, and the stored graph was valid, so nothing else can break.
    A ledger naming something that is not a stored id (a name, or a mistake) reads the
    whole graph: names are resolved against everything, as in any load."""
    from .errors import NotFoundError
    from .store.scope import outside_changes, scope_part, without_part

    unit = view.entities_by_id({scope}).get(scope)
    if unit is None or unit.kind not in ("Street", "Community"):
        raise NotFoundError(f"找不到街道或社区：{scope}（范围导入只能针对库中已有的街道或社区）")
    on = datetime.now(SHANGHAI).date()
    view.relations_touching({scope})
    part = _close_part(view, lambda: view.graph(), scope, on)
    while True:
        def base_for(ledger: GraphData) -> GraphData:
            _reach(view, ledger, part)
            return without_part(view.graph(), part)

        result = read_ledger(path, allow_id_numbers=allow_id_numbers, base_for=base_for, mapping=mapping)
        # The part after: its every relation must have been read too (a ledger may move a
        # stored unit under the scope); read what is missing and lay the ledger again.
        before_rows = len(view.graph().relations)
        new_part = _close_part(view, lambda: result.data, scope, on, once=True)
        if len(view.graph().relations) == before_rows:
            break
    before = view.graph()
    problems = outside_changes(before, result.data, part | new_part)
    if problems:
        shown = "；".join(problems[:10]) + (f"；另有 {len(problems) - 10} 处" if len(problems) > 10 else "")
        raise ScopeViolation(f"范围导入 {scope} 只能改动该{_KIND_WORD[unit.kind]}自己的数据，"
                             f"本台账改动了范围以外的 {len(problems)} 处，未导入任何数据：{shown}")
    return result


def _close_part(view, graph, scope: str, on, once: bool = False) -> set[str]:
    """`scope_part` of `graph()`, after reading through `view` every relation of the part
    and of the party orgs covering it (whose other 覆盖 decide whether they belong to it).
    `once`: read what is missing once and return (the caller lays the ledger again)."""
    from .store.scope import scope_part

    while True:
        data = graph()
        part = scope_part(data, scope, on)
        covering = {r.from_id for r in data.relations if r.type == "覆盖" and r.to_id in part}
        complete = view.complete
        missing = set() if complete is None else (part | covering) - complete
        if not missing:
            return part
        view.relations_touching(missing)
        if once:
            return part


def _reach(view, ledger: GraphData, part: set[str]) -> None:
    """Read what the ledger's rows reach: every stored entity they name, with all its
    relations, and the party orgs above the orgs they place (a cycle could close there).
    A reference to nothing the result will hold (a name, a mistake, or a unit of the part
    the ledger leaves out) reads everything: names are resolved, and a mistake's closest
    names suggested, from the whole graph as in any load."""
    from .schema import PARENT_RELATION

    refs = set(ledger.entities) | {end for r in ledger.relations for end in (r.from_id, r.to_id)}
    known = view.graph().entities.keys()
    stored = view.entities_by_id(refs - known).keys() | (refs & known)
    if refs - (stored - part) - ledger.entities.keys():
        view.whole()
        return
    view.relations_touching(stored)
    kinds = {**view.graph().entities, **ledger.entities}
    up = {r.to_id for r in ledger.relations
          if r.type == PARENT_RELATION and r.from_id in kinds and kinds[r.from_id].kind == "PartyOrg"}
    seen: set[str] = set()
    while up and view.complete is not None:  # up the stored org 隶属, one level a turn
        view.relations_touching(up - view.complete)
        data = view.graph()
        seen |= up
        up = {r.to_id for r in data.relations if r.type == PARENT_RELATION and r.from_id in up
              and data.entities[r.from_id].kind == "PartyOrg"} - seen


_KIND_WORD = {"Street": "街道", "Community": "社区"}


class ScopeViolation(GovgraphError):
    exit_code = 2


class RemovalRefused(GovgraphError):
    exit_code = 2


