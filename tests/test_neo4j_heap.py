"""The Neo4j launcher's default heap is sized from the machine (issue 16, item 10): 40%
of its memory within 1–8 GB. No server is started: the command line is checked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j_server.py"


@pytest.fixture(scope="module")
def launcher():
    spec = importlib.util.spec_from_file_location("govgraph_neo4j_server_heap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("memory_mb, heap", [
    (2048, "1024m"),  # a small machine: never below 1 GB
    (4096, "1638m"),
    (8192, "3276m"),
    (16384, "6553m"),
    (65536, "8192m"),  # a big one: at most 8 GB
    (None, None),  # this machine
])
def test_default_heap_is_forty_percent_within_bounds(launcher, memory_mb, heap):
    if memory_mb is None:
        memory_mb = launcher.machine_memory_mb()
        assert memory_mb and memory_mb > 256
        heap = f"{max(1024, min(8192, int(memory_mb * 0.4)))}m"
    assert launcher.default_heap(memory_mb) == heap


def test_unreadable_memory_means_one_gigabyte(launcher, monkeypatch):
    monkeypatch.setattr(launcher, "machine_memory_mb", lambda: None)
    assert launcher.default_heap() == "1024m"


def test_the_jvm_gets_the_default_unless_told(launcher, tmp_path):
    command = launcher.java_command(7687, tmp_path)
    assert f"-Xmx{launcher.default_heap()}" in command
    assert "-Xmx3g" in launcher.java_command(7687, tmp_path, heap="3g")
    assert sum(1 for part in command if part.startswith("-Xmx")) == 1
