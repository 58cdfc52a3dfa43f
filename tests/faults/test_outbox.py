"""Notices go through an outbox: the request's own transaction writes the row, the worker or the
next scan delivers it, exactly once; nothing a request does waits on the broker."""

import pytest
from django.db import transaction

from accountability.models import Notification, Reminder, ReminderKind
from accountability.services import notices_deliver
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
