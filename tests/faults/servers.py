"""Real processes for the fault tests: gunicorn serving a database the test's processes seeded,
a client that signs in as a browser and as an API caller would, and a way to end the app's
database connections as a PostgreSQL restart or fail-over does."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from tests.reminders import procs

GUNICORN = str(Path(procs.PYTHON).with_name("gunicorn"))
PASSWORD = "a-long-password-1"  # tests/reminders/seed_procs.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn coordination.wsgi` with one sync worker, as the issue's operator ran it."""

    def __init__(self, environ: dict[str, str], name: str = "web") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(environ["JOINEDUP_VAR_DIR"]) / f"{name}.log"
        self.proc = subprocess.Popen(
            [GUNICORN, "coordination.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
            + ["--timeout", "120", "--no-control-socket"],
            cwd=procs.ROOT,
            env=environ,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=5) as r:  # noqa: S310
                    return r.status == 200
            except OSError:
                return False

        procs.wait_for(answers, timeout, f"gunicorn not ready: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Client:
    """One signed-in professional: a browser session (cookies, CSRF) and an API token."""

    base: str
    token: str = ""
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None, *, api: bool = False) -> Answer:
        headers = {"Accept": "application/json"} if api else {"Accept": "text/html"}
        body = None
        if api:
            if self.token:
                headers["Authorization"] = f"Token {self.token}"
            if data is not None:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        elif data is not None:
            csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=60) as r:
                return Answer(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, dict(e.headers), e.read())

    def sign_in(self, username: str) -> None:
        page = self.request("GET", "/accounts/login/")
        assert page.status == 200, page
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert csrf
        answer = self.request("POST", "/accounts/login/", {"username": username, "password": PASSWORD})
        assert answer.status == 302, answer
        token = self.request("POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, api=True)
        assert token.status == 200, token
        self.token = token.json()["token"]


def terminate_backends(database_url: str) -> int:
    """What a PostgreSQL restart or fail-over does to the app: every connection to its database ends."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg2.connect(database_url) as con, con.cursor() as c:
        c.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return c.fetchone()[0]


def wait_until_gone(database_url: str, timeout: float = 10) -> None:
    name = database_url.rsplit("/", 1)[1]

    def none_left() -> bool:
        with psycopg2.connect(database_url) as con, con.cursor() as c:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
            return c.fetchone()[0] == 0

    procs.wait_for(none_left, timeout, "backends still there")
    time.sleep(0.1)


class RedisServer:
    """A redis-server of the test's own on a free port (never the machine's), stopped and started
    again on the same port to take the broker away and bring it back."""

    def __init__(self, var_dir: Path) -> None:
        self.port = free_port()
        self.var_dir = var_dir
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.var_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        procs.wait_for(answers, 10, "redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class Beat:
    """A real `celery -A coordination beat` process."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.log = Path(environ["JOINEDUP_VAR_DIR"]) / "beat.log"
        self.proc = subprocess.Popen(
            [procs.CELERY, "-A", "coordination", "beat", "-l", "INFO"],
            cwd=procs.ROOT,
            env=environ,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
