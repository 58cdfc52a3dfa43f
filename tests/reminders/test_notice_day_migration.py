"""Migration accountability 0007 keys every notice already queued by the day it was created and
leaves the scan's reminders keyed as before (no `told_on`)."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accountability", "0006_meeting_notice_kinds")]
AFTER = [("accountability", "0007_notices_keyed_by_the_day_told")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_notices_already_queued_get_the_day_they_were_told_and_reminders_none():
    latest = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "accountability"]
    old = _migrate(BEFORE)
    try:
        Reminder = old.get_model("accountability", "Reminder")
        common = {"subject_type": "milestone", "recipient": uuid.uuid4(), "accountable": uuid.uuid4(), "link": "/"}
        due = timezone.localdate() + datetime.timedelta(days=7)
        notice = Reminder.objects.create(kind="item_changed", subject_id=uuid.uuid4(), due_date=due, **common)
        reminder = Reminder.objects.create(kind="upcoming", subject_id=uuid.uuid4(), due_date=due, **common)
        five_days_ago = timezone.now() - datetime.timedelta(days=5)
        Reminder.objects.filter(pk=notice.pk).update(created_at=five_days_ago)
        new = _migrate(AFTER)
        Reminder = new.get_model("accountability", "Reminder")
        assert Reminder.objects.get(pk=notice.pk).told_on == timezone.localdate(five_days_ago)
        assert Reminder.objects.get(pk=reminder.pk).told_on is None
    finally:
        _migrate(latest)
