"""Mappings: which column of a wide sheet becomes which entity, field or relation.

A mapping is a TOML file (format in docs/design.md "Mappings"), modelled on
FollowTheMoney's entity mappings: named entity blocks with `keys` (the texts that
identify an entity; equal keys, one entity), properties from columns or literals, and
relations between the entities of one row. The compound roster (一表通, domain.md §3.2)
is itself such a mapping, shipped as `roster.toml`; a user's mapping may extend it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import LedgerFileError, toml_error_where
from ..schema import load_schema

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUILT_IN = "一表通"
BUILT_IN_NAMES = (BUILT_IN, "roster")

# Short readable id prefixes for derived ids, by kind (the letters the sample ledgers use).
ID_PREFIX = {"District": "D", "Street": "S", "Community": "M", "Compound": "C", "PartyOrg": "P",
             "Committee": "K", "Firm": "F", "Person": "U"}

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_HEADER_TRANSLATE = str.maketrans({"（": "(", "）": ")", "＊": "", "*": "", "：": "", ":": ""})


def header_key(text: object) -> str:
    """A header as compared: no spaces or line breaks (merged headers wrap), half-width
    brackets, no required-marker asterisk, case folded."""
    return re.sub(r"\s+", "", str(text)).translate(_HEADER_TRANSLATE).lower()


@dataclass(frozen=True)
class EntitySpec:
    name: str  # the block's name within the mapping ("compound")
    kind: str  # schema label
    keys: tuple[str, ...]  # columns, or "@block" for another entity of the row
    key_literal: str | None
    name_column: str | None  # the column holding the entity's name, or None for a template
    name_template: str | None
    when: tuple[str, ...]  # columns that must be filled for the row to name this entity
    id_column: str | None
    parent: str | None
    fields: dict[str, str]  # field -> column
    literal: dict[str, object]
    defaults: dict[str, object]

    @property
    def trigger(self) -> tuple[str, ...]:
        return self.when or ((self.name_column,) if self.name_column else ())

    @property
    def label_column(self) -> str:
        """The column an error about this entity as a whole points at."""
        return self.name_column or self.when[0]


@dataclass(frozen=True)
class RelationSpec:
    type: str
    from_: str
    to: str
    role: object  # None, a word, or {by, cases, default}
    when: dict | None
    unless: dict | None
    required: bool


@dataclass(frozen=True)
class Mapping:
    title: str
    source: str  # the file, or the built-in name
    detect: tuple[str, ...]
    required: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]  # column -> other ways of writing its header
    values: dict[str, dict[str, str]]  # column -> {folded variant: word}
    entities: dict[str, EntitySpec]  # in row-evaluation order
    relations: tuple[RelationSpec, ...]
    ignore: tuple[str, ...]
    status_column: str | None = None
    status_entity: str | None = None
    notes: dict[str, str] = field(default_factory=dict)  # column -> what it means (填表说明)
    header_lookup: dict[str, str] = field(default_factory=dict, compare=False)

    def column_of(self, header: object) -> str | None:
        return self.header_lookup.get(header_key(header))


def load_mapping(path: str | Path | None = None) -> Mapping:
    """The mapping in file `path`, or the built-in roster."""
    if path is None or str(path) in BUILT_IN_NAMES:
        return built_in()
    path = Path(path)
    from .sources import read_file_bytes

    try:
        raw = tomllib.loads(read_file_bytes(path).decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LedgerFileError(f"映射文件 {path.name} 不是 UTF-8 编码的文本：请用 UTF-8 保存后重试") from None
    except tomllib.TOMLDecodeError as exc:
        raise LedgerFileError(f"映射文件 {path.name} 不是有效的 TOML：{toml_error_where(exc)}有语法错误") from None
    extends = raw.pop("extends", None)
    if extends is not None:
        if extends not in BUILT_IN_NAMES:
            raise LedgerFileError(f"映射文件 {path.name} 有误：extends 只能是“{BUILT_IN}”（内置的一表通）")
        raw = _merge(_built_in_raw(), raw)
    return _build(raw, path.name)


@cache
def built_in() -> Mapping:
    return _build(_built_in_raw(), BUILT_IN)


def _built_in_raw() -> dict:
    return tomllib.loads(resources.files("govgraph.ledger").joinpath("roster.toml").read_text("utf-8"))


def _merge(base: dict, over: dict) -> dict:
    """`over` laid on `base`: tables merge, lists append (more aliases, relations, ignored
    columns), except `detect` and `required`, which a mapping states whole."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list) and key not in ("detect", "required", "keys", "when"):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _build(raw: dict, source: str) -> Mapping:
    schema = load_schema()

    def fail(what: str):
        raise LedgerFileError(f"映射文件 {source} 有误：{what}")

    columns: dict[str, list[str]] = {str(k): [str(a) for a in v] for k, v in raw.get("columns", {}).items()}

    def column(name: object, where: str) -> str:
        if not isinstance(name, str) or not name.strip():
            fail(f"{where} 应为列名（文字）")
        columns.setdefault(name, [])
        return name

    entities: dict[str, EntitySpec] = {}
    for name, spec in raw.get("entities", {}).items():
        if not isinstance(spec, dict):
            fail(f"实体“{name}”应为一个表")
        kind = spec.get("kind")
        if kind not in schema.entities:
            fail(f"实体“{name}”的 kind“{kind}”不是实体类型（可选：{'、'.join(schema.entities)}）")
        known_fields = {c.name: c for c in schema.entities[kind].fields}
        keys = spec.get("keys") or []
        if not isinstance(keys, list) or not keys:
            fail(f"实体“{name}”缺少 keys（用哪些列识别同一实体）")
        for k in keys:
            if isinstance(k, str) and k.startswith("@"):
                if k[1:] not in entities:
                    fail(f"实体“{name}”的 keys 引用了“{k}”，但它不是写在前面的实体")
            else:
                column(k, f"实体“{name}”的 keys")
        name_spec = spec.get("name")
        template = None
        name_column = None
        if isinstance(name_spec, str) and _TEMPLATE.search(name_spec):
            template = name_spec
            for c in _TEMPLATE.findall(name_spec):
                column(c, f"实体“{name}”的 name")
        elif name_spec is not None:
            name_column = column(name_spec, f"实体“{name}”的 name")
        when = tuple(column(c, f"实体“{name}”的 when") for c in spec.get("when", []))
        if name_column is None and not when:
            fail(f"实体“{name}”的 name 是模板时须写 when（哪些列填了才有这个实体）")
        fields = {}
        for f, c in spec.get("fields", {}).items():
            if f not in known_fields:
                fail(f"实体“{name}”的字段“{f}”不是{kind}的字段（可选：{'、'.join(known_fields)}）")
            fields[f] = column(c, f"实体“{name}”的字段“{f}”")
        for f in (*spec.get("literal", {}), *spec.get("defaults", {})):
            if f not in known_fields:
                fail(f"实体“{name}”的字段“{f}”不是{kind}的字段（可选：{'、'.join(known_fields)}）")
        parent = spec.get("parent")
        if parent is not None and parent not in entities:
            fail(f"实体“{name}”的 parent“{parent}”不是写在前面的实体")
        id_column = spec.get("id")
        entities[name] = EntitySpec(
            name=name, kind=kind, keys=tuple(keys), key_literal=spec.get("key_literal"),
            name_column=name_column, name_template=template, when=when,
            id_column=column(id_column, f"实体“{name}”的 id") if id_column else None,
            parent=parent, fields=fields, literal=dict(spec.get("literal", {})),
            defaults=dict(spec.get("defaults", {})),
        )
    if not entities:
        fail("没有任何实体（[entities.名称]）")

    relations = []
    for i, spec in enumerate(raw.get("relations", []), start=1):
        where = f"第 {i} 个关系（[[relations]]）"
        rtype = spec.get("type")
        if rtype not in schema.relations:
            fail(f"{where} 的 type“{rtype}”不是关系类型（可选：{'、'.join(schema.relations)}）")
        for end in ("from", "to"):
            if spec.get(end) not in entities:
                fail(f"{where} 的 {end}“{spec.get(end)}”不是映射中的实体")
        for cond in ("when", "unless"):
            if cond in spec:
                c = spec[cond]
                if not isinstance(c, dict) or "column" not in c or "is" not in c:
                    fail(f"{where} 的 {cond} 应写成 {{ column = 列名, is = 值 }}")
                column(c["column"], f"{where} 的 {cond}")
        role = spec.get("role")
        allowed = schema.relations[rtype].roles
        words = [role] if isinstance(role, str) else \
            [*role.get("cases", {}).values(), role.get("default")] if isinstance(role, dict) else []
        bad = [w for w in words if w and allowed is not None and w not in allowed]
        if bad:
            fail(f"关系 {rtype}（from = {spec['from']}，to = {spec['to']}）的 role“{bad[0]}”不是{rtype}关系的职务"
                 f"（可选：{'、'.join(allowed)}）")
        relations.append(RelationSpec(rtype, spec["from"], spec["to"], spec.get("role"), spec.get("when"),
                                      spec.get("unless"), bool(spec.get("required", False))))

    values = {}
    for c, words in raw.get("values", {}).items():
        column(c, "values")
        lookup = {}
        for word, variants in words.items():
            for v in (word, *variants):
                lookup[header_key(v)] = word
        values[c] = lookup

    detect = tuple(column(c, "detect") for c in raw.get("detect", []))
    required = tuple(column(c, "required") for c in raw.get("required", []))
    if not detect:
        detect = required or tuple(e.label_column for e in entities.values())[:1]
    ignore = tuple(str(c) for c in raw.get("ignore", []))
    check = raw.get("check", {})
    status_entity = check.get("entity")
    if status_entity is not None and status_entity not in entities:
        fail(f"[check] 的 entity“{status_entity}”不是映射中的实体")
    status_column = column(check["status_column"], "[check]") if "status_column" in check else None

    lookup: dict[str, str] = {}
    for c, aliases in columns.items():
        for text in (c, *aliases):
            key = header_key(text)
            if lookup.get(key, c) != c:
                fail(f"表头“{text}”同时写在列“{lookup[key]}”和“{c}”下")
            lookup[key] = c
    for text in ignore:
        lookup.setdefault(header_key(text), "")  # known, read as nothing
    return Mapping(
        title=str(raw.get("title", source)), source=source, detect=detect, required=required,
        columns={c: tuple(a) for c, a in columns.items()}, values=values, entities=entities,
        relations=tuple(relations), ignore=ignore, status_column=status_column,
        status_entity=status_entity, header_lookup=lookup,
        notes={str(k): str(v) for k, v in raw.get("notes", {}).items()},
    )
