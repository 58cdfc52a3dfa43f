"""Overlapping scans from several processes at once: no duplicates, no errors.

Each process is a real `manage.py send_reminders --date ...`, all started
before any is waited for, against a real PostgreSQL database and against a
real SQLite file (the embedded default), each migrated and seeded by separate
processes too."""

import datetime
import email

import pytest

from tests.reminders import procs

D = datetime.timedelta
PROCESSES = 4


def _assert_clean(results):
    for code, out in results:
        assert code == 0, out
        assert "Traceback" not in out and "Error" not in out, out


def assert_no_duplicate_emails(messages):
    """Each e-mail is one (recipient, subject, link) triple: a duplicate would repeat one."""
    keys = []
    for m in messages:
        parsed = email.message_from_string(m.strip())
        body = parsed.get_payload(decode=True).decode()
        link = next(line for line in body.splitlines() if "/cases/" in line)
        keys.append((parsed["To"], parsed["Subject"], link))
    assert len(keys) == len(set(keys))


@pytest.fixture(params=["postgresql", "sqlite"])
def procdb(request, tmp_path):
    db = procs.ProcDB(request.param, tmp_path, f"ju_reminders_procs_{request.node.name[-12:-1]}".replace("-", "_"))
    yield db
    db.drop()


def test_overlapping_scans_create_and_send_each_reminder_once(procdb, tmp_path):
    seeded_on = procdb.prepare()
    environ = procs.env(procdb.url, tmp_path, REMINDER_CLAIM_CHUNK="3")
    due = seeded_on + D(days=7)
    for day in (due - D(days=7), due, due + D(days=3)):  # upcoming, due today, escalation
        _assert_clean(procs.run_all_at_once([procs.send_reminders(day.isoformat())] * PROCESSES, environ))
    # Three kinds for each milestone, and the escalations of nia's half also go to sam, the case's
    # lead professional (sam's own escalate to hal only: nobody is escalated to about their own item).
    expected = procs.ProcDB.SEEDED * 3 + procs.ProcDB.SEEDED // 2
    assert procdb.count("select count(*) from accountability_reminder") == expected
    assert procdb.count("select count(*) from accountability_notification") == expected
    assert procdb.count("select count(distinct reminder_id) from accountability_notification") == expected
    assert procdb.count("select count(*) from accountability_reminder where sent_at is null") == 0
    assert procdb.count("select count(*) from accountability_reminder where email_status = 'sent'") == expected
    messages = procs.emails_in(tmp_path / "mail")
    assert len(messages) == expected
    assert_no_duplicate_emails(messages)
