"""Issue 14: 200 people at once, and the same with the broker stopped for the middle minute.

Two scenarios, each against the production shape started here on 127.0.0.1: gunicorn
(bench.settings, `--workers` of bench/run.py), a real `celery worker` (2 processes) and
`celery beat`, PostgreSQL (the seeded world) and a redis-server of the scenario's own, on its own
port (broker and shared cache; never the machine's Redis):

- `mixed_load`: simulated users, each a different signed-in person, with a think time between
  requests: professionals (each their own account, cases and milestones) reading My work, case
  pages and their cases' records through the API, writing records, completing milestones and
  handing milestones over (a notice through the outbox); one user in twenty a service user reading
  their portal. In the middle of the run the day's reminder scan runs as a worker runs it, so the
  worker delivers thousands of reminders under the load.
- `mixed_load_broker_away`: the same, with redis-server stopped for the middle
  BENCH_MIXED_OUTAGE_SECONDS (60) and started again on the same port; the scan runs 5 s into the
  outage (its delivery messages cannot be sent). /healthz is probed every second.

After the load, the scenario waits for the worker to drain, then counts from the database every
notice (handover) and reminder created during the run, by phase: delivered (one notification each:
a one-to-one key), cancelled at claim time (the item was done or moved on first), or left
undelivered; and every e-mail written by the worker against the rows marked sent (exactly once).

Reported: p50/p99 and errors (anything but 2xx, or no answer) per endpoint, throughput per core,
CPU seconds per request (gunicorn + PostgreSQL backends, from /proc), and the longest lock wait,
sampled every 0.2 s from pg_locks (`waitstart`) and pg_stat_activity (`wait_event_type = 'Lock'`).

Size (environment): BENCH_MIXED_USERS (200), BENCH_MIXED_SECONDS (300), BENCH_MIXED_THINK_MS
(1000, each pause uniform in 0.5-1.5 x), BENCH_MIXED_OUTAGE_SECONDS (60), BENCH_MIXED_DRAIN_SECONDS
(300, the most it waits for delivery), BENCH_MIXED_SIZE (world size; default the largest run). A
smoke run: BENCH_MIXED_USERS=20 BENCH_MIXED_SECONDS=40 BENCH_MIXED_OUTAGE_SECONDS=10.

The run starts from no reminder rows (both scenarios delete the world's reminders, notifications
and digests first, so the day's scan has its work); each simulated professional's open cases get
five records if they have none (the seeded world has no records).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from bench.load import HOST, Server
from bench.scenarios import Check, Context, Section, scenario
from bench.seed import BENCH_PASSWORD
from bench.stack import ROOT, Celery, RedisServer, cpu_seconds, process_tree

STATE_DIR = ROOT / "var" / "bench"
PORTAL_SHARE = 20  # one simulated user in 20 is a service user reading their portal
LOCK_WAIT_TARGET_S = 1.0
RECORDS_PER_CASE = 5

# (endpoint, weight) of a professional's next request
MIX = [
    ("my_work", 25),
    ("case_page", 25),
    ("records_api", 20),
    ("record_write", 15),
    ("milestone_complete", 10),
    ("handover", 5),
]
ENDPOINTS = [name for name, _ in MIX] + ["portal"]


@dataclass
class Config:
    users: int
    seconds: int
    think_ms: int
    outage_seconds: int
    drain_seconds: int

    @classmethod
    def from_env(cls) -> Config:
        e = os.environ
        return cls(
            users=int(e.get("BENCH_MIXED_USERS", "200")),
            seconds=int(e.get("BENCH_MIXED_SECONDS", "300")),
            think_ms=int(e.get("BENCH_MIXED_THINK_MS", "1000")),
            outage_seconds=int(e.get("BENCH_MIXED_OUTAGE_SECONDS", "60")),
            drain_seconds=int(e.get("BENCH_MIXED_DRAIN_SECONDS", "300")),
        )


@dataclass
class Actor:
    """One simulated professional: their own sign-in, cases and milestones."""

    user_id: int
    professional_id: str
    token: str = ""
    session: str = ""
    cases: list[str] = field(default_factory=list)
    writable: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)  # open, accountable: to complete
    handovers: list[tuple[str, str]] = field(default_factory=list)  # (milestone, another team member)


# --- the world the users act in -------------------------------------------------


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pick_professionals(n: int) -> list[Actor]:
    """n case workers (not team leads) with a caseload and open milestones, spread over the world."""
    from agencies.models import Professional, Team
    from cases.models import Case, RoleAssignment
    from plans.models import Milestone

    a, c, m, p, t = (_table(x) for x in (RoleAssignment, Case, Milestone, Professional, Team))
    sql = f"""
        WITH load AS (
          SELECT p.id, p.user_id,
            (SELECT count(*) FROM {a} a JOIN {c} c ON c.id = a.case_id
              WHERE a.professional_id = p.id AND a.ended_on IS NULL AND c.status = 'open') AS cases,
            (SELECT count(*) FROM {m} m WHERE m.accountable_id = p.id AND m.status = 'open') AS open_ms
          FROM {p} p WHERE p.is_active AND NOT EXISTS (SELECT 1 FROM {t} t WHERE t.lead_id = p.id)
        )
        SELECT id, user_id FROM load WHERE cases BETWEEN 5 AND 80 AND open_ms >= 10
        ORDER BY md5(id::text) LIMIT %s"""  # noqa: S608 - table names from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [n])
        rows = cursor.fetchall()
    if len(rows) < n:
        raise RuntimeError(f"the world has {len(rows)} professionals with a caseload, not {n}: seed a larger one")
    return [Actor(user_id=user_id, professional_id=str(pid)) for pid, user_id in rows]


def _load_work(pros: list[Actor]) -> None:
    """Each professional's cases, the cases they may write on, and their open milestones (half to
    complete, the rest, where someone else is on the case team, to hand over)."""
    from django.core.exceptions import PermissionDenied

    from cases.models import Case, RoleAssignment
    from cases.selectors import CONTRIBUTE, get_case_for
    from plans.models import Milestone

    a, c, m = _table(RoleAssignment), _table(Case), _table(Milestone)
    by_id = {p.professional_id: p for p in pros}
    users = get_user_model().objects.in_bulk([p.user_id for p in pros])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.professional_id, a.case_id, c.status FROM {a} a JOIN {c} c ON c.id = a.case_id"  # noqa: S608
            " WHERE a.ended_on IS NULL AND a.professional_id = ANY(%s::uuid[]) ORDER BY a.case_id",
            [list(by_id)],
        )
        open_cases: dict[str, list[str]] = defaultdict(list)
        for pid, case_id, status in cursor.fetchall():
            by_id[str(pid)].cases.append(str(case_id))
            if status == "open":
                open_cases[str(pid)].append(str(case_id))
        cursor.execute(
            f"""SELECT m.accountable_id, m.id, (SELECT a.professional_id FROM {a} a WHERE a.case_id = m.case_id
                   AND a.ended_on IS NULL AND a.professional_id <> m.accountable_id
                   ORDER BY a.professional_id LIMIT 1)
                FROM {m} m JOIN {c} c ON c.id = m.case_id
                WHERE m.accountable_id = ANY(%s::uuid[]) AND m.status = 'open' AND c.status = 'open'
                ORDER BY m.due_date, m.id""",  # noqa: S608
            [list(by_id)],
        )
        for i, (pid, milestone, other) in enumerate(cursor.fetchall()):
            pro = by_id[str(pid)]
            if other is not None and i % 2:
                pro.handovers.append((str(milestone), str(other)))
            else:
                pro.milestones.append(str(milestone))
    for pro in pros:
        for case_id in open_cases[pro.professional_id][:15]:
            try:
                get_case_for(user=users[pro.user_id], case_id=case_id, perm=CONTRIBUTE)
            except PermissionDenied:
                continue
            pro.writable.append(case_id)
        if not pro.writable:
            raise RuntimeError(f"professional {pro.professional_id} may write on none of their cases")


def _seed_records(pros: list[Actor]) -> int:
    """Five coordination records on each of the users' cases that has none (created once, kept)."""
    from agencies.models import Professional
    from cases.models import Case
    from sharing.models import Record

    case_ids = sorted({case for p in pros for case in p.cases})
    r, c = _table(Record), _table(Case)
    about = Record.about.through
    ab = _table(about)
    people = _table(Case.people.through)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {r} (id, case_id, category, text, author_id, author_agency_id, corrects_id, created_at)
                SELECT gen_random_uuid(), c.id, 'general', 'Visit ' || g || ': talked through the plan.',
                       c.lead_professional_id, p.agency_id, NULL, now() - g * interval '9 days'
                FROM {c} c JOIN {_table(Professional)} p
                  ON p.id = c.lead_professional_id, generate_series(1, {RECORDS_PER_CASE}) g
                WHERE c.id = ANY(%s::uuid[]) AND NOT EXISTS (SELECT 1 FROM {r} x WHERE x.case_id = c.id)
                RETURNING id""",  # noqa: S608
            [case_ids],
        )
        new = [row[0] for row in cursor.fetchall()]
        if new:
            cursor.execute(
                f"""INSERT INTO {ab} (record_id, person_id)
                    SELECT r.id, cp.person_id FROM {r} r JOIN {people} cp ON cp.case_id = r.case_id
                    WHERE r.id = ANY(%s::uuid[])""",  # noqa: S608
                [new],
            )
    return len(new)


def _portal_people(ctx: Context, pros: list[Actor], n: int) -> list[str]:
    """n service users with a portal login, each on a different case (created once, kept)."""
    from cases import services as case_services
    from cases.models import Person

    user_model = get_user_model()
    admin = user_model.objects.filter(is_superuser=True).first() or user_model.objects.create_superuser(
        "bench_admin", "bench-admin@example.org", BENCH_PASSWORD
    )
    usernames = []
    candidate_cases = iter([case for p in pros for case in p.writable])
    for i in range(n):
        username = f"bench_portal_{i:03d}"
        if not user_model.objects.filter(username=username).exists():
            while True:
                person = Person.objects.filter(cases=next(candidate_cases), user__isnull=True).first()
                if person is not None:
                    break
            case_services.person_portal_account_create(
                person=person, username=username, password=BENCH_PASSWORD, actor=admin
            )
        usernames.append(username)
    ctx.log(f"  mixed_load: {n} portal users")
    return usernames


def _sign_in(user_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """A signed-in session (stored where the server reads sessions) and an API token for each user."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    users = get_user_model().objects.in_bulk(user_ids)
    sessions, tokens = {}, {}
    for user_id in user_ids:
        client = Client()
        client.force_login(users[user_id])
        sessions[user_id] = client.cookies["sessionid"].value
        tokens[user_id] = Token.objects.get_or_create(user=users[user_id])[0].key
    return sessions, tokens


def _reset_reminders() -> dict[str, int]:
    """Start from no reminders, so the day's scan has its work (the benchmark's world only)."""
    from accountability.models import Digest, Notification, Reminder

    return {
        "notifications": Notification.objects.all().delete()[0],
        "reminders": Reminder.objects.all().delete()[0],
        "digests": Digest.objects.all().delete()[0],
    }


# --- measuring -------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.by_phase: dict[str, list[float]] = defaultdict(list)
        self.errors_by_phase: dict[str, int] = defaultdict(int)
        self.phase = "before"

    def add(self, endpoint: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latency[endpoint].append(seconds)
            self.statuses[endpoint][status] += 1
            self.by_phase[self.phase].append(seconds)
            if not 200 <= status < 300:
                self.errors[endpoint] += 1
                self.errors_by_phase[self.phase] += 1


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


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


def _sample_lock_waits(stop: threading.Event, out: dict[str, Any]) -> None:
    """The longest wait on a heavyweight lock: pg_locks.waitstart of ungranted locks (exact start of
    the wait), and pg_stat_activity's sessions waiting on a Lock, every 0.2 s."""
    with connections["default"].cursor() as cursor:
        while not stop.is_set():
            cursor.execute(
                """SELECT count(*), coalesce(max(extract(epoch FROM now() - l.waitstart)), 0),
                          (array_agg(l.locktype || coalesce(':' || l.relation::regclass::text, '')
                                     ORDER BY l.waitstart))[1]
                   FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                   WHERE NOT l.granted AND a.datname = current_database()"""
            )
            waiting, longest, what = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            (activity_waiting,) = cursor.fetchone()
            out["samples"] += 1
            out["waiting_max"] = max(out["waiting_max"], waiting, activity_waiting)
            if waiting or activity_waiting:
                out["samples_with_waits"] += 1
            if float(longest) > out["longest_s"]:
                out["longest_s"] = float(longest)
                out["longest_on"] = what
            stop.wait(0.2)
    connections["default"].close()


def _backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _emails_written(mail_dir: Path) -> int:
    if not mail_dir.exists():
        return 0
    return sum(
        line.startswith("Subject: ")
        for f in mail_dir.iterdir()
        if f.is_file()
        for line in f.read_text(errors="replace").splitlines()
    )


def _outbox_counts(since: dt.datetime, phases: dict[str, tuple[dt.datetime, dt.datetime]]) -> dict[str, Any]:
    """Every reminder row created since `since`, by phase of its creation and kind."""
    from accountability.models import Notification, Reminder

    r, n = _table(Reminder), _table(Notification)
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for phase, (start, end) in phases.items():
            cursor.execute(
                f"""SELECT r.kind, count(*), count(r.sent_at), count(r.cancelled_at),
                           count(*) FILTER (WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL),
                           count(n.id), count(*) FILTER (WHERE r.sent_at >= %s),
                           count(*) FILTER (WHERE r.email_status = 'sent'),
                           count(*) FILTER (WHERE r.email_status IN ('pending', 'sending', 'failed'))
                    FROM {r} r LEFT JOIN {n} n ON n.reminder_id = r.id
                    WHERE r.created_at >= %s AND r.created_at < %s GROUP BY r.kind ORDER BY r.kind""",  # noqa: S608
                [end, start, end],
            )
            out[phase] = {
                kind: {
                    "created": created,
                    "delivered": sent,
                    "cancelled": cancelled,
                    "undelivered": undelivered,
                    "notifications": notes,
                    "delivered_after_phase": after,
                    "emailed": emailed,
                    "email_unfinished": unfinished,
                }
                for kind, created, sent, cancelled, undelivered, notes, after, emailed, unfinished in cursor.fetchall()
            }
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE email_status = 'sent'), count(*) FROM {r} WHERE created_at >= %s",  # noqa: S608
            [since],
        )
        out["emails_marked_sent"], out["rows"] = cursor.fetchone()
    return out


def _undelivered(since: dt.datetime) -> int:
    from django.db.models import Q

    from accountability.models import EmailStatus, Reminder

    return (
        Reminder.objects.filter(created_at__gte=since)
        .filter(
            Q(sent_at=None, cancelled_at=None)
            | Q(email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING], sent_at__isnull=False)
        )
        .count()
    )


# --- the run ---------------------------------------------------------------------


def _wanted(ctx: Context) -> bool:
    wanted = int(os.environ.get("BENCH_MIXED_SIZE", "0")) or None
    return ctx.size == wanted if wanted is not None else ctx.size >= 100_000


def run(ctx: Context, *, outage: bool) -> Section:
    cfg = Config.from_env()
    name = "mixed_load_broker_away" if outage else "mixed_load"
    run_dir = STATE_DIR / f"{name}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
    mail_dir = run_dir / "mail"
    mail_dir.mkdir(parents=True)
    n_portal = max(1, cfg.users // PORTAL_SHARE)
    n_pro = cfg.users - n_portal
    ctx.log(f"  {name}: preparing {n_pro} professionals and {n_portal} portal users")
    reset = _reset_reminders()
    pros = _pick_professionals(n_pro)
    _load_work(pros)
    records_added = _seed_records(pros)
    portal_names = _portal_people(ctx, pros, n_portal)
    portal_ids = list(get_user_model().objects.filter(username__in=portal_names).values_list("pk", flat=True))
    sessions, tokens = _sign_in([p.user_id for p in pros] + portal_ids)
    for p in pros:
        p.session, p.token = sessions[p.user_id], tokens[p.user_id]
    portal_sessions = [sessions[u] for u in portal_ids]
    deadlocks_before = _deadlocks()

    redis = RedisServer(run_dir / "redis")
    redis.start()
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BENCH_")},
        "DATABASE_URL": ctx.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must be valid in the server
        "JOINEDUP_VAR_DIR": str(run_dir),
        "CELERY_BROKER_URL": redis.url(0),
        "CACHE_URL": redis.url(1),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
        "PYTHONUNBUFFERED": "1",
    }
    server = worker = beat = None
    try:
        server = Server(database_url=ctx.database_url, workers=ctx.server_workers, log_dir=run_dir, extra_env=environ)
        worker = Celery("worker", environ, run_dir, "--concurrency", "2", "-n", f"bench-{name}@%h")
        beat = Celery("beat", environ, run_dir, "--schedule", str(run_dir / "celerybeat-schedule"))
        worker.wait_ready()
        beat.wait_ready()
        section = _load(ctx, cfg, name, outage, server, redis, environ, pros, portal_sessions, worker, beat, mail_dir)
    finally:
        for proc in (beat, worker, server):
            if proc is not None:
                proc.stop()
        redis.stop()
    deadlocks = _deadlocks() - deadlocks_before
    section.data.update(reset_before=reset, records_added=records_added, run_dir=str(run_dir), deadlocks=deadlocks)
    section.checks.append(Check("deadlocks (pg_stat_database)", "0", str(deadlocks), deadlocks == 0))
    return section


def _load(
    ctx: Context,
    cfg: Config,
    name: str,
    outage: bool,
    server: Server,
    redis: RedisServer,
    environ: dict[str, str],
    pros: list[Actor],
    portal_sessions: list[str],
    worker: Celery,
    beat: Celery,
    mail_dir: Path,
) -> Section:
    port = server.port
    stats = Stats()
    stop = threading.Event()
    outage_at = (cfg.seconds - cfg.outage_seconds) / 2
    scan_at = outage_at + 5
    events: dict[str, Any] = {"healthz": defaultdict(lambda: defaultdict(int))}
    boundaries: dict[str, dt.datetime] = {}

    def professional(pro: Actor, rng: random.Random, deadline: float) -> None:
        api = {"Authorization": f"Token {pro.token}", "Accept": "application/json"}
        page = {"Cookie": f"sessionid={pro.session}"}
        endpoints, weights = zip(*MIX, strict=True)
        while time.monotonic() < deadline:
            endpoint = rng.choices(endpoints, weights)[0]
            if endpoint == "my_work":
                call = ("GET", "/", page, None)
            elif endpoint == "case_page":
                call = ("GET", f"/cases/{rng.choice(pro.cases)}/", page, None)
            elif endpoint == "records_api":
                call = ("GET", f"/api/v1/cases/{rng.choice(pro.cases)}/records/", api, None)
            elif endpoint == "record_write":
                text = "Visit: spoke with the family about the plan. " * 3
                case = rng.choice(pro.writable)
                call = ("POST", f"/api/v1/cases/{case}/records/", api, {"category": "general", "text": text})
            elif endpoint == "milestone_complete":
                if not pro.milestones:
                    continue
                call = ("POST", f"/api/v1/milestones/{pro.milestones.pop()}/complete/", api, None)
            else:
                if not pro.handovers:
                    continue
                milestone, to = pro.handovers.pop()
                call = ("PATCH", f"/api/v1/milestones/{milestone}/", api, {"accountable": to})
            method, path, headers, body = call
            started = time.perf_counter()
            try:
                status, _ = _request(port, method, path, headers, body)
            except OSError:
                status = 0
            stats.add(endpoint, time.perf_counter() - started, status)
            time.sleep(rng.uniform(0.5, 1.5) * cfg.think_ms / 1000)

    def person(session: str, rng: random.Random, deadline: float) -> None:
        headers = {"Cookie": f"sessionid={session}"}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = _request(port, "GET", "/portal/", headers)
            except OSError:
                status = 0
            stats.add("portal", time.perf_counter() - started, status)
            time.sleep(rng.uniform(0.5, 1.5) * cfg.think_ms / 1000)

    def conductor(t0: float) -> None:
        """The timeline: the scan in the middle; with `outage`, the broker stopped and started;
        /healthz probed every second (not counted among the users' requests)."""
        scanned = False
        while not stop.is_set():
            t = time.monotonic() - t0
            if outage and stats.phase == "before" and t >= outage_at:
                boundaries["outage_start"] = timezone.now()
                redis.stop()
                stats.phase = "during"
                ctx.log(f"  {name}: broker stopped at {t:.0f} s")
            if outage and stats.phase == "during" and t >= outage_at + cfg.outage_seconds:
                redis.start()
                boundaries["outage_end"] = timezone.now()
                stats.phase = "after"
                ctx.log(f"  {name}: broker started again at {t:.0f} s")
            if not scanned and t >= scan_at:
                scanned = True
                threading.Thread(target=scan, daemon=True).start()
            try:
                status, _ = _request(port, "GET", "/healthz", {})
            except OSError:
                status = 0
            events["healthz"][stats.phase if outage else "run"][status] += 1
            stop.wait(1.0)

    def scan() -> None:
        """The day's reminder scan, run as a worker runs the task (bench/scan_task.py)."""
        started = timezone.now()
        out = subprocess.run(
            [sys.executable, "-m", "bench.scan_task"], cwd=ROOT, env=environ, capture_output=True, text=True
        )
        lines = out.stdout.strip().splitlines()
        events["scan"] = {
            "at": started.isoformat(timespec="seconds"),
            "returncode": out.returncode,
            **(json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"stderr": out.stderr[-1500:]}),
        }
        ctx.log(f"  {name}: scan {events['scan']}")

    locks: dict[str, Any] = {"samples": 0, "samples_with_waits": 0, "waiting_max": 0, "longest_s": 0.0}
    locks["longest_on"] = None
    sampler = threading.Thread(target=_sample_lock_waits, args=(stop, locks), daemon=True)
    connection.close()  # the threads share nothing of Django's but the sampler's own connection
    sampler.start()
    run_started = timezone.now()
    server_pids = process_tree(server.process.pid)
    backend_pids_before = _backend_pids()
    connection.close()
    cpu_start = {
        "gunicorn": cpu_seconds(server_pids),
        "postgres": cpu_seconds(backend_pids_before),
        "celery": cpu_seconds(process_tree(worker.proc.pid) + process_tree(beat.proc.pid)),
        "load generator": cpu_seconds([os.getpid()]),
    }
    ctx.log(f"  {name}: {cfg.users} users for {cfg.seconds} s (think time ~{cfg.think_ms} ms)")
    t0 = time.monotonic()
    deadline = t0 + cfg.seconds
    rngs = [random.Random(i) for i in range(cfg.users)]
    threads = [threading.Thread(target=professional, args=(pro, rngs[i], deadline)) for i, pro in enumerate(pros)] + [
        threading.Thread(target=person, args=(session, rngs[len(pros) + i], deadline))
        for i, session in enumerate(portal_sessions)
    ]
    random.Random(0).shuffle(threads)
    director = threading.Thread(target=conductor, args=(t0,), daemon=True)
    director.start()
    for t in threads:
        t.start()
        time.sleep(min(0.02, cfg.seconds / cfg.users / 10))  # ramp up over a few seconds
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    stop.set()
    director.join(10)
    sampler.join(5)
    run_ended = timezone.now()
    cpu_end = {
        "gunicorn": cpu_seconds(process_tree(server.process.pid)),
        "postgres": cpu_seconds(_backend_pids()),
        "celery": cpu_seconds(process_tree(worker.proc.pid) + process_tree(beat.proc.pid)),
        "load generator": cpu_seconds([os.getpid()]),
    }
    # CPU used during the load by each part (processes that started during it count from 0).
    cpu = {
        part: round(sum(v - cpu_start[part].get(pid, 0.0) for pid, v in cpu_end[part].items()), 1) for part in cpu_end
    }
    loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3])

    # Drain: every row created during the run delivered (or cancelled) and its e-mail sent.
    drain_started = time.monotonic()
    while _undelivered(run_started) and time.monotonic() - drain_started < cfg.drain_seconds:
        time.sleep(2)
    drain_seconds = round(time.monotonic() - drain_started, 1)
    time.sleep(5)  # more ticks of notices_deliver: a second delivery would show now
    if outage:
        phases = {
            "before the outage": (run_started, boundaries["outage_start"]),
            "during the outage": (boundaries["outage_start"], boundaries["outage_end"]),
            "after the outage": (boundaries["outage_end"], run_ended),
        }
    else:
        phases = {"during the run": (run_started, run_ended)}
    outbox = _outbox_counts(run_started, phases)
    emails_written = _emails_written(mail_dir)
    connection.close()

    cores = os.cpu_count() or 1
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    title = f"{cfg.users} simulated users for {cfg.seconds} s at {ctx.size:,} cases"
    if outage:
        title += f", broker stopped for {cfg.outage_seconds} s in the middle"
    section = Section(title=title, columns=["endpoint", "requests", "p50 ms", "p99 ms", "errors", "statuses"])
    for endpoint in ENDPOINTS:
        samples = stats.latency.get(endpoint, [])
        if samples:
            section.rows.append(
                [
                    endpoint,
                    len(samples),
                    round(statistics.median(samples) * 1000, 1),
                    round(_pct(samples, 0.99) * 1000, 1),
                    stats.errors.get(endpoint, 0),
                    dict(sorted(stats.statuses[endpoint].items())),
                ]
            )
    throughput = total / wall if wall else 0.0
    server_cpu = cpu["gunicorn"] + cpu["postgres"]
    section.data = {
        "users": cfg.users,
        "professionals": len(pros),
        "portal_users": len(portal_sessions),
        "think_ms": cfg.think_ms,
        "requests": total,
        "seconds": round(wall, 1),
        "rps": round(throughput, 1),
        "rps_per_core": round(throughput / cores, 1),
        "cores": cores,
        "gunicorn_workers": ctx.server_workers,
        "errors": errors,
        "by_phase": {
            phase: {
                "requests": len(v),
                "errors": stats.errors_by_phase.get(phase, 0),
                "p50_ms": round(statistics.median(v) * 1000, 1),
                "p99_ms": round(_pct(v, 0.99) * 1000, 1),
            }
            for phase, v in stats.by_phase.items()
            if v
        },
        "lock_waits": locks,
        "cpu_seconds": cpu,
        "server_cpu_ms_per_request": round(server_cpu / total * 1000, 1) if total else None,
        "loadavg_at_end": loadavg,
        "healthz": {k: dict(v) for k, v in events["healthz"].items()},
        "scan": events.get("scan"),
        "drain_seconds": drain_seconds,
        "outbox": outbox,
        "emails_written": emails_written,
        "boundaries": {k: v.isoformat(timespec="seconds") for k, v in boundaries.items()},
        "worker_log": _log_summary(worker.log),
        "beat_log": _log_summary(beat.log),
    }
    section.checks.append(Check("errors (non-2xx or no answer)", "0", str(errors), errors == 0))
    section.checks.append(
        Check(
            "longest lock wait (pg_locks.waitstart, every 0.2 s)",
            f"< {LOCK_WAIT_TARGET_S:.0f} s",
            f"{locks['longest_s']:.3f} s",
            locks["longest_s"] < LOCK_WAIT_TARGET_S,
        )
    )
    _delivery_checks(section, outbox, emails_written, outage)
    if outage:
        hz = section.data["healthz"]
        during = hz.get("during", {})
        section.checks.append(
            Check(
                "/healthz while the broker is away",
                "503 every probe",
                ", ".join(f"{k}: {v}" for k, v in sorted(during.items())),
                bool(during) and set(during) == {503},
            )
        )
    section.notes += _notes(section.data, ctx, outage)
    return section


def _log_summary(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace")
    return {
        "cannot_connect": text.count("Cannot connect to redis"),
        "connection_lost": text.count("Connection to broker lost"),
        "errors": sum(1 for line in text.splitlines() if " ERROR/" in line or "] ERROR" in line),
        "tasks_succeeded": text.count("succeeded in"),
    }


def _delivery_checks(section: Section, outbox: dict[str, Any], emails_written: int, outage: bool) -> None:
    for phase, kinds in outbox.items():
        if not isinstance(kinds, dict):
            continue
        created = sum(k["created"] for k in kinds.values())
        undelivered = sum(k["undelivered"] for k in kinds.values())
        mismatched = sum(k["notifications"] != k["delivered"] for k in kinds.values())
        section.checks.append(
            Check(
                f"notices and reminders created {phase}: delivered once or cancelled",
                "0 undelivered, 1 notification per delivered row",
                f"{created} created, {undelivered} undelivered, {mismatched} kinds with notifications ≠ delivered",
                created > 0 and undelivered == 0 and mismatched == 0,
            )
        )
        if outage and phase == "during the outage":
            early = sum(k["delivered"] - k["delivered_after_phase"] for k in kinds.values())
            section.checks.append(
                Check(
                    "... and delivered only after the broker returned",
                    "all",
                    f"{created - early} of {created}" if not early else f"{early} delivered while it was away",
                    early == 0,
                )
            )
    sent = outbox["emails_marked_sent"]
    section.checks.append(
        Check(
            "e-mails written by the worker = rows marked sent (none twice)",
            "equal",
            f"{emails_written} written, {sent} marked sent",
            emails_written == sent,
        )
    )


def _notes(d: dict[str, Any], ctx: Context, outage: bool) -> list[str]:
    notes = [
        f"{d['requests']} requests in {d['seconds']:.0f} s: {d['rps']} req/s, {d['rps_per_core']} req/s per core "
        f"({d['cores']} cores shared by gunicorn ({d['gunicorn_workers']} sync workers), PostgreSQL, the Celery "
        f"worker and beat, the load generator, and other work on the machine: load average {d['loadavg_at_end']} "
        f"at the end). {d['users']} users: {d['professionals']} professionals, each their own account, and "
        f"{d['portal_users']} service users, ~{d['think_ms']} ms think time.",
        "CPU seconds used during the load: "
        + ", ".join(f"{k} {v}" for k, v in d["cpu_seconds"].items())
        + f"; gunicorn + PostgreSQL per request: {d['server_cpu_ms_per_request']} ms.",
        f"Lock waits: {d['lock_waits']['samples']} samples, {d['lock_waits']['samples_with_waits']} with a session "
        f"waiting, at most {d['lock_waits']['waiting_max']} at once, longest {d['lock_waits']['longest_s']:.3f} s "
        f"(on {d['lock_waits']['longest_on'] or 'nothing'}); deadlocks are counted below.",
    ]
    if d.get("by_phase") and outage:
        notes.append(
            "By phase: "
            + "; ".join(
                f"{phase} the outage {v['requests']} requests, {v['errors']} errors, p50 {v['p50_ms']} ms, "
                f"p99 {v['p99_ms']} ms"
                for phase, v in d["by_phase"].items()
            )
            + f". /healthz probes: {d['healthz']}."
        )
    scan = d.get("scan") or {}
    notes.append(
        f"The day's reminder scan, run as the worker runs it at {scan.get('at')}: state {scan.get('state')}, "
        f"{scan.get('result') or scan.get('error') or scan.get('stderr')}, {scan.get('seconds')} s."
    )
    lines = []
    for phase, kinds in d["outbox"].items():
        if isinstance(kinds, dict):
            lines += [
                f"| {phase} | {kind} | {k['created']} | {k['delivered']} | {k['notifications']} | {k['cancelled']} | "
                f"{k['undelivered']} | {k['emailed']} | {k['email_unfinished']} |"
                for kind, k in kinds.items()
            ]
    notes.append(
        "Counted from the database after the worker drained "
        f"({d['drain_seconds']} s after the load):\n\n"
        "| created | kind | rows | delivered | notifications | cancelled at claim | undelivered | e-mailed "
        "| e-mail unfinished |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(lines)
    )
    notes.append(
        f"E-mail files written by the worker: {d['emails_written']} messages; rows marked sent: "
        f"{d['outbox']['emails_marked_sent']}. Worker log: {d['worker_log']}; beat log: {d['beat_log']}."
    )
    return notes


@scenario("mixed_load", needs_server=False, order=40)
def mixed_load(ctx: Context) -> Section | None:
    return run(ctx, outage=False) if _wanted(ctx) else None


@scenario("mixed_load_broker_away", needs_server=False, order=41)
def mixed_load_broker_away(ctx: Context) -> Section | None:
    return run(ctx, outage=True) if _wanted(ctx) else None
