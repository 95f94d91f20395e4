"""Chinese headers and display words for the stable English keys of every report.

JSON keeps the keys; tables and CSV show these headers. One table of names keeps
every command's wording consistent.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from .column_types import column_type
from .schema import load_schema

HEADERS = {
    "id": "编号", "name": "名称", "kind": "类别",
    "district_id": "所属区县", "street_id": "所属街道", "community_id": "所属社区", "district_name": "区县名称",
    "community_name": "社区名称", "street_name": "街道名称",
    "status": "覆盖状态", "eligible": "应单独建", "formal_members": "正式党员数",
    "unit_id": "单位编号", "unit_kind": "单位类别", "unit_name": "单位名称",
    "compounds": "小区数", "single": "单独建", "joint": "联合建", "affiliated": "挂靠建",
    "work": "工作覆盖", "blank": "空白",
    "firms": "物业企业数", "firm_single": "企业单独建", "firm_joint": "企业联合建",
    "firm_affiliated": "企业挂靠建", "firm_work": "企业工作覆盖", "firm_blank": "企业空白",
    "org_coverage_rate": "组织覆盖率", "org_and_work_coverage_rate": "组织和工作覆盖率",
    "should_build_rate": "应建尽建率", "firm_org_coverage_rate": "物业企业党组织覆盖率",
    "committee_rate": "业委会组建率", "committee_party_majority_rate": "业委会党员过半率",
    "yijiantiao_rate": "一肩挑率", "cross_appointment_rate": "交叉任职率",
    "reason": "原因", "suggestion": "建议",
    "direction": "方向", "type": "关系", "from_id": "起点", "to_id": "终点", "other_id": "对方编号",
    "other_name": "对方名称", "role": "职务", "since": "开始日期", "until": "结束日期",
    "source": "来源", "origin": "台账位置", "in_force": "有效",
    "from_name": "起点名称", "to_name": "终点名称",
    "at": "导入时间", "ledger": "台账", "mode": "方式",
    "entities_added": "实体新增", "entities_changed": "实体变更", "entities_removed": "实体删除",
    "relations_added": "关系新增", "relations_changed": "关系变更", "relations_removed": "关系删除",
    # findings
    "code": "问题代码", "title": "问题", "severity": "严重程度", "entity_id": "对象编号", "entity_kind": "对象类别",
    "entity_name": "对象名称", "message": "说明", "remedy": "整改建议", "policy": "政策依据", "evidence": "依据",
    "count": "数量",
    # indicators
    "indicator": "指标代码", "indicator_name": "指标", "numerator": "分子", "denominator": "分母", "value": "数值",
    "target": "目标值", "deadline": "目标期限", "color": "达标情况", "last_deadline": "上一期限",
    "last_target": "上一期目标", "last_met": "上一期是否达标", "date": "统计时点",
    # cross-appointments, 一肩挑, 兼职委员, 双报到
    "person_id": "人员编号", "person_name": "姓名", "posts": "任职情况", "confirmed": "一肩挑（核实）",
    "asserted": "一肩挑（台账记录）", "org_id": "党组织编号", "org_name": "党组织", "part_time_members": "兼职委员",
    "missing": "应进未进", "dual_people": "双报到党员数", "dual_units": "双报到单位数",
    "cross_appointed": "交叉任职人员", "unit_count": "单位数", "units_with_both": "两类组织齐全的单位数",
    "units_confirmed": "一肩挑单位数", "units_cross": "有交叉任职的单位数",
    # planner
    "score": "得分", "households": "户数", "category": "类型", "complex": "情况复杂",
    "score_households": "户数分", "score_category": "类型分", "score_complex": "复杂分", "score_members": "党员分",
    "instructor_id": "指导员编号", "instructor_name": "党建指导员", "match": "就近情况",
    # submissions, diff, finding states and the 整改台账 (§7)
    "seq": "报送序号", "period": "期别", "scope": "范围",
    "change": "变化", "fields": "变更内容", "before": "之前", "after": "之后", "delta": "变化值",
    "before_numerator": "之前分子", "before_denominator": "之前分母",
    "after_numerator": "之后分子", "after_denominator": "之后分母",
    "state": "问题状态", "first_seen": "首次出现（报送序号）", "closed_in": "销号（报送序号）",
    "responsible_unit": "责任单位编号", "responsible_unit_name": "责任单位", "rectify_deadline": "整改时限",
    "register_status": "整改状态", "measures": "整改措施", "person": "责任人", "progress": "进展",
    "waiver_reason": "豁免理由", "approver": "审批人", "waiver_expires": "豁免到期", "waiver": "豁免",
    "overdue": "超期", "reported_not_fixed": "报而未改", "open_total": "未销号合计", "present": "本期问题",
    # person and path
    "path": "路径", "length": "步数", "role_history": "历史",
}

RATE_KEYS = {k for k in HEADERS if k.endswith("_rate")} | {"value", "target", "last_target", "before", "after", "delta"}
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
COLOR_WORDS = {"green": "绿（达标）", "yellow": "黄（接近）", "red": "红（未达标）"}
MODE_WORDS = {"replace": "替换", "merge": "合并"}
DIRECTION_WORDS = {"out": "→", "in": "←"}
CHANGE_WORDS = {"added": "新增", "removed": "删除", "changed": "变更", "improved": "改善", "worsened": "退步"}


def header_for(key: str) -> str:
    """The Chinese header of an output key; a ledger field not in HEADERS (a diff's
    changed field) takes its header from the schema."""
    return HEADERS.get(key) or _schema_headers().get(key, key)


@cache
def _schema_headers() -> dict[str, str]:
    headers: dict[str, str] = {}
    for kind in load_schema().entities.values():
        for column in kind.fields:
            if column.zh:
                headers.setdefault(column.name, column.zh)
    return headers


def kind_word(label: str) -> str:
    """小区, 物业服务企业 …; the roll-up total is 合计."""
    if label == "Total":
        return "合计"
    entity = load_schema().entities.get(label)
    return entity.zh if entity else label


def value_for_display(key: str, value: object, fmt: str, names=None) -> str:
    """The cell text for table and CSV output (JSON keeps raw values). `names` maps ids
    to names, for the relations a list cell (evidence) holds."""
    if value is None:
        return ""
    if (key == "unit_id" and value == "TOTAL") or (key in ("kind", "unit_kind") and value == "Total"):
        return ""  # the 合计 row: its name column says so, once
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in RATE_KEYS and isinstance(value, (int, float)):
        return f"{value:.1%}" if fmt in ("table", "markdown") else f"{value:.4f}"
    if key in ("kind", "unit_kind"):
        return kind_word(str(value))
    if key == "at" and isinstance(value, str):  # 2026-11-23T13:05:28+08:00 → 2026-11-23 13:05:28
        return value[:19].replace("T", " ")
    if key == "mode":
        return MODE_WORDS.get(str(value), str(value))
    if key == "direction":
        return DIRECTION_WORDS.get(str(value), str(value))
    if key == "change":
        return CHANGE_WORDS.get(str(value), str(value))
    if key == "fields" and isinstance(value, dict):  # a diff's changed fields: 字段：之前 → 之后
        return "；".join(f"{header_for(k)}：{value_for_display(k, a, fmt) or '（空）'} → {value_for_display(k, b, fmt) or '（空）'}"
                        for k, (a, b) in value.items())
    if key == "waiver" and isinstance(value, dict):
        return f"{value['reason']}（{value['approver']}批准，至{value['expires'].isoformat()}）"
    if key == "severity":
        return SEVERITY_WORDS.get(str(value), str(value))
    if key == "color":
        return COLOR_WORDS.get(str(value), str(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "；".join(_item(v, names or {}) for v in value)
    return str(value)


def _item(value: object, names) -> str:
    """A relation (evidence) or a post inside a list cell, by name, with dates and source."""
    if isinstance(value, dict) and "from_id" in value:
        def name(ref):
            return names.get(ref) or ref

        role = f"（{value['role']}）" if value.get("role") else ""
        parts = [f"{name(value['from_id'])} {value['type']}{role} {name(value['to_id'])}"]
        since, until = value.get("since"), value.get("until")
        if since and until:
            parts.append(f"{_day(since)}至{_day(until)}")
        elif since:
            parts.append(f"自{_day(since)}起")
        elif until:
            parts.append(f"至{_day(until)}")
        if value.get("source"):
            parts.append(f"来源：{value['source']}")
        return "，".join(parts)
    if isinstance(value, dict) and "org_id" in value:
        return f"{value.get('org_name') or value['org_id']}{value.get('role') or value.get('type') or ''}"
    return str(value)


def _day(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def entity_fields(entity) -> list[tuple[str, str, object]]:
    """The fields an entity page shows, in schema order: (column, Chinese header, value),
    blanks left out, phones masked and any phone or 身份证号 inside a text (a tag) too.
    The CLI's `show` and the web's entity pages both list these, so what is shown and
    what is masked is decided here once."""
    kind = load_schema().entities[entity.kind]
    fields = []
    for column in kind.fields:
        value = entity.attrs.get(column.name)
        if value is None:
            continue
        fields.append((column.name, column.zh or column.name, column_type(column).display(value)))
    return fields
