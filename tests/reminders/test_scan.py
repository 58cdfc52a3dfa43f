"""The scan: which kinds on which dates, who is reminded, and exactly once."""

import datetime

import pytest

from accountability.models import EmailStatus, Notification, Reminder
from audit.models import AuditEvent
from cases import services as case_services
from plans import services as plan_services
from tests.reminders.conftest import kinds_for, run_scan

D = datetime.timedelta


@pytest.mark.parametrize(
    ("days_before_due", "kind"),
    [(7, "upcoming"), (1, "due_tomorrow"), (0, "due_today"), (-1, "overdue")],
)
def test_scan_reminds_the_accountable_professional_with_the_kind_for_the_date(world, days_before_due, kind):
    due = world.milestone.due_date
    run_scan(due - D(days=days_before_due))
    assert kinds_for(world.nia) == [(kind, "milestone", due)]
    n = Notification.objects.get(recipient=world.nia.id)
    assert n.subject_id == world.milestone.id
    assert n.case_reference == world.case.reference
    assert n.link == f"/cases/{world.case.id}/#milestone-{world.milestone.id}"


@pytest.mark.parametrize("days_before_due", [8, 6, 5, 2, -2])
def test_scan_reminds_nobody_on_days_between_the_reminder_dates(world, days_before_due):
    run_scan(world.milestone.due_date - D(days=days_before_due))
    assert not Notification.objects.filter(subject_id=world.milestone.id).exists()
    assert not Reminder.objects.filter(subject_id=world.milestone.id).exists()


def test_reviews_are_reminded_like_milestones(world):
    run_scan(world.review.scheduled_for)
    assert kinds_for(world.sue) == [("due_today", "review", world.review.scheduled_for)]


def test_scan_over_a_whole_fortnight_sends_each_kind_once_then_escalates_once(world):
    due = world.milestone.due_date
    day = due - D(days=10)
    while day <= due + D(days=10):
        run_scan(day)
        run_scan(day)  # a second run the same day changes nothing
        day += D(days=1)
    assert kinds_for(world.nia) == [
        ("due_today", "milestone", due),
        ("due_tomorrow", "milestone", due),
        ("overdue", "milestone", due),
        ("upcoming", "milestone", due),
    ]
    # nia's team lead is hal and the case's lead professional is sam: one escalation each,
    # however many days it stays overdue.
    assert kinds_for(world.hal) == [("escalation", "milestone", due)]
    assert kinds_for(world.sam) == [("escalation", "milestone", due)]
    assert Notification.objects.filter(kind="escalation").count() == 2


def test_escalation_starts_on_the_third_day_overdue(world):
    due = world.milestone.due_date
    run_scan(due + D(days=2))
    assert kinds_for(world.hal) == []
    run_scan(due + D(days=3))
    assert kinds_for(world.hal) == [("escalation", "milestone", due)]


def test_escalation_catches_up_when_no_scan_ran_on_the_third_day(world):
    due = world.milestone.due_date
    run_scan(due + D(days=9))
    assert kinds_for(world.hal) == [("escalation", "milestone", due)]


def test_completed_milestone_stops_reminding(world):
    plan_services.milestone_complete(milestone=world.milestone, actor=world.nia.user)
    for offset in (7, 1, 0, -1, -3):
        run_scan(world.milestone.due_date - D(days=offset))
    assert not Notification.objects.exists()


def test_cancelled_milestone_stops_reminding(world):
    plan_services.milestone_update(milestone=world.milestone, status="cancelled", actor=world.sam.user)
    run_scan(world.milestone.due_date)
    # nia is told it was cancelled (once), and reminded of it no more
    assert list(Notification.objects.values_list("kind", "recipient")) == [("item_cancelled", world.nia.id)]


def test_closed_case_reminds_nobody(world):
    case_services.case_close(case=world.case, reason="Support no longer needed", actor=world.sam.user)
    for offset in (7, 1, 0, -1, -3):
        run_scan(world.milestone.due_date - D(days=offset))
        run_scan(world.review.scheduled_for - D(days=offset))
    assert not Notification.objects.exists()


def test_item_completed_between_scan_and_delivery_is_not_delivered(world):
    from accountability.services import reminders_scan

    scan = reminders_scan(today=world.milestone.due_date, enqueue=False)
    assert len(scan.to_deliver) == 1
    plan_services.milestone_complete(milestone=world.milestone, actor=world.nia.user)
    from accountability.services import reminders_deliver

    result = reminders_deliver(ids=scan.to_deliver)
    assert (result.delivered, result.cancelled) == (0, 1)
    assert not Notification.objects.exists()
    row = Reminder.objects.get()
    assert row.cancelled_at is not None and row.sent_at is None and row.email_status == EmailStatus.SKIPPED


def test_handover_moves_future_reminders_to_the_new_holder(world):
    due = world.milestone.due_date
    run_scan(due - D(days=7))
    assert kinds_for(world.nia) == [("upcoming", "milestone", due)]
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.sam.user)
    run_scan(due - D(days=1))
    run_scan(due)
    assert kinds_for(world.nia) == [("upcoming", "milestone", due)]
    # ... and the handover itself told sam at once (a notice, docs/decisions/0018).
    assert kinds_for(world.sam) == [
        ("due_today", "milestone", due),
        ("due_tomorrow", "milestone", due),
        ("handover", "milestone", due),
    ]


def test_reminder_created_for_the_old_holder_is_cancelled_when_handed_over_before_delivery(world):
    from accountability.services import reminders_deliver, reminders_scan

    due = world.milestone.due_date
    stale = reminders_scan(today=due, enqueue=False).to_deliver
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.sam.user)
    reminders_deliver(ids=stale)
    assert kinds_for(world.nia) == []
    run_scan(due)  # the next scan reminds the new holder (and delivers the handover notice)
    assert kinds_for(world.sam) == [("due_today", "milestone", due), ("handover", "milestone", due)]
    assert kinds_for(world.nia) == []


def test_due_date_moved_after_the_scan_cancels_the_stale_reminder(world):
    from accountability.services import reminders_deliver, reminders_scan

    due = world.milestone.due_date
    stale = reminders_scan(today=due, enqueue=False).to_deliver
    plan_services.milestone_update(
        milestone=world.milestone, due_date=due + D(days=5), reason="The school asked for later", actor=world.sam.user
    )
    reminders_deliver(ids=stale)
    assert not Notification.objects.exists()


def test_rerunning_the_scan_and_delivering_the_same_ids_again_sends_nothing_twice(world, mailoutbox):
    from accountability.services import reminders_deliver, reminders_scan

    due = world.milestone.due_date
    first = reminders_scan(today=due, enqueue=False)
    reminders_deliver(ids=first.to_deliver)
    again = reminders_deliver(ids=first.to_deliver)  # a redelivered message
    second = reminders_scan(today=due, enqueue=False)
    assert second.to_deliver == []
    assert (again.delivered, again.emailed) == (0, 0)
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_scan_enqueues_one_message_per_thousand_reminders_after_commit(
    world, django_capture_on_commit_callbacks, settings, monkeypatch
):
    from accountability import tasks
    from accountability.services import reminders_scan

    settings.REMINDER_BATCH_SIZE = 2
    sent = []
    monkeypatch.setattr(tasks.deliver_batch, "delay", lambda ids: sent.append(ids))
    goal = world.goal
    for i in range(4):
        plan_services.milestone_add(
            case=world.case,
            goal=goal,
            title=f"Step {i}",
            due_date=world.milestone.due_date,
            accountable=world.sam,
            plain_summary="",
            actor=world.sam.user,
        )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = reminders_scan(today=world.milestone.due_date)
        assert sent == []  # nothing leaves before the rows are committed
    for cb in callbacks:
        cb()
    assert result.due_items == 5 and result.messages == 3
    assert sorted(i for batch in sent for i in batch) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert [len(b) for b in sent] == [2, 2, 1]


def test_scan_is_audited_without_case_content(world):
    run_scan(world.milestone.due_date)
    event = AuditEvent.objects.filter(action="accountability.reminders.scanned").get()
    assert event.detail == {"date": world.milestone.due_date.isoformat(), "reminders": 1}


def test_without_a_team_lead_the_escalation_goes_to_the_lead_professional_only(world):
    from agencies import services as agency_services

    agency_services.team_update(team=world.hteam, lead=None, actor=world.admin)
    run_scan(world.milestone.due_date + D(days=3))
    assert list(Notification.objects.filter(kind="escalation").values_list("recipient", flat=True)) == [world.sam.id]


def test_nobody_is_escalated_to_about_their_own_item(world):
    """sam leads the case and holds this milestone; sue leads his team: only sue is escalated to."""
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.sam.user)
    run_scan(world.milestone.due_date + D(days=3))
    run_scan(world.milestone.due_date + D(days=4))
    assert list(Notification.objects.filter(kind="escalation").values_list("recipient", flat=True)) == [world.sue.id]


def test_command_rejects_a_malformed_date(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "28/11/2026")


def test_set_based_scan_creates_exactly_the_rows_of_the_item_by_item_rule(world):
    """On PostgreSQL the scan inserts with one INSERT ... SELECT; it must match reminders_create_for_due."""
    from django.db import connection, transaction

    from accountability import registry
    from accountability.services import reminder_due_windows, reminders_create_for_due, reminders_create_for_due_sql

    today = world.milestone.due_date + D(days=3)  # the world's milestone is 3 days overdue
    for days_to_due in (7, 5, 2, 1, 0, -1, -2, -17, -18):  # each kind, the gaps, both ends of the escalation window
        m = plan_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title=f"Step {days_to_due}",
            due_date=world.milestone.due_date,
            accountable=world.nia if days_to_due % 2 else world.sam,
            plain_summary="",
            actor=world.sam.user,
        )
        type(m).objects.filter(pk=m.pk).update(due_date=today + D(days=days_to_due))
    fields = ("subject_type", "subject_id", "kind", "recipient", "accountable", "due_date", "case", "link")

    def rows_by(create) -> set:
        with transaction.atomic():
            create()
            made = set(Reminder.objects.values_list(*fields))
            transaction.set_rollback(True)
        return made

    exact, window = reminder_due_windows(today=today)
    by_item = rows_by(
        lambda: reminders_create_for_due(items=list(registry.due_rows(exact=exact, window=window)), today=today)
    )
    assert {(r[2], r[5] - today) for r in by_item} == {
        ("escalation", D(days=-3)),  # the world's milestone, due 3 days ago
        ("escalation", D(days=-17)),  # the far end of the catch-up window
        ("due_today", D(days=0)),
        ("due_tomorrow", D(days=1)),
        ("upcoming", D(days=7)),
        ("overdue", D(days=-1)),
    }
    # the escalations go to the accountable person's team lead and to the case's lead professional
    # (sam), except where sam holds the item himself
    escalated = sorted((r[3], r[5] - today) for r in by_item if r[2] == "escalation")
    assert escalated == sorted(
        [
            (world.hal.id, D(days=-3)),
            (world.sam.id, D(days=-3)),
            (world.hal.id, D(days=-17)),
            (world.sam.id, D(days=-17)),
        ]
    )
    assert len(by_item) == 8
    if connection.vendor == "postgresql":
        set_based = rows_by(
            lambda: [
                reminders_create_for_due_sql(source=s, today=today)
                for s in registry.due_rows_sql(exact=exact, window=window)
            ]
        )
        assert set_based == by_item
