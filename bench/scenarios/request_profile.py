"""Where each endpoint's time goes: one request at a time, in-process (Django's test
client, no HTTP server), against the seeded world. Query count, median wall and CPU
time, database time, and the EXPLAIN ANALYZE of each endpoint's slowest query, so a
missed target in http_endpoints comes with its cause."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.scenarios import Context, Section, scenario
from bench.scenarios.http_endpoints import ENDPOINTS

REPEAT = 15


def _explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


@scenario("request_profile", needs_server=False, order=20)
def request_profile(ctx: Context) -> Section:
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.get(pk=ctx.viewer.user_id)
    client = Client()
    client.force_login(user)
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"token": {"HTTP_AUTHORIZATION": f"Token {token.key}"}, "session": {}}
    section = Section(
        title=f"Per-request profile at {ctx.size:,} cases (in-process, one request at a time)",
        columns=["endpoint", "status", "queries", "wall ms (median)", "CPU ms (median)", "SQL ms", "bytes"],
    )
    bare = ("bare", "Bare Django JSON view `GET /bench/bare/`", lambda ctx: ["/bench/bare/"], None)
    for key, label, paths_of, auth in [bare, *ENDPOINTS]:
        paths = paths_of(ctx)
        extra = headers[auth or "session"]
        response = client.get(paths[0], **extra)
        if response.status_code != 200:
            section.rows.append([label, response.status_code, "", "", "", "", ""])
            continue
        walls, cpus = [], []
        for i in range(REPEAT):
            w0, c0 = time.perf_counter(), time.process_time()
            client.get(paths[i % len(paths)], **extra)
            walls.append((time.perf_counter() - w0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(paths[0], **extra)
        queries: list[dict[str, Any]] = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        section.rows.append(
            [
                label,
                response.status_code,
                len(queries),
                round(statistics.median(walls), 1),
                round(statistics.median(cpus), 1),
                round(sql_ms, 1),
                len(response.content),
            ]
        )
        section.data[key] = {
            "queries": len(queries),
            "wall_ms": statistics.median(walls),
            "cpu_ms": statistics.median(cpus),
            "sql_ms": sql_ms,
        }
        slowest = max(queries, key=lambda q: float(q["time"]), default=None)
        if slowest and slowest["sql"].lstrip().upper().startswith("SELECT"):
            plan = _explain(slowest["sql"])
            section.notes.append(
                f"{label}: slowest query ({float(slowest['time']) * 1000:.1f} ms):\n\n```\n{slowest['sql'][:1500]}\n\n"
                + "\n".join(plan[:40])
                + "\n```"
            )
    section.notes.insert(
        0,
        "CPU ms is this process only (Django + driver); SQL ms is the database time of one captured "
        "request. An endpoint's CPU ms over the bare view's bounds its throughput ratio whatever the "
        "queries do.",
    )
    return section
