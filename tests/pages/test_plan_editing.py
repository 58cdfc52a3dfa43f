"""Editing the plan on the pages (issue 11, found 4): goals stay SMART, outcomes carry a note,
a due date moves only with a reason kept in the item's history and shown on the case page,
cancel / reopen / complete each ask to confirm, and "Mark complete" can be undone for 24 hours.
Rights come from plans.services: the accountable person, the lead professional and the case's
team leads complete; others 403; outsiders 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Reminder, ReminderKind
from audit.models import AuditEvent
from plans.models import Goal, Milestone, Review

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _case_page(client, world):
    return client.get(reverse("cases:case_detail", args=[world.case.id])).content.decode()


def test_editing_a_goal_keeps_every_smart_field_required(world, login):
    client = login("sam")
    url = reverse("plans:goal_edit", args=[world.goal.id])
    page = client.get(url)
    assert world.goal.measure in page.content.decode()  # the form comes filled in
    data = {
        "description": world.goal.description,
        "measure": "",
        "target_date": days(90).isoformat(),
        "plain_summary": world.goal.plain_summary,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "measure" in refused.context["form"].errors
    assert Goal.objects.get(pk=world.goal.pk).measure == world.goal.measure
    data["measure"] = "Attendance above 97% over two terms"
    assert client.post(url, data).status_code == 302
    goal = Goal.objects.get(pk=world.goal.pk)
    assert goal.measure == "Attendance above 97% over two terms"
    assert goal.history[-1]["change"] == "edited" and goal.history[-1]["fields"] == ["measure"]
    assert AuditEvent.objects.filter(action="cases.goal.updated", subject_id=goal.id).exists()
    assert "Attendance above 97% over two terms" in _case_page(client, world)


def test_a_contributor_cannot_edit_the_goal(world, login):
    assert login("nia").get(reverse("plans:goal_edit", args=[world.goal.id])).status_code == 403
    assert login("oz").get(reverse("plans:goal_edit", args=[world.goal.id])).status_code == 404


def test_a_goal_is_marked_achieved_only_with_a_note(world, login):
    client = login("sam")
    url = reverse("plans:goal_outcome", args=[world.goal.id])
    refused = client.post(url, {"outcome": "achieved", "note": ""})
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    assert Goal.objects.get(pk=world.goal.pk).status == "active"
    assert client.post(url, {"outcome": "achieved", "note": "Attendance 98% this term"}).status_code == 302
    goal = Goal.objects.get(pk=world.goal.pk)
    assert (goal.status, goal.outcome_note, goal.outcome_by) == ("achieved", "Attendance 98% this term", world.sam)
    body = _case_page(client, world)
    assert "Attendance 98% this term" in body and "Marked achieved" in body


def test_an_overlong_plain_summary_or_outcome_note_is_refused_with_a_message_and_nothing_saved(world, login):
    """The pages hold the same bounds as the API (PLAIN_SUMMARY_MAX, NOTE_MAX): a pasted book
    is a field message on the page, never saved."""
    client = login("sam")
    url = reverse("plans:milestone_edit", args=[world.milestone.id])
    refused = client.post(url, {"title": world.milestone.title, "plain_summary": "x" * 100_000})
    assert refused.status_code == 200 and "plain_summary" in refused.context["form"].errors
    assert "Keep this to 1,000 characters." in refused.content.decode()
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert milestone.plain_summary == "We meet your school" and len(milestone.history) == len(world.milestone.history)
    url = reverse("plans:goal_outcome", args=[world.goal.id])
    refused = client.post(url, {"outcome": "achieved", "note": "n" * 100_000})
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    assert "Keep this to 5,000 characters." in refused.content.decode()
    goal = Goal.objects.get(pk=world.goal.pk)
    assert (goal.status, goal.outcome_note) == ("active", "")
    assert not AuditEvent.objects.filter(action__in=["cases.milestone.updated", "cases.goal.outcome_recorded"]).exists()


def test_the_services_refuse_an_overlong_plain_summary_or_outcome_note_whoever_calls_them(world):
    from django.core.exceptions import ValidationError

    from agencies.validation import NOTE_MAX, PLAIN_SUMMARY_MAX, PLAN_TEXT_MAX
    from plans import services as plan_services

    with pytest.raises(ValidationError) as refused:
        plan_services.milestone_update(
            milestone=world.milestone, plain_summary="x" * (PLAIN_SUMMARY_MAX + 1), actor=world.sam.user
        )
    assert refused.value.message_dict == {"plain_summary": ["Keep this to 1,000 characters."]}
    with pytest.raises(ValidationError) as refused:
        plan_services.goal_outcome_record(
            goal=world.goal, outcome="achieved", note="n" * (NOTE_MAX + 1), actor=world.sam.user
        )
    assert refused.value.message_dict == {"note": ["Keep this to 5,000 characters."]}
    assert Milestone.objects.get(pk=world.milestone.pk).plain_summary == "We meet your school"
    assert Goal.objects.get(pk=world.goal.pk).status == "active"
    with pytest.raises(ValidationError) as refused:
        plan_services.goal_add(
            case=world.case,
            description="d" * (PLAN_TEXT_MAX + 1),
            measure="m",
            target_date=days(30),
            plain_summary="p" * (PLAIN_SUMMARY_MAX + 1),
            actor=world.sam.user,
        )
    assert set(refused.value.message_dict) == {"description", "plain_summary"}
    with pytest.raises(ValidationError) as refused:
        plan_services.milestone_add(
            case=world.case,
            goal=world.goal,
            title="t" * 201,
            due_date=days(3),
            accountable=world.nia,
            actor=world.sam.user,
        )
    assert refused.value.message_dict == {"title": ["Keep this to 200 characters."]}
    assert Goal.objects.count() == 1 and Milestone.objects.count() == 1
    # exactly at the bound is fine
    plan_services.milestone_update(
        milestone=world.milestone, plain_summary="x" * PLAIN_SUMMARY_MAX, actor=world.sam.user
    )
    assert len(Milestone.objects.get(pk=world.milestone.pk).plain_summary) == PLAIN_SUMMARY_MAX


def test_a_due_date_moves_only_with_a_reason_kept_and_shown_on_the_case_page(world, login):
    client = login("sam")
    url = reverse("plans:milestone_redate", args=[world.milestone.id])
    refused = client.post(url, {"new_date": days(30).isoformat(), "reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert refused.context["form"]["new_date"].value() == days(30).isoformat()  # what was typed is kept
    past = client.post(url, {"new_date": days(-1).isoformat(), "reason": "Typo"})
    assert "new_date" in past.context["form"].errors
    assert Milestone.objects.get(pk=world.milestone.pk).due_date == days(14)
    moved = client.post(url, {"new_date": days(30).isoformat(), "reason": "The school is shut for inset days"})
    assert moved.status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert milestone.due_date == days(30)
    entry = milestone.history[-1]
    assert entry["change"] == "due_date" and entry["reason"] == "The school is shut for inset days"
    assert (entry["from"], entry["to"], entry["by"]) == (days(14).isoformat(), days(30).isoformat(), str(world.sam.id))
    body = _case_page(client, world)
    assert "The school is shut for inset days" in body and "Date changed" in body
    # nia holds it, sam moved it: nia is told at once, through the outbox
    assert Reminder.objects.filter(kind=ReminderKind.ITEM_CHANGED, recipient=world.nia.id).count() == 1


def test_the_accountable_person_may_move_their_own_date_but_a_contributor_not_anothers(world, login):
    nia = login("nia")
    ok = nia.post(
        reverse("plans:milestone_redate", args=[world.milestone.id]),
        {"new_date": days(21).isoformat(), "reason": "Waiting for the school's new term dates"},
    )
    assert ok.status_code == 302
    assert not Reminder.objects.filter(kind=ReminderKind.ITEM_CHANGED).exists()  # nobody is told of their own change
    assert nia.get(reverse("plans:review_redate", args=[world.review.id])).status_code == 403


def test_cancel_asks_to_confirm_then_cancels_and_reopen_brings_it_back(world, login):
    client = login("sam")
    url = reverse("plans:milestone_cancel", args=[world.milestone.id])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Cancel this milestone?" in confirm.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"
    assert client.post(url).status_code == 302
    assert Milestone.objects.get(pk=world.milestone.pk).status == "cancelled"
    assert Reminder.objects.filter(kind=ReminderKind.ITEM_CANCELLED, recipient=world.nia.id).exists()
    assert reverse("plans:milestone_reopen", args=[world.milestone.id]) in _case_page(client, world)
    reopen = reverse("plans:milestone_reopen", args=[world.milestone.id])
    assert "Reopen this milestone?" in client.get(reopen).content.decode()
    assert client.post(reopen).status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert milestone.status == "open"
    assert [h["change"] for h in milestone.history] == ["cancelled", "reopened"]


def test_reviews_cancel_reopen_and_move_like_milestones(world, login):
    client = login("sam")
    assert client.post(reverse("plans:review_cancel", args=[world.review.id])).status_code == 302
    assert Review.objects.get(pk=world.review.pk).status == "cancelled"
    assert client.post(reverse("plans:review_reopen", args=[world.review.id])).status_code == 302
    moved = client.post(
        reverse("plans:review_redate", args=[world.review.id]),
        {"new_date": days(70).isoformat(), "reason": "The chair is away that week"},
    )
    assert moved.status_code == 302
    review = Review.objects.get(pk=world.review.pk)
    assert review.scheduled_for == days(70) and review.history[-1]["reason"] == "The chair is away that week"


def test_a_contributor_may_not_cancel(world, login):
    nia = login("nia")
    assert nia.get(reverse("plans:milestone_cancel", args=[world.milestone.id])).status_code == 403
    assert nia.post(reverse("plans:milestone_cancel", args=[world.milestone.id])).status_code == 403
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"


def test_mark_complete_can_be_undone_within_24_hours_and_not_after(world, login):
    nia = login("nia")
    assert nia.post(reverse("plans:milestone_complete", args=[world.milestone.id])).status_code == 302
    undo = reverse("plans:milestone_complete_undo", args=[world.milestone.id])
    assert undo in _case_page(nia, world)
    assert "Undo marking this milestone complete?" in nia.get(undo).content.decode()
    assert nia.post(undo).status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert (milestone.status, milestone.completed_at) == ("open", None)
    assert nia.post(reverse("plans:milestone_complete", args=[world.milestone.id])).status_code == 302
    Milestone.objects.filter(pk=world.milestone.pk).update(
        completed_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    assert undo not in _case_page(nia, world)
    assert nia.post(undo).status_code == 403
    assert Milestone.objects.get(pk=world.milestone.pk).status == "completed"


def test_the_lead_professional_completes_another_agencys_milestone_and_its_holder_is_told(world, login):
    sam = login("sam")  # lead professional, children's services; the milestone is nia's (health)
    assert sam.post(reverse("plans:milestone_complete", args=[world.milestone.id])).status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert (milestone.status, milestone.completed_by) == ("completed", world.sam)
    assert Reminder.objects.filter(kind=ReminderKind.ITEM_COMPLETED, recipient=world.nia.id).count() == 1


def test_the_cases_team_lead_completes_and_others_are_refused(world, login):
    assert login("sue").post(reverse("plans:milestone_complete", args=[world.milestone.id])).status_code == 302
    assert login("nia").post(reverse("plans:review_complete", args=[world.review.id])).status_code == 403
    assert login("nia").get(reverse("plans:review_complete", args=[world.review.id])).status_code == 403
    assert login("oz").get(reverse("plans:review_complete", args=[world.review.id])).status_code == 404
    assert Review.objects.get(pk=world.review.pk).status == "open"


def test_goal_api_agrees_with_the_pages(world, client):
    client.force_login(world.sam.user)
    url = f"/api/v1/goals/{world.goal.id}/"
    assert client.get(url).json()["measure"] == world.goal.measure
    blank = client.patch(url, {"measure": ""}, content_type="application/json")
    assert blank.status_code == 400 and "measure" in blank.json()
    no_note = client.patch(url, {"achievement": "not_achieved"}, content_type="application/json")
    assert no_note.status_code == 400 and "note" in no_note.json()
    done = client.patch(
        url, {"achievement": "not_achieved", "note": "The family moved school"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "not_achieved"
    client.force_login(world.nia.user)
    assert client.patch(url, {"measure": "x"}, content_type="application/json").status_code == 403
    client.force_login(world.oz.user)
    assert client.get(url).status_code == 404


def test_the_api_cancels_and_reopens_and_moves_dates_through_the_same_services(world, client):
    client.force_login(world.sam.user)
    url = f"/api/v1/milestones/{world.milestone.id}/"
    assert client.patch(url, {"status": "cancelled"}, content_type="application/json").json()["status"] == "cancelled"
    assert client.patch(url, {"status": "open"}, content_type="application/json").json()["status"] == "open"
    no_reason = client.patch(url, {"due_date": days(40).isoformat()}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    body = client.patch(
        url, {"due_date": days(40).isoformat(), "reason": "Moved to the new term"}, content_type="application/json"
    ).json()
    assert [h["change"] for h in body["history"]] == ["cancelled", "reopened", "due_date"]
