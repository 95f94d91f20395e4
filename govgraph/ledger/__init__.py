"""Ledgers (台账): reading one into a validated graph, and writing one back."""

from .read import read_ledger
from .write import write_ledger

__all__ = ["read_ledger", "write_ledger"]
