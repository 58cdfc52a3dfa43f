"""Celery entry points of cases/: thin."""

from __future__ import annotations

from celery import shared_task

from cases.reminders import reminders_scan as _reminders_scan


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_scan() -> dict[str, int]:
    """The periodic scan (beat, every REMINDER_SCAN_MINUTES). Idempotent: re-running creates nothing new."""
    result = _reminders_scan()
    return {"due_items": result.due_items, "reminders": result.reminders, "messages": result.messages}
