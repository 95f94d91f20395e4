"""Stores: the embedded SQLite file (default) and a Neo4j server, with one interface."""

from .base import LoadRecord, Store, Submission, resolve_load
from .choose import open_store

__all__ = ["LoadRecord", "Store", "Submission", "open_store", "resolve_load"]
