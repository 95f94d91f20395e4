"""CSV formula injection (OWASP): every CSV written for people (an export folder, any
`--format csv`) puts a leading ' before a cell a spreadsheet would run (= + - @ tab CR);
the reader takes exactly that ' off, so load → export → load is exact. xlsx is left as it
is (its cells are strings, never formulas: tests/test_ledger_robustness.py)."""

from __future__ import annotations

import csv

import pytest

from govgraph.ledger import read_ledger, write_ledger
from govgraph.values import guard_formula, unguard_formula

from small_ledger import SMALL

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"]
KEPT = ["-5", "+86", "-1.5", "2024-05-01", "青特城", "", "'", "a=b", "1-2"]
TRICKY = ["'=already", "''=two", "'-5", "'abc", "''"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_cells_are_guarded(text):
    assert guard_formula(text) == "'" + text


@pytest.mark.parametrize("text", KEPT)
def test_harmless_cells_are_written_as_they_are(text):
    assert guard_formula(text) == text


@pytest.mark.parametrize("text", DANGEROUS + KEPT + TRICKY)
def test_reading_undoes_exactly_what_writing_added(text):
    assert unguard_formula(guard_formula(text)) == text


LEDGER = {
    **SMALL,
    "firms.csv": 'id,name,ownership\nF1,"=cmd|\' /C calc\'!A0",市场化\n@F2,+泾华物业,\n-F3,\'=SUM(A1:A2),\n\'-5,-5,',
    "relations.csv": SMALL["relations.csv"].rstrip() + "\n        服务,@F2,C2,专业物业,2020-01,,=HYPERLINK(\"x\")",
}


def _cells(folder, name):
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_export_folder_is_guarded_and_round_trips(make_ledger, tmp_path):
    data = read_ledger(make_ledger(LEDGER)).data
    assert data.entities["F1"].name == "=cmd|' /C calc'!A0"
    assert data.entities["-F3"].name == "=SUM(A1:A2)"  # the ' a user typed before it: Excel's own meaning
    assert data.entities["-5"].name == "-5"  # '-5 is a guarded -5, as an export writes it
    out = write_ledger(data, tmp_path / "out")
    cells = _cells(out, "firms.csv")
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c != "-5")]
    assert "'=cmd|' /C calc'!A0" in cells and "'@F2" in cells and "'-F3" in cells and "-5" in cells
    assert "'=HYPERLINK(\"x\")" in _cells(out, "relations.csv")
    again = read_ledger(out).data
    assert again.same_content(data)
    assert write_ledger(again, tmp_path / "twice") and _cells(tmp_path / "twice", "firms.csv") == cells


def test_format_csv_is_guarded(run, make_ledger):
    assert run("load", str(make_ledger(LEDGER))).exit_code == 0
    result = run("show", "C2", "--all", "--format", "csv")
    assert result.exit_code == 0
    cells = [c for row in csv.reader(result.stdout.splitlines()) for c in row]
    assert "'+泾华物业" in cells and "'@F2" in cells and "'=HYPERLINK(\"x\")" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
