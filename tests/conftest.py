"""Shared fixtures: a fresh embedded store, a CLI runner, small ledgers written on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govgraph.cli.main import cli
from govgraph.store.sqlite import SqliteStore

TESTS = Path(__file__).parent
ACCEPTANCE = TESTS / "acceptance"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def store(db_path):
    s = SqliteStore(db_path)
    yield s
    s.close()


@pytest.fixture
def run(db_path, monkeypatch):
    """Invoke the real CLI on the test's own database; returns the click Result."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("GOVGRAPH_DEBUG", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


def write_ledger_files(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    """Write {file name: CSV text} into `folder` (dedented, trailing blank lines dropped)."""
    import textwrap

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(textwrap.dedent(text).strip("\n").encode(encoding) + b"\n")
    return folder


@pytest.fixture
def make_ledger(tmp_path):
    counter = iter(range(1000))

    def make(files: dict[str, str], encoding: str = "utf-8") -> Path:
        return write_ledger_files(tmp_path / f"ledger{next(counter)}", files, encoding)

    return make


def pytest_terminal_summary(terminalreporter):
    """The bad-input suite (tests/test_bad_input.py) reports how many classes it ran."""
    results = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
               if r.when == "call" and "test_bad_input.py::test_bad_input[" in r.nodeid]
    if results:
        failed = sum(1 for r in results if r.failed)
        terminalreporter.write_line(f"bad-input classes: {len(results)} run, {len(results) - failed} passed, {failed} failed")
