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

from bench.scenarios import Check, Context, Section, scenario
from bench.scenarios.http_endpoints import ENDPOINTS, SCALING_TARGET

REPEAT = 30


def summarize(sections: dict[int, dict[str, Any]]) -> Section | None:
    """Cost scaling from CPU time per request: unlike throughput on a shared machine it
    hardly moves with other work, so it resolves a 10 % change that wrk cannot."""
    sizes = sorted(sections)
    if len(sizes) < 2:
        return None
    small, large = sizes[0], sizes[-1]
    section = Section(
        title="Cost scaling: CPU time per request at each size (in-process)",
        columns=[
            "endpoint",
            f"queries @ {small:,}",
            f"queries @ {large:,}",
            f"CPU ms @ {small:,}",
            f"CPU ms @ {large:,}",
            "scaling (CPU small / CPU large)",
        ],
    )
    for key, label, _, _ in ENDPOINTS:
        a = sections[small]["data"].get(key)
        b = sections[large]["data"].get(key)
        if not a or not b:
            continue
        scaling = round(a["cpu_ms"] / b["cpu_ms"], 3) if b["cpu_ms"] else 0.0
        section.rows.append([label, a["queries"], b["queries"], round(a["cpu_ms"], 2), round(b["cpu_ms"], 2), scaling])
        section.checks.append(
            Check(
                f"{key}: CPU cost at {small:,} / at {large:,} cases (supplementary to the throughput check)",
                f">= {SCALING_TARGET} and same query count",
                f"{scaling}, {a['queries']} vs {b['queries']} queries",
                scaling >= SCALING_TARGET and a["queries"] == b["queries"],
            )
        )
    section.notes.append(
        "CPU also follows what a request renders, and each world has its own viewer with their own "
        "cases (the profile tables' bytes column gives the first case page of each): a larger case "
        "page in the larger world reads here as worse scaling although the query count is the same."
    )
    return section


def _explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


@scenario("request_profile", needs_server=False, summarize=summarize, order=20)
def request_profile(ctx: Context) -> Section:
    from agencies.models import ApiToken

    user = get_user_model().objects.get(pk=ctx.viewer.user_id)
    from bench.signin import signed_in

    client = signed_in(Client(), user)
    _, key = ApiToken.objects.create(user=user, name="bench")
    headers = {"token": {"HTTP_AUTHORIZATION": f"Token {key}"}, "session": {}}
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
