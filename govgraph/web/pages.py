"""The list pages (问题清单, 空白小区, 指导员选派, 人员查询) and the pages that move data
(导入台账, 下载). Each presents what a library function returns."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import GovgraphError, LedgerError, NotFoundError
from ..findings import SEVERITY_ORDER, finding_texts
from ..labels import SEVERITY_WORDS
from ..loading import SHANGHAI, load_ledger
from ..values import mask_sensitive
from .page import Page, attachment, check_csrf

NAV = [("/findings", "问题清单"), ("/orphans", "空白小区"), ("/plan", "指导员选派"), ("/person", "人员查询"),
       ("/path", "关系路径"), ("/upload", "导入台账"), ("/downloads", "下载")]
PATH_LIMIT = 3
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FINDING_COLUMNS = ["severity", "code", "title", "entity_id", "entity_name", "unit_id", "message", "remedy",
                   "evidence", "policy"]
STATE_COLUMNS = ["state", "first_seen", "closed_in"]  # as `audit --baseline` writes them
REGISTER_COLUMNS = ["responsible_unit_name", "rectify_deadline", "register_status", "progress", "overdue"]
ORPHAN_COLUMNS = ["id", "name", "community_id", "street_id", "formal_members", "reason", "suggestion"]
LEDGER_SUFFIXES = (".xlsx", ".zip", ".csv")
MAX_UNZIPPED_FACTOR = 20  # a zip may unpack to at most this many times the upload limit


def routes(bench, render, max_upload):

    def units_for_filter(page):
        """(id, name, kind) of every street and community, for the unit filter."""
        return sorted(((e.id, e.name, e.kind) for e in page.view.data.entities.values()
                       if e.kind in ("District", "Street", "Community")),
                      key=lambda u: (("District", "Street", "Community").index(u[2]), u[0]))

    def unit_answers(page, unit_id):
        """The answers for a unit filter: a street's or community's scoped audit; a
        district's streets' audits together."""
        entity = page.view.entity(unit_id)
        if entity is None or entity.kind not in ("District", "Street", "Community"):
            raise NotFoundError(f"找不到区县、街道或社区：{unit_id}")
        if entity.kind == "District":
            whole = page.view.whole(page.on)
            streets = sorted({r.street_id for r in whole.coverage if r.district_id == unit_id and r.street_id})
            return [page.view.scoped(s, page.on) for s in streets]
        return [page.view.scoped(unit_id, page.on)]

    def finding_text(page, f):
        """What the search box looks in: ids, names, title and message of one finding."""
        def name(entity_id):
            entity = page.view.entity(entity_id) if entity_id else None
            return entity.name if entity else (entity_id or "")

        return f"{f.entity_id} {name(f.entity_id)} {f.title} {f.message} {name(f.unit_id)}".casefold()

    def searchable(page, answers):
        """(finding, its text to search in) of one set of answers, built once per set."""
        return answers._memo("search", lambda: [(f, finding_text(page, f)) for f in answers.findings])

    def fixed_findings(page, history, unit_id):
        """The 已整改 findings (the previous submission's, gone now), of a unit filter: those
        the unit (or a street of the district) was to fix (`rectify.in_scope`)."""
        from ..finding_states import FIXED
        from ..rectify import in_scope

        if history.tracking is None:
            return []
        if unit_id is None:
            return history.in_state(FIXED)  # most severe first (History.in_state)
        scopes = [unit_id]
        if unit_id and page.view.entity(unit_id).kind == "District":
            whole = page.view.whole(page.on)
            scopes = sorted({r.street_id for r in whole.coverage if r.district_id == unit_id and r.street_id})
        return [f for f in history.in_state(FIXED)
                if any(in_scope(history.state_of(f), s) for s in scopes)]

    def selected_findings(request, page):
        from ..finding_states import FIXED, STATES

        params = request.query_params
        unit_id = params.get("unit") or None
        state = params.get("state") or None
        if state is not None and state not in STATES:
            raise GovgraphError(f"没有“{state}”这种问题状态（可选：{'、'.join(STATES)}）")
        sets = unit_answers(page, unit_id) if unit_id else [page.view.whole(page.on)]
        history = page.view.history(page.on)
        query = (params.get("q") or "").strip().casefold()
        seen, findings = set(), []
        if state == FIXED:
            for f in fixed_findings(page, history, unit_id):
                if not query or query in finding_text(page, f):
                    findings.append(f)
        elif state is not None and unit_id is None:  # the whole area's, kept by state
            findings = [f for f in history.in_state(state) if not query or query in finding_text(page, f)]
        else:
            for answers in sets:
                for f, text in searchable(page, answers) if query else ((f, "") for f in answers.findings):
                    key = (f.code, f.entity_id, f.unit_id)
                    if key not in seen and (not query or query in text):
                        seen.add(key)
                        findings.append(f)
            if len(sets) > 1:
                findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.entity_id, f.unit_id or ""))
        if state is not None and state != FIXED and unit_id is not None:
            findings = [f for f in findings if (t := history.state_of(f)) is not None and t.state.state == state]
        code, severity = params.get("code") or None, params.get("severity") or None
        if code:
            findings = [f for f in findings if f.code == code]
        if severity:
            findings = [f for f in findings if f.severity == severity]
        return findings, history

    def findings_page(request: Request):
        from ..finding_states import STATES

        page = Page(request, bench)
        findings, history = selected_findings(request, page)
        number, pages = _page_number(request, len(findings))
        return render(request, "findings.html", page=page, findings=findings[(number - 1) * PAGE_SIZE:number * PAGE_SIZE],
                      total=len(findings), number=number, pages=pages, codes=finding_texts(),
                      severities=SEVERITY_WORDS, units=units_for_filter(page), params=request.query_params,
                      history=history, states=STATES)

    def findings_xlsx(request: Request):
        page = Page(request, bench)
        findings, history = selected_findings(request, page)
        rows = []
        for f in findings:
            t = history.state_of(f)
            rows.append({**f.as_row(), "entity_name": page.name(f.entity_id), **(t.sheet_row() if t else {})})
        columns = FINDING_COLUMNS + (STATE_COLUMNS if history.compared else []) + \
            (REGISTER_COLUMNS if history.has_register else [])
        note = history.tracking.against_words() if history.tracking is not None else None
        return _xlsx_response("问题清单", rows, columns, page, f"问题清单（{page.on.isoformat()}）.xlsx", note)

    def orphans_page(request: Request):
        page = Page(request, bench)
        unit_id = request.query_params.get("unit") or None
        if unit_id:
            orphans = [o for answers in unit_answers(page, unit_id) for o in answers.orphans]
        else:
            orphans = page.view.whole(page.on).orphans
        if request.url.path.endswith(".xlsx"):
            rows = [{**u.as_row(), "reason": reason, "suggestion": suggestion} for u, reason, suggestion in orphans]
            return _xlsx_response("空白小区", rows, ORPHAN_COLUMNS, page, f"空白小区（{page.on.isoformat()}）.xlsx")
        number, pages = _page_number(request, len(orphans))
        return render(request, "orphans.html", page=page, orphans=orphans[(number - 1) * PAGE_SIZE:number * PAGE_SIZE],
                      total=len(orphans), number=number, pages=pages, units=units_for_filter(page),
                      params=request.query_params)

    def plan_page(request: Request):
        page = Page(request, bench)
        ranked, result = page.view.whole(page.on).plan
        return render(request, "plan.html", page=page, ranked=ranked, result=result,
                      capacity=bench.profile.instructor_capacity)

    def person_page(request: Request):
        page = Page(request, bench)
        person_id = request.query_params.get("id") or None
        query = (request.query_params.get("q") or "").strip()
        if person_id is None:
            matches = []
            if query:
                folded = query.casefold()
                matches = sorted((e for e in page.view.data.entities.values()
                                  if e.kind == "Person" and (folded in e.name.casefold() or folded == e.id.casefold())),
                                 key=lambda e: e.id)[:200]
            return render(request, "person_search.html", page=page, query=query, matches=matches)
        person = page.view.entity(person_id)
        if person is None or person.kind != "Person":
            raise NotFoundError(f"找不到编号为 {person_id} 的人员")
        relations = sorted((r for r in page.view.memory.relations_touching({person_id}) if r.from_id == person_id),
                           key=lambda r: (r.since or datetime.min.date(), r.type, r.to_id))
        rows = [{"relation": r, "other": page.view.entity(r.to_id), "in_force": r.in_force(page.on)} for r in relations]
        return render(request, "person.html", page=page, person=person, current=[r for r in rows if r["in_force"]],
                      history=[r for r in rows if not r["in_force"]])

    def path_page(request: Request):
        from ..paths import connecting_paths

        page = Page(request, bench)
        source = (request.query_params.get("from") or "").strip() or None
        target = (request.query_params.get("to") or "").strip() or None
        paths = []
        if source and target:
            for node in (source, target):
                if page.view.entity(node) is None:
                    raise NotFoundError(f"找不到编号为 {node} 的实体")
            paths = connecting_paths(page.view.whole(page.on).in_force_graph, source, target, PATH_LIMIT)
        return render(request, "path.html", page=page, source=source, target=target, paths=paths)

    # -- upload --------------------------------------------------------------------------
    def upload_form(request: Request):
        return render(request, "upload.html", max_mb=max_upload // (1024 * 1024))

    async def upload(request: Request):
        size = request.headers.get("content-length")
        if size is None or not size.isdigit() or int(size) > max_upload:
            return render(request, "upload.html", status=413, max_mb=max_upload // (1024 * 1024),
                          problem=f"文件太大：上传的台账不能超过 {max_upload // (1024 * 1024)} MB。"
                                  "请删去无关的工作表或图片后再试，或用 govgraph load 命令导入。")
        form = await request.form(max_files=1, max_fields=20)
        check_csrf(request, form.get("csrf"))
        upload_file = form.get("ledger")
        if upload_file is None or not getattr(upload_file, "filename", ""):
            return render(request, "upload.html", status=400, max_mb=max_upload // (1024 * 1024),
                          problem="请选择要上传的台账文件（.xlsx 工作簿，或 CSV 文件打成的 .zip 压缩包）。")
        filename = Path(upload_file.filename).name
        content = await upload_file.read()
        options = {"mode": "merge" if form.get("mode") == "merge" else "replace",
                   "force": form.get("force") == "1", "allow_id_numbers": form.get("allow_id_numbers") == "1"}
        result = await run_in_threadpool(_load, bench, filename, content, options, max_upload)
        return render(request, "upload.html", status=200 if result.get("ok") else 400,
                      max_mb=max_upload // (1024 * 1024), filename=filename, options=options, **result)

    # -- downloads -----------------------------------------------------------------------
    def downloads_page(request: Request):
        page = Page(request, bench)
        return render(request, "downloads.html", page=page, units=units_for_filter(page))

    def download(request: Request):
        page = Page(request, bench)
        what = request.path_params["what"]
        with tempfile.TemporaryDirectory() as tmp:
            if what == "template.xlsx":
                from ..ledger.workbook import write_template

                path = write_template(Path(tmp) / "台账模板.xlsx")  # the same workbook as `govgraph template`
                name = "govgraph台账模板.xlsx"
            elif what == "demo.xlsx":
                from ..cli.data_commands import demo_ledger_path
                from ..ledger import write_ledger
                from ..ledger.read import read_ledger

                path = write_ledger(read_ledger(demo_ledger_path()).data, Path(tmp) / "demo.xlsx")
                name = "govgraph示例台账.xlsx"
            elif what == "export.xlsx":
                from ..ledger import write_ledger

                path = write_ledger(page.view.data, Path(tmp) / "export.xlsx")
                name = f"台账导出（{datetime.now(SHANGHAI).date().isoformat()}）.xlsx"
            elif what == "rectify.xlsx":
                from ..cli.tracking_commands import write_register_workbook
                from ..rectify import track_store

                scope = request.query_params.get("unit") or None
                unit = page.view.entity(scope) if scope else None
                if scope and (unit is None or unit.kind not in ("Street", "Community")):
                    raise NotFoundError(f"找不到街道或社区：{scope}")
                store = bench.open_store()
                try:
                    audited = track_store(store, page.on, bench.profile, current=page.view.seq)
                finally:
                    store.close()
                path = Path(tmp) / "rectify.xlsx"
                write_register_workbook(path, audited, scope, page.on)
                name = f"整改台账（{page.name(scope) if scope else '全辖区'}，{page.on.isoformat()}）.xlsx"
            elif what in ("report.html", "report.pdf"):
                from ..charts.report import build_report, write_report

                scope = request.query_params.get("unit") or None
                graph = page.view.scoped(scope, page.on).graph if scope else page.view.graph
                if scope and page.view.entity(scope).kind not in ("Street", "Community"):
                    raise NotFoundError(f"找不到街道或社区：{scope}")
                from ..rectify import track_store

                store = bench.open_store()
                try:  # the states and the register, as `govgraph report` gives them
                    tracking = track_store(store, page.on, bench.profile, current=page.view.seq, scope=scope,
                                           current_graph=graph)
                finally:
                    store.close()
                suffix = what.rsplit(".", 1)[1]
                path = write_report(build_report(graph, page.on, bench.profile, scope, tracking=tracking),
                                    Path(tmp) / f"report.{suffix}")
                name = f"{page.name(scope) if scope else '全辖区'}审计报告（{page.on.isoformat()}）.{suffix}"
            else:
                raise NotFoundError("没有这个下载项")
            body = Path(path).read_bytes()
        media = {"xlsx": XLSX, "html": "text/html; charset=utf-8", "pdf": "application/pdf"}[name.rsplit(".", 1)[1]]
        return Response(body, media_type=media, headers={"Content-Disposition": attachment(mask_sensitive(name))})

    def _xlsx_response(title, rows, columns, page, filename, note=None):
        from ..cli.output import Table, write_xlsx

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.xlsx"
            write_xlsx(path, [Table("rows", title, rows, columns)], as_of=page.on, note=note)
            body = path.read_bytes()
        return Response(body, media_type=XLSX, headers={"Content-Disposition": attachment(filename)})

    return [
        Route("/findings", findings_page),
        Route("/findings.xlsx", findings_xlsx),
        Route("/orphans", orphans_page),
        Route("/orphans.xlsx", orphans_page),
        Route("/plan", plan_page),
        Route("/person", person_page),
        Route("/path", path_page),
        Route("/upload", upload_form, methods=["GET"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/downloads", downloads_page),
        Route("/download/{what}", download),
    ]


def _page_number(request: Request, total: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = int(request.query_params.get("page") or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def _load(bench, filename: str, content: bytes, options: dict, max_upload: int) -> dict:
    """Validate and load one uploaded ledger with `load_ledger`: on any error nothing is
    written and the errors come back as rows; on success the workbench rereads the store
    and the change against the previous graph comes back."""
    from ..diff import diff

    suffix = Path(filename).suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        return {"problem": f"不支持的文件类型：{suffix or '（无扩展名）'}。请上传 .xlsx 工作簿，或把 CSV 文件打成 .zip 压缩包。"}
    with tempfile.TemporaryDirectory() as tmp:
        if suffix == ".zip":
            ledger = Path(tmp) / Path(filename).stem
            problem = _unzip(content, ledger, max_upload * MAX_UNZIPPED_FACTOR)
            if problem:
                return {"problem": problem}
        else:
            ledger = Path(tmp) / filename
            ledger.write_bytes(content)
        before = bench.data
        store = bench.open_store(create=True)
        try:
            result = load_ledger(store, ledger, name=filename, **options)
        except LedgerError as exc:
            issues = [replace(i, reason=web_wording(i.reason)) for i in exc.issues]
            return {"issues": issues, "count": exc.count, "warnings": exc.warnings}
        except GovgraphError as exc:
            return {"problem": web_wording(str(exc))}
        finally:
            store.close()
    bench.reload()
    today = datetime.now(SHANGHAI).date()
    bench.warm_in_background(today)
    change = diff(before, bench.data, today, bench.profile)
    return {"ok": True, "record": result.record, "warnings": result.warnings, "change": change}


# What the terminal's options are on the upload form: a message from the loader names the
# option (请加 --force); the page names the control instead.
WEB_CONTROLS = {
    "请加 --allow-id-numbers": "请勾选下方“允许台账中出现身份证号”后重新上传",
    "请加 --merge": "请在下方选择“合并”后重新上传",
    "请加 --force": "请勾选下方“确认整体替换”后重新上传",
}


def web_wording(text: str) -> str:
    """A loader message in the page's terms (a check box, not a terminal option)."""
    for option, control in WEB_CONTROLS.items():
        text = text.replace(option, control)
    return text


def _unzip(content: bytes, folder: Path, limit: int) -> str | None:
    """The CSV files of a zip, flat in `folder`; a Chinese problem or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return "无法打开这个 .zip 压缩包：文件可能已损坏，请重新压缩后上传。"
    members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".csv")
               and not Path(m.filename).name.startswith(".") and "__MACOSX" not in m.filename]
    if not members:
        return "压缩包里没有 CSV 文件：请把台账的 CSV 文件（小区.csv、关系.csv 等）直接压缩后上传。"
    if sum(m.file_size for m in members) > limit:
        return "压缩包解压后太大，请分成几次上传，或用 govgraph load 命令导入。"
    folder.mkdir(parents=True)
    names = set()
    for m in members:
        name = _member_name(m)
        if name in names:
            return f"压缩包里有两个同名文件：{name}。请只保留一个后再上传。"
        names.add(name)
        (folder / name).write_bytes(archive.read(m))
    return None


def _member_name(member: zipfile.ZipInfo) -> str:
    """The file's own name (folders dropped), decoded as Chinese Windows writes it when
    the zip does not say UTF-8."""
    raw = member.filename
    if not member.flag_bits & 0x800:
        try:
            raw = raw.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return Path(raw.replace("\\", "/")).name
