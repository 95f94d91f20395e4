"""Progress for the steps that take seconds at city scale, on a terminal only.

Library functions take an optional `progress(what, done, total)` callback; the CLI hands
them one that draws a rich progress line on stderr (what is being done, done/total, time
so far and an estimate) when stderr is a terminal, and nothing otherwise, so files,
pipes and scripts see exactly the output they always did.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def terminal_progress():
    """Yield a `progress(what, done, total)` callback, or None off a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import TimeRemainingColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("已用"), TimeElapsedColumn(), TextColumn("预计还需"), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield progress
