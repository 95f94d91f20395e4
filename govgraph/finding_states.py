"""Finding identity and state across submissions (§7): 新增, 持续, 回潮, 已整改, with the
submission where a finding's current run began and the one that closed it.

Pure: it takes, for each submission, the keys of the findings its graph gives, so the
answer is the same whichever store the graphs came from.
"""

from __future__ import annotations

from dataclasses import dataclass

FindingKey = tuple[str, str, str]  # (code, entity_id, unit_id or "")

NEW, PERSISTING, RECURRED, FIXED = "新增", "持续", "回潮", "已整改"
STATES = (NEW, PERSISTING, RECURRED, FIXED)


def finding_key(finding) -> FindingKey:
    """§7: a finding's identity is (code, entity_id, unit_id)."""
    return (finding.code, finding.entity_id, finding.unit_id or "")


def key_as_json(key: FindingKey) -> list:
    code, entity_id, unit_id = key
    return [code, entity_id, unit_id or None]


@dataclass(frozen=True)
class FindingState:
    key: FindingKey
    state: str  # 新增, 持续, 回潮 (present now) or 已整改 (present in the baseline, absent now)
    first_seen: int  # the submission in which its current (or, when fixed, its last) run began
    closed_in: int | None = None  # 已整改: the submission from which it is absent (销号)


def finding_states(history: dict[int, set[FindingKey]], current: int,
                   baseline: int | None) -> dict[FindingKey, FindingState]:
    """The state of every finding of `current`, and of every finding of `baseline`
    absent from `current`, against `baseline` (an earlier submission, or None when there
    is none: everything is then 新增).

    `history` maps each submission seq (at least every one up to `current`) to the keys
    of the findings its graph gives.
    """
    if baseline is not None and baseline >= current:
        raise ValueError("the baseline must be an earlier submission")
    seqs = sorted(s for s in history if s <= current)
    present = history[current]
    base = history[baseline] if baseline is not None else set()
    before_base = set().union(*(history[s] for s in seqs if baseline is not None and s < baseline))
    result = {}
    for key in present:
        if key in base:
            state = PERSISTING
        elif key in before_base:
            state = RECURRED
        else:
            state = NEW
        result[key] = FindingState(key, state, _run_start(history, seqs, key, current))
    for key in base - present:
        result[key] = _closed(history, seqs, key)
    return result


def _run_start(history: dict[int, set[FindingKey]], seqs: list[int], key: FindingKey, end: int) -> int:
    """The first submission of the unbroken run of `key` that ends at `end`."""
    start = end
    for s in reversed([s for s in seqs if s <= end]):
        if key not in history[s]:
            break
        start = s
    return start


def closed_findings(history: dict[int, set[FindingKey]], current: int) -> dict[FindingKey, FindingState]:
    """Every finding seen in some submission up to `current` and absent from it, closed
    (销号) in the submission after its last appearance, whatever a register says."""
    seqs = sorted(s for s in history if s <= current)
    seen = set().union(*(history[s] for s in seqs)) - history[current]
    return {key: _closed(history, seqs, key) for key in seen}


def _closed(history: dict[int, set[FindingKey]], seqs: list[int], key: FindingKey) -> FindingState:
    """A finding absent from the last of `seqs`: closed in the submission after its last
    appearance; its run is the one that ended there."""
    last = max(s for s in seqs if key in history[s])
    closed = min(s for s in seqs if s > last)
    return FindingState(key, FIXED, _run_start(history, seqs, key, last), closed)
