"""The server-side Cypher refuses an unknown --scope as the Python path does, on the real
Neo4j server (issue 16, item 9)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from govgraph.cli.main import cli

@pytest.mark.parametrize("scope", ["不存在", "C1"])  # no such unit; a compound, not a street or community
def test_server_side_refuses_an_unknown_scope_like_the_python_path(neo4j_db, neo4j_env, ledger_paths, monkeypatch,
                                                                     scope):
    monkeypatch.delenv("GOVGRAPH_DEBUG", raising=False)
    runner = CliRunner()
    target = ["--neo4j-uri", neo4j_env.uri]
    if neo4j_db.loaded != "core":
        neo4j_db.wipe()
        assert runner.invoke(cli, [*target, "load", str(ledger_paths["core"])]).exit_code == 0
        neo4j_db.loaded = "core"
    args = ["coverage", "--level", "compound", "--scope", scope]
    python = runner.invoke(cli, [*target, *args])
    server = runner.invoke(cli, [*target, *args, "--server-side"])
    assert python.exit_code == server.exit_code == 1
    assert server.stderr == python.stderr == f"找不到街道或社区：{scope}\n"
    assert server.stdout == ""
