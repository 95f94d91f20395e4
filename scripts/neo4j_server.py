#!/usr/bin/env python3
"""Build, start and stop a real Neo4j Community 5.26 server for govgraph.

The server is the small Java program in ``neo4j-launcher/`` that embeds the
Neo4j DBMS and serves Bolt on 127.0.0.1. Standard library only.

Command line::

    python3 scripts/neo4j_server.py build
    python3 scripts/neo4j_server.py start --port 7687 --data /tmp/neo4j-home \
        [--heap 3g] [--pagecache 256m] [--pidfile F] [--logfile F] [--timeout 300]

The default heap is sized from the machine: 40% of its memory (or of the container's
limit), at least 1 GB and at most 8 GB (``default_heap``). Loads are written in batches
of 20,000 rows (docs/design.md); when a load was one transaction, a 1 GB heap could not
replace one city's ledger with another (out of memory after 96 s).
    python3 scripts/neo4j_server.py stop --pidfile F      (or: stop --data DIR)

From Python (e.g. a pytest session fixture that loads this file with importlib)::

    srv = neo4j_server.start(free_port(), tmp_dir)
    ...  # connect to srv.uri with auth srv.auth
    srv.stop()

The ``neo4j`` user's password comes from NEO4J_PASSWORD (default
"govgraph-test"). GOVGRAPH_MAVEN_REPO, if set, is passed to Maven as
-Dmaven.repo.local; MAVEN_OPTS is honoured by mvn itself. Extra JVM options may
be given in GOVGRAPH_NEO4J_JAVA_OPTS.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAUNCHER_DIR = REPO_ROOT / "neo4j-launcher"
TARGET_DIR = LAUNCHER_DIR / "target"
JAR = TARGET_DIR / "neo4j-launcher.jar"
LIB_DIR = TARGET_DIR / "lib"
MAIN_CLASS = "govgraph.launcher.Neo4jLauncher"
READY_MARKER = "GOVGRAPH-NEO4J READY "
DEFAULT_PASSWORD = "govgraph-test"

# The same module openings and netty flag as the stock neo4j.conf.
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-XX:+ExitOnOutOfMemoryError",
]


# The default heap: this share of the machine's memory, within these bounds (MiB).
HEAP_SHARE = 0.4
HEAP_MIN_MB = 1024
HEAP_MAX_MB = 8 * 1024


def machine_memory_mb() -> int | None:
    """The memory this process may use, in MiB: the physical memory, or the cgroup's
    limit when a container sets a lower one; None when neither can be read."""
    found = []
    try:
        found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            text = Path(limit).read_text().strip()
            if text != "max" and int(text) < 1 << 60:  # cgroup v1 writes a huge number for none
                found.append(int(text))
    return min(found) // (1 << 20) if found else None


def default_heap(memory_mb: int | None = None) -> str:
    """The JVM heap (-Xmx) when none is given: 40% of the machine's memory, clamped to
    1–8 GB; 1 GB when the memory cannot be read."""
    memory_mb = machine_memory_mb() if memory_mb is None else memory_mb
    if not memory_mb:
        return f"{HEAP_MIN_MB}m"
    return f"{max(HEAP_MIN_MB, min(HEAP_MAX_MB, int(memory_mb * HEAP_SHARE)))}m"


class Neo4jServerError(RuntimeError):
    """Build or start-up failed."""


def password() -> str:
    """The password the launcher sets for user neo4j."""
    return os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- build


def _needs_build() -> bool:
    if not JAR.is_file() or not LIB_DIR.is_dir() or not any(LIB_DIR.glob("*.jar")):
        return True
    built = JAR.stat().st_mtime
    sources = [LAUNCHER_DIR / "pom.xml", *(LAUNCHER_DIR / "src").rglob("*")]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def build(force: bool = False) -> Path:
    """Run Maven if the launcher jar is missing or older than its sources.

    Returns the jar's path. Safe to call from several processes at once.
    """
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    with open(TARGET_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # serialise concurrent builds
        if not force and not _needs_build():
            return JAR
        cmd = ["mvn", "-q", "-B", "-ntp", "package", "-DskipTests"]
        repo = os.environ.get("GOVGRAPH_MAVEN_REPO")
        if repo:
            cmd.append(f"-Dmaven.repo.local={repo}")
        result = subprocess.run(cmd, cwd=LAUNCHER_DIR, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        if result.returncode != 0 or not JAR.is_file():
            raise Neo4jServerError(
                f"maven build failed ({result.returncode}): {shlex.join(cmd)}\n{result.stdout[-5000:]}"
            )
        JAR.touch()  # Maven may leave an up-to-date jar untouched
    return JAR


# ---------------------------------------------------------------- process helpers


def _is_launcher(pid: int) -> bool:
    """True if pid is a live (non-zombie) launcher JVM."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z" and MAIN_CLASS.encode() in cmdline


def _reap(pid: int) -> None:
    """Collect the exit status if pid is our own child (avoids zombies)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop_pid(pid: int, timeout: float = 60.0) -> bool:
    """SIGTERM the launcher, wait up to timeout seconds, then SIGKILL its group.

    Returns True if it stopped on SIGTERM, False if it had to be killed (or was
    not running).
    """
    if not _is_launcher(pid):
        _reap(pid)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not _is_launcher(pid):
            return True
        time.sleep(0.2)
    # The launcher leads its own process group (start_new_session=True).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    time.sleep(0.2)
    _reap(pid)
    return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log file)"


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


# ---------------------------------------------------------------- start / stop


class ServerHandle:
    """A running launcher JVM."""

    def __init__(self, port: int, pid: int, data_dir: Path, logfile: Path, pidfile: Path | None):
        self.port = port
        self.pid = pid
        self.data_dir = data_dir
        self.logfile = logfile
        self.pidfile = pidfile
        self.uri = f"bolt://127.0.0.1:{port}"
        self.user = "neo4j"
        self.password = password()
        self.auth = (self.user, self.password)
        self.process: subprocess.Popen | None = None  # set when started by this process

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (SIGTERM, then SIGKILL after timeout)."""
        clean = stop_pid(self.pid, timeout)
        if self.process is not None:
            self.process.poll()  # record the exit status
        if self.pidfile is not None:
            with contextlib.suppress(FileNotFoundError):
                self.pidfile.unlink()
        return clean

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ServerHandle(uri={self.uri!r}, pid={self.pid}, data_dir={str(self.data_dir)!r})"


def java_command(port: int, data: Path, heap: str | None = None, pagecache: str = "256m") -> list[str]:
    """The command line of the launcher JVM."""
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    return [
        java,
        f"-Xmx{heap or default_heap()}",
        *JVM_FLAGS,
        *shlex.split(os.environ.get("GOVGRAPH_NEO4J_JAVA_OPTS", "")),
        "-cp",
        f"{JAR}{os.pathsep}{LIB_DIR}/*",
        MAIN_CLASS,
        "--port", str(port),
        "--home", str(data),
        "--pagecache", pagecache,
    ]


def start(
    port: int,
    data_dir: str | os.PathLike,
    heap: str | None = None,
    pagecache: str = "256m",
    pidfile: str | os.PathLike | None = None,
    logfile: str | os.PathLike | None = None,
    timeout: float = 300.0,
) -> ServerHandle:
    """Build if needed, start the server in the background and wait until ready.

    data_dir is the Neo4j home (created if missing; reuse it to keep the data).
    heap is the JVM's -Xmx; by default sized from the machine (default_heap).
    The JVM's stdout and stderr go to logfile (default DATA/neo4j-launcher.log).
    Raises Neo4jServerError with the log tail if it is not ready within timeout.
    """
    build()
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    log = Path(logfile).resolve() if logfile else data / "neo4j-launcher.log"
    pid_path = Path(pidfile).resolve() if pidfile else None
    if _port_open(port):
        raise Neo4jServerError(f"port {port} on 127.0.0.1 is already in use")

    cmd = java_command(port, data, heap, pagecache)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group; survives our exit
            env={**os.environ, "NEO4J_PASSWORD": password()},
        )
    if pid_path is not None:
        pid_path.parent.mkdir(parents=True, exist_ok=True)
        pid_path.write_text(f"{proc.pid}\n")
    handle = ServerHandle(port, proc.pid, data, log, pid_path)
    handle.process = proc

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            handle.stop()
            raise Neo4jServerError(
                f"neo4j launcher exited with code {proc.returncode}; log {log}:\n{_tail(log)}"
            )
        with contextlib.suppress(FileNotFoundError):
            if READY_MARKER in log.read_text(errors="replace") and _port_open(port):
                return handle
        time.sleep(0.25)
    handle.stop(timeout=10)
    raise Neo4jServerError(f"neo4j not ready after {timeout:.0f} s; log {log}:\n{_tail(log)}")


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="build the launcher (only if needed)")
    p_build.add_argument("--force", action="store_true", help="rebuild even if up to date")

    p_start = sub.add_parser("start", help="start a server in the background")
    p_start.add_argument("--port", type=int, required=True)
    p_start.add_argument("--data", required=True, help="Neo4j home/data directory")
    p_start.add_argument("--heap", default=None,
                         help=f"JVM -Xmx (default: 40%% of memory within 1-8 GB, here {default_heap()})")
    p_start.add_argument("--pagecache", default="256m", help="page cache size (default 256m)")
    p_start.add_argument("--pidfile", help="default: DATA/neo4j.pid")
    p_start.add_argument("--logfile", help="default: DATA/neo4j-launcher.log")
    p_start.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (default 300)")

    p_stop = sub.add_parser("stop", help="stop a server started with 'start'")
    p_stop.add_argument("--pidfile", help="pid file written by 'start'")
    p_stop.add_argument("--data", help="use DATA/neo4j.pid as the pid file")
    p_stop.add_argument("--timeout", type=float, default=60.0, help="seconds before SIGKILL (default 60)")

    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(build(force=args.force))
        elif args.command == "start":
            pidfile = args.pidfile or Path(args.data) / "neo4j.pid"
            handle = start(args.port, args.data, heap=args.heap, pagecache=args.pagecache,
                           pidfile=pidfile, logfile=args.logfile, timeout=args.timeout)
            print(handle.uri)
        else:
            if not (args.pidfile or args.data):
                parser.error("stop needs --pidfile or --data")
            pidfile = Path(args.pidfile or Path(args.data) / "neo4j.pid")
            try:
                pid = int(pidfile.read_text().split()[0])
            except (FileNotFoundError, IndexError, ValueError):
                print(f"no valid pid file at {pidfile}; nothing to stop", file=sys.stderr)
                return 0
            clean = stop_pid(pid, args.timeout)
            pidfile.unlink(missing_ok=True)
            print("stopped" if clean else "not running or killed", file=sys.stderr)
    except Neo4jServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
