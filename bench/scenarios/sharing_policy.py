"""Issue 3: the cost of the sharing policy.

Two reads, each with the policy on and with it bypassed, in the same query shape
(same select_related / prefetch, ordering, first page of 50 plus the count, as the
API and the pages run them):

- the record list of one case with 500 records and 50 consents (viewer on the
  case; records of their own agency, general, consent-shared and not shared):
  policy on = `sharing.policy.records_visible_to` (annotated basis, Exists
  subqueries); bypassed = `records_bypassing_policy` (here) (every record);
- the case list of a professional on 2,000 cases: policy on =
  `cases.selectors.case_list_visible_to` (through `cases.visibility`); bypassed = the same queryset over every
  case (no visibility predicate).

Measured in-process against PostgreSQL, interleaved rounds so that other load on
the machine hits both sides alike. The extra rows are committed and the touched
tables vacuumed and analysed before measuring, as autovacuum leaves a production
database (rows written moments ago in the same transaction made PostgreSQL check
the heap for every index entry of the policy's lookups, a cost no deployment
pays); the reads themselves run in a transaction that is rolled back, and the
extra rows are deleted afterwards (their ids are kept in var/bench until then, so
an interrupted run is cleaned up by the next), leaving the seeded world unchanged.

Standalone: DATABASE_URL=postgres://.../ju_bench .venv/bin/python bench/sharing_bench.py
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from bench.scenarios import Check, Context, Section, scenario

STATE_DIR = Path(__file__).resolve().parents[2] / "var" / "bench"

RATIO_TARGET = 0.8
RECORDS = 500
CONSENTS = 50
CASELOAD = 2_000
PAGE = 50
ROUNDS = 5
ROUND_SECONDS = 2.0


class _Rollback(Exception):
    pass


def _time(fn: Callable[[], Any], seconds: float) -> list[float]:
    """Run fn repeatedly for about `seconds`; each call's duration in ms."""
    out: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(out) < 3:
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _compare(name: str, on: Callable[[], Any], off: Callable[[], Any], log: Callable[[str], None]) -> dict[str, Any]:
    on(), off()  # warm caches and connections
    runs: dict[str, list[float]] = {"on": [], "off": []}
    for round_no in range(ROUNDS):
        runs["on"] += _time(on, ROUND_SECONDS)
        runs["off"] += _time(off, ROUND_SECONDS)
        log(f"  {name}: round {round_no + 1}/{ROUNDS}")
    result: dict[str, Any] = {}
    for side, values in runs.items():
        result[side] = {
            "ops_per_s": round(1000 * len(values) / sum(values), 1),
            "p50_ms": _pct(values, 0.5),
            "p95_ms": _pct(values, 0.95),
            "mean_ms": round(statistics.fmean(values), 2),
            "n": len(values),
        }
    result["ratio"] = round(result["on"]["ops_per_s"] / result["off"]["ops_per_s"], 3)
    return result


def _page(qs: Any) -> tuple[int, list[Any]]:
    return qs.count(), list(qs[:PAGE])


def _setup(ctx: Context) -> dict[str, Any]:
    """A case of the viewer's with 500 records and 50 consents; a professional on 2,000 cases."""
    from agencies.models import Agency, Professional
    from cases.models import Case, Person, RoleAssignment
    from sharing.models import Category, Consent, Record

    viewer = Professional.objects.select_related("agency").get(pk=ctx.viewer.professional_id)
    case = Case.objects.get(pk=ctx.viewer.case_ids[0])
    people = list(case.people.all())
    others = list(Professional.objects.exclude(agency=viewer.agency).select_related("agency")[:3])
    agencies = [viewer.agency, *Agency.objects.exclude(pk=viewer.agency_id)[:6]]
    now = timezone.now()
    # 20 % own agency, 20 % general, the rest other agencies' shared categories.
    shared = [c for c in Category.values if c != Category.GENERAL]
    records = []
    for i in range(RECORDS):
        if i % 5 == 0:
            author, category = viewer, shared[i % len(shared)]
        elif i % 5 == 1:
            author, category = others[i % len(others)], Category.GENERAL
        else:
            author, category = others[i % len(others)], shared[i % len(shared)]
        records.append(
            Record(
                id=uuid.uuid4(),
                case=case,
                category=category,
                text=f"Benchmark note {i}",
                author=author,
                author_agency_id=author.agency_id,
                created_at=now - timezone.timedelta(minutes=i),
            )
        )
    Record.objects.bulk_create(records)
    made_ids: dict[str, list[str]] = {"records": [str(r.pk) for r in records]}
    # auto_now_add stamped them all "now": spread them over a year (seeded, so every run is alike).
    spread = random.Random(len(records))
    for r in records:
        r.created_at = now - timezone.timedelta(seconds=spread.random() * 365 * 86400)
    Record.objects.bulk_update(records, ["created_at"], batch_size=500)
    Through = Record.about.through
    Through.objects.bulk_create([Through(record_id=r.pk, person_id=p.pk) for r in records for p in people])
    today = timezone.localdate()
    # The viewer's agency first (so some records are shared by consent: every person of
    # the case consents for the first categories), then other agencies; some refused,
    # withdrawn or expired.
    combos = itertools.cycle(
        [(p, c, viewer.agency) for c in shared[:3] for p in people]
        + [(p, c, a) for a in agencies[1:] for c in shared for p in people]
    )
    consents = []
    for i in range(CONSENTS):
        person, category, agency = next(combos)
        in_force = i < 3 * len(people)
        consents.append(
            Consent(
                person=person,
                category=category,
                agency=agency,
                purpose="Benchmark",
                decision="given" if in_force or i % 10 else "refused",
                valid_from=today - timezone.timedelta(days=30),
                valid_until=None if in_force or i % 4 else today - timezone.timedelta(days=1),
                given_by="Benchmark",
                recorded_by_user_id=viewer.user_id,
                withdrawn_at=now if not in_force and i % 7 == 0 else None,
            )
        )
    Consent.objects.bulk_create(consents)
    made_ids["consents"] = [str(c.pk) for c in consents]

    # A professional of the viewer's agency put on 2,000 cases they were not on.
    busy = Professional.objects.filter(agency=viewer.agency).exclude(pk=viewer.pk).first() or viewer
    taken = RoleAssignment.objects.filter(professional=busy, ended_on__isnull=True).values("case_id")
    case_ids = list(Case.objects.exclude(pk__in=taken).order_by("?").values_list("pk", flat=True)[:CASELOAD])
    assignments = [
        RoleAssignment(case_id=cid, professional=busy, role="contributor", started_on=today, assigned_by=busy)
        for cid in case_ids
    ]
    RoleAssignment.objects.bulk_create(assignments)
    made_ids["assignments"] = [str(a.pk) for a in assignments]
    del Person
    return {
        "viewer": viewer,
        "case": case,
        "people": len(people),
        "busy": busy,
        "caseload": len(case_ids),
        "ids": made_ids,
    }


TOUCHED = ("sharing_record", "sharing_record_about", "sharing_consent", "cases_roleassignment")
LEFTOVERS = STATE_DIR / "sharing-policy-rows.json"


def _vacuum() -> None:
    """VACUUM ANALYZE the tables the setup wrote to (outside any transaction; PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TOUCHED:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _teardown(ids: dict[str, list[str]]) -> None:
    """Delete the rows `_setup` made (records take their person links with them)."""
    from cases.models import RoleAssignment
    from sharing.models import Consent, Record

    with transaction.atomic():
        Record.about.through.objects.filter(record_id__in=ids.get("records", [])).delete()
        Record.objects.filter(pk__in=ids.get("records", [])).delete()
        Consent.objects.filter(pk__in=ids.get("consents", [])).delete()
        RoleAssignment.objects.filter(pk__in=ids.get("assignments", [])).delete()
    LEFTOVERS.unlink(missing_ok=True)
    _vacuum()


def _setup_committed(ctx: Context) -> dict[str, Any]:
    if LEFTOVERS.exists():  # an earlier run was interrupted before its teardown
        _teardown(json.loads(LEFTOVERS.read_text()))
    with transaction.atomic():
        made = _setup(ctx)
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        LEFTOVERS.write_text(json.dumps(made["ids"]))
    _vacuum()
    return made


def records_bypassing_policy(*, case: Any) -> Any:
    """The policy's query shape with the record policy switched off (every record of the
    case, basis empty): the benchmark's baseline, which no view or selector may use."""
    from django.db.models import CharField, Value

    from sharing.models import Record

    return Record.objects.filter(case=case).annotate(basis=Value("", output_field=CharField()))


def _bypassed_records(professional: Any, *, case: Any = None, moment: Any = None) -> Any:
    return records_bypassing_policy(case=case)


def _bypassed_cases(professional: Any) -> Any:
    from cases.models import Case

    return Case.objects.all()


def _api(user: Any) -> Any:
    from rest_framework.test import APIClient

    from agencies.models import ApiToken

    _, key = ApiToken.objects.create(user=user, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return response


def measure(log: Callable[[str], None], ctx: Context) -> Section:
    from cases import selectors as case_selectors
    from cases import visibility
    from cases.models import Case
    from sharing import policy

    section = Section(
        title=f"Sharing policy on vs bypassed at {ctx.size:,} cases",
        columns=["read", "policy", "ops/s", "p50 ms", "p95 ms", "rows"],
    )
    made = _setup_committed(ctx)
    try:
        with transaction.atomic():
            viewer, busy = made["viewer"], made["busy"]
            # As every case-scoped page and endpoint does: the case through the gate first.
            case = visibility.case_with_access(viewer, made["case"].pk)
            assert case is not None, "the viewer must see their own case"

            def load_records(qs: Any) -> Any:
                return (
                    qs.select_related("author", "author_agency", "case")
                    .prefetch_related("about")
                    .order_by("-created_at", "-id")
                )

            def records_on() -> Any:
                return _page(load_records(policy.records_visible_to(viewer, case=case)))

            def records_off() -> Any:
                return _page(load_records(records_bypassing_policy(case=case)))

            visible = load_records(policy.records_visible_to(viewer, case=case)).count()
            bases = sorted(set(policy.records_visible_to(viewer, case=case).values_list("basis", flat=True).distinct()))
            log(f"  record list: {RECORDS} records, {CONSENTS} consents, viewer sees {visible} ({', '.join(bases)})")
            rec = _compare("record list", records_on, records_off, log)

            def cases_on() -> Any:
                return _page(case_selectors.case_list_visible_to(user=busy.user))

            def cases_off() -> Any:
                # The same queryset, select_related, prefetch and ordering with no visibility predicate.
                qs = case_selectors.case_list_visible_to(user=busy.user)
                qs.query.where = Case.objects.all().query.where
                return _page(qs)

            seen = case_selectors.case_list_visible_to(user=busy.user).count()
            log(f"  case list: professional on {made['caseload']:,} new cases sees {seen:,}")
            cl = _compare("case list", cases_on, cases_off, log)

            # The same two reads through the whole API request (token auth, DRF, pagination,
            # serializer, the audit INSERT of the listed records), in-process: policy on,
            # and with sharing.policy / cases.visibility patched to the bypassed querysets.
            records_url = f"/api/v1/cases/{case.pk}/records/"
            viewer_api, busy_api = _api(viewer.user), _api(busy.user)

            def api_records() -> Any:
                return _ok(viewer_api.get(records_url))

            def api_cases() -> Any:
                return _ok(busy_api.get("/api/v1/cases/"))

            def bypassed(fn: Callable[[], Any], module: Any, name: str, replacement: Any) -> Callable[[], Any]:
                def run() -> Any:
                    with mock.patch.object(module, name, replacement):
                        return fn()

                return run

            api_rec = _compare(
                "API record list",
                api_records,
                bypassed(api_records, policy, "records_visible_to", _bypassed_records),
                log,
            )
            api_cl = _compare(
                "API case list", api_cases, bypassed(api_cases, visibility, "cases_visible_to", _bypassed_cases), log
            )
            raise _Rollback
    except _Rollback:
        pass
    finally:
        _teardown(made["ids"])

    rows = [
        (f"ORM: record list, {RECORDS} records, {CONSENTS} consents (count + page of {PAGE})", rec, visible, RECORDS),
        (f"ORM: case list, professional on {seen:,} cases (count + page of {PAGE})", cl, seen, ctx.size),
        ("API: `GET /api/v1/cases/<id>/records/` (the same case)", api_rec, visible, RECORDS),
        (f"API: `GET /api/v1/cases/` (professional on {seen:,} cases)", api_cl, seen, ctx.size),
    ]
    for label, res, rows_on, rows_off in rows:
        section.rows.append([label, "on", res["on"]["ops_per_s"], res["on"]["p50_ms"], res["on"]["p95_ms"], rows_on])
        section.rows.append(
            [label, "bypassed", res["off"]["ops_per_s"], res["off"]["p50_ms"], res["off"]["p95_ms"], rows_off]
        )
    for label, res in (
        ("API record list", api_rec),
        ("API case list", api_cl),
        ("ORM record list", rec),
        ("ORM case list", cl),
    ):
        section.checks.append(
            Check(
                f"{label}: policy on / bypassed (throughput)",
                f">= {RATIO_TARGET}",
                f"{res['ratio']}",
                res["ratio"] >= RATIO_TARGET,
            )
        )
    section.notes.append(
        f"In-process timings against PostgreSQL, {ROUNDS} interleaved rounds of {ROUND_SECONDS:.0f} s per side. "
        "ORM rows: the count plus the first page with its select_related / prefetch queries, nothing else; "
        "the record list's case comes through the gate (`case_with_access`), as on every case page and "
        "endpoint, so its visibility is not decided twice. Setup rows committed and vacuumed first (see the "
        "module docstring). "
        "API rows: the whole request through Django's test client with token auth (DRF, pagination, "
        "serializer, the audit INSERT of the listed records); bypassed = the same request with "
        "`sharing.policy.records_visible_to` / `cases_visible_to` patched to return every record of the case / "
        "every case. "
        f"The viewer sees {visible} of the {RECORDS} records (bases: {', '.join(bases)}). "
        "The bypassed case list counts every case in the world, so its cost grows with the world while the "
        "policy's grows with the caseload."
    )
    section.data = {
        "record_list": rec,
        "case_list": cl,
        "api_record_list": api_rec,
        "api_case_list": api_cl,
        "visible_records": visible,
        "caseload": seen,
    }
    return section


@scenario("sharing_policy", needs_server=False, order=40)
def sharing_policy(ctx: Context) -> Section:
    return measure(ctx.log, ctx)
