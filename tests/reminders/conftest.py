"""Fixtures for the reminder tests: run the scan as the command does, and read what it made."""

import datetime

import pytest
from django.core.management import call_command

from accountability.models import Notification, Reminder


def run_scan(day: datetime.date, *, digests: bool = False) -> str:
    """`manage.py send_reminders --date day`: scan and deliver in-process."""
    from io import StringIO

    out = StringIO()
    args = ["send_reminders", "--date", day.isoformat()]
    if digests:
        args.append("--digests")
    call_command(*args, stdout=out)
    return out.getvalue()


def kinds_for(professional) -> list[tuple[str, str, datetime.date]]:
    return sorted(
        Notification.objects.filter(recipient=professional.id).values_list("kind", "subject_type", "due_date")
    )


@pytest.fixture
def scan():
    return run_scan


@pytest.fixture
def reminders():
    return Reminder.objects
