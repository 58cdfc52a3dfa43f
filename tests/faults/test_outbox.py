"""Notices go through an outbox: the request's own transaction writes the row, the worker or the
next scan delivers it, exactly once; nothing a request does waits on the broker."""

import datetime

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from accountability.models import Notification, Reminder, ReminderKind
from accountability.services import notices_deliver, reminders_deliver, reminders_scan
from accountability.tasks import deliver_batch
from plans import services as plan_services
from tests.faults.servers import free_port
from tests.reminders.conftest import run_scan


def _notices():
    return Reminder.objects.filter(kind=ReminderKind.HANDOVER)


def test_a_handover_queues_its_notice_in_its_own_transaction_and_never_calls_the_broker(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    with django_capture_on_commit_callbacks() as callbacks:
        plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
    assert callbacks == []  # nothing waits for after commit, so nothing can fail there either
    (notice,) = _notices()
    assert (notice.recipient, notice.subject_id, notice.sent_at) == (world.sue.id, world.milestone.id, None)
    assert notice.link == f"/cases/{world.case.id}/#milestone-{world.milestone.id}"
    assert not Notification.objects.filter(kind=ReminderKind.HANDOVER).exists()


def test_a_handover_that_rolls_back_leaves_no_notice(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
        raise RuntimeError("the rest of the request failed")
    assert not _notices().exists()


def test_a_pending_notice_is_delivered_once_by_the_worker_however_often_it_and_the_scan_run(world, mailoutbox):
    plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
    assert notices_deliver().delivered == 1
    assert notices_deliver().delivered == 0
    run_scan(world.milestone.due_date)
    (notice,) = Notification.objects.filter(kind=ReminderKind.HANDOVER)
    assert notice.recipient == world.sue.id
    handover_mails = [m for m in mailoutbox if "handed over to you" in m.subject]
    assert len(handover_mails) == 1
    assert handover_mails[0].to == ["sue@example.org"]
    for secret in ("Maya", "Okafor", world.milestone.title, world.case.title):
        assert secret not in handover_mails[0].subject + handover_mails[0].body


def test_the_next_scan_delivers_a_notice_the_worker_never_got_to(world):
    plan_services.review_handover(review=world.review, to=world.nia, actor=world.sam.user)
    run_scan(world.review.scheduled_for)
    assert Notification.objects.filter(kind=ReminderKind.HANDOVER, recipient=world.nia.id).count() == 1


def test_a_notice_whose_item_moved_on_before_delivery_is_cancelled_not_delivered(world):
    plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.sam.user)
    result = notices_deliver()
    assert (result.delivered, result.cancelled) == (1, 1)
    (notice,) = Notification.objects.filter(kind=ReminderKind.HANDOVER)
    assert notice.recipient == world.sam.id


def _milestones_due(world, n: int):
    """n more open milestones of nia's, all due with world.milestone."""
    for i in range(n):
        plan_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title=f"Step {i}",
            due_date=world.milestone.due_date,
            accountable=world.nia,
            plain_summary="",
            actor=world.sam.user,
        )


def test_a_scan_whose_delivery_messages_cannot_be_sent_succeeds_and_the_outbox_delivers_its_rows(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_away(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(deliver_batch, "delay", broker_away)
    _milestones_due(world, 2)
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_scan(today=world.milestone.due_date - datetime.timedelta(days=7))
    assert (result.reminders, result.messages) == (3, 1)  # committed; its one message was not sent
    assert Reminder.objects.filter(sent_at=None).count() == 3
    assert "delivery of 3 reminders not enqueued (broker unavailable: OperationalError)" in caplog.text
    assert notices_deliver().delivered == 3  # once the broker answers, the next outbox tick
    assert notices_deliver().delivered == 0
    assert Notification.objects.filter(kind=ReminderKind.UPCOMING).count() == 3


def test_a_backlog_larger_than_a_batch_is_shared_out_as_delivery_messages_each_delivered_once(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REMINDER_BATCH_SIZE = 2
    sent: list[list[int]] = []
    monkeypatch.setattr(deliver_batch, "delay", sent.append)
    _milestones_due(world, 6)
    reminders_scan(today=world.milestone.due_date - datetime.timedelta(days=7), enqueue=False)
    oldest = list(Reminder.objects.order_by("created_at", "pk").values_list("pk", flat=True))
    assert len(oldest) == 7
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_deliver(fan_out=True)
    assert (result.delivered, result.enqueued) == (2, 3)  # the oldest batch here, the other five in 3 messages
    assert sorted(pk for batch in sent for pk in batch) == oldest[2:]
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_deliver(fan_out=True).enqueued == 2  # the next tick, before the messages ran
    for batch in sent:  # the worker processes run every message, the repeated ones too
        reminders_deliver(ids=batch)
    assert Notification.objects.count() == 7
    assert Reminder.objects.filter(sent_at=None).count() == 0
    assert notices_deliver(fan_out=True).delivered == 0


def test_admins_see_what_still_waits_in_the_outbox_with_a_filter(world, admin_client):
    plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
    plan_services.review_handover(review=world.review, to=world.nia, actor=world.sam.user)
    waiting = Reminder.objects.get(recipient=world.nia.id)
    reminders_deliver(ids=[Reminder.objects.get(recipient=world.sue.id).pk])

    def listed(query: str) -> str:
        response = admin_client.get(f"/admin/accountability/reminder/?{query}")
        assert response.status_code == 200
        return response.content.decode().split('id="result_list"')[-1]

    pending = listed("sent_at__isnull=True")
    assert f"/admin/accountability/reminder/{waiting.pk}/" in pending
    assert pending.count("/admin/accountability/reminder/") == 1
    assert listed("sent_at__isnull=False").count("/admin/accountability/reminder/") == 1


def test_a_notice_whose_worker_died_between_the_in_app_claim_and_the_email_is_emailed_by_the_next_tick(
    world, mailoutbox
):
    from accountability.services import _claim_and_notify

    plan_services.milestone_handover(milestone=world.milestone, to=world.sue, actor=world.sam.user)
    (notice,) = _notices()
    assert _claim_and_notify([notice.pk]) == (1, 0)  # in-app delivered; then the worker was killed
    notice.refresh_from_db()
    assert (notice.sent_at is not None, notice.email_status) == (True, "pending")
    result = notices_deliver()
    assert (result.delivered, result.emailed) == (0, 1)
    assert notices_deliver().emailed == 0
    assert [m.to for m in mailoutbox] == [["sue@example.org"]]
    assert Notification.objects.filter(kind=ReminderKind.HANDOVER).count() == 1
