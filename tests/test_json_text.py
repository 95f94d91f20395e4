"""`json_text` (cli/output.py) writes exactly what json.dumps(…, ensure_ascii=False,
indent=2) writes: every --format json output goes through it."""

from __future__ import annotations

import json
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
