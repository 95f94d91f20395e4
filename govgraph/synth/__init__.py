"""Synthetic ledgers, for benchmarks, tests and practice; no audit depends on them.

`tiers`: the scale tiers of domain.md §5 (`govgraph synth`, `write_synthetic`), shares taken
from the seed documents. `boundaries`: small ledgers whose relations start and end on a few
boundary dates, for the differential tests of the Cypher audits (tests/neo4j)."""

from .tiers import MIX, REFERENCE_DATE, TIERS, Tier, write_synthetic

__all__ = ["MIX", "REFERENCE_DATE", "TIERS", "Tier", "write_synthetic"]
