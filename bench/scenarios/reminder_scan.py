"""The reminder scan at scale: one full scan (creating reminder rows) and delivery
to the in-app store, side by side with one raw SQL statement selecting the same
due rows through the same partial index.

About 5 % of all milestones are made due for the run (their due dates moved into
the reminder windows: in 7 days, tomorrow, today, yesterday, 3 days ago); the
original dates are kept in a temporary table and restored afterwards, and the
reminder and notification rows the run made are removed, so other scenarios see
the seeded world unchanged. Delivery is in-process, as `manage.py send_reminders`
does it; Celery messages are counted, not sent (the worker's own cost is the same
`reminders_deliver` call per message). E-mail goes to Django's dummy backend.

Standalone: DATABASE_URL=postgres://.../ju_bench .venv/bin/python bench/reminders_bench.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from bench.scenarios import Check, Context, Section, scenario

DUE_SHARE = 0.05
OFFSETS = [7, 1, 0, -1, -3]  # upcoming, due tomorrow, due today, overdue, escalation


def _sql(cursor: Any, sql: str, params: Any = None) -> Any:
    cursor.execute(sql, params)
    return cursor


def _make_due(today: Any, log: Callable[[str], None]) -> int:
    """Move ~5 % of milestones (open, on open cases) into today's reminder windows; keep the old dates."""
    with connection.cursor() as c:
        total = _sql(c, "SELECT count(*) FROM plans_milestone").fetchone()[0]
        target = int(total * DUE_SHARE)
        _sql(c, "DROP TABLE IF EXISTS bench_reminder_due_backup")
        _sql(
            c,
            """CREATE TABLE bench_reminder_due_backup AS
               SELECT m.id, m.due_date FROM plans_milestone m JOIN cases_case k ON k.id = m.case_id
               WHERE m.status = 'open' AND k.status = 'open' ORDER BY md5(m.id::text) LIMIT %s""",
            [target],
        )
        dates = [today + timezone.timedelta(days=o) for o in OFFSETS]
        _sql(
            c,
            """UPDATE plans_milestone m SET due_date = (%s::date[])[1 + (abs(hashtext(m.id::text)) %% 5)]
               FROM bench_reminder_due_backup b WHERE m.id = b.id""",
            [dates],
        )
        _sql(c, "ANALYZE plans_milestone")
        log(f"  moved {target:,} of {total:,} milestones into the reminder windows")
        return total


def _restore() -> None:
    with connection.cursor() as c:
        _sql(c, "DELETE FROM accountability_notification")
        _sql(c, "DELETE FROM accountability_reminder")
        _sql(c, "DELETE FROM accountability_digest")
        _sql(
            c,
            """UPDATE plans_milestone m SET due_date = b.due_date FROM bench_reminder_due_backup b
               WHERE m.id = b.id""",
        )
        _sql(c, "DROP TABLE bench_reminder_due_backup")
        _sql(c, "VACUUM ANALYZE plans_milestone")  # leave no dead rows for the scenarios that follow
        _sql(c, "VACUUM ANALYZE accountability_reminder")


def _due_statement(today: Any) -> tuple[str, Any]:
    """The scan's own milestone query, as SQL: the raw statement runs exactly what the scan selects."""
    from accountability.registry import due_date_filter
    from accountability.services import reminder_due_windows
    from cases.models import CaseStatus
    from plans.models import ItemStatus, Milestone

    exact, window = reminder_due_windows(today=today)
    qs = (
        Milestone.objects.filter(
            due_date_filter("due_date", exact=exact, window=window),
            status=ItemStatus.OPEN,
            case__status=CaseStatus.OPEN,
        )
        .values_list("id", "due_date", "accountable_id", "accountable__team__lead_id", "case_id", "case__reference")
        .order_by()
    )
    return qs.query.sql_with_params()


def _time_raw(sql: str, params: Any, repeat: int = 3) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        with connection.cursor() as c:
            t0 = time.perf_counter()
            c.execute(sql, params)
            n = len(c.fetchall())
            times.append(time.perf_counter() - t0)
    return statistics.median(times), n


def measure(log: Callable[[str], None], size_label: str = "") -> Section:
    from accountability import tasks
    from accountability.models import Notification, Reminder
    from accountability.services import reminders_deliver, reminders_scan

    today = timezone.localdate()
    total = _make_due(today, log)
    try:
        sql, params = _due_statement(today)
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in c.fetchall()]
        raw_s, raw_rows = _time_raw(sql, params)
        log(f"  raw SQL: {raw_rows:,} rows in {raw_s * 1000:.0f} ms")

        batches: list[list[int]] = []
        with mock.patch.object(tasks.deliver_batch, "delay", side_effect=lambda ids: batches.append(ids)):
            t0 = time.perf_counter()
            first = reminders_scan(today=today)
            scan_s = time.perf_counter() - t0
        log(f"  scan: {first.due_items:,} due items, {first.reminders:,} reminders in {scan_s:.2f} s")

        with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
            delivered = emailed = 0
            deliver_s = email_s = 0.0
            for batch in batches:
                r = reminders_deliver(ids=batch)
                delivered += r.delivered
                emailed += r.emailed
                deliver_s += r.inapp_seconds
                email_s += r.email_seconds
        log(f"  delivery: {delivered:,} notifications in {deliver_s:.2f} s, {emailed:,} e-mails in {email_s:.2f} s")

        again: list[list[int]] = []
        with mock.patch.object(tasks.deliver_batch, "delay", side_effect=lambda ids: again.append(ids)):
            t0 = time.perf_counter()
            second = reminders_scan(today=today)
            rescan_s = time.perf_counter() - t0
        reminders = Reminder.objects.count()
        notifications = Notification.objects.count()
    finally:
        _restore()

    due = first.reminders
    ratio = scan_s / raw_s if raw_s else float("inf")
    uses_index = any("milestone_open_due_idx" in line for line in plan)
    server_ms = next((float(line.split()[2]) for line in plan if line.startswith("Execution Time:")), 0.0)
    section = Section(
        title=f"Reminder scan{size_label}: {total:,} milestones, {first.due_items:,} due",
        columns=["step", "rows", "seconds", "ratio to raw SQL", "Celery messages"],
        rows=[
            ["raw SQL: select the due milestones (same statement, same index)", raw_rows, round(raw_s, 3), 1.0, ""],
            ["  of which server-side execution (EXPLAIN ANALYZE)", raw_rows, round(server_ms / 1000, 3), "", ""],
            [
                "scan: select + create reminder rows (first run of the day)",
                due,
                round(scan_s, 3),
                round(ratio, 2),
                len(batches),
            ],
            [
                "delivery: claim rows + in-app notifications",
                delivered,
                round(deliver_s, 3),
                round(deliver_s / raw_s, 2) if raw_s else "",
                "",
            ],
            [
                "e-mail: per-reminder claim + send (dummy backend) + mark sent",
                emailed,
                round(email_s, 3),
                round(email_s / raw_s, 2) if raw_s else "",
                "",
            ],
            [
                "re-scan the same day (nothing new)",
                second.reminders,
                round(rescan_s, 3),
                round(rescan_s / raw_s, 2) if raw_s else "",
                len(again),
            ],
        ],
        checks=[
            Check("scan time ≤ 2 × raw SQL", "≤ 2.0", f"{ratio:.2f}", ratio <= 2.0),
            Check(
                "Celery messages per scan ≤ due/1000 + 1",
                f"≤ {due / 1000 + 1:.1f}",
                str(len(batches)),
                len(batches) <= due / 1000 + 1,
            ),
            Check(
                "due scan uses the partial index milestone_open_due_idx",
                "yes",
                "yes" if uses_index else "no",
                uses_index,
            ),
            Check(
                "exactly once: one notification per reminder, re-scan sends nothing",
                "equal, 0 messages",
                f"{notifications:,}/{reminders:,}, {len(again)} messages",
                notifications == reminders == delivered and not again,
            ),
        ],
        notes=[
            "The raw SQL row is the scan's own milestone statement run through a cursor and fetched into Python "
            "(what any scan must at least do to see the rows); the scan also covers reviews and inserts the "
            "reminder rows with one INSERT ... SELECT per kind of item, in key order, ON CONFLICT DO NOTHING. "
            "Delivery is one `reminders_deliver` call per Celery message (1,000 ids): in-app claim + notification "
            "in chunks of 500 per transaction, then each e-mail claimed, sent and marked on its own (two commits "
            "per e-mail, so a killed worker can never send one twice).",
            "EXPLAIN (ANALYZE, BUFFERS) of the due-milestone statement:",
            "```\n" + "\n".join(plan) + "\n```",
        ],
        data={
            "raw_s": raw_s,
            "scan_s": scan_s,
            "deliver_s": deliver_s,
            "rescan_s": rescan_s,
            "email_s": email_s,
            "due": due,
            "messages": len(batches),
            "ratio": ratio,
        },
    )
    return section


@scenario("reminder_scan", needs_server=False, order=60)
def reminder_scan(ctx: Context) -> Section | None:
    return measure(ctx.log, f" at {ctx.size:,} cases")
