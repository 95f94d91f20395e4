"""Writes the README's command tables from the commands' own `--help` (issue 14, item 9).

    python scripts/readme_commands.py           # rewrite the block in README.md
    python scripts/readme_commands.py --check   # exit 1 when the block is out of date

The block lies between the two marker lines below; everything in it comes from click's help
records, so a command or option added without help text, or help changed without running
this, is caught by tests/test_readme_commands.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

README = Path(__file__).parent.parent / "README.md"
BEGIN = "<!-- commands: generated from --help by scripts/readme_commands.py; edit the help texts, then run it -->"
END = "<!-- end of commands -->"
CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def _one_line(text: str) -> str:
    """Help text on one table line: wrapped lines joined (no space between two Chinese
    characters), `|` escaped."""
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(rf"(?<={CJK}) (?={CJK})", "", text)
    return text.replace("|", "\\|")


def _help(command: click.Command) -> str:
    """The command's whole help text (click's no-rewrap marker dropped)."""
    return _one_line((command.help or "").replace("\b\n", ""))


def _commands(group: click.Group, prefix: str = ""):
    """(full name, command) of every command and subcommand, in name order."""
    for name in sorted(group.commands):
        command = group.commands[name]
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + name + " ")


def _usage(ctx: click.Context, name: str, command: click.Command) -> str:
    arguments = [p.make_metavar(ctx) if not isinstance(p.metavar, str) else p.metavar
                 for p in command.params if isinstance(p, click.Argument)]
    return " ".join(["govgraph", name, *arguments])


def _options(ctx: click.Context, command: click.Command) -> list[tuple[str, str]]:
    """(names with value, help) of each option, as `--help` prints them (help itself left out)."""
    records = []
    for param in command.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            record = param.get_help_record(ctx)
            if record:
                records.append((record[0], _one_line(record[1])))
    return records


def _names(option_text: str) -> str:
    """The option's names alone (`-o, --output`), for the command table."""
    return ", ".join(word.strip(",") for word in option_text.split() if word.startswith("-"))


def commands_markdown() -> str:
    """The block between the markers."""
    from govgraph.cli import zh_click
    from govgraph.cli.main import cli

    zh_click.install()  # click's own words (默认, 必填 …) as `govgraph … --help` prints them
    root = click.Context(cli, info_name="govgraph")
    lines = ["| 命令 | 作用 | 选项 |", "|---|---|---|"]
    by_option: dict[tuple[str, str], list[str]] = {}
    for text, help_text in _options(root, cli):
        by_option.setdefault((text, help_text), []).append("govgraph")
    for name, command in _commands(cli):
        ctx = click.Context(command, info_name=name, parent=root)
        options = _options(ctx, command)
        names = "、".join(f"`{_names(text)}`" for text, _ in options)
        lines.append(f"| `{_usage(ctx, name, command)}` | {_help(command)} | {names} |")
        for text, help_text in options:
            by_option.setdefault((text, help_text), []).append(name)
    lines += ["", "各选项的说明（与 `govgraph 命令 --help` 所印相同；“govgraph”指写在命令名之前的选项）：", "",
              "| 选项 | 说明 | 用于 |", "|---|---|---|"]
    for (text, help_text), used in sorted(by_option.items(), key=lambda item: (_names(item[0][0]).lstrip("-"), item[1])):
        lines.append(f"| `{_one_line(text)}` | {help_text} | {'、'.join(used)} |")
    return "\n".join(lines)


def readme_with_commands(readme: str) -> str:
    """The README with its block rewritten."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n\n" + commands_markdown() + "\n\n" + readme[end:]


def main(argv: list[str]) -> int:
    text = README.read_text("utf-8")
    fresh = readme_with_commands(text)
    if "--check" in argv:
        if fresh != text:
            print("README.md: the command tables differ from --help; run python scripts/readme_commands.py")
            return 1
        return 0
    README.write_text(fresh, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
