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


def test_server_side_scope_is_checked_in_the_submission_asked_for(neo4j_db, neo4j_env, ledger_paths, monkeypatch):
    """M1 is in the first submission (the acceptance ledger) and not in the second (the
    demo): `--load 1 --scope M1` answers as the Python path does; the latest refuses M1."""
    monkeypatch.delenv("GOVGRAPH_DEBUG", raising=False)
    runner = CliRunner()
    target = ["--neo4j-uri", neo4j_env.uri]
    neo4j_db.wipe()
    neo4j_db.loaded = None
    for ledger in ("core", "demo"):
        assert runner.invoke(cli, [*target, "load", "--force", str(ledger_paths[ledger])]).exit_code == 0
    args = ["coverage", "--level", "compound", "--scope", "M1", "--as-of", "2025-06-30", "--format", "json"]
    python = runner.invoke(cli, [*target, *args, "--load", "1"])
    server = runner.invoke(cli, [*target, *args, "--load", "1", "--server-side"])
    assert python.exit_code == server.exit_code == 0, server.stderr
    assert '"C1"' in server.stdout
    latest = runner.invoke(cli, [*target, *args, "--server-side"])
    assert latest.exit_code == 1 and latest.stderr == "找不到街道或社区：M1\n"
