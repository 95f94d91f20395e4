"""Stores: the embedded SQLite file (default) and a Neo4j server, with one interface."""

from .base import LoadRecord, Store, open_store

__all__ = ["LoadRecord", "Store", "open_store"]
