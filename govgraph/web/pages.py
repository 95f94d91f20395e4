"""The list pages (问题清单, 空白小区, 指导员选派, person, path) and the pages that move
data (导入, 下载)."""

from __future__ import annotations


NAV: list[tuple[str, str]] = []  # (path, menu word) of the pages below


def routes(bench, render, max_upload):
    return []
