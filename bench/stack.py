"""The production shape on one machine for the mixed-load scenarios: a redis-server of the
benchmark's own (its own port, never the machine's 6379, so stopping it touches nobody else), a
real `celery -A coordination worker` and `celery -A coordination beat`, and the CPU time each
process used (from /proc), so cost per request can be read on a machine shared with other work.
gunicorn itself is bench.load.Server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CELERY = str(Path(sys.executable).parent / "celery")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(message)


class RedisServer:
    """redis-server on a free port with its own data folder, append-only file on (as in
    docker-compose.yml), stopped (SIGTERM) and started again on the same port."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--appendonly", "yes", "--save", ""]
            + ["--dir", str(self.data_dir)],
            stdout=(self.data_dir / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.answers, 15, "redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None


class Celery:
    """`celery -A coordination worker|beat` with its own log file, in its own process group."""

    def __init__(self, role: str, environ: dict[str, str], log_dir: Path, *args: str) -> None:
        self.role = role
        self.log = log_dir / f"{role}.log"
        self.proc = subprocess.Popen(
            [CELERY, "-A", "coordination", role, "-l", "INFO", *args],
            cwd=ROOT,
            env=environ,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        marker = "ready." if self.role == "worker" else "beat: Starting"
        wait_for(lambda: marker in self.log.read_text(), timeout, f"{self.role} not ready: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def process_tree(pid: int) -> list[int]:
    """pid and every descendant still running."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each running pid (children already reaped included)."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[11:15] = utime, stime, cutime, cstime (fields 14-17 of proc(5))
        out[pid] = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return out
