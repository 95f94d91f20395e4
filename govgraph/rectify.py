"""The rectification register (整改台账, §7): who must fix each finding and by when, what
the unit reported back, waivers, and the state of each finding across submissions.

Each rule lives in one function here: `responsible_unit`, `rectify_deadline`,
`is_overdue`, `waiver_in_force`, `reported_not_fixed`, `register_status`. The CLI
and reports present what `track` returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from pydantic_core import PydanticCustomError

from .errors import GovgraphError, LedgerError, LedgerIssue
from .finding_states import FIXED, NEW, PERSISTING, RECURRED, FindingKey, FindingState, closed_findings, finding_key, finding_states, key_as_json
from .findings import Finding, audit
from .graph import GraphData
from .labels import header_for
from .mirror import Snapshot, build_mirror, edges
from .profile import Profile
from .values import parse_date

# What a unit reports back (进展), and the state the register shows for a finding.
PROGRESS = ("待整改", "整改中", "已整改", "申请豁免")
WAIVER_REQUESTED = "申请豁免"
REPORTED_FIXED = "已整改"
OPEN, IN_PROGRESS, OVERDUE, WAIVED, CLOSED = "待整改", "整改中", "超期", "已豁免", "已销号"
REGISTER_STATUSES = (OPEN, IN_PROGRESS, OVERDUE, WAIVED, CLOSED)
RESPONSIBLE_KINDS = {"Community", "Street"}


@dataclass(frozen=True)
class RegisterEntry:
    """What the register holds for one finding: the unit's report and any edits."""

    key: FindingKey
    responsible_unit: str | None = None  # set only when edited (otherwise the rule decides)
    measures: str | None = None  # 整改措施
    person: str | None = None  # 责任人
    progress: str | None = None  # one of PROGRESS
    waiver_reason: str | None = None
    approver: str | None = None
    waiver_expires: date | None = None
    reported_in: int | None = None  # the latest submission when this was imported

    @property
    def waiver(self) -> dict | None:
        if self.progress != WAIVER_REQUESTED:
            return None
        return {"reason": self.waiver_reason, "approver": self.approver, "expires": self.waiver_expires}


# -- the rules ---------------------------------------------------------------------------
def responsible_unit(snap: Snapshot, finding: Finding) -> str | None:
    """§7 责任单位: the community for a compound and for its committees, orgs and people;
    the street for a community (and for its own committees and party org); for a firm
    the community of the compound it serves first by id. A person answers where the
    finding's unit is, else where their posts in the evidence are, else where they live."""
    if finding.unit_id:
        return _responsible_for(snap, finding.unit_id)
    if snap.kind(finding.entity_id) == "Person":
        places = sorted({e["to_id"] for e in finding.evidence if e["from_id"] == finding.entity_id})
        places += sorted(c for c, _ in snap.out("居住", finding.entity_id))
        return next((u for u in map(lambda p: _responsible_for(snap, p), places) if u), None)
    return _responsible_for(snap, finding.entity_id)


def _responsible_for(snap: Snapshot, node: str, depth: int = 0) -> str | None:
    if node not in snap.graph or depth > 20:
        return None
    kind = snap.kind(node)
    if kind == "Compound":
        return snap.parent(node, "Community")
    if kind == "Community":
        return snap.parent(node, "Street")
    if kind in ("Street", "District"):
        return node
    if kind == "Committee":
        parent = next((p for p, _ in snap.out("隶属", node)), None)
        return _responsible_for(snap, parent, depth + 1) if parent else None
    if kind == "Firm":
        served = sorted(c for c, _ in snap.out("服务", node) if snap.kind(c) == "Compound")
        return snap.parent(served[0], "Community") if served else None
    if kind == "PartyOrg":
        covered = sorted(snap.out("覆盖", node), key=lambda c: (_COVER_ORDER.get(snap.kind(c[0]), 9), c[0]))
        if covered:
            return _responsible_for(snap, covered[0][0], depth + 1)
        parent = next((p for p, _ in snap.out("隶属", node) if snap.kind(p) == "PartyOrg"), None)
        if parent is None:
            return None
        # An org covering nothing answers to the unit its parent org covers: a community's
        # 党委 manages its branches.
        unit = next((u for u, _ in snap.out("覆盖", parent) if snap.kind(u) in RESPONSIBLE_KINDS), None)
        return unit or _responsible_for(snap, parent, depth + 1)
    if kind == "Person":
        homes = sorted(c for c, _ in snap.out("居住", node))
        return _responsible_for(snap, homes[0], depth + 1) if homes else None
    return None


_COVER_ORDER = {"Compound": 0, "Firm": 1, "Committee": 2, "Community": 3, "Street": 4}


def rectify_deadline(audited_on: date, severity: str, profile: Profile) -> date:
    """§7 整改时限: the audit date plus the profile's days for the severity."""
    return audited_on + timedelta(days=profile.rectify_days[severity])


def is_overdue(deadline: date, on: date) -> bool:
    """超期: still open after its 整改时限."""
    return on > deadline


def waiver_in_force(entry: RegisterEntry | None, on: date) -> bool:
    """A waiver counts until its expiry (inclusive); an expired one reopens the finding."""
    return bool(entry and entry.waiver and entry.waiver_expires and entry.waiver_expires >= on)


def reported_not_fixed(entry: RegisterEntry | None, current: int) -> bool:
    """报而未改: the unit reported 已整改, and a submission after that report still has it."""
    return bool(entry and entry.progress == REPORTED_FIXED and entry.reported_in is not None
                and current > entry.reported_in)


def register_status(entry: RegisterEntry | None, deadline: date, on: date, closed: bool) -> str:
    """The one state the register shows: 已销号 (gone from the submission, whatever the
    register says), 已豁免, 超期, 整改中 (work or a fix reported), else 待整改."""
    if closed:
        return CLOSED
    if waiver_in_force(entry, on):
        return WAIVED
    if is_overdue(deadline, on):
        return OVERDUE
    if entry and entry.progress in ("整改中", REPORTED_FIXED):
        return IN_PROGRESS
    return OPEN


# -- the findings of every submission ------------------------------------------------------
@dataclass(frozen=True)
class Audited:
    """A finding as one submission's audit gave it, with the unit that must fix it."""

    finding: Finding
    entity_name: str
    responsible_unit: str | None
    responsible_unit_name: str | None
    street_id: str | None  # the street the responsible unit is in (or is)


def audit_submission(data: GraphData, on: date, profile: Profile) -> dict[FindingKey, Audited]:
    """The findings of one submission's graph."""
    return audit_mirror(build_mirror(data), on, profile)


def audit_mirror(graph, on: date, profile: Profile) -> dict[FindingKey, Audited]:
    """The findings of one submission's mirror, each with the unit that must fix it."""
    snap = Snapshot(graph, on)
    result = {}
    for f in audit(graph, on, profile):
        unit = responsible_unit(snap, f)
        result[finding_key(f)] = Audited(f, graph.nodes[f.entity_id]["name"], unit,
                                         graph.nodes[unit]["name"] if unit else None, _street_of(snap, unit))
    return result


def _street_of(snap: Snapshot, unit: str | None) -> str | None:
    if unit is None:
        return None
    kind = snap.kind(unit)
    if kind == "Street":
        return unit
    return snap.parent(unit, "Street") if kind == "Community" else None


def audit_history(graphs: Iterable[tuple[int, GraphData]], on: date, profile: Profile) -> dict[int, dict[FindingKey, Audited]]:
    """Every submission's findings on `on` (one graph at a time, so memory holds one)."""
    return {seq: audit_submission(data, on, profile) for seq, data in graphs}


# -- tracking: states and the register together ----------------------------------------------
@dataclass
class Tracked:
    audited: Audited  # the latest occurrence (for a closed finding, its last one)
    state: FindingState
    deadline: date
    entry: RegisterEntry | None
    status: str  # REGISTER_STATUSES
    overdue: bool
    reported_not_fixed: bool
    responsible_unit: str | None
    responsible_unit_name: str | None
    street_id: str | None

    @property
    def key(self) -> FindingKey:
        return self.state.key

    def sheet_row(self) -> dict:
        """`as_row` with the register's fields flat, for a workbook's columns."""
        e = self.entry or RegisterEntry(self.key)
        return {**self.as_row(), "rectify_deadline": self.deadline, "waiver_reason": e.waiver_reason,
                "approver": e.approver, "waiver_expires": e.waiver_expires}

    def as_row(self) -> dict:
        e = self.entry or RegisterEntry(self.key)
        return {
            **self.audited.finding.as_row(), "entity_name": self.audited.entity_name,
            "key": key_as_json(self.key), "state": self.state.state, "first_seen": self.state.first_seen,
            "closed_in": self.state.closed_in,
            "responsible_unit": self.responsible_unit, "responsible_unit_name": self.responsible_unit_name,
            "street_id": self.street_id, "deadline": self.deadline, "register_status": self.status,
            "progress": e.progress or OPEN, "measures": e.measures, "person": e.person,
            "waiver": e.waiver, "overdue": self.overdue, "reported_not_fixed": self.reported_not_fixed,
        }


@dataclass
class UnitNames:
    """Names and streets of the units an edited 责任单位 may name (the current graph), and
    the district of each street with the districts' names (for roll-ups by district)."""

    names: dict[str, str] = field(default_factory=dict)
    streets: dict[str, str | None] = field(default_factory=dict)
    districts: dict[str, str | None] = field(default_factory=dict)  # street id → district id
    district_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: GraphData) -> UnitNames:
        return cls._of(((e.id, e.kind, e.name) for e in data.entities.values()),
                       ((r.from_id, r.to_id) for r in data.relations if r.type == "隶属"))

    @classmethod
    def of_mirror(cls, graph) -> UnitNames:
        """The same, of a mirror (`mirror.build_mirror`)."""
        return cls._of(((n, a.get("kind"), a.get("name")) for n, a in graph.nodes(data=True)),
                       ((u, v) for u, v, a in edges(graph) if a.get("type") == "隶属"))

    @classmethod
    def _of(cls, entities, parent_links) -> UnitNames:
        units = cls()
        entities = list(entities)
        kinds = {i: kind for i, kind, _ in entities}
        parents: dict[str, dict[str, str]] = {"Street": {}, "District": {}}
        for child, parent in parent_links:  # a unit's street or district, any recorded (they rarely move)
            if kinds.get(parent) in parents:
                parents[kinds[parent]].setdefault(child, parent)
        for i, kind, name in entities:
            if kind in RESPONSIBLE_KINDS:
                units.names[i] = name
                units.streets[i] = i if kind == "Street" else parents["Street"].get(i)
            if kind == "Street":
                units.districts[i] = parents["District"].get(i)
            elif kind == "District":
                units.district_names[i] = name
        return units


def track(history: dict[int, dict[FindingKey, Audited]], current: int, baseline: int | None,
          submitted_on: dict[int, date], register: dict[FindingKey, RegisterEntry], on: date,
          profile: Profile, units: UnitNames, *, include_all_closed: bool = False) -> list[Tracked]:
    """The findings of `current` with their state against `baseline`, their deadline and
    register state; then the closed ones (those of the baseline, or with
    `include_all_closed` every finding ever closed up to `current`)."""
    keys = {s: set(h) for s, h in history.items()}
    states = finding_states(keys, current, baseline)
    if include_all_closed:
        states.update({k: s for k, s in closed_findings(keys, current).items() if k not in states})
    result = []
    for key, state in states.items():
        closed = state.state == FIXED
        seq = max(s for s in keys if s < state.closed_in and key in keys[s]) if closed else current
        audited = history[seq][key]
        entry = register.get(key)
        deadline = rectify_deadline(submitted_on[state.first_seen], audited.finding.severity, profile)
        unit, name, street = audited.responsible_unit, audited.responsible_unit_name, audited.street_id
        if entry and entry.responsible_unit and entry.responsible_unit != unit:
            unit = entry.responsible_unit
            name, street = units.names.get(unit), units.streets.get(unit)
        result.append(Tracked(
            audited, state, deadline, entry, register_status(entry, deadline, on, closed),
            not closed and not waiver_in_force(entry, on) and is_overdue(deadline, on),
            not closed and reported_not_fixed(entry, current), unit, name, street,
        ))
    order = {k: i for i, k in enumerate(history[current])}  # the audit's own order first
    result.sort(key=lambda t: (t.state.state == FIXED, order.get(t.key, 0), t.key))
    return result


def in_scope(t: Tracked, scope: str | None) -> bool:
    """Whether the finding is the scope's to fix: its 责任单位 is the scope or in it."""
    return scope is None or scope in (t.responsible_unit, t.street_id)


def summary_by_unit(tracked: list[Tracked]) -> list[dict]:
    """Per 责任单位: how many findings are in each register state; a 合计 row last."""
    units: dict[str | None, dict] = {}
    total = Counter()
    for t in tracked:
        row = units.setdefault(t.responsible_unit, {
            "unit_id": t.responsible_unit or "", "unit_name": t.responsible_unit_name or "（未定责任单位）",
            "street_id": t.street_id, "counts": Counter()})
        for c in (row["counts"], total):
            c[t.status] += 1
            c["reported_not_fixed"] += t.reported_not_fixed
    out = []
    for row in [*sorted(units.values(), key=lambda r: (r["street_id"] or "\uffff", r["unit_id"])),
                {"unit_id": "TOTAL", "unit_name": "合计", "street_id": None, "counts": total}]:
        counts = row.pop("counts")
        row.update({s: counts[s] for s in REGISTER_STATUSES})
        row["reported_not_fixed"] = counts["reported_not_fixed"]
        row["open_total"] = sum(counts[s] for s in (OPEN, IN_PROGRESS, OVERDUE))
        out.append(row)
    return out


PRESENT = "present"  # 本期问题: the findings of the audited submission
PROGRESS_KEYS = (PRESENT, NEW, PERSISTING, RECURRED, FIXED, OVERDUE, WAIVED)
PROGRESS_GROUPS = ("code", "district", "street", "unit")
_NO_UNIT = {"district": "（未定区县）", "street": "（未定街道）", "unit": "（未定责任单位）"}


def progress_counts(tracked: list[Tracked], units: UnitNames, by: str = "street") -> list[dict]:
    """How the findings stand, per code, district, street or 责任单位 (`by`): present in
    the audited submission (`present`), of those 新增, 持续 and 回潮; 已整改 (the baseline's
    findings gone now); 超期 (open past the 整改时限, not waived) and 已豁免. The street is
    that of the 责任单位; a 合计 row (unit_id TOTAL) last."""
    from .findings import SEVERITY_ORDER, finding_texts

    if by not in PROGRESS_GROUPS:
        raise ValueError(f"progress_counts by {by!r}")
    groups: dict[str | None, Counter] = {}
    total = Counter()
    for t in tracked:
        if by == "code":
            group = t.key[0]
        elif by == "unit":
            group = t.responsible_unit
        elif by == "street":
            group = t.street_id
        else:
            group = units.districts.get(t.street_id) if t.street_id else None
        counts = groups.setdefault(group, Counter())
        for c in (counts, total):
            c[t.state.state] += 1
            c[PRESENT] += t.state.state != FIXED
            c[OVERDUE] += t.overdue
            c[WAIVED] += t.status == WAIVED
    texts = finding_texts()
    if by == "code":
        order = sorted(groups, key=lambda c: (SEVERITY_ORDER[texts[c]["severity"]], c))
        heads = {c: {"severity": texts[c]["severity"], "code": c, "title": texts[c]["title"]} for c in order}
        last = {"unit_id": "TOTAL", "severity": None, "code": None, "title": "合计"}
    else:
        def district(g):  # streets and units sort within their district
            street = g if by == "street" else units.streets.get(g)
            return units.districts.get(street) or "\uffff" if street else "\uffff"

        order = sorted(groups, key=lambda g: (g is None, "" if by == "district" else district(g), g or ""))
        names = units.district_names if by == "district" else units.names
        heads = {g: {"unit_id": g or "", "unit_name": names.get(g, g) if g else _NO_UNIT[by]} for g in order}
        last = {"unit_id": "TOTAL", "unit_name": "合计"}
    rows = [{**heads[g], **{k: groups[g][k] for k in PROGRESS_KEYS}} for g in order]
    return [*rows, {**last, **{k: total[k] for k in PROGRESS_KEYS}}]


def state_summary(tracked: list[Tracked], units: UnitNames) -> tuple[list[dict], list[dict]]:
    """How many findings are in each state (新增, 持续, 回潮, 已整改), per code and per
    street (`progress_counts` without its 合计 row)."""
    return tuple([r for r in progress_counts(tracked, units, by) if r.get("unit_id") != "TOTAL"]
                 for by in ("code", "street"))


# -- the register workbook ---------------------------------------------------------------
KEY_COLUMNS = ("code", "entity_id", "unit_id")
REPORT_COLUMNS = ("responsible_unit", "measures", "person", "progress", "waiver_reason", "approver", "waiver_expires")
EXPORT_KEYS = ["responsible_unit", "responsible_unit_name", "severity", "code", "title", "entity_id", "entity_name",
               "unit_id", "message", "evidence", "policy", "remedy", "rectify_deadline", "register_status",
               *REPORT_COLUMNS[1:]]


def export_rows(tracked: list[Tracked]) -> list[dict]:
    """The open findings (and waived ones), grouped by 责任单位, ready for the workbook."""
    rows = []
    for t in tracked:
        if t.status == CLOSED:
            continue
        rows.append({**t.sheet_row(), "progress": t.entry.progress if t.entry else None})
    rows.sort(key=lambda r: (r["street_id"] or "\uffff", r["responsible_unit"] or "\uffff", r["code"], r["entity_id"]))
    return rows


def read_register_workbook(path: Path, known: set[FindingKey], profile: Profile, units: UnitNames,
                           current: int | None) -> list[RegisterEntry]:
    """The rows of a filled-in register, validated whole: every error at once as
    `file:row:column: value: reason` (nothing is written when there is any), rows matched
    by the finding key so their order and deleted rows do not matter."""
    from .ledger.sources import read_sources

    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise GovgraphError(f"整改台账应为 .xlsx 或 .csv 文件：{path}")
    wanted = {header_for(k): k for k in (*KEY_COLUMNS, *REPORT_COLUMNS)} | {k: k for k in (*KEY_COLUMNS, *REPORT_COLUMNS)}
    issues: list[LedgerIssue] = []
    entries: dict[FindingKey, RegisterEntry] = {}
    found_header = False
    for table in read_sources(path):
        header = next(((n, cells) for n, cells in table.rows
                       if {"code", "entity_id"} <= {wanted.get(str(c).strip()) for c in cells}), None)
        if header is None:
            continue
        found_header = True
        number, cells = header
        columns = {wanted[str(c).strip()]: (i, str(c).strip()) for i, c in enumerate(cells) if str(c).strip() in wanted}
        for row_number, row in table.rows:
            if row_number <= number or all(str(c).strip() == "" for c in row):
                continue
            entry = _read_row(table.display, row_number, row, columns, known, profile, units, current, issues)
            if entry is None:
                continue
            if entry.key in entries:
                i, title = columns["entity_id"]
                issues.append(LedgerIssue(table.display, row_number, title, str(row[i]), "duplicate_id",
                                          "同一问题出现了两行，请只保留一行"))
                continue
            entries[entry.key] = entry
    if not found_header:
        raise GovgraphError(f"{path.name} 中找不到整改台账的表头（应有“{header_for('code')}”“{header_for('entity_id')}”列），"
                            "请使用 govgraph rectify export 导出的文件")
    if issues:
        raise LedgerError(issues)
    return list(entries.values())


def _read_row(display, number, row, columns, known, profile, units, current, issues) -> RegisterEntry | None:
    def cell(key):
        if key not in columns:
            return None, key
        i, title = columns[key]
        value = row[i] if i < len(row) else ""
        text = value if not isinstance(value, str) else value.strip()
        return (None if text == "" else text), title

    def problem(key, value, code, reason):
        issues.append(LedgerIssue(display, number, columns[key][1] if key in columns else header_for(key),
                                  "" if value is None else str(value), code, reason))

    code, _ = cell("code")
    entity_id, _ = cell("entity_id")
    unit_id, _ = cell("unit_id")
    if code is None or entity_id is None:
        problem("code" if code is None else "entity_id", None, "missing_value", "不能为空（请勿改动问题代码、对象编号、单位编号三列）")
        return None
    key = (str(code).strip(), str(entity_id).strip(), str(unit_id or "").strip())
    if key not in known:
        problem("entity_id", entity_id, "unknown_reference",
                "库中没有这个问题（问题代码、对象编号、单位编号与导出时不一致，请勿改动这三列）")
        return None
    values: dict = {}
    for k in ("measures", "person", "approver", "waiver_reason"):
        v, _ = cell(k)
        values[k] = None if v is None else str(v)
    progress, _ = cell("progress")
    if progress is not None and str(progress) not in PROGRESS:
        problem("progress", progress, "unknown_enum", f"进展应为：{'、'.join(PROGRESS)}")
        progress = None
    values["progress"] = None if progress is None else str(progress)
    expires, _ = cell("waiver_expires")
    if expires is not None:
        try:
            expires = parse_date(expires)
        except PydanticCustomError as exc:
            problem("waiver_expires", expires, exc.type, exc.message())
            expires = None
            values["bad_expiry"] = True
    values["waiver_expires"] = expires
    unit, _ = cell("responsible_unit")
    if unit is not None and str(unit) not in units.names:
        problem("responsible_unit", unit, "unknown_reference", "责任单位应为库中某个社区或街道的编号")
        unit = None
    if values["progress"] == WAIVER_REQUESTED:
        if values["waiver_reason"] is None:
            problem("waiver_reason", None, "missing_value", "申请豁免须填写豁免理由")
        elif values["waiver_reason"] not in profile.waiver_reasons:
            problem("waiver_reason", values["waiver_reason"], "unknown_enum",
                    f"豁免理由应为口径文件所列之一：{'、'.join(profile.waiver_reasons) or '（口径文件未列豁免理由）'}")
        if values["approver"] is None:
            problem("approver", None, "missing_value", "申请豁免须填写审批人")
        if expires is None and not values.get("bad_expiry"):
            problem("waiver_expires", None, "missing_value", "申请豁免须填写豁免到期日期")
    elif any(values[k] is not None for k in ("waiver_reason", "waiver_expires")):
        k = "waiver_reason" if values["waiver_reason"] is not None else "waiver_expires"
        problem(k, values[k], "unknown_enum", "填写了豁免信息，但进展不是“申请豁免”")
    values.pop("bad_expiry", None)
    return RegisterEntry(key, responsible_unit=None if unit is None else str(unit), reported_in=current, **values)


def merge_entries(imported: list[RegisterEntry], defaults: dict[FindingKey, str | None]) -> list[RegisterEntry]:
    """What to store: each imported row replaces its entry; a 责任单位 equal to the rule's
    answer is not stored as an edit, so it follows the rule if the graph changes."""
    out = []
    for e in imported:
        if e.responsible_unit is not None and e.responsible_unit == defaults.get(e.key):
            e = replace(e, responsible_unit=None)
        out.append(e)
    return out


# -- the store: submissions, their findings, the register ----------------------------------
def submission_dates(submissions) -> dict[int, date]:
    """Each submission's day in Asia/Shanghai: the audit date its findings count from."""
    from datetime import datetime

    from .loading import SHANGHAI

    return {s.seq: datetime.fromisoformat(s.at).astimezone(SHANGHAI).date() for s in submissions}


def previous_submission(submissions, current: int) -> int | None:
    earlier = [s.seq for s in submissions if s.seq < current]
    return max(earlier, default=None)


PREVIOUS = "previous"


@dataclass
class TrackedAudit:
    """`track_store`'s answer: the tracked findings and which submissions they compare."""

    tracked: list[Tracked]
    current: int
    baseline: int | None
    units: UnitNames
    names: dict[str, str] = field(default_factory=dict)  # id → name in `current`, for evidence by name
    periods: dict[int, str | None] = field(default_factory=dict)  # each submission's period label

    def submission_words(self, seq: int) -> str:
        period = self.periods.get(seq)
        return f"第 {seq} 次导入" + (f"（{period}）" if period else "")

    def against_words(self) -> str:
        """What the states compare, in one sentence for a heading or a report."""
        if self.baseline is None:
            return (f"{self.submission_words(self.current)}之前没有报送可对照：本期问题都是首次发现，"
                    "新增、持续、回潮、已整改从下一次报送起统计")
        return f"{self.submission_words(self.current)}对照{self.submission_words(self.baseline)}"


def track_store(store, on: date, profile: Profile, *, current: int | None = None,
                baseline: int | str | None = PREVIOUS, scope: str | None = None,
                include_all_closed: bool = False, progress=None, current_graph=None,
                on_graph=None, current_data=None) -> TrackedAudit:
    """The findings of submission `current` (default the latest) with their states
    against `baseline` (default the one before), the register's entries and deadlines.
    Every submission up to `current` is audited on `on`, one graph at a time;
    `progress(what, done, total)` hears of each. `current_graph` is `current`'s mirror
    when the caller has read it already (for the same scope); `on_graph(seq, mirror)` is
    called with each submission's mirror once audited, so a caller can compute more on it
    without reading the submission again. (`current_data`, a (graph, mirror) pair, is
    taken for `current_graph` as its mirror.)"""
    from .errors import NotFoundError

    if current_graph is None and current_data is not None:
        current_graph = current_data[1]
    submissions = store.submissions()
    if not submissions:
        raise GovgraphError("库中还没有报送记录：请先用 govgraph load 导入台账")
    current = current or submissions[-1].seq
    if baseline == PREVIOUS:
        baseline = previous_submission(submissions, current)
    if baseline is not None and baseline >= current:
        raise GovgraphError(f"基准报送（第 {baseline} 次）应早于所审计的报送（第 {current} 次）")
    history, units, names = {}, UnitNames(), {}
    for done, s in enumerate(submissions):
        if s.seq > current:
            continue
        if progress is not None:
            progress("审计历次报送（问题整改情况）", done, current)
        if s.seq == current and current_graph is not None:
            graph = current_graph
        else:
            try:
                data = store.read(scope, load=s.seq)
            except NotFoundError:
                if s.seq == current:
                    raise
                history[s.seq] = {}  # the scope did not exist yet in that submission
                continue
            graph = build_mirror(data)
        history[s.seq] = audit_mirror(graph, on, profile)
        if on_graph is not None:
            on_graph(s.seq, graph)
        if s.seq == current:
            units = UnitNames.of_mirror(graph)
            names = {n: a.get("name") or n for n, a in graph.nodes(data=True)}
    tracked = track(history, current, baseline, submission_dates(submissions), read_register(store), on,
                    profile, units, include_all_closed=include_all_closed)
    return TrackedAudit(tracked, current, baseline, units, names, {s.seq: s.period for s in submissions})


def entry_to_row(entry: RegisterEntry) -> dict:
    """A register entry as the stores keep it: the key's three parts and plain fields."""
    code, entity_id, unit_id = entry.key
    return {"code": code, "entity_id": entity_id, "unit_id": unit_id,
            **{k: getattr(entry, k) for k in REPORT_COLUMNS},
            "waiver_expires": entry.waiver_expires.isoformat() if entry.waiver_expires else None,
            "reported_in": entry.reported_in}


def entry_from_row(row: dict) -> RegisterEntry:
    expires = row.get("waiver_expires")
    return RegisterEntry(
        (row["code"], row["entity_id"], row["unit_id"] or ""),
        **{k: row.get(k) for k in REPORT_COLUMNS if k != "waiver_expires"},
        waiver_expires=date.fromisoformat(expires) if expires else None,
        reported_in=row.get("reported_in"),
    )


def read_register(store) -> dict[FindingKey, RegisterEntry]:
    return {e.key: e for e in map(entry_from_row, store.register_rows())}
