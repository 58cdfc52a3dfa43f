"""E-mails: per reminder or digest, by preference; no case content; retries then visible failure."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.core import mail

from accountability import services as accountability_services
from accountability.models import Digest, EmailStatus, Notification, Reminder
from plans import services as plan_services
from tests.reminders.conftest import run_scan

D = datetime.timedelta


def _case_content(world) -> list[str]:
    """Every name, title and text of the world that must never leave the app by e-mail."""
    people = [world.maya.given_name, world.maya.family_name]
    professionals = [p.given_name for p in (world.nia, world.hal, world.sam, world.sue)] + [world.nia.family_name]
    return (
        people
        + professionals
        + [
            world.case.title,
            world.milestone.title,
            world.milestone.plain_summary,
            world.goal.description,
            world.goal.plain_summary,
        ]
    )


def _assert_no_case_content(world, message) -> None:
    text = "\n".join([message.subject, message.body, str(message.message())])
    for secret in _case_content(world):
        assert secret not in text, secret


@pytest.mark.parametrize("offset", [7, 1, 0, -1, -3])
def test_reminder_email_names_no_person_and_no_case_content(world, mailoutbox, offset):
    run_scan(world.milestone.due_date - D(days=offset))
    # an escalation (-3) goes to hal (nia's team lead) and to sam (the case's lead professional)
    assert len(mailoutbox) == (2 if offset == -3 else 1)
    message = sorted(mailoutbox, key=lambda m: m.to)[0]
    _assert_no_case_content(world, message)
    assert world.case.reference in message.body
    assert f"http://127.0.0.1:8000/cases/{world.case.id}/#milestone-{world.milestone.id}" in message.body
    expected_to = world.hal if offset == -3 else world.nia
    assert message.to == [expected_to.user.email]


def test_reminder_email_says_the_kind_of_item_and_when(world, mailoutbox):
    run_scan(world.milestone.due_date - D(days=1))
    (message,) = mailoutbox
    assert "milestone" in message.subject and "due tomorrow" in message.subject
    assert world.milestone.due_date.strftime("%d %B %Y") in message.body


def test_escalation_email_goes_to_the_team_lead_and_the_lead_professional_and_says_so(world, mailoutbox):
    run_scan(world.milestone.due_date + D(days=3))
    assert sorted(m.to[0] for m in mailoutbox) == ["hal@example.org", "sam@example.org"]
    for message in mailoutbox:
        assert "has been escalated to you" in message.body
        _assert_no_case_content(world, message)


def test_professional_choosing_no_email_gets_only_the_in_app_notification(world, mailoutbox):
    accountability_services.reminder_delivery_set(professional=world.nia, delivery="none", actor=world.nia.user)
    run_scan(world.milestone.due_date)
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=world.nia.id).count() == 1
    assert Reminder.objects.get().email_status == EmailStatus.SKIPPED


def _more_milestones(world, n, accountable, due):
    return [
        plan_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title=f"Private step {i} for Maya",
            due_date=due,
            accountable=accountable,
            plain_summary="Maya's secret",
            actor=world.sam.user,
        )
        for i in range(n)
    ]


def test_digest_sends_one_email_a_day_with_counts_and_references_only(world, mailoutbox):
    accountability_services.reminder_delivery_set(professional=world.nia, delivery="digest", actor=world.nia.user)
    due = world.milestone.due_date
    _more_milestones(world, 2, world.nia, due)
    run_scan(due)
    assert mailoutbox == []  # nothing until the digest
    assert Notification.objects.filter(recipient=world.nia.id).count() == 3
    run_scan(due, digests=True)
    run_scan(due, digests=True)  # a second digest run the same day sends nothing more
    (message,) = mailoutbox
    assert message.to == ["nia@example.org"]
    assert "3 milestones are due today" in message.body
    assert message.body.count(world.case.reference) == 3
    assert "Private step" not in message.body and "secret" not in message.body
    _assert_no_case_content(world, message)
    assert Digest.objects.get().email_status == EmailStatus.SENT
    assert set(Reminder.objects.values_list("email_status", flat=True)) == {EmailStatus.IN_DIGEST}


def test_digest_counts_each_kind(world, mailoutbox):
    accountability_services.reminder_delivery_set(professional=world.nia, delivery="digest", actor=world.nia.user)
    due = world.milestone.due_date
    _more_milestones(world, 1, world.nia, due + D(days=1))
    _more_milestones(world, 2, world.nia, due + D(days=7))
    run_scan(due, digests=True)
    (message,) = mailoutbox
    assert "1 milestone is due today" in message.body
    assert "1 milestone is due tomorrow" in message.body
    assert "2 milestones are due within 7 days" in message.body
    assert "4 items need attention" in message.subject


class FlakyBackend:
    """Fails the first `failures` sends, then delivers to the locmem outbox."""

    failures = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("smtp down")
        mail.outbox.extend(messages)
        return len(messages)

    def open(self):
        return True

    def close(self):
        pass


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.test_email.FlakyBackend"}}
    settings.REMINDER_MAIL_MAX_ATTEMPTS = 3
    return FlakyBackend


def test_failed_email_is_retried_with_backoff_then_sent_once(world, flaky_mail, mailoutbox):
    from accountability.tasks import deliver_batch

    flaky_mail.failures = 1
    from accountability.services import reminders_scan

    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    first = accountability_services.reminders_deliver(ids=ids)
    assert (first.delivered, first.emailed, first.email_retry) == (1, 0, 1)
    row = Reminder.objects.get()
    assert row.email_status == EmailStatus.PENDING and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at > row.sent_at
    # the task raises MailNotSent on a failure, which Celery's autoretry turns into a retry with backoff
    assert accountability_services.MailNotSent in deliver_batch.autoretry_for and deliver_batch.retry_backoff
    second = accountability_services.reminders_deliver(ids=ids)
    assert (second.delivered, second.emailed) == (0, 1)
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


def test_email_failing_every_retry_is_recorded_as_failed(world, flaky_mail, mailoutbox):
    flaky_mail.failures = 99
    from accountability.services import reminders_scan

    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    results = [accountability_services.reminders_deliver(ids=ids) for _ in range(5)]
    assert [r.email_retry for r in results] == [1, 1, 0, 0, 0]
    assert results[2].email_failed == 1
    row = Reminder.objects.get()
    assert (row.email_status, row.attempts) == (EmailStatus.FAILED, 3)
    assert mailoutbox == []
    assert Notification.objects.count() == 1  # the in-app notification was delivered regardless


def test_the_sweep_of_each_scan_retries_a_pending_email_once_its_backoff_has_passed(
    world, flaky_mail, mailoutbox, settings
):
    settings.REMINDER_MAIL_RETRY_BACKOFF = 0
    flaky_mail.failures = 1
    run_scan(world.milestone.due_date)
    assert mailoutbox == []
    run_scan(world.milestone.due_date)
    assert len(mailoutbox) == 1


def test_failed_deliveries_are_listed_for_admins_with_a_filter(world, flaky_mail, admin_client):
    flaky_mail.failures = 99
    from accountability.services import reminders_scan

    ids = reminders_scan(today=world.milestone.due_date, enqueue=False).to_deliver
    for _ in range(3):
        accountability_services.reminders_deliver(ids=ids)
    assert Reminder in site._registry
    response = admin_client.get("/admin/accountability/reminder/?email_status__exact=failed")
    assert response.status_code == 200
    assert world.case.reference in response.content.decode()
    assert "ConnectionRefusedError" in response.content.decode()
    ok = admin_client.get("/admin/accountability/reminder/?email_status__exact=sent")
    assert world.case.reference not in ok.content.decode().split("result_list")[-1]
