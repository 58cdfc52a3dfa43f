"""Issue 14: 200 people at once. Simulated users against the gunicorn under test, on 127.0.0.1:
professionals reading My work, case pages and records, writing records and completing milestones,
and the person reading their portal (`/portal/`), each with a think time between requests.

Bounded: BENCH_MIXED_USERS (200) users for BENCH_MIXED_SECONDS (300) seconds, at one world size
(BENCH_MIXED_SIZE, default the largest run). Reports every endpoint's p50 and p99, errors (any
answer but 2xx, or no answer), throughput per core, and the longest lock wait seen by sampling
pg_stat_activity every 0.2 s. The variant with the broker stopped for the middle minute is not
built yet."""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import threading
import time
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from bench.load import HOST
from bench.scenarios import Check, Context, Section, scenario
from bench.seed import BENCH_PASSWORD

USERS = int(os.environ.get("BENCH_MIXED_USERS", "200"))
SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "300"))
THINK_MS = int(os.environ.get("BENCH_MIXED_THINK_MS", "1000"))
PORTAL_SHARE = 20  # one simulated user in 20 is the person reading their portal
LOCK_WAIT_TARGET_S = 1.0

# (endpoint, weight) of a professional's next request
MIX = [("my_work", 25), ("case_page", 25), ("records_api", 20), ("record_write", 15), ("milestone_complete", 10)]


def _portal_login(ctx: Context) -> str:
    """A portal login for a person on one of the viewer's cases (created once, kept on --reuse)."""
    from cases import services as case_services
    from cases.models import Case

    username = "bench_portal_person"
    user_model = get_user_model()
    if not user_model.objects.filter(username=username).exists():
        admin = user_model.objects.filter(is_superuser=True).first() or user_model.objects.create_superuser(
            "bench_admin", "bench-admin@example.org", BENCH_PASSWORD
        )
        case = Case.objects.get(pk=ctx.viewer.case_ids[0])
        person = case.people.filter(user__isnull=True).first()
        assert person is not None, "no person without a portal login on the viewer's first case"
        case_services.person_portal_account_create(
            person=person, username=username, password=BENCH_PASSWORD, actor=admin
        )
    return username


def _open_milestones(ctx: Context) -> list[str]:
    from plans.models import ItemStatus, Milestone

    return [
        str(pk)
        for pk in Milestone.objects.filter(accountable_id=ctx.viewer.professional_id, status=ItemStatus.OPEN)
        .order_by("due_date")
        .values_list("pk", flat=True)
    ]


def _writable_cases(ctx: Context) -> list[str]:
    """The viewer's cases they may write records on (the gate's CONTRIBUTE right)."""
    from django.core.exceptions import PermissionDenied

    from cases.selectors import CONTRIBUTE, get_case_for

    user = get_user_model().objects.get(pk=ctx.viewer.user_id)
    writable = []
    for case_id in ctx.viewer.case_ids:
        try:
            get_case_for(user=user, case_id=case_id, perm=CONTRIBUTE)
        except PermissionDenied:
            continue
        writable.append(str(case_id))
    return writable


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, endpoint: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latency[endpoint].append(seconds)
            self.statuses[endpoint][status] += 1
            if not 200 <= status < 300:
                self.errors[endpoint] += 1


def _request(port: int, method: str, path: str, headers: dict[str, str], body: Any = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        data = None
        if body is not None:
            data = json.dumps(body)
            headers = {**headers, "Content-Type": "application/json"}
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _session_cookie(username: str) -> str:
    """A signed-in session for the portal user, stored where the server reads sessions."""
    from django.test import Client

    from bench.signin import signed_in

    client = signed_in(Client(), get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


def _sample_lock_waits(stop: threading.Event, out: dict[str, float]) -> None:
    """Longest wait on a lock seen in pg_stat_activity (its state_change while waiting)."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        while not stop.is_set():
            cursor.execute(
                "SELECT count(*), coalesce(max(extract(epoch FROM now() - state_change)), 0) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waiting, longest = cursor.fetchone()
            out["samples"] += 1
            out["waiting_max"] = max(out["waiting_max"], waiting)
            out["longest_s"] = max(out["longest_s"], float(longest))
            stop.wait(0.2)
    connections["default"].close()


@scenario("mixed_load", needs_server=True, order=40)
def mixed_load(ctx: Context) -> Section | None:
    wanted = int(os.environ.get("BENCH_MIXED_SIZE", "0")) or None
    if wanted is not None and ctx.size != wanted:
        return None
    if wanted is None and ctx.size < 100_000:
        return None
    assert ctx.server_url and ctx.server_url.startswith(f"http://{HOST}:")
    port = int(ctx.server_url.rsplit(":", 1)[1])
    portal_session = _session_cookie(_portal_login(ctx))
    milestones = _open_milestones(ctx)
    writable = _writable_cases(ctx)
    milestone_lock = threading.Lock()
    connection.close()  # the threads below share nothing of Django's but the sampler's own connection

    pro_api = {"Authorization": f"Token {ctx.token}", "Accept": "application/json"}
    pro_page = {"Cookie": f"sessionid={ctx.session_cookie}"}
    portal_page = {"Cookie": f"sessionid={portal_session}"}
    cases = [str(c) for c in ctx.viewer.case_ids]
    stats = Stats()
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS

    def next_milestone() -> str | None:
        with milestone_lock:
            return milestones.pop() if milestones else None

    def professional(rng: random.Random) -> None:
        endpoints, weights = zip(*MIX, strict=True)
        while time.monotonic() < deadline:
            endpoint = rng.choices(endpoints, weights)[0]
            case = rng.choice(cases)
            if endpoint == "my_work":
                call = ("GET", "/", pro_page, None)
            elif endpoint == "case_page":
                call = ("GET", f"/cases/{case}/", pro_page, None)
            elif endpoint == "records_api":
                call = ("GET", f"/api/v1/cases/{case}/records/", pro_api, None)
            elif endpoint == "record_write":
                text = "Visit: spoke with the family about the plan. " * 3
                case = rng.choice(writable)
                call = ("POST", f"/api/v1/cases/{case}/records/", pro_api, {"category": "general", "text": text})
            else:
                milestone = next_milestone()
                if milestone is None:
                    continue
                call = ("POST", f"/api/v1/milestones/{milestone}/complete/", pro_api, None)
            method, path, headers, body = call
            started = time.perf_counter()
            try:
                status, _ = _request(port, method, path, headers, body)
            except OSError:
                status = 0
            stats.add(endpoint, time.perf_counter() - started, status)
            time.sleep(rng.uniform(0.5, 1.5) * THINK_MS / 1000)

    def person(rng: random.Random) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = _request(port, "GET", "/portal/", portal_page)
            except OSError:
                status = 0
            stats.add("portal", time.perf_counter() - started, status)
            time.sleep(rng.uniform(0.5, 1.5) * THINK_MS / 1000)

    locks = {"samples": 0, "waiting_max": 0, "longest_s": 0.0}
    sampler = threading.Thread(target=_sample_lock_waits, args=(stop, locks), daemon=True)
    sampler.start()
    cpu_before = os.times()
    wall_started = time.monotonic()
    ctx.log(f"  mixed_load: {USERS} users for {SECONDS} s (think time ~{THINK_MS} ms)")
    threads = [
        threading.Thread(target=person if i % PORTAL_SHARE == 0 else professional, args=(random.Random(i),))
        for i in range(USERS)
    ]
    for t in threads:
        t.start()
        time.sleep(min(0.02, SECONDS / USERS / 10))  # ramp up over a few seconds
    for t in threads:
        t.join()
    wall = time.monotonic() - wall_started
    stop.set()
    sampler.join(5)
    cpu_after = os.times()

    cores = os.cpu_count() or 1
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    section = Section(
        title=f"Mixed load: {USERS} simulated users for {SECONDS} s at {ctx.size:,} cases",
        columns=["endpoint", "requests", "p50 ms", "p99 ms", "errors", "statuses"],
    )
    for endpoint in [name for name, _ in MIX] + ["portal"]:
        samples = sorted(stats.latency.get(endpoint, []))
        if not samples:
            continue
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        section.rows.append(
            [
                endpoint,
                len(samples),
                round(statistics.median(samples) * 1000, 1),
                round(p99 * 1000, 1),
                stats.errors.get(endpoint, 0),
                dict(stats.statuses[endpoint]),
            ]
        )
    throughput = total / wall if wall else 0.0
    section.data = {
        "requests": total,
        "seconds": round(wall, 1),
        "rps": round(throughput, 1),
        "rps_per_core": round(throughput / cores, 1),
        "cores": cores,
        "errors": errors,
        "lock_waits": locks,
        "load_generator_cpu_s": round((cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system), 1),
        "milestones_left": len(milestones),
    }
    section.checks.append(Check("errors (non-2xx or no answer)", "0", str(errors), errors == 0))
    section.checks.append(
        Check(
            "longest lock wait (pg_stat_activity, every 0.2 s)",
            f"< {LOCK_WAIT_TARGET_S:.0f} s",
            f"{locks['longest_s']:.3f} s",
            locks["longest_s"] < LOCK_WAIT_TARGET_S,
        )
    )
    section.notes.append(
        f"{total} requests in {wall:.0f} s: {throughput:.1f} req/s, {throughput / cores:.1f} req/s per core "
        f"({cores} cores, shared by gunicorn ({ctx.server_workers} workers), PostgreSQL and this load generator); "
        f"{locks['samples']} lock samples, at most {locks['waiting_max']} waiting at once."
    )
    return section
