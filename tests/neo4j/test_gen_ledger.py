"""The generated ledgers used by the differential tests: valid, deterministic, and with
relations going in and out of force on the as-of dates. (No server needed.)"""

from __future__ import annotations

import filecmp
from collections import Counter

from govgraph.ledger import read_ledger


def test_generated_ledgers_pass_the_reader(ledgers):
    for name in ("gen1", "gen2"):
        data = ledgers(name)  # read_ledger raises LedgerError on any error
        kinds = Counter(e.kind for e in data.entities.values())
        assert set(kinds) == {"District", "Street", "Community", "Compound", "PartyOrg", "Committee", "Firm", "Person"}
        assert len(data.entities) >= 2500
        assert {r.type for r in data.relations} == {
            "隶属", "覆盖", "挂靠建", "派驻", "任职", "兼职委员", "一肩挑", "服务", "居住"}


def test_same_seed_same_ledger(tmp_path, generator):
    a = generator.write_ledger_folder(tmp_path / "a", seed=5, scale=1)
    b = generator.write_ledger_folder(tmp_path / "b", seed=5, scale=1)
    c = generator.write_ledger_folder(tmp_path / "c", seed=6, scale=1)
    names = sorted(p.name for p in a.iterdir())
    assert filecmp.cmpfiles(a, b, names, shallow=False)[0] == names
    assert filecmp.cmpfiles(a, c, names, shallow=False)[0] != names
    read_ledger(c)


def test_relations_go_in_and_out_of_force(ledgers, generator):
    relations = ledgers("gen1").relations
    for on in generator.AS_OF_DATES:
        in_force = sum(r.in_force(on) for r in relations)
        assert 0 < in_force < len(relations), on
    starts = {r.since for r in relations if r.since}
    ends = {r.until for r in relations if r.until}
    assert set(generator.BOUNDARIES[1:]) <= starts
    assert {b.replace(day=b.day) for b in generator.AS_OF_DATES if b.day in (30, 31, 14)} & ends
