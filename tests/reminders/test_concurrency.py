"""Overlapping scans from several processes at once: no duplicates, no errors.

Each process is a real `manage.py send_reminders --date ...`, against the
PostgreSQL test database (committed data: transactional_db) and against a
real SQLite file, the embedded default."""

import datetime
import email
import sqlite3

import pytest

from accountability.models import Notification, Reminder
from cases import services as case_services
from tests.reminders import procs

D = datetime.timedelta
PROCESSES = 4


def _assert_clean(results):
    for code, out in results:
        assert code == 0, out
        assert "Traceback" not in out and "Error" not in out, out


def _assert_no_duplicate_emails(messages):
    """Each e-mail is one (subject, link) pair: a duplicate would repeat a pair."""
    keys = []
    for m in messages:
        parsed = email.message_from_string(m.strip())
        body = parsed.get_payload(decode=True).decode()
        link = next(line for line in body.splitlines() if "/cases/" in line)
        keys.append((parsed["Subject"], link))
    assert len(keys) == len(set(keys))


@pytest.mark.django_db(transaction=True)
def test_overlapping_scans_on_postgresql_create_and_send_each_reminder_once(world, tmp_path):
    if not procs.database_url_of_test_db().startswith("postgres"):
        pytest.skip("this test needs DATABASE_URL to point at PostgreSQL; the SQLite twin runs below")
    for i in range(11):
        case_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title=f"Step {i}",
            due_date=world.milestone.due_date,
            accountable=world.sam if i % 2 else world.nia,
            plain_summary="",
            actor=world.sam.user,
        )
    environ = procs.env(procs.database_url_of_test_db(), tmp_path, REMINDER_CLAIM_CHUNK="3")
    due = world.milestone.due_date
    days = [due - D(days=7), due, due + D(days=3)]
    for day in days:
        _assert_clean(procs.run_all_at_once([procs.send_reminders(day.isoformat())] * PROCESSES, environ))
    expected = 12 * 3  # upcoming, due today, escalation for each of the 12 milestones
    assert Reminder.objects.count() == expected
    assert Notification.objects.count() == expected
    assert Reminder.objects.filter(sent_at=None).count() == 0
    messages = procs.emails_in(tmp_path / "mail")
    assert len(messages) == expected
    _assert_no_duplicate_emails(messages)
    assert Reminder.objects.filter(email_status="sent").count() == expected


def test_overlapping_scans_on_a_sqlite_file_create_and_send_each_reminder_once(tmp_path):
    db = tmp_path / "db.sqlite3"
    environ = procs.env(f"sqlite:///{db}", tmp_path, REMINDER_CLAIM_CHUNK="3")
    _assert_clean(
        procs.run_all_at_once(
            [[procs.PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"]], environ, 300
        )
    )
    ((code, out),) = procs.run_all_at_once([[procs.PYTHON, "-m", "tests.reminders.seed_sqlite", "12"]], environ)
    assert code == 0, out
    today = datetime.date.fromisoformat(out.strip().splitlines()[-1])
    for day in (today, today + D(days=7), today + D(days=10)):
        _assert_clean(procs.run_all_at_once([procs.send_reminders(day.isoformat())] * PROCESSES, environ))
    with sqlite3.connect(db) as con:
        count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert count("select count(*) from accountability_reminder") == 36
        assert count("select count(*) from accountability_notification") == 36
        assert count("select count(*) from accountability_reminder where sent_at is null") == 0
        assert count("select count(*) from accountability_reminder where email_status = 'sent'") == 36
        assert count("select count(distinct reminder_id) from accountability_notification") == 36
    messages = procs.emails_in(tmp_path / "mail")
    assert len(messages) == 36
    _assert_no_duplicate_emails(messages)
