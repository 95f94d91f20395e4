"""Where output may be written: the one check before any file or folder is written for a
user (a report, a chart, an export, a template), and the one message when writing fails.

No folder is created on the user's behalf except an export's own folder, and that only
inside a folder that exists: a mistyped `-o /nonexistent/dir/x.csv` is an error, not a
new directory tree.
"""

from __future__ import annotations

from pathlib import Path

from .errors import GovgraphError, os_error_reason


class OutputError(GovgraphError):
    """The place given for output cannot take it; nothing was written."""

    exit_code = 2


def _parent_problem(path: Path) -> str | None:
    """Why the folder `path` should go in cannot take it, or None."""
    parent = path.parent
    if parent.is_dir():
        return None
    # The nearest existing ancestor says what is wrong: a file in the way, or nothing there.
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        return f"{ancestor} 是一个文件，不是文件夹，不能在它下面写入 {path.name}"
    return f"文件夹 {parent} 不存在：请先建好该文件夹，或换一个位置（govgraph 不会自动创建文件夹）"


def check_output_file(path: Path) -> Path:
    """`path` can be written as a file (an existing file is replaced)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} 是一个文件夹：请在后面加上文件名，例如 {path / ('输出' + (path.suffix or '.csv'))}")
    problem = _parent_problem(path)
    if problem:
        raise OutputError(f"无法写入 {path}：{problem}")
    return path


def check_output_folder(path: Path, keep: set[str]) -> Path:
    """`path` can take a folder of files named `keep`: it is a new folder inside an
    existing one, or a folder holding nothing but files of those names (an earlier
    export, replaced). Anything else there would be loaded with the export, or mixed
    up with it, so it is refused, naming what is there."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} 已经是一个文件：导出写的是 CSV 文件夹，请换一个文件夹名；要写成工作簿，请以 .xlsx 结尾")
    if not path.exists():
        problem = _parent_problem(path)
        if problem:
            raise OutputError(f"无法导出到 {path}：{problem}")
        return path
    try:
        others = sorted(p.name for p in path.iterdir() if p.name not in keep)
    except OSError as exc:
        raise OutputError(f"无法导出到 {path}：{os_error_reason(exc)}") from None
    if others:
        shown = "、".join(others[:5]) + (f" 等 {len(others)} 项" if len(others) > 5 else "")
        raise OutputError(f"导出文件夹 {path} 里已有其他文件（{shown}），未导出：请换一个新文件夹，或先把它们移走"
                          "（再次导入时它们会和导出的台账一起被读取）")
    return path


def write_failed(path: Path, exc: OSError) -> GovgraphError:
    """The error for a write that failed: in Chinese, whatever the system said."""
    hint = "，或文件是否正被 Excel、WPS 等程序打开" if isinstance(exc, PermissionError) else ""
    return OutputError(f"无法写入 {path}：{os_error_reason(exc)}{hint}")
