"""click's own words in Chinese come from explicit setup when the CLI runs
(`GovgraphGroup.main` → `zh_click.install()`), not from importing the CLI (issue 14, item 7)."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner


def test_importing_the_cli_leaves_click_alone():
    code = ("import click.core, click.types\n"
            "import govgraph.cli.main\n"
            "print(click.core._('Usage:'), click.types._('file'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["Usage:", "file"]


def test_running_the_cli_speaks_chinese(tmp_path):
    from govgraph.cli.main import cli

    result = CliRunner().invoke(cli, ["--db", str(tmp_path), "coverage"])
    assert result.exit_code == 2
    assert "用法：" in result.output and "的值无效：文件 '" in result.output and "是文件夹" in result.output
