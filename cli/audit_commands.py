"""Commands that answer coverage questions: coverage, orphans, show."""

from __future__ import annotations

import click

from govgraph.coverage import coverage as compute_coverage
from govgraph.coverage import orphan_row, rollups
from govgraph.errors import GovgraphError, NotFoundError
from govgraph.labels import entity_fields, kind_word, value_for_display
from govgraph.profile import load_profile

from .options import ZhChoice, as_of_option, audit_by_parts, load_option, profile_option, read_mirror, scope_option, today
from .output import Table, entity_names, output_options, render_json, say

COMPOUND_KEYS = ["id", "name", "kind", "community_id", "street_id", "status", "eligible", "formal_members"]
ROLLUP_TABLE_KEYS = ["unit_id", "unit_name", "compounds", "single", "joint", "affiliated", "work", "blank",
                     "org_coverage_rate", "org_and_work_coverage_rate", "firms", "firm_blank"]
ORPHAN_KEYS = ["id", "name", "community_id", "street_id", "eligible", "formal_members", "reason", "suggestion"]
server_side_option = click.option(
    "--server-side", is_flag=True,
    help="仅用于 Neo4j：用 cypher/ 中的查询在服务器上直接计算，不把数据读到本机（适合全省等大数据量）。",
)


def _neo4j_store(settings):
    from govgraph.store.neo4j import Neo4jStore

    store = settings.store()
    if not isinstance(store, Neo4jStore):
        store.close()
        raise GovgraphError("--server-side 只能用于 Neo4j：请用 --neo4j-uri 或环境变量 NEO4J_URI 指定服务器")
    return store


RELATION_KEYS = ["direction", "type", "other_id", "other_name", "role", "since", "until", "source", "origin"]


@click.command()
@click.option("--level", type=ZhChoice(["street", "community", "compound"]), default="street",
              show_default=True, help="street/community：按街道或社区汇总各覆盖状态的数量和覆盖率；compound：逐个列出小区和物业企业。")
@as_of_option
@load_option
@scope_option
@profile_option
@server_side_option
@output_options
@click.pass_obj
def coverage(settings, level: str, as_of, load, scope, profile_path, server_side, out) -> None:
    """党的组织和工作覆盖情况：单独建、联合建、挂靠建、工作覆盖、空白。"""
    as_of = as_of or today()
    minimum = load_profile(profile_path).min_formal_members
    heading = f"统计时点：{as_of.isoformat()}"
    if server_side:
        from govgraph import cypher_audits

        if scope and level != "compound":
            raise GovgraphError("--server-side 的汇总暂不支持 --scope：请加 --level compound，或去掉 --scope")
        store = _neo4j_store(settings)
        try:
            if level == "compound":
                rows = cypher_audits.coverage(store, as_of, scope=scope, min_formal_members=minimum,
                                              load=load.seq(store))
                out.emit([Table("coverage", "覆盖情况", rows, COMPOUND_KEYS)], as_of=as_of, heading=heading)
            else:
                rows = cypher_audits.coverage_rollup(store, as_of, level, load=load.seq(store))
                keys = ROLLUP_TABLE_KEYS if out.fmt == "table" or not rows else list(rows[0])
                out.emit([Table("rollup", "覆盖汇总", rows, keys)], as_of=as_of, heading=heading)
        finally:
            store.close()
        return
    from govgraph import partition

    def by_parts(parts):
        rows = partition.coverage_rows(parts, as_of, minimum)
        shown = rows if level == "compound" else partition.coverage_rollups(parts, as_of, rows, level)
        return [r.as_row() for r in shown], partition.names(parts, [r.as_row() for r in rows])

    found = audit_by_parts(settings, scope, load, by_parts)
    if found is not None:
        result, names = found
        if level == "compound":
            out.emit([Table("coverage", "覆盖情况", result, COMPOUND_KEYS)], as_of=as_of, heading=heading, names=names)
        else:
            keys = ROLLUP_TABLE_KEYS if out.fmt == "table" else list(result[0])
            out.emit([Table("rollup", "覆盖汇总", result, keys)], as_of=as_of, heading=heading, names=names)
        return
    graph = read_mirror(settings, scope, load)
    rows = compute_coverage(graph, as_of, minimum)
    if level == "compound":
        out.emit([Table("coverage", "覆盖情况", [r.as_row() for r in rows], COMPOUND_KEYS)], as_of=as_of, heading=heading,
                 names=entity_names(graph))
        return
    result = [r.as_row() for r in rollups(graph, as_of, rows, level)]
    keys = ROLLUP_TABLE_KEYS if out.fmt == "table" else list(result[0])
    out.emit([Table("rollup", "覆盖汇总", result, keys)], as_of=as_of, heading=heading, names=entity_names(graph))


@click.command()
@as_of_option
@load_option
@scope_option
@profile_option
@output_options
@click.pass_obj
def orphans(settings, as_of, load, scope, profile_path, out) -> None:
    """空白小区：没有党组织覆盖、没有挂靠、也没有党的工作覆盖的小区，附原因和建议。"""
    as_of = as_of or today()
    minimum = load_profile(profile_path).min_formal_members
    from govgraph import partition

    found = audit_by_parts(settings, scope, load, lambda parts: (
        result := partition.orphans(parts, as_of, minimum), partition.names(parts, result)))
    if found is None:
        graph = read_mirror(settings, scope, load)
        result = [orphan_row(graph, unit, as_of) for unit in compute_coverage(graph, as_of, minimum)
                  if unit.kind == "Compound" and unit.status == "空白"]
        found = result, entity_names(graph)
    result, names = found
    out.emit([Table("orphans", "空白小区", result, ORPHAN_KEYS)], as_of=as_of,
             heading=f"统计时点：{as_of.isoformat()}；空白小区 {len(result)} 个", names=names)


@click.command()
@click.argument("entity_id", metavar="编号")
@as_of_option
@load_option
@click.option("--all", "show_all", is_flag=True, help="同时列出在统计时点不在有效期的关系（历史或尚未生效）。")
@output_options
@click.pass_obj
def show(settings, entity_id: str, as_of, load, show_all: bool, out) -> None:
    """查看一个实体：基本信息、在统计时点有效的关系及其来源。"""
    as_of = as_of or today()
    store = settings.store()
    try:
        seq = load.seq(store)
        entity = store.entities_by_id({entity_id}, load=seq).get(entity_id)
        if entity is None:
            raise NotFoundError(f"找不到编号为 {entity_id} 的实体")
        relations = store.relations_touching({entity_id}, load=seq)
        others = store.entities_by_id({r.to_id if r.from_id == entity_id else r.from_id for r in relations}, load=seq)
    finally:
        store.close()
    rows = []
    for r in relations:
        outgoing = r.from_id == entity_id
        other = r.to_id if outgoing else r.from_id
        rows.append({
            "direction": "out" if outgoing else "in", "type": r.type, "other_id": other,
            "other_name": others[other].name if other in others else "", "role": r.role,
            "since": r.since, "until": r.until, "source": r.source,
            "origin": str(r.origin) if r.origin else None,
            "in_force": r.in_force(as_of),
        })
    rows.sort(key=lambda r: (r["direction"] != "out", r["type"], r["other_id"], str(r["since"] or "")))
    shown = [r for r in rows if show_all or r["in_force"]]
    fields = entity_fields(entity)
    if out.fmt == "json":
        out.write(render_json({"id": entity.id, "name": entity.name, "kind": entity.kind, "as_of": as_of,
                               "fields": {k: v for k, _, v in fields}, "relations": shown}))
        return
    heading = None
    if out.fmt in ("table", "markdown"):
        lines = [f"{kind_word(entity.kind)} {entity.id} {entity.name}"]
        lines += [f"  {label}：{value_for_display('', value, 'table')}" for _, label, value in fields]
        lines.append(f"\n在 {as_of.isoformat()} 有效的关系：" if not show_all else "\n全部关系：")
        heading = "\n".join(lines)
    keys = RELATION_KEYS + (["in_force"] if show_all else [])
    out.emit([Table("relations", "关系", shown, keys)], as_of=as_of, heading=heading)
    hidden = len(rows) - len(shown)
    if hidden and out.fmt == "table" and out.path is None:
        say(f"\n另有 {hidden} 条关系在该日不在有效期（历史或尚未生效），加 --all 查看。")


COMMANDS = [coverage, orphans, show]
