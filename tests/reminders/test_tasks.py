"""The Celery wiring: beat schedule, thin idempotent tasks, retries on mail failure."""

import datetime

import pytest

from accountability import tasks
from accountability.models import Notification, Reminder
from cases.reminders import reminders_scan
from coordination.celery import app


def test_beat_runs_the_scan_every_15_minutes_and_the_digest_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reminders-scan"]["task"] == "cases.tasks.reminders_scan"
    assert schedule["reminders-scan"]["schedule"] == datetime.timedelta(minutes=15)
    assert schedule["reminders-digest"]["task"] == "accountability.tasks.digests_send"
    from cases import tasks as case_tasks

    names = {case_tasks.reminders_scan.name, tasks.deliver_batch.name, tasks.digests_send.name}
    assert names == {
        "cases.tasks.reminders_scan",
        "accountability.tasks.deliver_batch",
        "accountability.tasks.digests_send",
    }
    assert names <= set(app.tasks)


def test_delivery_tasks_ack_late_and_requeue_when_the_worker_is_lost():
    for task in (tasks.deliver_batch, tasks.digests_send):
        assert task.acks_late and task.reject_on_worker_lost


def test_deliver_batch_task_delivers_and_a_redelivered_message_does_nothing(world, mailoutbox):
    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    assert tasks.deliver_batch.apply(args=[ids]).get() == {"delivered": 1, "cancelled": 0, "emailed": 1}
    assert tasks.deliver_batch.apply(args=[ids]).get() == {"delivered": 0, "cancelled": 0, "emailed": 0}
    assert Notification.objects.count() == 1 and len(mailoutbox) == 1


def test_deliver_batch_task_retries_a_failing_email_with_backoff_then_records_the_failure(world, monkeypatch):
    from accountability import services

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    countdowns = []
    original_retry = tasks.deliver_batch.retry

    def spy_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original_retry(*args, **kwargs)

    monkeypatch.setattr(services, "_send", refuse)
    monkeypatch.setattr(tasks.deliver_batch, "retry", spy_retry)
    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    tasks.deliver_batch.apply(args=[ids]).get()  # eager: Celery's retries run at once
    assert countdowns == [60, 120, 240, 480]  # autoretry with exponential backoff
    row = Reminder.objects.get()
    assert (row.email_status, row.attempts) == ("failed", 5)
    assert "ConnectionRefusedError" in row.last_error
    assert Notification.objects.count() == 1  # in-app delivery does not wait for the mail server


def test_scan_task_uses_todays_london_date(world, monkeypatch):
    from cases import tasks as case_tasks

    seen = []
    monkeypatch.setattr(case_tasks, "_reminders_scan", lambda: seen.append(1) or reminders_scan(enqueue=False))
    out = case_tasks.reminders_scan.apply().get()
    assert seen == [1] and set(out) == {"due_items", "reminders", "messages"}


@pytest.mark.parametrize("minutes", ["5", "60"])
def test_scan_interval_comes_from_the_environment(minutes, monkeypatch):
    import importlib

    import coordination.settings as s

    monkeypatch.setenv("REMINDER_SCAN_MINUTES", minutes)
    try:
        reloaded = importlib.reload(s)
        assert reloaded.CELERY_BEAT_SCHEDULE["reminders-scan"]["schedule"] == datetime.timedelta(minutes=int(minutes))
    finally:
        monkeypatch.delenv("REMINDER_SCAN_MINUTES")
        importlib.reload(s)
