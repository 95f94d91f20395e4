"""The `govgraph` command: the group, the store options, and the one place errors are caught."""

from __future__ import annotations

import os
import sys
import traceback

import click

from govgraph.errors import GovgraphError
from govgraph.store import open_store

from . import (
    audit_commands, chart_commands, data_commands, report_commands, serve_command, synth_command, tracking_commands,
    zh_click,
)
from .output import say

INTERNAL_ERROR = "内部错误：govgraph 遇到了意外问题。请设置环境变量 GOVGRAPH_DEBUG=1 后重试，并把输出发给维护人员。"


class Settings:
    """What every command needs to open the store chosen on the command line."""

    def __init__(self, db: str | None, neo4j_uri: str | None):
        self.db = db
        self.neo4j_uri = neo4j_uri

    def store(self, create: bool = False):
        """The chosen store; only commands that write (load, demo) create a new file."""
        return open_store(self.db, self.neo4j_uri, create=create)


class GovgraphGroup(click.Group):
    """Turns library errors into one Chinese line and an exit status, never a traceback."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.options_metavar = "[选项]"  # click's "[OPTIONS]" in every usage line
        super().add_command(cmd, name)

    def main(self, *args, **kwargs):
        """Runs the CLI with click's own words in Chinese (`zh_click.install`: explicit
        setup when the CLI runs, not a side effect of importing it)."""
        zh_click.install()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GovgraphError as exc:
            say(str(exc), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # output piped into `head` and the like, which stopped reading
            _quiet_stdout()
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception:
            if os.environ.get("GOVGRAPH_DEBUG"):
                raise
            say(INTERNAL_ERROR, err=True)
            ctx.exit(1)


@click.group(cls=GovgraphGroup, options_metavar="[选项]", subcommand_metavar="命令 [参数]...",
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", envvar="GOVGRAPH_DB", type=zh_click.Path(dir_okay=False),
              help="本地数据库文件路径（默认 ~/.local/share/govgraph/govgraph.sqlite，也可用环境变量 GOVGRAPH_DB 指定）。")
@click.option("--neo4j-uri", envvar="NEO4J_URI", metavar="URI",
              help="改用 Neo4j 图数据库，例如 bolt://127.0.0.1:7687（也可用环境变量 NEO4J_URI；"
                   "用户名和密码取自 NEO4J_USERNAME、NEO4J_PASSWORD）。不指定则使用本地数据库文件。")
@click.option("--demo", "use_demo", is_flag=True,
              help="使用 govgraph demo 导入的示例数据库（例如 govgraph --demo coverage --level compound）。")
@click.version_option(package_name="govgraph", message="govgraph %(version)s", help="显示版本并退出。")
@click.pass_context
def cli(ctx: click.Context, db: str | None, neo4j_uri: str | None, use_demo: bool) -> None:
    """govgraph：党建引领物业管理（红色物业）社区治理网络图谱。

    导入台账，审计小区和物业企业的党的组织和工作覆盖情况，找出空白小区。
    先运行 `govgraph demo` 看示例，或用 `govgraph load 台账文件夹` 导入自己的台账。
    """
    given = {name for name in ("db", "neo4j_uri")
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    if use_demo:
        if given:
            raise click.UsageError("--demo 不能和 --db、--neo4j-uri 同时使用")
        db, neo4j_uri = str(data_commands.demo_db_path()), None
    ctx.obj = Settings(db, neo4j_uri)
    ctx.obj.given_on_command_line = given


for module in (data_commands, audit_commands, report_commands, tracking_commands, chart_commands, serve_command,
               synth_command):
    for command in module.COMMANDS:
        cli.add_command(command)


def _quiet_stdout() -> None:
    """After a broken pipe: what is still buffered for stdout goes nowhere, so Python's
    flush at exit prints no "Exception ignored" lines."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test runner's)
        pass


def main() -> None:
    try:
        cli.main(prog_name="govgraph")
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        _quiet_stdout()
        sys.exit(0)
    except Exception:  # raised outside a command (e.g. while parsing): still no traceback
        if os.environ.get("GOVGRAPH_DEBUG"):
            traceback.print_exc()
        say(INTERNAL_ERROR, err=True)
        sys.exit(1)
