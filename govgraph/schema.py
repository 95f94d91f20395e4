"""The data model, read from `schema.toml` (the one place labels and columns are declared)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PARENT_RELATION = "隶属"


@dataclass(frozen=True)
class Column:
    name: str
    zh: str | None
    type: str = "str"
    required: bool = False
    enum: str | None = None
    to: tuple[str, ...] = ()  # for parent columns: allowed parent kinds
    aliases: tuple[str, ...] = ()  # other ways people write the header
    end_of_period: bool = False  # a date column: a year or month alone is its last day
    open_ended: bool = False  # a date column: 至今 (still in force) is no date

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column: canonical, Chinese, aliases."""
        return (self.name, *((self.zh,) if self.zh else ()), *self.aliases)

    @property
    def is_parent(self) -> bool:
        return self.type == "parent"


@dataclass(frozen=True)
class EntityKind:
    label: str
    zh: str
    file: str
    sheet: str
    columns: tuple[Column, ...]
    sheets: tuple[str, ...] = ()  # other names its sheet or file may have
    single_parent: bool = False  # at most one 隶属 parent in force on any day (§2)

    @property
    def fields(self) -> tuple[Column, ...]:
        """Columns stored on the entity itself (not id, name, or parent links)."""
        return tuple(c for c in self.columns if c.name not in ("id", "name") and not c.is_parent)

    @property
    def parent_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_parent)


@dataclass(frozen=True)
class RelationType:
    name: str
    endpoints: frozenset[tuple[str, str]]
    roles: tuple[str, ...] | None  # None: any role

    def allows(self, from_kind: str, to_kind: str) -> bool:
        return (from_kind, to_kind) in self.endpoints

    @property
    def from_kinds(self) -> set[str]:
        return {f for f, _ in self.endpoints}


@dataclass(frozen=True)
class Schema:
    entities: dict[str, EntityKind]
    relations_file: str
    relations_sheet: str
    relations_sheets: tuple[str, ...]  # other names of the relations sheet
    relation_columns: tuple[Column, ...]
    relations: dict[str, RelationType]
    enums: dict[str, dict[str, str]]  # enum name -> {lowercased variant: canonical}
    enum_values: dict[str, tuple[str, ...]]  # enum name -> canonical words in order

    def kind_for_file(self, stem: str) -> EntityKind | None:
        name = sheet_key(stem)
        for kind in self.entities.values():
            if name in {sheet_key(n) for n in (kind.file, kind.sheet, *kind.sheets)}:
                return kind
        return None

    def is_relations_file(self, stem: str) -> bool:
        return sheet_key(stem) in {sheet_key(n) for n in (self.relations_file, self.relations_sheet, *self.relations_sheets)}


def sheet_key(name: str) -> str:
    """A sheet or file name as compared: no spaces, half-width brackets, case folded."""
    return "".join(name.split()).replace("（", "(").replace("）", ")").lower()


@cache
def load_schema() -> Schema:
    raw = tomllib.loads(resources.files("govgraph").joinpath("schema.toml").read_text("utf-8"))
    entities = {
        label: EntityKind(
            label=label,
            zh=spec["zh"],
            file=spec["file"],
            sheet=spec["sheet"],
            columns=tuple(_column(c) for c in spec["columns"]),
            sheets=tuple(spec.get("sheets", ())),
            single_parent=spec.get("single_parent", False),
        )
        for label, spec in raw["entities"].items()
    }
    relations = {
        name: RelationType(
            name=name,
            endpoints=frozenset(tuple(e) for e in spec["endpoints"]),
            roles=tuple(spec["roles"]) if "roles" in spec else None,
        )
        for name, spec in raw["relations"].items()
    }
    enums: dict[str, dict[str, str]] = {}
    enum_values: dict[str, tuple[str, ...]] = {}
    for enum_name, words in raw["enums"].items():
        lookup = {}
        for canonical, variants in words.items():
            for variant in (canonical, *variants):
                lookup[variant.strip().lower()] = canonical
        enums[enum_name] = lookup
        enum_values[enum_name] = tuple(words)
    rel = raw["relations_file"]
    return Schema(
        entities=entities,
        relations_file=rel["file"],
        relations_sheet=rel["sheet"],
        relations_sheets=tuple(rel.get("sheets", ())),
        relation_columns=tuple(_column(c) for c in rel["columns"]),
        relations=relations,
        enums=enums,
        enum_values=enum_values,
    )


def _column(spec: dict) -> Column:
    return Column(
        name=spec["name"],
        zh=spec.get("zh"),
        type=spec.get("type", "str"),
        required=spec.get("required", False),
        enum=spec.get("enum"),
        to=tuple(spec.get("to", ())),
        aliases=tuple(spec.get("aliases", ())),
        end_of_period=spec.get("end_of_period", False),
        open_ended=spec.get("open_ended", False),
    )
