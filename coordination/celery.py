"""The Celery application. Tasks live in each app's tasks.py and are thin."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def scan_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    """Run the reminder scan as soon as a worker is ready, rather than at beat's first
    tick (REMINDER_SCAN_MINUTES later): after a deploy or `make run`, reminders and
    escalations due now go out at once. The scan is idempotent, so several workers
    starting together create nothing twice. REMINDER_SCAN_AT_WORKER_START=0 turns it off
    (the worker tests, which scan a chosen date and count exactly what it creates)."""
    from django.conf import settings

    from accountability.tasks import reminders_scan

    if not settings.REMINDER_SCAN_AT_WORKER_START:
        return

    reminders_scan.delay()
