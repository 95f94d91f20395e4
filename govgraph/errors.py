"""The one exception hierarchy. Messages are Chinese: they reach users as they are."""

from __future__ import annotations

import errno
from dataclasses import dataclass

from .values import mask_sensitive

# What an operating-system error means, in Chinese: the system's own text (strerror) is
# English and must not reach a user.
_OS_REASONS = {
    errno.EACCES: "没有权限，请检查文件权限，或关闭正在独占它的程序后重试",
    errno.EPERM: "没有权限，请检查文件权限，或关闭正在独占它的程序后重试",
    errno.ENOENT: "文件或文件夹不存在（是否刚被移走或改名？）",
    errno.ELOOP: "符号链接循环（链接指向自己或彼此互指），请检查该链接",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "同名的文件或文件夹已存在",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "所在的磁盘是只读的",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.EIO: "读写出错（磁盘或网络盘故障？）",
    errno.ENXIO: "设备不存在或未就绪",
    errno.ENODEV: "设备不存在或未就绪",
    errno.EINVAL: "文件名或路径无效",
}


def os_error_reason(exc: OSError, *, reading: bool = False) -> str:
    """Why an operating-system call failed, in Chinese, whatever the system said."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        what = "读取" if reading else "读写"
        return f"没有{what}权限，请检查文件权限，或关闭正在独占它的程序后重试"
    reason = _OS_REASONS.get(exc.errno)
    if reason is None:
        return f"系统错误（错误号 {exc.errno}），请检查该文件后重试" if exc.errno else "系统错误，请检查该文件后重试"
    return reason


def toml_error_where(exc: Exception) -> str:
    """Where a TOML syntax error is (tomllib's own message is English)."""
    import re

    at = re.search(r"line (\d+), column (\d+)", str(exc))
    return f"第 {at[1]} 行第 {at[2]} 列附近" if at else "文件中"


class GovgraphError(Exception):
    """An error a user can act on; the CLI prints `str(error)` and exits with `exit_code`."""

    exit_code = 1


@dataclass(frozen=True)
class LedgerIssue:
    """One problem in a ledger, at the cell a spreadsheet user would look at."""

    file: str
    row: int
    column: str
    value: str
    code: str
    reason: str
    # About the file (or sheet) as a whole, e.g. one that is not a ledger file: printed
    # as `file: reason`, with no row, column or value.
    whole_file: bool = False

    def __str__(self) -> str:
        if self.whole_file:
            # A file the loader did not recognise may be named after a person.
            return f"{mask_sensitive(self.file)}: {self.reason}" if self.file else mask_sensitive(self.reason)
        # The value is masked: an ID number or phone must not be echoed back in full.
        return f"{self.file}:{self.row}:{self.column}: {mask_sensitive(self.value)}: {self.reason}"


def warning_lines(warnings: list[LedgerIssue]) -> list[str]:
    """The warnings as a user reads them: one line each, except that the columns the loader
    does not know are named once for all the sheets (or files) whose header has them."""
    lines: list[str] = []
    unknown: dict[str, list[str]] = {}  # column names → where
    for w in warnings:
        if w.code == "unknown_columns":
            if w.column not in unknown:
                unknown[w.column] = []
                lines.append(w.column)  # placeholder, filled below
            unknown[w.column].append(f"{w.file}:{w.row}")
        else:
            lines.append(str(w))
    for columns, where in unknown.items():
        shown = "、".join(where[:3]) + (f" 等 {len(where)} 个表" if len(where) > 3 else "")
        lines[lines.index(columns)] = f"{mask_sensitive(shown)}: 未识别的列 {mask_sensitive(columns)}，已忽略"
    return lines


class LedgerError(GovgraphError):
    """A ledger with errors: nothing was loaded."""

    exit_code = 2

    def __init__(self, issues: list[LedgerIssue], warnings: list[LedgerIssue] | None = None):
        self.issues = issues
        self.warnings = warnings or []
        super().__init__(f"台账有 {self.count} 处错误，未导入任何数据")

    @property
    def count(self) -> int:
        """The errors: each line, and each reference a summary line counts."""
        return sum(int(i.value) if i.code == "unread_references" else 1 for i in self.issues)

    def __str__(self) -> str:
        # Warnings first (a file ignored for its name often explains the errors below).
        lines = [f"提醒：{w}" for w in warning_lines(self.warnings)]
        lines += [str(i) for i in self.issues]
        lines.append(f"台账有 {self.count} 处错误，未导入任何数据。")
        return "\n".join(lines)


class LedgerFileError(GovgraphError):
    """A ledger that cannot be read at all (no ledger file in it, a file that cannot be
    opened or decoded): nothing was loaded. Bad input, so exit status 2 as for `LedgerError`."""

    exit_code = 2


class StoreError(GovgraphError):
    """The store cannot be reached or written; the message says which and what to check."""


class NotFoundError(GovgraphError):
    pass
