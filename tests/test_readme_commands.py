"""Every command and every option is documented in the README (as sqlite-utils' test_docs
does), and the README's command tables are what scripts/readme_commands.py makes of --help."""

from __future__ import annotations

import importlib.util
import re

import click
import pytest

from govgraph.cli.main import cli

from conftest import TESTS

README = (TESTS.parent / "README.md").read_text("utf-8")
SCRIPT = TESTS.parent / "scripts" / "readme_commands.py"


def _generator():
    spec = importlib.util.spec_from_file_location("readme_commands", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + name + " ")


COMMANDS = dict(_commands(cli))
TABLE = README[README.index("<!-- commands:"):README.index("<!-- end of commands -->")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_documented(name):
    assert re.search(rf"`govgraph {re.escape(name)}[ `]", TABLE), f"govgraph {name} is not in the README's command table"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help(name):
    assert COMMANDS[name].help, f"govgraph {name} has no help text"


OPTION_ROWS = [(cells[0], set(cells[2].split("、"))) for cells in
               (line.strip("| ").split(" | ") for line in TABLE.splitlines() if line.startswith("| `-"))]


@pytest.mark.parametrize("name, option", sorted(
    (name, opt) for name, command in {"govgraph": cli, **COMMANDS}.items() for param in command.params
    if isinstance(param, click.Option) and "--help" not in param.opts for opt in param.opts
))
def test_option_is_documented(name, option):
    """Each option of each command is in that command's row, and has a row of its own below
    that names the command."""
    if name != "govgraph":
        row = next(line for line in TABLE.splitlines() if line.startswith(f"| `govgraph {name}"))
        assert re.search(rf"`[^`]*{re.escape(option)}\b", row.split(" | ")[2]), row
    assert any(re.search(rf"{re.escape(option)}\b", text) and name in used for text, used in OPTION_ROWS), (
        f"{option} of govgraph {name} has no row in the options table")


def test_readme_tables_are_generated_from_help():
    generator = _generator()
    assert generator.readme_with_commands(README) == README, (
        "README.md differs from --help: run python scripts/readme_commands.py")


def test_the_check_sees_a_change():
    """The comparison above can fail: a help text changed is a README out of date."""
    generator = _generator()
    stale = README.replace("只校验台账，不写入数据库", "只校验台账", 1)
    assert stale != README and generator.readme_with_commands(stale) != stale
