"""A Celery worker runs the reminder scan as it starts (issue 11, found 10): after `make run`
or a deploy, what is due now is reminded at once, not at beat's first tick 15 minutes later."""

import datetime

import pytest
from celery.signals import worker_ready
from django.utils import timezone

from accountability.models import Notification, ReminderKind
from audit.models import AuditEvent
from coordination.celery import app
from plans.models import Milestone


@pytest.fixture
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_a_worker_starting_runs_the_reminder_scan(world, eager, django_capture_on_commit_callbacks):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=timezone.localdate() + datetime.timedelta(days=1))
    assert not AuditEvent.objects.filter(action="accountability.reminders.scanned").exists()
    with django_capture_on_commit_callbacks(execute=True):  # delivery is enqueued after the scan commits
        worker_ready.send(sender=None)
    assert AuditEvent.objects.filter(action="accountability.reminders.scanned").exists()
    assert Notification.objects.filter(recipient=world.nia.id, kind=ReminderKind.DUE_TOMORROW).exists()
    with django_capture_on_commit_callbacks(execute=True):  # a second worker starting sends nothing twice
        worker_ready.send(sender=None)
    assert Notification.objects.filter(recipient=world.nia.id, kind=ReminderKind.DUE_TOMORROW).count() == 1


def test_the_scan_at_worker_start_can_be_turned_off(world, eager, settings):
    settings.REMINDER_SCAN_AT_WORKER_START = False
    worker_ready.send(sender=None)
    assert not AuditEvent.objects.filter(action="accountability.reminders.scanned").exists()
