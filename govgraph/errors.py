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

    def __str__(self) -> str:
        # The value is masked: an ID number or phone must not be echoed back in full.
        return f"{self.file}:{self.row}:{self.column}: {mask_sensitive(self.value)}: {self.reason}"


class LedgerError(GovgraphError):
    """A ledger with errors: nothing was loaded."""

    exit_code = 2

    def __init__(self, issues: list[LedgerIssue], warnings: list[LedgerIssue] | None = None):
        self.issues = issues
        self.warnings = warnings or []
        super().__init__(f"台账有 {len(issues)} 处错误，未导入任何数据")

    def __str__(self) -> str:
        lines = [str(i) for i in self.issues]
        lines.append(f"台账有 {len(self.issues)} 处错误，未导入任何数据。")
        return "\n".join(lines)


class StoreError(GovgraphError):
    """The store cannot be reached or written; the message says which and what to check."""


class NotFoundError(GovgraphError):
    pass
