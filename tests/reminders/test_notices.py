"""Notices that tell at once (issue 11, found 2 and 3): a handover tells the new holder and
reminds them of the window they took it over in; joining a case team tells; a change,
cancellation or completion of my item by someone else tells me. All through the outbox
(docs/decisions/0018), in words on the page, with no case content in e-mails. Overdue and
due-soon items show for the case's lead professional and team leads (My work, Team)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Notification, Reminder
from cases import services as case_services
from plans import services as plan_services
from plans.models import Milestone
from tests.reminders.conftest import kinds_for, run_scan

D = datetime.timedelta
pytestmark = pytest.mark.django_db


def _due_in(world, days: int) -> datetime.date:
    due = timezone.localdate() + D(days=days)
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=due)
    world.milestone.refresh_from_db()
    return due


@pytest.mark.parametrize("days", [2, 4, 6])
def test_an_item_handed_over_inside_its_reminder_window_is_reminded_at_the_next_scan(world, days):
    due = _due_in(world, days)
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    run_scan(timezone.localdate())
    assert kinds_for(world.sam) == [("handover", "milestone", due), ("upcoming", "milestone", due)]
    run_scan(timezone.localdate())  # exactly once
    assert Notification.objects.filter(recipient=world.sam.id).count() == 2


def test_an_item_handed_over_two_days_late_is_reminded_as_overdue(world):
    due = _due_in(world, -2)
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    run_scan(timezone.localdate())
    assert kinds_for(world.sam) == [("handover", "milestone", due), ("overdue", "milestone", due)]


def test_an_item_handed_over_on_a_reminder_day_gets_the_scans_own_reminder_once(world):
    due = _due_in(world, 7)
    run_scan(timezone.localdate())  # nia's upcoming
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    run_scan(timezone.localdate())
    run_scan(timezone.localdate())
    assert kinds_for(world.sam) == [("handover", "milestone", due), ("upcoming", "milestone", due)]
    assert kinds_for(world.nia) == [("upcoming", "milestone", due)]


def test_the_new_holder_is_told_even_before_any_scan(world, mailoutbox):
    from accountability.services import notices_deliver

    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    notices_deliver()  # the worker's outbox tick
    assert kinds_for(world.sam) == [("handover", "milestone", world.milestone.due_date)]
    (mail,) = mailoutbox
    assert "has been handed over to you" in mail.body and world.milestone.title not in mail.body


def test_being_added_to_a_case_team_tells_me_in_the_app_and_by_email_without_case_content(world, mailoutbox):
    case_services.assignment_add(case=world.case, professional=world.ivy, role="contributor", actor=world.sam.user)
    run_scan(timezone.localdate())
    (notice,) = Notification.objects.filter(recipient=world.ivy.id)
    assert (notice.kind, notice.case_reference, notice.link) == (
        "added_to_team",
        world.case.reference,
        f"/cases/{world.case.id}/",
    )
    (mail,) = mailoutbox
    assert mail.to == [world.ivy.user.email] and world.case.reference in mail.subject
    assert world.case.title not in mail.body + mail.subject and "Maya" not in mail.body


def test_a_change_or_cancellation_by_someone_else_tells_the_holder_and_not_the_changer(world):
    plan_services.milestone_redate(
        milestone=world.milestone, due_date=world.milestone.due_date + D(days=3), reason="Later", actor=world.sam.user
    )
    run_scan(timezone.localdate())
    plan_services.milestone_cancel(milestone=world.milestone, actor=world.sam.user)
    run_scan(timezone.localdate())
    assert [k for k, _, _ in kinds_for(world.nia)] == ["item_cancelled", "item_changed"]
    assert not Notification.objects.filter(recipient=world.sam.id).exists()


def test_the_notification_page_says_what_is_due_in_words_and_titles_only_what_the_reader_may_see(world, client):
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    run_scan(timezone.localdate())
    client.force_login(world.sam.user)
    body = client.get(reverse("accountability:notification_list")).content.decode()
    assert f"Milestone “{world.milestone.title}” has been handed over to you" in body
    # once sam can no longer see the case, the row still says what it was, without its title
    Notification.objects.filter(recipient=world.sam.id).update(recipient=world.oz.id)
    client.force_login(world.oz.user)
    body = client.get(reverse("accountability:notification_list")).content.decode()
    assert "has been handed over to you" in body and world.milestone.title not in body


def test_the_lead_professional_and_the_cases_team_lead_see_others_overdue_items(world, client):
    _due_in(world, -4)  # nia's milestone, 4 days late
    for who in (world.sam, world.sue):  # sam leads the case; sue is on its team as team lead
        client.force_login(who.user)
        body = client.get(reverse("workspace:my_work")).content.decode()
        section = body[body.index('id="on-my-cases-heading"') :]
        assert world.milestone.title in section and "1 overdue" in section and world.nia.full_name in section
    client.force_login(world.sue.user)
    team = client.get(reverse("workspace:team")).content.decode()
    section = team[team.index('id="coordinated-heading"') :]
    assert world.milestone.title in section  # nia is not in sue's team, but the case is hers to oversee
    assert '<span class="ju-count ju-count--overdue">1</span> overdue' in section
    client.force_login(world.nia.user)  # her own item is on her own list, not "on my cases"
    body = client.get(reverse("workspace:my_work")).content.decode()
    assert world.milestone.title not in body[body.index('id="on-my-cases-heading"') :]


def test_due_soon_items_show_on_my_cases_and_later_ones_do_not(world, client):
    client.force_login(world.sam.user)
    _due_in(world, 20)
    assert world.milestone.title not in client.get(reverse("workspace:my_work")).content.decode()
    _due_in(world, 5)
    assert world.milestone.title in client.get(reverse("workspace:my_work")).content.decode()


def test_escalation_rows_are_written_once_per_recipient_whichever_way_the_scan_runs(world):
    due = world.milestone.due_date
    for _ in range(3):
        run_scan(due + D(days=3))
        run_scan(due + D(days=5))
    escalations = Reminder.objects.filter(kind="escalation")
    assert sorted(escalations.values_list("recipient", flat=True)) == sorted([world.hal.id, world.sam.id])


def test_reviews_show_on_my_cases_beside_milestones(world, client):
    from plans.models import Review

    Review.objects.filter(pk=world.review.pk).update(scheduled_for=timezone.localdate() - D(days=1))
    _due_in(world, 3)
    client.force_login(world.sam.user)
    body = client.get(reverse("workspace:my_work")).content.decode()
    section = body[body.index('id="on-my-cases-heading"') :]
    assert "Case review" in section and world.sue.full_name in section  # sue's review, a day late
    assert world.milestone.title in section and "1 overdue" in section


def _later_by(monkeypatch, days: int) -> None:
    """The clock moves on `days` days (timezone.localdate reads timezone.now)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + D(days=days))


def _retitle(world, title: str) -> None:
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    plan_services.milestone_update(milestone=milestone, title=title, actor=world.sam.user)  # nia holds it


def test_a_change_told_on_one_day_is_told_again_when_it_changes_on_a_later_day(world, monkeypatch):
    from accountability.services import notices_deliver

    _retitle(world, "Meet the school and the nurse")  # Monday
    notices_deliver()
    _later_by(monkeypatch, 2)  # Wednesday: the same kind of notice, same item, same due date
    _retitle(world, "Meet the school, the nurse and the GP")
    notices_deliver()
    changed = Notification.objects.filter(recipient=world.nia.id, kind="item_changed")
    assert changed.count() == 2
    assert Reminder.objects.filter(recipient=world.nia.id, kind="item_changed").count() == 2


def test_two_changes_on_one_day_still_tell_once(world):
    from accountability.services import notices_deliver

    _retitle(world, "Meet the school and the nurse")
    notices_deliver()
    _retitle(world, "Meet the school, the nurse and the GP")
    notices_deliver()
    assert Notification.objects.filter(recipient=world.nia.id, kind="item_changed").count() == 1


def test_a_handover_back_to_someone_on_a_later_day_tells_them_again(world, monkeypatch):
    from accountability.services import notices_deliver

    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    notices_deliver()
    plan_services.milestone_handover(milestone=world.milestone, to=world.nia, actor=world.sam.user)
    notices_deliver()
    _later_by(monkeypatch, 3)
    plan_services.milestone_handover(milestone=world.milestone, to=world.sam, actor=world.nia.user)
    notices_deliver()
    assert Notification.objects.filter(recipient=world.sam.id, kind="handover").count() == 2


def test_the_scans_reminders_stay_once_per_due_date_whatever_the_day_it_runs(world):
    due = _due_in(world, -3)  # escalations: the scan's catch-up window spans several days
    for day in range(3):
        run_scan(timezone.localdate() + D(days=day))
        run_scan(timezone.localdate() + D(days=day))
    assert Reminder.objects.filter(subject_id=world.milestone.id, kind="escalation").count() == 2  # hal and sam
    assert all(r.told_on is None for r in Reminder.objects.filter(subject_id=world.milestone.id))
    assert kinds_for(world.sam) == [("escalation", "milestone", due)]
