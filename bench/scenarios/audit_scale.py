"""Issue 9: the audit trail at 50 million events.

For each trail size in BENCH_AUDIT_EVENTS (default "1000000,50000000", run in that order
in the 100,000-case world), the trail is emptied and N events are generated inside
PostgreSQL (generate_series; no row crosses the wire) over the 12 months up to now, one
standalone table per UTC month, each then ATTACHed as that month's partition (which builds
its share of every partitioned index and clones the append-only trigger) and VACUUM
ANALYZEd. Each event is a read by a professional on an active case team (actor, their
agency, the case, one of its people; the record's agency: the actor's own 40 %, another
agency on the team 40 %, none for person reads), ids in time order. Then, in-process
against PostgreSQL, interleaved rounds:

- the IG trail's first page (`GET /api/v1/audit/?person=|case=|actor=`, count + page of 50,
  as the information-governance lead of the viewer's agency: the API's own visibility
  filter, pagination, serializer and the audit INSERT of the read), and the CSV of one
  person's year (`GET /api/v1/audit/export/?person=&from=`): p50 / p95;
- the person's "who has looked at my information" (`sharing.selectors.access_log_entries_for`,
  the rows the portal's page and `/api/v1/me/access-log/` group by day): p50 / p95;
- `GET /api/v1/records/<id>/` with its audit INSERT vs the same request with
  `sharing.selectors.audit_record_many` patched to do nothing (the benchmark only):
  throughput ratio;
- seal + verify of the last day's events: a bench-only anchor seal at now − 1 day, then
  `audit.seal.seal()` and the recomputation `verify()` makes of each new seal.

EXPLAIN (ANALYZE, BUFFERS) of each filtered page's queries goes into the notes. At the end
the trail is emptied again and the generated partitions dropped (the world as seeded).
CPU ms beside each read is this process's `time.process_time()` per call, which other work on
a shared machine barely moves (wall times do).

Small run (tests): BENCH_AUDIT_EVENTS=2000,20000 on any seeded world. BENCH_AUDIT_ROUNDS (5) sets
the rounds; BENCH_AUDIT_KEEP=1 leaves the last trail in place afterwards (to EXPLAIN by hand).

Kept trails, one database each (generating 50,000,000 events takes half an hour):
BENCH_AUDIT_DATABASES names one database per size of BENCH_AUDIT_EVENTS, each a copy of the run's
seeded world on the same server (`CREATE DATABASE ju_audit_1m TEMPLATE ju_audit_50m` after seeding:
the same people, cases and viewer); each trail is made in its own database and kept, and the reads
of all of them are timed in the same interleaved rounds (the connection is pointed at each database
in turn between rounds), so a burst of other work hits every size alike. BENCH_AUDIT_REUSE=1 reuses a
trail already generated there: `load()` leaves a marker (table bench_audit_trail: events, t_end) and a
database whose marker says N and which holds the events with ids 1..N is not regenerated; the events
a previous run's reads added after them (ids > N) are removed and the seals emptied first, and the
seal + verify step's bench-only anchor seal is laid at the marker's t_end − 1 day, so a rerun seals
and verifies the same day's events as the first run. The issue's measurement, once both worlds exist:

    BENCH_AUDIT_REUSE=1 BENCH_AUDIT_EVENTS=1000000,50000000 BENCH_AUDIT_DATABASES=ju_audit_1m,ju_audit_50m \
      .venv/bin/python bench/run.py --sizes 100000 --reuse --only audit_scale \
      --database-url postgres://postgres@127.0.0.1:5432/ju_audit_50m --results /tmp/audit_scale.md

(run.py --reuse needs var/bench/seed-ju_audit_50m.json, written where the world was seeded: copy it into
the checkout the command runs from; without it --reuse refuses rather than recreate the database.)

Standalone: DATABASE_URL=postgres://.../ju_audit_bench bench/run.py --sizes 100000 --reuse --only audit_scale
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.scenarios import Check, Context, Section, scenario

DEFAULT_SIZES = "1000000,50000000"
FULL_WORLD = 100_000
DAYS = 365
ROUNDS = int(os.environ.get("BENCH_AUDIT_ROUNDS", "5"))
ROUND_SECONDS = 2.0
PAGE_P95_TARGET_MS = 50.0
SCALING_TARGET = 1.2
READ_RATIO_TARGET = 0.8
SEAL_TARGET_S = 10.0


REUSE = os.environ.get("BENCH_AUDIT_REUSE") == "1"


def sizes() -> list[int]:
    return [int(s) for s in os.environ.get("BENCH_AUDIT_EVENTS", DEFAULT_SIZES).split(",") if s.strip()]


def _databases() -> list[str]:
    return [s.strip() for s in os.environ.get("BENCH_AUDIT_DATABASES", "").split(",") if s.strip()]


def _sql(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _month(d: date, n: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _utc(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- Generating the trail ---------------------------------------------------------------


SOURCE = """
CREATE UNLOGGED TABLE bench_audit_source AS
SELECT (row_number() OVER (ORDER BY ra.id) - 1)::bigint AS n, ra.case_id, ra.professional_id AS actor,
       p.agency_id AS actor_agency, p.user_id, p.given_name || ' ' || p.family_name AS actor_name,
       (SELECT array_agg(cp.person_id ORDER BY cp.person_id) FROM cases_case_people cp
         WHERE cp.case_id = ra.case_id) AS people,
       (SELECT array_agg(DISTINCT p2.agency_id) FROM cases_roleassignment r2
         JOIN agencies_professional p2 ON p2.id = r2.professional_id
         WHERE r2.case_id = ra.case_id AND r2.ended_on IS NULL) AS agencies
FROM cases_roleassignment ra JOIN agencies_professional p ON p.id = ra.professional_id
WHERE ra.ended_on IS NULL AND EXISTS (SELECT 1 FROM cases_case_people cp WHERE cp.case_id = ra.case_id);
CREATE UNIQUE INDEX ON bench_audit_source (n);
ANALYZE bench_audit_source;
"""

ROWS = """
INSERT INTO {table} (id, at, action, actor_user_id, actor, actor_name, actor_agency, person, "case",
                     subject_type, subject_id, subject_agency, basis, ip, detail)
SELECT x.g + 1,
       %(t0)s::timestamptz + (x.g * %(step_us)s) * interval '1 microsecond',
       CASE WHEN x.k < 6 THEN 'cases.record.viewed' WHEN x.k < 8 THEN 'cases.record.listed'
            ELSE 'cases.person.viewed' END,
       s.user_id, s.actor, s.actor_name, s.actor_agency,
       s.people[1 + x.h %% cardinality(s.people)], s.case_id,
       CASE WHEN x.k < 8 THEN 'record' ELSE 'person' END,
       CASE WHEN x.k < 8 THEN gen_random_uuid() END,
       CASE WHEN x.k < 4 THEN s.actor_agency WHEN x.k < 8 THEN s.agencies[1 + x.h %% cardinality(s.agencies)] END,
       CASE WHEN x.k < 4 THEN 'own_agency' WHEN x.k < 6 THEN 'coordination' WHEN x.k < 8 THEN 'consent'
            ELSE 'case_team' END,
       '10.0.0.1'::inet, '{{}}'::jsonb
FROM (SELECT g, (hashint8(g)::bigint + 2147483648) %% %(sources)s AS pick,
             (hashint8(g + 7919)::bigint + 2147483648) AS h,
             (hashint8(g * 31 + 1)::bigint + 2147483648) %% 10 AS k
      FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g) x
JOIN bench_audit_source s ON s.n = x.pick
"""


def _month_partitions() -> list[str]:
    return [
        r[0]
        for r in _sql(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_auditevent'::regclass AND c.relname ~ '^audit_auditevent_p[0-9]{4}_[0-9]{2}$'"
        )
    ]


def empty_trail() -> None:
    """The bench database only: no events, no seals, no month partitions but this and the
    next month's (the state migrate leaves)."""
    _sql("DROP TABLE IF EXISTS bench_audit_trail")
    _sql("TRUNCATE audit_auditevent, audit_auditseal, audit_auditverification, audit_auditarchive")
    for name in _month_partitions():
        _sql(f'DROP TABLE "{name}"')
    _sql("SELECT audit_make_partitions(1)")
    _sql("DROP TABLE IF EXISTS bench_audit_source")


MARKER = """
CREATE TABLE bench_audit_trail (events bigint NOT NULL, t_end timestamptz NOT NULL, sources int NOT NULL,
                                seconds float NOT NULL, size text NOT NULL, generated_at timestamptz NOT NULL)
"""


def generated(total: int, log: Callable[[str], None]) -> dict[str, Any] | None:
    """The trail `load(total)` left here (BENCH_AUDIT_REUSE=1), or None when there is none of
    that size: its marker (bench_audit_trail) must say `total` and the events with ids 1..total
    (the generated ones; later ids are the benchmark's own reads) must all be there. Events a
    previous run's reads added after them are removed (the trigger bypassed: bench database
    only), so every run measures the same trail."""
    if not _sql("SELECT to_regclass('bench_audit_trail') IS NOT NULL")[0][0]:
        return None
    marker = _sql("SELECT events, t_end, sources, seconds, size FROM bench_audit_trail")
    if len(marker) != 1 or marker[0][0] != total:
        return None
    events, t_end, sources, seconds, size = marker[0]
    if _sql("SELECT count(*) FROM audit_auditevent WHERE id <= %s", [total])[0][0] != total:
        log(f"  the trail's marker says {total:,} generated events but they are not all there: regenerating")
        return None
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # the append-only trigger does not fire
        try:
            cursor.execute("DELETE FROM audit_auditevent WHERE id > %s", [total])
            removed = cursor.rowcount
        finally:
            cursor.execute("SET session_replication_role = origin")
    _sql("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [total + 1])
    _sql("TRUNCATE audit_auditseal, audit_auditverification")
    log(f"  reusing the {total:,} events generated earlier ({removed:,} later benchmark events removed)")
    return {"events": total, "seconds": seconds, "size": size, "t_end": t_end, "sources": sources, "reused": True}


def load(total: int, log: Callable[[str], None]) -> dict[str, Any]:
    """`total` events over the DAYS days up to now, generated month by month."""
    empty_trail()
    t = time.perf_counter()
    _sql(SOURCE)
    sources = _sql("SELECT count(*) FROM bench_audit_source")[0][0]
    t_end = timezone.now().astimezone(UTC) - timedelta(minutes=2)
    t0 = t_end - timedelta(days=DAYS)
    step_us = DAYS * 86_400_000_000 / total
    _sql("SET maintenance_work_mem = '512MB'")
    for name in _month_partitions():  # the migration's empty ones: replaced by loaded tables
        _sql(f'DROP TABLE "{name}"')
    first = _month(t0.date())
    months = []
    m = first
    while _utc(m) < t_end:
        months.append(m)
        m = _month(m, 1)
    for m in months:
        start, end = max(_utc(m), t0), min(_utc(_month(m, 1)), t_end)
        lo = max(0, math.ceil((start - t0) / timedelta(microseconds=1) / step_us))
        hi = min(total, math.ceil((end - t0) / timedelta(microseconds=1) / step_us)) - 1
        table = f"audit_auditevent_p{m:%Y_%m}"
        t_month = time.perf_counter()
        _sql(f'CREATE TABLE "{table}" (LIKE audit_auditevent INCLUDING DEFAULTS)')
        if hi >= lo:
            _sql(
                ROWS.format(table=f'"{table}"'),
                {"t0": t0, "step_us": step_us, "sources": sources, "lo": lo, "hi": hi},
            )
        _sql(
            f'ALTER TABLE audit_auditevent ATTACH PARTITION "{table}" FOR VALUES FROM (%s) TO (%s)',
            [_utc(m), _utc(_month(m, 1))],
        )
        _sql("SELECT audit_strip_privileges(%s::regclass)", [table])
        _sql(f'VACUUM (ANALYZE) "{table}"')
        log(f"  {table}: {max(0, hi - lo + 1):,} events in {time.perf_counter() - t_month:.1f} s")
    _sql("SELECT audit_make_partitions(3)")
    _sql("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [total + 1])
    _sql("ANALYZE audit_auditevent")
    loaded = time.perf_counter() - t
    size = _sql(
        "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
        "WHERE inhparent = 'audit_auditevent'::regclass"
    )[0][0]
    count = _sql("SELECT count(*) FROM audit_auditevent")[0][0]
    log(f"  {count:,} events loaded in {loaded:.0f} s ({size} with indexes)")
    _sql("DROP TABLE bench_audit_source")
    _sql(MARKER)
    _sql(
        "INSERT INTO bench_audit_trail VALUES (%s, %s, %s, %s, %s, now())",
        [count, t_end, sources, round(loaded, 1), size],
    )
    return {"events": count, "seconds": round(loaded, 1), "size": size, "t_end": t_end, "sources": sources}


# --- Measuring --------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "p50_ms": _pct(values, 0.5),
        "p95_ms": _pct(values, 0.95),
        "mean_ms": round(statistics.fmean(values), 2),
        "ops_per_s": round(1000 * len(values) / sum(values), 1),
        "n": len(values),
    }


def _use(database: str | None) -> None:
    """Point the default connection at `database` (a clone of the run's world on the same
    server; None: the run's own), between rounds only, outside any timing."""
    name = database or _RUN_DATABASE.get("name")
    if name and connection.settings_dict["NAME"] != name:
        connection.close()
        connection.settings_dict["NAME"] = name


_RUN_DATABASE: dict[str, str] = {}


def _rounds(
    worlds: list[tuple[str | None, dict[str, Callable[[], Any]]]], log: Callable[[str], None]
) -> list[dict[str, dict[str, Any]]]:
    """Every function of every world in turn for ROUND_SECONDS, ROUNDS times, so load on the
    machine hits all alike; wall time (p50/p95) and the process's CPU time per call
    (`time.process_time()`: this process only, not the PostgreSQL backend's)."""
    for database, fns in worlds:
        _use(database)
        for fn in fns.values():
            fn()  # warm
    runs: list[dict[str, list[float]]] = [{name: [] for name in fns} for _, fns in worlds]
    cpu: list[dict[str, float]] = [dict.fromkeys(fns, 0.0) for _, fns in worlds]
    for round_no in range(ROUNDS):
        for i, (database, fns) in enumerate(worlds):
            _use(database)
            for name, fn in fns.items():
                end = time.perf_counter() + ROUND_SECONDS
                while time.perf_counter() < end or not runs[i][name]:
                    c0, t0 = time.process_time(), time.perf_counter()
                    fn()
                    runs[i][name].append((time.perf_counter() - t0) * 1000)
                    cpu[i][name] += time.process_time() - c0
        log(f"  round {round_no + 1}/{ROUNDS}")
    out = []
    for i in range(len(worlds)):
        out.append(
            {
                name: {**_stats(values), "cpu_ms": round(1000 * cpu[i][name] / len(values), 2)}
                for name, values in runs[i].items()
            }
        )
    return out


def _api(user: Any) -> Any:
    from rest_framework.test import APIClient

    from agencies.models import ApiToken

    key = ApiToken.objects.create(user=user, name="bench")[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _get(client: Any, url: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    return run


def _explain(fn: Callable[[], Any]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT on the audit events one call makes."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    plans = []
    for q in captured.captured_queries:
        sql = q["sql"]
        if sql.lstrip().upper().startswith("SELECT") and '"audit_auditevent"' in sql:
            rows = _sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append(sql + "\n\n" + "\n".join(r[0] for r in rows))
    return plans


def _targets(ctx: Context) -> dict[str, Any]:
    from agencies.models import Agency, Professional
    from cases.models import Case

    viewer = Professional.objects.select_related("agency").get(pk=ctx.viewer.professional_id)
    agency = Agency.objects.select_related("information_governance_lead__user").get(pk=viewer.agency_id)
    ig = agency.information_governance_lead
    assert ig is not None, "the viewer's agency has an information-governance lead"
    case = Case.objects.get(pk=ctx.viewer.case_ids[0])
    person = case.people.order_by("id").first()
    return {"viewer": viewer, "ig": ig, "case": case, "person": person}


def _record_for(t: dict[str, Any]) -> Any:
    """A record of the viewer's on their case, about the person (made once; the world keeps it)."""
    from sharing.models import Record
    from sharing.services import record_write

    found = Record.objects.filter(case=t["case"], author=t["viewer"], text="Audit benchmark note").first()
    return found or record_write(
        case=t["case"], category="general", text="Audit benchmark note", about=[t["person"]], actor=t["viewer"].user
    )


def seal_day(t_end: datetime) -> dict[str, Any]:
    """Seal + verify of the last day's events: an anchor seal (bench only) at t_end − 1 day,
    `seal()` up to t_end, then what `verify()` recomputes for each of the new seals."""
    from django.conf import settings

    from audit import seal as sealing
    from audit.models import AuditSeal

    _sql("TRUNCATE audit_auditseal")
    anchor = AuditSeal.objects.create(
        sealed_at=t_end, sealed_from=None, sealed_until=t_end - timedelta(days=1), events=0, digest="bench-anchor"
    )
    c, t = time.process_time(), time.perf_counter()
    sealing.seal(now=t_end + timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS))
    sealed, sealed_cpu = time.perf_counter() - t, time.process_time() - c
    new = list(AuditSeal.objects.filter(pk__gt=anchor.pk).order_by("id"))
    c, t = time.process_time(), time.perf_counter()
    ok = True
    for s in new:
        digest, count = sealing.window_digest(s.previous_digest, s.sealed_from, s.sealed_until)
        ok = ok and digest == s.digest and count == s.events
    verified, verified_cpu = time.perf_counter() - t, time.process_time() - c
    _sql("TRUNCATE audit_auditseal")
    return {
        "events": sum(s.events for s in new),
        "seals": len(new),
        "seal_s": round(sealed, 2),
        "verify_s": round(verified, 2),
        "total_s": round(sealed + verified, 2),
        "cpu_s": round(sealed_cpu + verified_cpu, 2),
        "ok": ok,
    }


def prepare(total: int, database: str | None, ctx: Context) -> dict[str, Any]:
    """The trail of `total` events in `database` (generated, or reused with BENCH_AUDIT_REUSE=1),
    its seal + verify of the last day, and the reads to time."""
    from agencies.throttling import ExportThrottle
    from sharing import selectors

    log = ctx.log
    _use(database)
    log(f"Audit trail of {total:,} events in {connection.settings_dict['NAME']}")
    loaded = (generated(total, log) if REUSE else None) or load(total, log)
    t = _targets(ctx)
    loaded["seal"] = seal_day(loaded["t_end"])
    log(f"  seal + verify of the last day: {loaded['seal']}")
    ig_api, viewer_api = _api(t["ig"].user), _api(t["viewer"].user)
    year_ago = (timezone.localdate() - timedelta(days=DAYS)).isoformat()
    pages = {
        "person": f"/api/v1/audit/?person={t['person'].pk}",
        "case": f"/api/v1/audit/?case={t['case'].pk}",
        "actor": f"/api/v1/audit/?actor={t['viewer'].pk}",
    }
    fns: dict[str, Callable[[], Any]] = {name: _get(ig_api, url) for name, url in pages.items()}
    export = _get(ig_api, f"/api/v1/audit/export/?person={t['person'].pk}&from={year_ago}")

    def csv_unthrottled() -> Any:  # the per-user export limit (30/hour) is not what is measured
        with mock.patch.object(ExportThrottle, "allow_request", lambda *a, **k: True):
            return export()

    fns["csv"] = csv_unthrottled
    person = t["person"]
    fns["access_log"] = lambda: selectors.access_log_entries_for(person=person)
    record = _record_for(t)
    read = _get(viewer_api, f"/api/v1/records/{record.pk}/")

    def read_unaudited() -> Any:
        with mock.patch.object(selectors, "audit_record_many", lambda *a, **k: None):
            return read()

    fns["read_audited"], fns["read_unaudited"] = read, read_unaudited
    matched = {
        name: _sql(
            "SELECT count(*) FROM audit_auditevent WHERE " + column + " = %s",
            [value],
        )[0][0]
        for name, column, value in (
            ("person", "person", person.pk),
            ("case", '"case"', t["case"].pk),
            ("actor", "actor", t["viewer"].pk),
        )
    }
    return {
        "events": loaded["events"],
        "database": connection.settings_dict["NAME"],
        "load": {k: v for k, v in loaded.items() if k not in ("t_end", "seal")},
        "seal": loaded["seal"],
        "fns": fns,
        "matched": matched,
        "urls": {**pages, "csv": f"/api/v1/audit/export/?person=<id>&from={year_ago}"},
    }


def measure(worlds: list[tuple[int, str | None]], ctx: Context) -> list[dict[str, Any]]:
    """Prepare every trail, then time them all in the same interleaved rounds."""
    runs = [prepare(total, database, ctx) for total, database in worlds]
    loadavg_before = _loadavg()
    results = _rounds([(database, r["fns"]) for (_, database), r in zip(worlds, runs, strict=True)], ctx.log)
    loadavg = f"{loadavg_before} / {_loadavg()}"
    for (_, database), r, res in zip(worlds, runs, results, strict=True):
        _use(database)
        r["results"], r["loadavg"] = res, loadavg
        r["explains"] = {name: _explain(r["fns"][name]) for name in ("person", "case", "actor", "access_log")}
        del r["fns"]
    return runs


LABELS = {
    "person": "IG trail first page `?person=` (count + 50)",
    "case": "IG trail first page `?case=` (count + 50)",
    "actor": "IG trail first page `?actor=` (count + 50)",
    "csv": "CSV of one person's year `export/?person=&from=`",
    "access_log": "Person's access log (`access_log_entries_for`, a year, at most 5,000)",
    "read_audited": "`GET /api/v1/records/<id>/` with its audit INSERT",
    "read_unaudited": "the same with auditing bypassed (bench only)",
}


@scenario("audit_scale", needs_server=False, order=90)
def audit_scale(ctx: Context) -> Section | None:
    if ctx.size < FULL_WORLD and "BENCH_AUDIT_EVENTS" not in os.environ:
        return None
    _RUN_DATABASE["name"] = connection.settings_dict["NAME"]
    totals, databases = sizes(), _databases()
    if databases and len(databases) != len(totals):
        raise ValueError("BENCH_AUDIT_DATABASES names one database per size of BENCH_AUDIT_EVENTS")
    runs: list[dict[str, Any]] = []
    try:
        if databases:  # every trail in its own database, kept, timed in the same rounds
            runs = measure(list(zip(totals, databases, strict=True)), ctx)
        else:  # one after the other in the run's database
            for total in totals:
                runs += measure([(total, None)], ctx)
    finally:
        if os.environ.get("BENCH_AUDIT_KEEP") != "1" and not databases:
            empty_trail()  # keep the last trail to look at it afterwards
        _use(None)
    return report(runs, ctx)


def report(runs: list[dict[str, Any]], ctx: Context) -> Section:
    small, large = runs[0], runs[-1]
    columns = ["read"]
    for r in runs:
        columns += [f"p50 ms @ {r['events']:,}", f"p95 ms @ {r['events']:,}", f"CPU ms @ {r['events']:,}"]
    columns.append("p95 large / small")
    section = Section(title=f"Audit trail at {', '.join(f'{r["events"]:,}' for r in runs)} events", columns=columns)
    for name, label in LABELS.items():
        row: list[Any] = [label]
        for r in runs:
            row += [r["results"][name]["p50_ms"], r["results"][name]["p95_ms"], r["results"][name].get("cpu_ms", "")]
        row.append(round(large["results"][name]["p95_ms"] / small["results"][name]["p95_ms"], 2))
        section.rows.append(row)
    for name in ("person", "case", "actor"):
        p95 = large["results"][name]["p95_ms"]
        scale = p95 / small["results"][name]["p95_ms"]
        section.checks.append(
            Check(
                f"{name} first page p95 at {large['events']:,}",
                f"< {PAGE_P95_TARGET_MS:.0f} ms",
                f"{p95} ms",
                p95 < PAGE_P95_TARGET_MS,
            )
        )
        section.checks.append(
            Check(
                f"{name} first page p95: {large['events']:,} / {small['events']:,}",
                f"<= {SCALING_TARGET}",
                f"{scale:.2f}",
                scale <= SCALING_TARGET,
            )
        )
    for r in runs:
        ratio = r["results"]["read_audited"]["ops_per_s"] / r["results"]["read_unaudited"]["ops_per_s"]
        section.checks.append(
            Check(
                f"record read with audit / without at {r['events']:,} (throughput)",
                f">= {READ_RATIO_TARGET}",
                f"{ratio:.3f}",
                ratio >= READ_RATIO_TARGET,
            )
        )
        s = r["seal"]
        section.checks.append(
            Check(
                f"seal + verify of the last day's {s['events']:,} events at {r['events']:,}",
                f"< {SEAL_TARGET_S:.0f} s",
                f"{s['total_s']} s (seal {s['seal_s']}, verify {s['verify_s']}; CPU {s.get('cpu_s', '?')} s)",
                s["ok"] and s["total_s"] < SEAL_TARGET_S,
            )
        )
    for r in runs:
        load = r["load"]
        section.notes.append(
            f"**{r['events']:,} events** (database {r.get('database', '?')}"
            + (", generated by an earlier run and reused" if load.get("reused") else "")
            + f"): generated and indexed in {load['seconds']} s ({load['size']} with "
            f"indexes, {load['sources']:,} active case-team assignments as actors); events matching the filters: "
            + ", ".join(f"{k} {v:,}" for k, v in r["matched"].items())
            + f"; load average (1, 5, 15 min) before / after the rounds: {r['loadavg']}."
        )
    section.notes.append(
        f"In-process against PostgreSQL (Django test client, token auth), {ROUNDS} interleaved rounds of "
        f"{ROUND_SECONDS:.0f} s per read (every trail's reads in each round); CPU ms is this process's "
        "`time.process_time()` per call (the PostgreSQL backend's time is not in it), which other work on "
        "the machine barely moves; the trail pages are read as the information-governance lead of the "
        "viewer's agency (the API's visibility filter: events by that agency's staff or about its records), "
        "the person is the first of the viewer's first case, the actor is the viewer. Each trail read also "
        "writes its own `audit.trail.viewed` event, as in production. The record read's audit INSERT lands "
        "in this month's partition."
    )
    for name in ("person", "case", "actor", "access_log"):
        for plan in large["explains"][name]:
            heading = f"EXPLAIN (ANALYZE, BUFFERS), {LABELS[name]} at {large['events']:,}:"
            section.notes.append(f"{heading}\n\n```\n{plan}\n```")
    section.data = {"runs": [{k: v for k, v in r.items() if k != "explains"} for r in runs]}
    return section
