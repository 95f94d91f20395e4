"""What the CLI says when output cannot go where it was asked to, when its output pipe
closes, and when the operating system refuses: one Chinese line, no English, no
traceback, and nothing created that the user did not ask for (issue 16, item 9)."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_ledger_files
from small_ledger import SMALL

from govgraph.errors import os_error_reason


@pytest.fixture
def loaded(run, tmp_path):
    assert run("load", str(write_ledger_files(tmp_path / "ledger", SMALL))).exit_code == 0


def _refused(result, *parts):
    assert result.exit_code == 2, result.output
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


# -- output pipe closed (`| head`) --------------------------------------------------------
def test_a_closed_pipe_ends_quietly(db_path, run, loaded):
    for args in (["coverage", "--level", "compound"], ["show", "C1"], ["coverage", "--format", "json"]):
        proc = subprocess.Popen([sys.executable, "-c", "from govgraph.cli.main import main; main()",
                                 "--db", str(db_path), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # the reader is gone before anything is written
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, err
        assert err == ""


# -- where output goes --------------------------------------------------------------------
def test_export_onto_a_file_says_so(run, loaded, tmp_path):
    (tmp_path / "afile").write_text("x")
    _refused(run("export", str(tmp_path / "afile")), "已经是一个文件", ".xlsx")
    _refused(run("export", str(tmp_path / "afile" / "sub")), "afile 是一个文件，不是文件夹")
    _refused(run("export", str(tmp_path / "afile" / "x.xlsx")), "afile 是一个文件，不是文件夹")
    assert (tmp_path / "afile").read_text() == "x"


def test_export_into_a_folder_with_other_files_refuses(run, loaded, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "备注.txt").write_text("x")
    (folder / "小区.csv").write_text("id,name\nC9,旧小区\n")
    _refused(run("export", str(folder)), "已有其他文件（备注.txt、小区.csv）", "未导出")
    assert sorted(p.name for p in folder.iterdir()) == ["备注.txt", "小区.csv"]


def test_export_again_into_its_own_folder_replaces_it(run, loaded, tmp_path):
    assert run("export", str(tmp_path / "out")).exit_code == 0
    (tmp_path / "out" / "firms.csv").write_text("id,name\n")
    assert run("export", str(tmp_path / "out")).exit_code == 0
    assert "F1" in (tmp_path / "out" / "firms.csv").read_text("utf-8-sig")


@pytest.mark.parametrize("args", [
    ["coverage", "--format", "csv", "-o", "{missing}/x.csv"],
    ["coverage", "--format", "xlsx", "-o", "{missing}/x.xlsx"],
    ["audit", "--format", "markdown", "-o", "{missing}/x.md"],
    ["export", "{missing}/ledger"],
    ["export", "{missing}/ledger.xlsx"],
    ["template", "{missing}/模板.xlsx"],
    ["report", "-o", "{missing}/报告.html"],
    ["chart", "M1", "-o", "{missing}/架构图.png"],
], ids=lambda a: "-".join(a[:3]))
def test_no_folder_is_created_silently(run, loaded, tmp_path, args, monkeypatch):
    from govgraph.charts import fonts

    # As on a machine's first use: a drawing command must refuse before preparing the font.
    monkeypatch.setattr(fonts, "is_ready", lambda: False)
    monkeypatch.setattr(fonts, "register", lambda: None)
    missing = tmp_path / "no" / "such"
    result = run(*[a.format(missing=missing) for a in args])
    _refused(result, f"文件夹 {missing} 不存在", "不会自动创建文件夹")
    assert not (tmp_path / "no").exists()


def test_output_under_a_file(run, loaded, tmp_path):
    (tmp_path / "afile").write_text("x")
    _refused(run("coverage", "-o", str(tmp_path / "afile" / "x.csv")), "afile 是一个文件，不是文件夹")


# -- operating-system errors in Chinese ----------------------------------------------------
@pytest.mark.parametrize("code", sorted({getattr(errno, n) for n in dir(errno) if n.startswith("E")} | {0}))
def test_os_errors_are_chinese(code):
    reason = os_error_reason(OSError(code, "Some English text from the system"))
    assert not re.search(r"[A-Za-z]", reason), reason


def test_a_failed_write_is_chinese(run, loaded, tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError(errno.ELOOP, "Too many levels of symbolic links", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    err = _refused(run("coverage", "-o", str(tmp_path / "x.csv")), "无法写入", "符号链接循环")
    assert "Too many" not in err


# -- store messages: no driver class name, no English --------------------------------------
@pytest.mark.parametrize("name", ["ClientError", "TransientError", "DatabaseError", "ServiceUnavailable",
                                  "IncompleteCommit", "DriverError", "SessionExpired"])
@pytest.mark.parametrize("action", ["connect", "schema", "read", "write"])
def test_neo4j_store_messages_name_no_driver_class(name, action):
    from types import SimpleNamespace

    from neo4j import exceptions as neo4j_errors

    from govgraph.store.neo4j import Neo4jStore

    exc = getattr(neo4j_errors, name)("Some English from the driver")
    store = SimpleNamespace(uri="bolt://127.0.0.1:7687", _password_missing=False, database="neo4j")
    store._reason = lambda e: Neo4jStore._reason(store, e)
    message = str(Neo4jStore._error(store, exc, action))
    assert name not in message and "English" not in message and "Error" not in message, message


def test_sqlite_write_failure_names_no_class(store, monkeypatch):
    import sqlite3

    from govgraph.errors import StoreError
    from govgraph.graph import GraphData
    from govgraph.store.base import LoadRecord

    class Refusing:  # a connection whose every statement fails as a full disk does
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                error = sqlite3.OperationalError("database or disk is full")
                error.sqlite_errorname = "SQLITE_FULL"
                raise error
            return fail

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(store, "conn", Refusing())
    with pytest.raises(StoreError) as failure:
        store.replace_all(GraphData(), LoadRecord("2024-06-30T12:00:00+08:00", "x", "replace", 0, 0, 0, 0, 0, 0))
    message = str(failure.value)
    assert "磁盘空间不足" in message and "OperationalError" not in message and "disk" not in message, message
