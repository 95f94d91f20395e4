"""§7 finding states on hand-worked histories. Expected states written by hand from the
definitions: 新增 absent in B; 持续 present in B; 回潮 absent in B but present before B;
已整改 in B and absent now; first_seen the start of the current unbroken run."""

from __future__ import annotations

import pytest

from govgraph.finding_states import closed_findings, finding_key, finding_states
from govgraph.findings import Finding

A, B, C, D, E = (("ORPHAN_COMPOUND", c, "") for c in ("CA", "CB", "CC", "CD", "CE"))
HISTORY = {
    1: {A, B, D},
    2: {A, C},
    3: {A, B},
    4: {B, C, E},
}


def states(current, baseline):
    return {k[1]: (s.state, s.first_seen, s.closed_in) for k, s in finding_states(HISTORY, current, baseline).items()}


def test_latest_against_the_previous():
    assert states(4, 3) == {
        "CB": ("持续", 3, None),   # in 3 and 4; absent in 2, so its run began in 3
        "CC": ("回潮", 4, None),   # absent in 3, present in 2 (before the baseline)
        "CE": ("新增", 4, None),   # never seen before
        "CA": ("已整改", 1, 4),    # in 1–3, gone in 4
    }                               # CD (only in 1) was not in the baseline: not listed


def test_latest_against_an_older_baseline():
    assert states(4, 2) == {
        "CB": ("回潮", 3, None),   # absent in 2, present in 1
        "CC": ("持续", 4, None),   # in 2 and 4, but not 3: the current run began in 4
        "CE": ("新增", 4, None),
        "CA": ("已整改", 1, 4),    # last seen in 3, so closed by 4
    }


def test_a_past_submission_against_its_previous():
    assert states(3, 2) == {
        "CA": ("持续", 1, None),
        "CB": ("回潮", 3, None),
        "CC": ("已整改", 2, 3),
    }


def test_no_baseline_everything_is_new():
    assert states(1, None) == {"CA": ("新增", 1, None), "CB": ("新增", 1, None), "CD": ("新增", 1, None)}


def test_baseline_must_be_earlier():
    with pytest.raises(ValueError):
        finding_states(HISTORY, 2, 3)


def test_closed_findings_close_in_the_submission_after_their_last_appearance():
    got = {k[1]: (s.first_seen, s.closed_in) for k, s in closed_findings(HISTORY, 4).items()}
    assert got == {"CA": (1, 4), "CD": (1, 2)}


def test_key_is_code_entity_unit():
    f = Finding("MISSING_PART_TIME_MEMBER", "warning", "U1", "Person", "m", "r", unit_id="C1")
    g = Finding("ORPHAN_COMPOUND", "error", "C1", "Compound", "m", "r")
    assert finding_key(f) == ("MISSING_PART_TIME_MEMBER", "U1", "C1")
    assert finding_key(g) == ("ORPHAN_COMPOUND", "C1", "")
