"""manage.py send_reminders [--date YYYY-MM-DD] [--digests]

Runs the same scan as Celery beat and delivers in this process, so it works
from cron with no worker running. Safe to run at the same time as the worker
or another copy of itself: rows are unique and every delivery is claimed.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accountability.services import DeliveryResult, digests_send, reminder_batches, reminders_deliver, reminders_scan


class Command(BaseCommand):
    help = "Scan every registered kind of due item, create reminders and deliver them now (no worker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Scan as if today were this date (YYYY-MM-DD, in TIME_ZONE).")
        parser.add_argument("--digests", action="store_true", help="Also send today's digest e-mails.")

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(str(options["date"]))
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        scan = reminders_scan(today=today, enqueue=False)
        total = DeliveryResult()
        for batch in reminder_batches(scan.to_deliver):
            r = reminders_deliver(ids=batch)
            total.delivered += r.delivered
            total.cancelled += r.cancelled
            total.emailed += r.emailed
            total.email_retry += r.email_retry
            total.email_failed += r.email_failed
        line = (
            f"{scan.today}: {scan.due_items} due items, {scan.reminders} reminders; "
            f"{total.delivered} notifications, {total.cancelled} no longer due, {total.emailed} e-mails"
            f" ({total.email_retry} to retry, {total.email_failed} failed)"
        )
        if options.get("digests"):
            d = digests_send(today=scan.today)
            line += f"; {d.emailed} digests"
        self.stdout.write(line)
