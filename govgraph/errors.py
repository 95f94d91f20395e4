"""The one exception hierarchy. Messages are Chinese: they reach users as they are."""

from __future__ import annotations

from dataclasses import dataclass

from .values import mask_sensitive


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
            return f"{mask_sensitive(self.file)}: {self.reason}"
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
        super().__init__(f"台账有 {len(issues)} 处错误，未导入任何数据")

    def __str__(self) -> str:
        # Warnings first (a file ignored for its name often explains the errors below).
        lines = [f"提醒：{w}" for w in warning_lines(self.warnings)]
        lines += [str(i) for i in self.issues]
        lines.append(f"台账有 {len(self.issues)} 处错误，未导入任何数据。")
        return "\n".join(lines)


class LedgerFileError(GovgraphError):
    """A ledger that cannot be read at all (no ledger file in it, a file that cannot be
    opened or decoded): nothing was loaded. Bad input, so exit status 2 as for `LedgerError`."""

    exit_code = 2


class StoreError(GovgraphError):
    """The store cannot be reached or written; the message says which and what to check."""


class NotFoundError(GovgraphError):
    pass
