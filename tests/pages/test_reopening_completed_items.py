"""Reopening a completed item, and the pages agreeing with the API (review finding, decision 0085).

The person who completed an item may undo it within 24 hours; a case manager (the lead
professional, the case's team leads) may reopen a completed or cancelled item at any time while
the case is open, confirmed on the page. The pages check only who may act; a state the service
refuses (not open, case closed) is the service's message, as on the API (400), never a 403."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Reminder, ReminderKind
from audit.models import AuditEvent
from plans.models import Milestone, Review

pytestmark = pytest.mark.django_db


def _complete_long_ago(world, hours=25):
    """nia (the accountable contributor) completed her milestone `hours` ago."""
    from plans import services

    services.milestone_complete(milestone=world.milestone, actor=world.nia.user)
    Milestone.objects.filter(pk=world.milestone.pk).update(
        completed_at=timezone.now() - datetime.timedelta(hours=hours)
    )


def _case_page(client, world):
    return client.get(reverse("cases:case_detail", args=[world.case.id])).content.decode()


def test_a_manager_reopens_on_the_page_a_milestone_completed_more_than_a_day_ago(world, login):
    _complete_long_ago(world)
    sam = login("sam")  # the lead professional
    reopen = reverse("plans:milestone_reopen", args=[world.milestone.id])
    assert reopen in _case_page(sam, world)  # the case page offers it on the completed item
    confirm = sam.get(reopen)
    assert confirm.status_code == 200 and "Reopen this milestone?" in confirm.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "completed"  # GET changes nothing
    assert sam.post(reopen).status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert (milestone.status, milestone.completed_at, milestone.completed_by) == ("open", None, None)
    assert milestone.history[-1]["change"] == "reopened"
    assert AuditEvent.objects.filter(action="cases.milestone.reopened", subject_id=milestone.id).count() == 1
    assert Reminder.objects.filter(kind=ReminderKind.ITEM_CHANGED, recipient=world.nia.id).count() == 1


def test_the_cases_team_lead_reopens_a_completed_review_on_the_page(world, login):
    from plans import services

    services.review_complete(review=world.review, actor=world.sue.user)
    Review.objects.filter(pk=world.review.pk).update(completed_at=timezone.now() - datetime.timedelta(days=3))
    sue = login("sue")
    reopen = reverse("plans:review_reopen", args=[world.review.id])
    assert reopen in _case_page(sue, world)
    assert sue.post(reopen).status_code == 302
    assert Review.objects.get(pk=world.review.pk).status == "open"


def test_the_api_reopens_a_milestone_completed_more_than_a_day_ago_as_the_page_does(world, client):
    _complete_long_ago(world)
    client.force_login(world.sam.user)
    response = client.patch(
        f"/api/v1/milestones/{world.milestone.id}/", {"status": "open"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "open" and response.json()["completed_at"] is None
    assert AuditEvent.objects.filter(action="cases.milestone.reopened", subject_id=world.milestone.id).count() == 1


def test_who_is_not_a_manager_cannot_reopen_a_completion_older_than_a_day_on_the_page_or_the_api(world, login):
    _complete_long_ago(world)
    reopen = reverse("plans:milestone_reopen", args=[world.milestone.id])
    api = f"/api/v1/milestones/{world.milestone.id}/"
    nia = login("nia")  # the accountable contributor, who completed it: too late to undo
    assert reopen not in _case_page(nia, world)
    assert nia.get(reopen).status_code == 403
    assert nia.post(reopen).status_code == 403
    assert nia.patch(api, {"status": "open"}, content_type="application/json").status_code == 403
    oz = login("oz")  # cannot see the case
    assert oz.post(reopen).status_code == 404
    assert oz.patch(api, {"status": "open"}, content_type="application/json").status_code == 404
    assert Milestone.objects.get(pk=world.milestone.pk).status == "completed"
    assert not AuditEvent.objects.filter(action="cases.milestone.reopened").exists()


def test_the_completer_still_undoes_within_a_day_and_is_then_told_to_ask_a_manager(world, login):
    _complete_long_ago(world, hours=1)
    nia = login("nia")
    undo = reverse("plans:milestone_complete_undo", args=[world.milestone.id])
    assert undo in _case_page(nia, world)
    assert nia.post(undo).status_code == 302
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"


def test_cancelling_a_completed_item_on_the_page_shows_the_services_message_not_a_403(world, login):
    _complete_long_ago(world, hours=1)
    sam = login("sam")
    cancel = reverse("plans:milestone_cancel", args=[world.milestone.id])
    assert sam.get(cancel).status_code == 200
    refused = sam.post(cancel, follow=True)
    assert refused.status_code == 200
    assert "Only an open milestone can be cancelled." in refused.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "completed"
    # the API says the same, as a 400
    api = sam.patch(
        f"/api/v1/milestones/{world.milestone.id}/", {"status": "cancelled"}, content_type="application/json"
    )
    assert api.status_code == 400 and "Only an open milestone can be cancelled." in str(api.json())


def test_moving_the_date_of_a_completed_item_on_the_page_shows_the_services_message(world, login):
    _complete_long_ago(world, hours=1)
    nia = login("nia")  # the accountable person may move her own dates
    url = reverse("plans:milestone_redate", args=[world.milestone.id])
    assert nia.get(url).status_code == 200
    new_date = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    refused = nia.post(url, {"new_date": new_date, "reason": "Waiting for the school"})
    assert refused.status_code == 200
    assert "Only an open milestone can be moved to another date." in refused.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).due_date != datetime.date.fromisoformat(new_date)


def test_on_a_closed_case_the_pages_show_that_it_is_closed_instead_of_a_403(world, login):
    from cases import services as case_services

    case_services.case_close(case=world.case, reason="The family moved out of the area", actor=world.sam.user)
    sam = login("sam")
    cancel = sam.post(reverse("plans:milestone_cancel", args=[world.milestone.id]), follow=True)
    assert cancel.status_code == 200 and "This case is closed" in cancel.content.decode()
    new_date = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    redate = sam.post(
        reverse("plans:milestone_redate", args=[world.milestone.id]), {"new_date": new_date, "reason": "Later"}
    )
    assert redate.status_code == 200 and "This case is closed" in redate.content.decode()
    handover = sam.post(reverse("plans:milestone_handover", args=[world.milestone.id]), {"accountable": world.sue.id})
    assert handover.status_code == 200 and "This case is closed" in handover.content.decode()
    # nobody holds a right on a closed case, so everyone who can see it is told why, as by the API
    api = sam.patch(
        f"/api/v1/milestones/{world.milestone.id}/", {"status": "cancelled"}, content_type="application/json"
    )
    assert api.status_code == 400 and "This case is closed" in str(api.json())
    nia = login("nia").post(reverse("plans:milestone_cancel", args=[world.milestone.id]), follow=True)
    assert nia.status_code == 200 and "This case is closed" in nia.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"
