"""Policy profiles (§4.6): thresholds and dated targets, from TOML."""

from __future__ import annotations

import sys
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import GovgraphError, toml_error_where

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

INDICATORS = {
    "org_coverage_rate": "组织覆盖率",
    "org_and_work_coverage_rate": "组织和工作覆盖率",
    "should_build_rate": "应建尽建率",
    "firm_org_coverage_rate": "物业企业党组织覆盖率",
    "committee_rate": "业委会组建率",
    "committee_party_majority_rate": "业委会党员过半率",
    "yijiantiao_rate": "一肩挑率",
    "cross_appointment_rate": "交叉任职率",
}


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str
    value: float = Field(ge=0, le=1)
    deadline: date
    source: str = ""


class Profile(BaseModel):
    """Every setting is required: the values come from profiles/default.toml, with a
    user's profile laid over it (`load_profile`), never from defaults written here."""

    model_config = ConfigDict(extra="forbid")
    name: str = "自定义口径"  # a user's profile that names none
    min_formal_members: int = Field(ge=1)
    committee_party_ratio: float = Field(ge=0, le=1)
    term_warning_months: int = Field(ge=0)
    org_size_rule: dict[str, int]
    instructor_capacity: int = Field(ge=1)
    instructor_tags: list[str]
    instructor_ids: list[str]
    targets: list[Target]
    # §7 整改: days to rectify by severity, and the reasons a waiver (豁免) may give.
    rectify_days: dict[str, int]
    waiver_reasons: list[str]

    def target_on(self, indicator: str, on: date) -> Target | None:
        """The target in force on `on`: the earliest deadline on or after it."""
        upcoming = [t for t in self.targets if t.indicator == indicator and t.deadline >= on]
        return min(upcoming, key=lambda t: t.deadline, default=None)

    def last_passed(self, indicator: str, on: date) -> Target | None:
        passed = [t for t in self.targets if t.indicator == indicator and t.deadline < on]
        return max(passed, key=lambda t: t.deadline, default=None)

    def standing_target(self, indicator: str, on: date) -> Target | None:
        """The target judged against on `on`: the one in force, or, when every deadline
        has passed, the last one (full coverage stays the goal after its deadline)."""
        return self.target_on(indicator, on) or self.last_passed(indicator, on)


def load_profile(path: str | Path | None = None) -> Profile:
    if path is None:
        text = _default_text()
        where = "默认口径"
    else:
        where = str(path)
        from .ledger.sources import read_file_bytes

        try:
            text = read_file_bytes(Path(path)).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GovgraphError(f"口径文件 {where} 不是 UTF-8 编码的文本：请用 UTF-8 保存后重试") from None
    try:
        settings = tomllib.loads(text)
        if path is not None:
            settings = overlay_settings(tomllib.loads(_default_text()), settings)
        profile = Profile.model_validate(settings)
    except tomllib.TOMLDecodeError as exc:
        raise GovgraphError(f"口径文件 {where} 不是有效的 TOML：{toml_error_where(exc)}有语法错误") from None
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(map(str, e['loc']))}（{_reason(e)}）" for e in exc.errors())
        raise GovgraphError(f"口径文件 {where} 有误：{problems}") from None
    unknown = sorted({t.indicator for t in profile.targets} - INDICATORS.keys())
    if unknown:
        raise GovgraphError(f"口径文件 {where} 有未知指标：{'、'.join(unknown)}（可选：{'、'.join(INDICATORS)}）")
    return profile


def _default_text() -> str:
    return resources.files("govgraph").joinpath("profiles/default.toml").read_text("utf-8")


@cache
def default_profile() -> Profile:
    """The shipped profile (profiles/default.toml); callers must not change it."""
    return load_profile()


def overlay_settings(base: dict, user: dict) -> dict:
    """A user's profile laid over the default: every setting it gives replaces the
    default's (a table such as `rectify_days` key by key, a list such as `targets` or
    `instructor_tags` as a whole); the rest stays. The default's `name` is not inherited."""
    merged = {k: v for k, v in base.items() if k != "name"}
    for key, value in user.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _reason(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "未知设置项"
    if kind == "missing":
        return "缺少"
    if kind.startswith(("greater", "less")):
        return "超出允许范围"
    return "格式不对"
