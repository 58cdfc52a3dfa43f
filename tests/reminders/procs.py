"""Run the project's own commands in separate processes against a real database."""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


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


def broker_env(database_url: str, var_dir: Path, broker_url: str, **extra: str) -> dict[str, str]:
    """env() on a Redis broker that gives a dead worker's unacknowledged messages back within seconds."""
    return env(
        database_url,
        var_dir,
        CELERY_BROKER_URL=broker_url,
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        **extra,
    )


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


class ProcDB:
    """A database used only by separate processes (commands, workers): a SQLite file, or a
    PostgreSQL database cloned from a migrated, seeded template. Independent of the database
    pytest itself uses, so these tests run the same whichever that is."""

    POSTGRES = os.environ.get("REMINDER_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # one template per pytest-xdist worker
    # Named after the worktree and the suite's own database too: two runs on one machine (another
    # checkout, or the SQLite and PostgreSQL suites at once) never clone each other's template.
    _SUITE = re.sub(
        r"[^a-z0-9]+", "_", f"{ROOT.name}_{os.environ.get('DATABASE_URL', 'sqlite').rsplit('/', 1)[-1]}".lower()
    )[-28:]
    TEMPLATE = f"ju_reminders_procs_template_{_SUITE}_{WORKER}"
    SEEDED = 12  # milestones in the seeded world, all due in 7 days

    def __init__(self, backend: str, tmp_path: Path, name: str) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        if backend == "sqlite":
            self.path = tmp_path / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"{name}_{self.WORKER}"
            self.url = self.POSTGRES.rsplit("/", 1)[0] + "/" + self.name

    def _admin(self):  # type: ignore[no-untyped-def]

        conn = psycopg2.connect(self.POSTGRES)
        conn.autocommit = True
        return conn

    def _prepare_fresh(self, url: str) -> str:
        environ = env(url, self.tmp_path)
        migrate = [PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"]
        ((code, out),) = run_all_at_once([migrate], environ, 600)
        assert code == 0, out
        ((code, out),) = run_all_at_once([[PYTHON, "-m", "tests.reminders.seed_procs", str(self.SEEDED)]], environ)
        assert code == 0, out
        return out.strip().splitlines()[-1]

    def prepare(self) -> datetime.date:
        """Migrate and seed; the seeding day (milestones fall due 7 days later)."""
        if self.backend == "sqlite":
            return datetime.date.fromisoformat(self._prepare_fresh(self.url))
        stamp = self.tmp_path.parent / f"{self.TEMPLATE}.date"
        conn = self._admin()
        with conn.cursor() as c:
            c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.TEMPLATE])
            fresh = c.fetchone() is None or not stamp.exists()
            if fresh:  # once per test session: migrate and seed the template
                c.execute(f'DROP DATABASE IF EXISTS "{self.TEMPLATE}"')
                c.execute(f'CREATE DATABASE "{self.TEMPLATE}"')
                stamp.write_text(self._prepare_fresh(self.url.rsplit("/", 1)[0] + "/" + self.TEMPLATE))
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            c.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.TEMPLATE}"')
        conn.close()
        return datetime.date.fromisoformat(stamp.read_text())

    def count(self, sql: str) -> int:
        if self.backend == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path) as con:
                return con.execute(sql).fetchone()[0]
        with psycopg2.connect(self.url) as con, con.cursor() as c:
            c.execute(sql)
            return c.fetchone()[0]

    def drop(self) -> None:
        if self.backend == "sqlite":
            return
        conn = self._admin()
        with conn.cursor() as c:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.name],
            )
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        conn.close()
