"""Serve the app with gunicorn and load it with wrk, both on 127.0.0.1 only.

`Server` starts gunicorn with bench.settings (the production settings plus the
bare view), DJANGO_DEBUG off and ALLOWED_HOSTS=127.0.0.1. `measure` runs wrk for
a fixed time with a fixed number of connections and returns requests/s and
latency percentiles (from wrk's own histogram, via a Lua `done` hook). Without
wrk (and no way to install it), a small threaded Python client is used instead
and the report says so.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class LoadResult:
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # socket errors and non-2xx/3xx answers
    tool: str
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def ensure_wrk() -> str | None:
    """The wrk binary, installing the Debian package if it is missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the app against `database_url` until `stop()`."""

    def __init__(
        self, *, database_url: str, workers: int, log_dir: Path, extra_env: dict[str, str] | None = None
    ) -> None:
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.workers = workers
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            DJANGO_DEBUG="0",
            ALLOWED_HOSTS=HOST,
            LOG_LEVEL="WARNING",
            DB_CONN_MAX_AGE="600",
        )
        env.update(extra_env or {})  # e.g. the mixed-load scenarios' own broker, cache and e-mail folder
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "coordination.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--backlog",
                "256",
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float | None = None) -> None:
        # BENCH_SERVER_WAIT: seconds to wait for the workers (longer on a heavily shared machine).
        timeout = timeout or float(os.environ.get("BENCH_SERVER_WAIT", "300"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}:\n{self.log_path.read_text()[-2000:]}")
            try:
                status, _ = get(self.base_url + "/bench/bare/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on 127.0.0.1 (no redirects followed)."""
    assert url.startswith(f"http://{HOST}:"), "the benchmark only talks to 127.0.0.1"
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", "/" + path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post_json(url: str, payload: dict, timeout: float = 30) -> tuple[int, bytes]:
    assert url.startswith(f"http://{HOST}:"), "the benchmark only talks to 127.0.0.1"
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("POST", "/" + path, body=json.dumps(payload), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


_LUA = r"""
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = id or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%.1f, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def measure(
    base_url: str,
    paths: Sequence[str],
    *,
    headers: dict[str, str] | None = None,
    duration: int = 15,
    connections: int = 4,
    threads: int = 2,
    warmup: int = 2,
) -> LoadResult:
    """Load `paths` (rotated, one per request) for `duration` seconds."""
    assert base_url.startswith(f"http://{HOST}:"), "the benchmark only talks to 127.0.0.1"
    headers = headers or {}
    wrk = ensure_wrk()
    if wrk is None:
        return _measure_python(base_url, paths, headers=headers, duration=duration, connections=connections)
    script = _LUA % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "headers": ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        script_path = f.name
    try:
        threads = max(1, min(threads, connections))

        def run(seconds: int) -> dict:
            cmd = [
                wrk,
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script_path,
                base_url + paths[0],
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
            for line in out.stdout.splitlines():
                if line.startswith("WRKJSON "):
                    return json.loads(line[len("WRKJSON ") :])
            raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")

        if warmup:
            run(warmup)
        data = run(duration)
    finally:
        os.unlink(script_path)
    seconds = data["duration_us"] / 1e6
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return LoadResult(
        path=paths[0] if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)",
        requests=data["requests"],
        seconds=round(seconds, 2),
        rps=round(data["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 1),
        p95_ms=round(data["p95_us"] / 1000, 1),
        p99_ms=round(data["p99_us"] / 1000, 1),
        errors=errors,
        tool=f"wrk -t{threads} -c{connections} -d{duration}s",
        extra={"mean_ms": round(data["mean_us"] / 1000, 1), "non_2xx_3xx": data["status"]},
    )


def _measure_python(
    base_url: str, paths: Sequence[str], *, headers: dict[str, str], duration: int, connections: int
) -> LoadResult:
    """Fallback load generator: `connections` threads doing sequential GETs."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < stop_at:
            i += 1
            t0 = time.perf_counter()
            try:
                status, _ = get(base_url + paths[i % len(paths)], headers)
                ok = status < 400
            except OSError:
                ok = False
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors += 1

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.monotonic() - started
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else 0.0

    return LoadResult(
        path=paths[0],
        requests=len(latencies),
        seconds=round(seconds, 2),
        rps=round(len(latencies) / seconds, 1),
        p50_ms=pct(0.50),
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        errors=errors,
        tool=f"python threads c{connections} {duration}s (wrk unavailable)",
    )
