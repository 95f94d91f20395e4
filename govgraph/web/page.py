"""What every page shares: the request's as-of date and submission (`Page`), the CSRF token
and the download header. Both `app.py` (the app, the unit pages, the charts) and `pages.py`
(the lists, the downloads, the loads) import it; only `app` imports `pages`."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..errors import GovgraphError
from ..loading import SHANGHAI
from ..values import parse_date
from .state import Workbench

UNIT_KINDS = ("District", "Street", "Community", "Compound")


class Page:
    """What every template gets: the request's as-of date and links that keep it."""

    def __init__(self, request: Request, bench: Workbench):
        self.request = request
        self.bench = bench
        self.today = datetime.now(SHANGHAI).date()
        text = request.query_params.get("as_of") or ""
        self.as_of_given = bool(text)
        if text:
            try:
                self.on = parse_date(text)
            except PydanticCustomError:
                raise GovgraphError(f"“{text}”不是有效日期（例如 2024-06-30）") from None
        else:
            self.on = self.today
        self.submissions = bench.records
        self.load = chosen_load(request.query_params.get("load") or "", bench.records,
                                request.query_params.get("period") or "")
        self.view = bench.view(self.load)

    def link(self, path: str, **params) -> str:
        """`path` with the as-of date and the submission kept (when chosen) and `params`
        (None: dropped)."""
        query = {"as_of": self.on.isoformat()} if self.as_of_given else {}
        if self.load is not None:
            query["load"] = str(self.load)
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        return path + ("?" + urlencode(query) if query else "")

    def here(self, **params) -> str:
        """The current page with some parameters changed (e.g. another page of a list)."""
        query = dict(self.request.query_params)
        query.update({k: v for k, v in params.items()})
        query = {k: v for k, v in query.items() if v not in (None, "")}
        return self.request.url.path + ("?" + urlencode(query) if query else "")

    def unit_link(self, entity_id: str) -> str:
        entity = self.view.entity(entity_id)
        if entity is not None and entity.kind in UNIT_KINDS:
            return self.link(f"/unit/{entity_id}")
        if entity is not None and entity.kind == "Person":
            return self.link("/person", id=entity_id)
        return self.link("/entity/" + entity_id)

    def name(self, entity_id: str | None) -> str:
        if entity_id is None:
            return ""
        entity = self.view.entity(entity_id)
        return entity.name if entity else entity_id


def chosen_load(text: str, submissions, period: str = "") -> int | None:
    """The submission a page asked for (`?load=N`, or `?period=2026Q3`: that period's
    latest, as `--period` chooses): None for the latest."""
    if period and not text:
        from ..store.base import resolve_load

        seq = resolve_load(submissions, None, period)
        return None if seq == submissions[-1].seq else seq
    if not text:
        return None
    seqs = [s.seq for s in submissions]
    if not text.isdigit() or int(text) not in seqs:
        have = f"现有第 {seqs[0]}–{seqs[-1]} 次" if seqs else "库中还没有导入过台账"
        raise GovgraphError(f"没有第 {text} 次报送（{have}）")
    return None if int(text) == seqs[-1] else int(text)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, given) -> None:
    expected = request.session.get("csrf")
    if not expected or not given or not hmac.compare_digest(str(given), expected):
        raise HTTPException(403, "页面已过期或请求来源不明（缺少安全令牌），请刷新页面后重试")


def attachment(filename: str) -> str:
    return f"attachment; filename=\"govgraph.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"
