"""`json_text` (cli/output.py) writes exactly what json.dumps(…, ensure_ascii=False,
indent=2) writes: every --format json output goes through it."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum

import pytest

from govgraph.cli.output import json_text


class Word(str, Enum):
    A = "单独建"


CASES = [
    [],
    {},
    [[], {}, [[]], {"a": {}}],
    {"id": "C1", "name": "青特城\n“引号”\t\\", "count": 3, "share": 0.1, "big": 1e20, "none": None,
     "yes": True, "no": False, "evidence": [{"type": "覆盖", "since": "2021-01-01", "until": None}], "tags": []},
    [{"k": float("nan")}, {"k": float("inf")}, {"k": -float("inf")}, {"k": -0.0}, {"k": 10 ** 30}],
    ("a", ("b",)),
    {"\u2028控制\x01": "\x1f\u00e9"},
    {1: "int key"},  # not plain: json.dumps' own conversion
    {"enum": Word.A},  # a str subclass: json.dumps' own
    "just a string",
    42,
    None,
]


@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_json_text_is_json_dumps(value):
    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_an_audit_in_json_is_written_as_json_dumps_would(run, make_ledger):
    from small_ledger import SMALL

    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    for args in (["audit"], ["coverage", "--level", "compound"], ["show", "C1"], ["history"]):
        result = run(*args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.rstrip("\n") == json.dumps(json.loads(result.stdout), ensure_ascii=False, indent=2)


@pytest.mark.parametrize("tables", [
    [],
    [[]],
    [[{"a": 1}, {"b": [1, {"c": None}]}, {"d": {}}]],
    [[{"a": 1}], [], [{"x": "“引号”\n", "when": date(2026, 6, 30)}, {1: "int key"}, {"enum": Word.A}]],
], ids=range(4))
def test_json_pieces_are_the_json_text_of_the_tables(tables):
    """--format json is written in pieces (cli/output.py:json_pieces): together they are
    exactly json.dumps of the plain rows (one table: its rows; several: {key: rows}),
    whatever the piece size."""
    from govgraph.cli.output import Table, json_pieces

    made = [Table(f"t{i}", "表", rows, []) for i, rows in enumerate(tables)]
    plain_rows = [[plain_row(r) for r in rows] for rows in tables]
    value = plain_rows[0] if len(made) == 1 else {t.key: rows for t, rows in zip(made, plain_rows)}
    whole = json.dumps(value, ensure_ascii=False, indent=2)
    for size in (1, 2, 500):
        assert "".join(json_pieces(made, rows_per_piece=size)) == whole


def plain_row(row):
    from govgraph.cli.output import plain

    return plain(row)


def test_an_audit_written_to_a_file_is_what_it_prints(run, make_ledger, tmp_path):
    from small_ledger import SMALL

    assert run("load", str(make_ledger(SMALL))).exit_code == 0
    printed = run("audit", "--format", "json")
    target = tmp_path / "audit.json"
    assert run("audit", "--format", "json", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == printed.stdout
