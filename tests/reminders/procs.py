"""Run the project's own commands in separate processes against a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url_of_test_db() -> str:
    """The URL of the database pytest-django is using now (PostgreSQL test database or SQLite file)."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("postgresql"):
        user = s.get("USER") or "postgres"
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    e.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="coordination.settings",
        JOINEDUP_VAR_DIR=str(var_dir),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(var_dir / "mail"),
        AXES_ENABLED="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    e.update(extra)
    return e


def run_all_at_once(commands: list[list[str]], environ: dict[str, str], timeout: float = 120) -> list[tuple[int, str]]:
    """Start every command before waiting for any, so they overlap; (returncode, output) each."""
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for cmd in commands
    ]
    results = []
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            out, _ = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            raise AssertionError(f"timed out: {out}") from None
        results.append((p.returncode, out))
    return results


def send_reminders(day: str) -> list[str]:
    return [PYTHON, "manage.py", "send_reminders", "--date", day]


def emails_in(mail_dir: Path) -> list[str]:
    """Every message the filebased backend wrote (one file per connection, messages separated by a rule)."""
    if not mail_dir.exists():
        return []
    messages = []
    for f in sorted(mail_dir.iterdir()):
        for chunk in f.read_text().split("-" * 79):
            if "Subject:" in chunk:
                messages.append(chunk)
    return messages


class Worker:
    """A real `celery -A coordination worker` process (solo pool: the task runs in the main process)."""

    def __init__(self, environ: dict[str, str], name: str) -> None:
        self.log = Path(environ["JOINEDUP_VAR_DIR"]) / f"{name}.log"
        self.proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "coordination",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=environ,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        wait_for(lambda: "ready." in self.log.read_text(), timeout, f"worker not ready: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no ack, no restore of the message it was working on."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def wait_for(condition: Callable[[], bool], timeout: float, message: str = "condition not met") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)
