"""Chinese headers and display words for the stable English keys of every report.

JSON keeps the keys; tables and CSV show these headers. One table of names keeps
every command's wording consistent.
"""

from __future__ import annotations

from datetime import date

from .schema import load_schema

HEADERS = {
    "id": "编号", "name": "名称", "kind": "类别",
    "district_id": "所属区县", "street_id": "所属街道", "community_id": "所属社区",
    "community_name": "社区名称", "street_name": "街道名称",
    "status": "覆盖状态", "eligible": "应单独建", "formal_members": "正式党员数",
    "unit_id": "单位编号", "unit_kind": "单位类别", "unit_name": "单位名称",
    "compounds": "小区数", "single": "单独建", "joint": "联合建", "affiliated": "挂靠建",
    "work": "工作覆盖", "blank": "空白",
    "firms": "物业企业数", "firm_single": "企业单独建", "firm_joint": "企业联合建",
    "firm_affiliated": "企业挂靠建", "firm_work": "企业工作覆盖", "firm_blank": "企业空白",
    "org_coverage_rate": "组织覆盖率", "org_and_work_coverage_rate": "组织和工作覆盖率",
    "reason": "原因", "suggestion": "建议",
    "direction": "方向", "type": "关系", "from_id": "起点", "to_id": "终点", "other_id": "对方编号",
    "other_name": "对方名称", "role": "职务", "since": "开始日期", "until": "结束日期",
    "source": "来源", "origin": "台账位置", "in_force": "有效",
    "field": "字段", "value": "值",
    "at": "导入时间", "ledger": "台账", "mode": "方式",
    "entities_added": "实体新增", "entities_changed": "实体变更", "entities_removed": "实体删除",
    "relations_added": "关系新增", "relations_changed": "关系变更", "relations_removed": "关系删除",
}

RATE_KEYS = {k for k in HEADERS if k.endswith("_rate")}
MODE_WORDS = {"replace": "替换", "merge": "合并"}
DIRECTION_WORDS = {"out": "→", "in": "←"}


def header_for(key: str) -> str:
    return HEADERS.get(key, key)


def kind_word(label: str) -> str:
    """小区, 物业服务企业 …; the roll-up total is 合计."""
    if label == "Total":
        return "合计"
    entity = load_schema().entities.get(label)
    return entity.zh if entity else label


def value_for_display(key: str, value: object, fmt: str) -> str:
    """The cell text for table and CSV output (JSON keeps raw values)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in RATE_KEYS and isinstance(value, (int, float)):
        return f"{value:.1%}" if fmt == "table" else f"{value:.4f}"
    if key in ("kind", "unit_kind"):
        return kind_word(str(value))
    if key == "mode":
        return MODE_WORDS.get(str(value), str(value))
    if key == "direction":
        return DIRECTION_WORDS.get(str(value), str(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return str(value)
