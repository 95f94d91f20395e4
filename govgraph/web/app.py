"""The web workbench (`govgraph serve`): Starlette routes over the library's answers.

Pages present what the audit modules return and compute no rule of their own. Every
value shown passes through Jinja's autoescape and `mask_sensitive` (the environment's
`finalize`), so a `<script>` in a ledger name shows as text and no phone number or
身份证号 is shown in full. The as-of date travels in the URL (`?as_of=2024-12-31`), so a
page can be bookmarked and sent.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..coverage import STATUSES
from ..errors import GovgraphError, NotFoundError
from ..findings import finding_texts
from ..labels import COLOR_WORDS, SEVERITY_WORDS, entity_fields, header_for, kind_word, value_for_display
from ..mirror import Snapshot, in_edges, in_force, out_edges
from ..profile import INDICATORS
from ..values import mask_phone, mask_sensitive
from . import pages
from .page import UNIT_KINDS, Page, attachment, check_csrf, csrf_token
from .state import View, Workbench

log = logging.getLogger("govgraph.web")
HERE = Path(__file__).parent
TREND_YEARS = 4
PARENT_KIND = {"Street": "District", "Community": "Street", "Compound": "Community"}
CHILD_LEVEL = {"District": "street", "Street": "community"}


def _finalize(value):
    """Every `{{ value }}`: None shows as nothing, text is masked (phones, 身份证号)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return mask_sensitive(value)
    return value


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("govgraph.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1%}"
    env.filters["show"] = lambda v, key="": value_for_display(key, v, "table")
    env.filters["kind"] = kind_word
    env.filters["severity"] = lambda s: SEVERITY_WORDS.get(s, s)
    env.filters["header"] = header_for
    env.filters["phone"] = mask_phone
    env.globals.update(STATUSES=STATUSES, INDICATORS=INDICATORS, COLOR_WORDS=COLOR_WORDS,
                       SEVERITY_WORDS=SEVERITY_WORDS)
    return env


def create_app(bench: Workbench, *, password: str | None = None, max_upload_mb: int = 50,
               secret: str | None = None) -> Starlette:

    env = _environment()
    env.globals["nav_items"] = [("/", "总览"), *pages.NAV]
    max_upload = max_upload_mb * 1024 * 1024

    def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        # Before login a page shows neither the menu nor where the data lives.
        authed = bool(password) and bool(request.session.get("auth"))
        visible = authed or not password
        page = context.pop("page", None)
        if not visible:
            page = None
        elif page is None:
            try:
                page = Page(request, bench)
            except GovgraphError:  # a bad as_of on an error page: show it without the date control
                page = None
        html = env.get_template(template).render(
            page=page, csrf=csrf_token(request), logged_in=authed, store=bench.description if visible else "",
            nav=request.url.path, **context)
        return HTMLResponse(html, status_code=status)

    # -- overview and drill-down -------------------------------------------------------
    def overview(request: Request):
        page = Page(request, bench)
        answers = page.view.whole(page.on)
        by_severity, codes = answers.finding_counts
        history = page.view.history(page.on)
        progress = {by: history.progress(by) for by in ("district", "street")} if history.tracking else {}
        return render(request, "overview.html", page=page, history=history, progress=progress,
                      district_indicators=_indicator_table(answers.indicators("district")),
                      street_indicators=_indicator_table(answers.indicators("street")),
                      streets=answers.rollups("street"), by_severity=by_severity,
                      codes=[(sev, code, finding_texts()[code]["title"], n) for sev, code, n in codes],
                      orphans=len(answers.orphans), records=bench.records)

    def unit(request: Request):
        page = Page(request, bench)
        unit_id = request.path_params["unit_id"]
        entity = page.view.entity(unit_id)
        if entity is None:
            raise NotFoundError(f"找不到编号为 {unit_id} 的单位")
        if entity.kind not in UNIT_KINDS:
            return RedirectResponse(page.unit_link(unit_id), status_code=303)
        whole = page.view.whole(page.on)
        crumbs = _breadcrumbs(page.view, whole.graph, page.on, unit_id, entity.kind)
        if entity.kind == "Compound":
            return _compound_page(request, page, page.view, unit_id, crumbs, render)
        # Counts, roll-ups, indicators and orphans: the whole graph's answers on the date
        # (kept), read for the unit; findings: the unit's scoped audit (`--scope`).
        parents = whole.parents
        level = CHILD_LEVEL.get(entity.kind)
        children = set()
        if level:
            children = {u for u, p in parents.items() if p == unit_id}
        key = {"District": "district_id", "Street": "street_id", "Community": "community_id"}[entity.kind]
        compounds = [r for r in whole.coverage if r.kind == "Compound" and getattr(r, key) == unit_id]
        communities = {r.community_id for r in compounds}
        firms = [r for r in whole.coverage if r.kind == "Firm" and communities.intersection(r.communities)]
        own_level = {"District": "district", "Street": "street", "Community": "community"}[entity.kind]
        indicator_rows = [i for i in whole.indicators(own_level) if i.unit_id == unit_id]
        if level:
            indicator_rows = [i for i in whole.indicators(level) if i.unit_id in children] + indicator_rows
        rollup_rows = [r for r in whole.rollups(level) if r.unit_id in children] if level else []
        orphan_rows = [o for o in whole.orphans if getattr(o[0], key) == unit_id]
        findings = page.view.scoped(unit_id, page.on).findings if entity.kind != "District" else None
        return render(request, "unit.html", page=page, entity=entity, crumbs=crumbs, rows=compounds + firms,
                      children=rollup_rows, indicators=_indicator_table(indicator_rows),
                      orphans=orphan_rows, findings=findings, history=page.view.history(page.on))

    def entity_page(request: Request):
        page = Page(request, bench)
        entity_id = request.path_params["entity_id"]
        entity = page.view.entity(entity_id)
        if entity is None:
            raise NotFoundError(f"找不到编号为 {entity_id} 的实体")
        if entity.kind in UNIT_KINDS:
            return RedirectResponse(page.link(f"/unit/{entity_id}"), status_code=303)
        return render(request, "entity.html", page=page, entity=entity,
                      relations=_relations(page.view, entity_id, page.on), fields=_fields(entity))

    # -- charts ------------------------------------------------------------------------
    def chart(request: Request):
        from ..charts.orgchart import render_chart

        page = Page(request, bench)
        unit_id, fmt = request.path_params["unit_id"], request.path_params["fmt"]
        paper = request.query_params.get("paper", "A4")
        if fmt not in ("svg", "png", "pdf") or paper not in ("A4", "A3"):
            raise NotFoundError("没有这种图")
        graph = _chart_graph(page.view, unit_id, page.on)
        stem = f"{page.view.entity(unit_id).name}组织架构图（{paper}，{page.on.isoformat()}）"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"chart.{fmt}"
            _, written = render_chart(graph, unit_id, page.on, path, paper, "landscape", False, bench.profile)
            if fmt == "png" and len(written) > 1:  # a chart of several pages: every page, in one zip
                body, fmt = _zipped([(f"{stem}第{k}页.png", p) for k, p in enumerate(written, start=1)]), "zip"
            else:
                body = path.read_bytes()  # SVG (shown in the page): the first page; a PDF holds them all
        media = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "zip": "application/zip"}[fmt]
        headers = {}
        if fmt != "svg":
            headers["Content-Disposition"] = attachment(mask_sensitive(f"{stem}.{fmt}"))
        return Response(body, media_type=media, headers=headers)

    def coverage_chart(request: Request):
        """The coverage plot of the unit viewed, one figure a page can show: a street's or
        community's communities; for the whole ledger its streets, or its districts when
        there are more streets than one readable figure holds (the street table above
        the plot lists every street, and each street's page plots its communities)."""
        from ..charts import fonts, plots

        page = Page(request, bench)
        scope = request.query_params.get("unit") or None
        if scope is not None:
            entity = page.view.entity(scope)
            if entity is None or entity.kind not in ("Street", "Community"):
                raise NotFoundError(f"找不到街道或社区：{scope}")
            answers, level = page.view.scoped(scope, page.on), "community"
        else:
            answers = page.view.whole(page.on)
            streets = sum(1 for r in answers.rollups("street") if r.unit_kind != "Total" and r.compound_total)
            level = "street" if streets <= plots.ONE_FIGURE_UNITS else "district"
        with tempfile.TemporaryDirectory() as tmp, fonts.chart_style():
            path = Path(tmp) / "coverage.svg"
            figure = plots.coverage_figure(answers.graph, page.on, bench.profile, level, answers.coverage)
            plots.save_figure(figure, path, "小区党的组织和工作覆盖情况")
            return Response(path.read_bytes(), media_type="image/svg+xml")

    def trend_chart(request: Request):
        from ..charts import fonts, plots

        page = Page(request, bench)
        trend = page.view.history(page.on).trend
        if len(trend) > 1:  # across submissions, on the one date (`trend --periods`)
            answers = [(f"第{s.seq}次" + (f"\n{s.period}" if s.period else ""), totals) for s, totals in trend]
            title = f"历次报送全辖区核心指标趋势（统计时点 {page.on.isoformat()}）"
        else:  # one submission: its graph at the last year-ends and the date
            points = [date(year, 12, 31) for year in range(page.on.year - TREND_YEARS, page.on.year)] + [page.on]
            answers = [(d.isoformat(), page.view.whole(d).indicators("street")) for d in points]
            title = "全辖区核心指标趋势（各年年底及统计时点）"
        with tempfile.TemporaryDirectory() as tmp, fonts.chart_style():
            path = Path(tmp) / "trend.svg"
            plots.save_figure(plots.trend_figure(answers, title), path)
            return Response(path.read_bytes(), media_type="image/svg+xml")

    # -- the font ----------------------------------------------------------------------
    def font(request: Request):
        from ..charts import fonts

        return FileResponse(fonts.source_path(), media_type="font/otf",
                            headers={"Cache-Control": "public, max-age=604800"})

    # -- login -------------------------------------------------------------------------
    async def _login_post_async(request: Request):
        form = await request.form()
        check_csrf(request, form.get("csrf"))
        if password and hmac.compare_digest(str(form.get("password", "")).encode(), password.encode()):
            request.session["auth"] = True
            target = str(form.get("next") or "/")
            return RedirectResponse(target if target.startswith("/") and not target.startswith("//") else "/",
                                    status_code=303)
        return render(request, "login.html", status=403, error="密码不正确")

    async def login_route(request: Request):
        if request.method == "POST":
            return await _login_post_async(request)
        return render(request, "login.html", next=request.query_params.get("next", "/"))

    async def logout(request: Request):
        form = await request.form()
        check_csrf(request, form.get("csrf"))
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- errors ------------------------------------------------------------------------
    async def not_found(request: Request, exc):
        detail = getattr(exc, "detail", None)
        message = detail if isinstance(detail, str) and detail and detail != "Not Found" else "找不到这个页面"
        return render(request, "error.html", status=getattr(exc, "status_code", 404), message=message)

    async def govgraph_error(request: Request, exc: GovgraphError):
        status = 404 if isinstance(exc, NotFoundError) else 400
        return render(request, "error.html", status=status, message=str(exc))

    async def server_error(request: Request, exc: Exception):
        log.exception("页面出错：%s", request.url.path, exc_info=exc)
        return HTMLResponse(env.get_template("error.html").render(
            page=None, csrf="", logged_in=False, store="", nav="",
            message="内部错误：govgraph 遇到了意外问题，详情已记录在服务器日志中。请把出错的时间和网址发给维护人员。"),
            status_code=500)

    routes = [
        Route("/", overview),
        Route("/unit/{unit_id:path}", unit),
        Route("/entity/{entity_id:path}", entity_page),
        Route("/chart/coverage.svg", coverage_chart),
        Route("/chart/trend.svg", trend_chart),
        Route("/chart/{unit_id:path}.{fmt}", chart),
        Route("/static/font/NotoSansSC.otf", font),
        Route("/login", login_route, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("govgraph.web", "static")]), name="static"),
    ]
    routes[3:3] = pages.routes(bench, render, max_upload)
    middleware = [Middleware(SessionMiddleware, secret_key=secret or secrets.token_hex(32),
                             session_cookie="govgraph_session", same_site="strict", https_only=False)]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: not_found, 405: not_found, HTTPException: not_found,
                                        GovgraphError: govgraph_error, 500: server_error, Exception: server_error})
    if password:
        app.add_middleware(_LoginRequired)
        # SessionMiddleware must run first (outermost) so the login check can read the session.
        app.user_middleware.reverse()
    return app


class _LoginRequired:
    """Every path but the login page and the static files needs a logged-in session."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] == "/login" or scope["path"].startswith("/static/"):
            return await self.app(scope, receive, send)
        if scope.get("session", {}).get("auth"):
            return await self.app(scope, receive, send)
        target = scope["path"] + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")
        response = RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        return await response(scope, receive, send)


def _zipped(files: list[tuple[str, Path]]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in files:
            archive.write(path, mask_sensitive(name))
    return buffer.getvalue()


def _indicator_table(items) -> list[dict]:
    """Indicators grouped per unit, in the library's order: {unit_id, unit_name, unit_kind, cells}."""
    units: dict[str, dict] = {}
    for i in items:
        row = units.setdefault(i.unit_id, {"unit_id": i.unit_id, "unit_name": i.unit_name,
                                           "unit_kind": i.unit_kind, "cells": {}})
        row["cells"][i.indicator] = i
    return list(units.values())


def _breadcrumbs(view: View, graph, on: date, unit_id: str, kind: str) -> list[tuple[str, str]]:
    """(id, name) from the district down to the unit, by the 隶属 in force on the date."""
    snap = Snapshot(graph, on)
    chain = [unit_id]
    while kind in PARENT_KIND:
        parent = snap.parent(chain[-1], PARENT_KIND[kind])
        if parent is None:
            break
        chain.append(parent)
        kind = PARENT_KIND[kind]
    return [(u, graph.nodes[u]["name"]) for u in reversed(chain)]


def _chart_graph(view: View, unit_id: str, on: date):
    """The graph a chart is drawn from: a street or community's scope; a compound's community's."""
    entity = view.entity(unit_id)
    if entity is None:
        raise NotFoundError(f"找不到编号为 {unit_id} 的单位")
    if entity.kind in ("Street", "Community"):
        return view.scoped(unit_id, on).graph
    if entity.kind == "Compound":
        row = view.whole(on).coverage_by_id.get(unit_id)
        if row is not None and row.community_id:
            return view.scoped(row.community_id, on).graph
        return view.graph
    raise GovgraphError(f"只能为小区、社区或街道制图，{unit_id} 是{kind_word(entity.kind)}")


def _relations(view: View, entity_id: str, on: date, show_all: bool = False) -> list[dict]:
    """The relations touching an entity, in force on the date (or all), with the other end's name."""
    graph = view.graph
    rows = []
    for u, v, attrs in [*out_edges(graph, entity_id), *in_edges(graph, entity_id)]:
        outgoing = u == entity_id
        other = v if outgoing else u
        current = in_force(attrs, on)
        if current or show_all:
            node = graph.nodes[other]
            rows.append({"outgoing": outgoing, "type": attrs["type"], "other_id": other,
                         "other_name": node.get("name", other), "other_kind": node.get("kind"),
                         "role": attrs.get("role"), "since": attrs.get("since"), "until": attrs.get("until"),
                         "source": attrs.get("source"), "in_force": current})
    rows.sort(key=lambda r: (not r["outgoing"], r["type"], r["other_id"]))
    return rows


def _fields(entity) -> list[tuple[str, object]]:
    return [(label, value_for_display("", value, "table")) for _, label, value in entity_fields(entity)]


def _compound_page(request, page, view, compound, crumbs, render):
    whole = view.whole(page.on)
    row = whole.coverage_by_id.get(compound)
    community = row.community_id if row else None
    answers = view.scoped(community, page.on) if community else whole
    reason = next(((r, s) for u, r, s in answers.orphans if u.id == compound), None)
    relations = _relations(view, compound, page.on)
    related = {compound} | {r["other_id"] for r in relations}
    findings = [f for f in answers.findings if f.entity_id in related or f.unit_id == compound]
    bodies = [r for r in relations if r["other_kind"] in ("PartyOrg", "Committee", "Firm")]
    people = []
    for body in bodies:
        for person in _relations(view, body["other_id"], page.on):
            if person["other_kind"] == "Person" and not person["outgoing"]:
                people.append({**person, "body_name": body["other_name"], "body_id": body["other_id"],
                               "person": view.entity(person["other_id"])})
    people += [{**r, "body_name": view.entity(compound).name, "body_id": compound,
                "person": view.entity(r["other_id"])}
               for r in relations if r["other_kind"] == "Person" and r["type"] != "居住"]
    residents = sum(1 for r in relations if r["type"] == "居住")
    return render(request, "compound.html", page=page, entity=view.entity(compound), crumbs=crumbs, row=row,
                  reason=reason, relations=relations, findings=findings, history=view.history(page.on), people=people, residents=residents,
                  fields=_fields(view.entity(compound)))
