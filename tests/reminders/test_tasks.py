"""The Celery wiring: beat schedule, thin idempotent tasks, retries on mail failure."""

import datetime

import pytest

from accountability import services as accountability_services
from accountability import tasks
from accountability.models import Notification, Reminder
from accountability.services import reminders_scan
from coordination.celery import app


def test_beat_runs_the_scan_every_15_minutes_and_the_digest_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reminders-scan"]["task"] == "accountability.tasks.reminders_scan"
    assert schedule["reminders-scan"]["schedule"] == datetime.timedelta(minutes=15)
    assert schedule["reminders-digest"]["task"] == "accountability.tasks.digests_send"
    names = {tasks.reminders_scan.name, tasks.deliver_batch.name, tasks.digests_send.name}
    assert names == {
        "accountability.tasks.reminders_scan",
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

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    countdowns = []
    original_retry = tasks.deliver_batch.retry

    def spy_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original_retry(*args, **kwargs)

    monkeypatch.setattr(accountability_services, "_send", refuse)
    monkeypatch.setattr(tasks.deliver_batch, "retry", spy_retry)
    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    tasks.deliver_batch.apply(args=[ids]).get()  # eager: Celery's retries run at once
    assert countdowns == [60, 120, 240, 480]  # autoretry with exponential backoff
    row = Reminder.objects.get()
    assert (row.email_status, row.attempts) == ("failed", 5)
    assert "ConnectionRefusedError" in row.last_error
    assert Notification.objects.count() == 1  # in-app delivery does not wait for the mail server


def test_scan_task_uses_todays_london_date(world, monkeypatch):
    """At 23:30 UTC on 30 June it is already 1 July in London (BST): the task scans 1 July."""
    import django.utils.timezone as django_timezone

    from plans.models import Milestone

    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=datetime.date(2026, 7, 1))
    late_evening_utc = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(django_timezone, "now", lambda: late_evening_utc)
    out = tasks.reminders_scan.apply().get()
    assert out["today"] == "2026-07-01"
    assert list(Reminder.objects.values_list("kind", "due_date")) == [("due_today", datetime.date(2026, 7, 1))]


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
