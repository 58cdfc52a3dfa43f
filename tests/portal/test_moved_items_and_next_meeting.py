"""My plan (issue 12): a step whose date a worker moved says "coming up, moved to {date}" with the
reason the worker wrote for the person, never the professional's own reason (decision 0070); the
plan shows the case's next meeting as the family may know of it — its kind in plain words, day,
times, place or link, whether they are asked to come — never the chair, the invitees or any view
(decision 0071)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import services as meeting_services
from plans import services as plan_services
from plans.models import Milestone
from tests.meetings.conftest import at


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def long_date(d):
    return d.strftime("%-d %B %Y")


def test_a_moved_step_is_coming_up_with_the_new_date_and_only_the_plain_reason(world, as_user):
    plan_services.milestone_redate(
        milestone=world.milestone,
        due_date=days(30),
        reason="School SENCO on long-term sick leave; deferred pending EHCP panel",
        reason_for_person="The school needs more time to find the right person.",
        actor=world.nia.user,
    )
    page = as_user("maya").get("/portal/").content.decode()
    assert f"Coming up, moved to {long_date(days(30))}" in page
    assert "The school needs more time to find the right person." in page
    assert "SENCO" not in page and "EHCP" not in page
    step = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]["goals"][0]["milestones"][0]
    assert step["status"] == "coming_up" and step["moved"] is True
    assert step["due_date"] == days(30).isoformat()
    assert step["reason"] == "The school needs more time to find the right person."
    assert "SENCO" not in str(step)


def test_a_step_moved_without_a_plain_reason_says_the_worker_moved_it(world, as_user):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=days(-3))
    world.milestone.refresh_from_db()
    page = as_user("maya").get("/portal/").content.decode()
    assert "Late" in page and "moved to" not in page
    plan_services.milestone_redate(
        milestone=world.milestone, due_date=days(10), reason="Nia off sick (professional note)", actor=world.nia.user
    )
    page = as_user("maya").get("/portal/").content.decode()
    assert f"Your worker has moved this to {long_date(days(10))}." in page
    assert f"Coming up, moved to {long_date(days(10))}" in page
    assert "off sick" not in page
    step = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]["goals"][0]["milestones"][0]
    assert (step["status"], step["moved"], step["reason"]) == ("coming_up", True, "")


def test_a_step_never_moved_is_not_marked_moved(world, as_user):
    page = as_user("maya").get("/portal/").content.decode()
    assert "moved" not in page.lower()
    step = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]["goals"][0]["milestones"][0]
    assert step["moved"] is False


def test_the_plain_reason_is_kept_in_the_history_and_bounded(world):
    with pytest.raises(ValidationError) as refused:
        plan_services.milestone_redate(
            milestone=world.milestone, due_date=days(20), reason="r", reason_for_person="x" * 301, actor=world.nia.user
        )
    assert "reason_for_person" in refused.value.message_dict
    world.milestone.refresh_from_db()
    assert world.milestone.due_date == days(14) and not world.milestone.history
    plan_services.milestone_redate(
        milestone=world.milestone,
        due_date=days(20),
        reason="r",
        reason_for_person="  We need   more time. ",
        actor=world.nia.user,
    )
    world.milestone.refresh_from_db()
    assert world.milestone.history[-1]["reason_for_person"] == "We need more time."


def test_the_new_date_page_takes_a_plain_reason_and_the_case_page_shows_what_the_person_was_told(world, client):
    client.force_login(world.nia.user)
    url = f"/milestones/{world.milestone.id}/due-date/"
    page = client.get(url).content.decode()
    assert "Why, in plain words for the person" in page
    d = days(21)
    response = client.post(
        url,
        {
            "new_date": d.isoformat(),
            "reason": "Professional reason",
            "reason_for_person": "We need a bit more time.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.milestone.refresh_from_db()
    assert world.milestone.due_date == d
    assert world.milestone.history[-1]["reason_for_person"] == "We need a bit more time."
    case_page = client.get(f"/cases/{world.case.id}/").content.decode()
    assert "The person was told: “We need a bit more time.”" in case_page


def test_the_api_moves_a_date_with_a_plain_reason(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.nia.user)
    r = api.patch(
        f"/api/v1/milestones/{world.milestone.id}/",
        {"due_date": days(25).isoformat(), "reason": "Pro", "reason_for_person": "It takes longer."},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["history"][-1]["reason_for_person"] == "It takes longer."
    too_long = api.patch(
        f"/api/v1/milestones/{world.milestone.id}/",
        {"due_date": days(26).isoformat(), "reason": "Pro", "reason_for_person": "x" * 301},
        format="json",
    )
    assert too_long.status_code == 400 and "reason_for_person" in too_long.json()


def _meeting(world, **overrides):
    args = {
        "case": world.case,
        "kind": "core_group",
        "starts_at": at(5),
        "ends_at": at(5, 11),
        "location": "Riverside Civic Centre, room 2",
        "chair": world.sam,
        "note_taker": world.nia,
        "invitees": [world.sue],
        "family_invited": True,
        "views_due_at": at(4, 17),
        "actor": world.sam.user,
    }
    args.update(overrides)
    return meeting_services.meeting_schedule(**args)


def test_the_next_meeting_shows_in_plain_words_with_day_time_place_and_an_invitation(world, as_user):
    later = _meeting(world, starts_at=at(20), ends_at=at(20, 11), views_due_at=at(19), location="Later place")
    m = _meeting(world)
    page = as_user("maya").get("/portal/").content.decode()
    assert "Next meeting" in page
    assert "A meeting of the people who help you most" in page
    assert at(5).strftime("%A %-d %B %Y") in page and "10:00" in page and "11:00" in page
    assert "Where: Riverside Civic Centre, room 2" in page
    assert "You are asked to come." in page and f"/portal/meetings/{m.id}/" in page
    assert "Later place" not in page  # only the next one
    assert "Core group" not in page  # the professional name of the kind
    plan = as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]
    assert plan["meetings"] == [
        {
            "kind": "core_group",
            "kind_words": "A meeting of the people who help you most",
            "starts_at": plan["meetings"][0]["starts_at"],
            "ends_at": plan["meetings"][0]["ends_at"],
            "location": "Riverside Civic Centre, room 2",
            "online": False,
            "family_invited": True,
        }
    ]
    assert set(plan["meetings"][0]) == {
        "kind",
        "kind_words",
        "starts_at",
        "ends_at",
        "location",
        "online",
        "family_invited",
    }
    assert later.id


def test_an_online_meeting_the_family_is_not_asked_to_says_so(world, as_user):
    _meeting(world, kind="team_around_the_family", family_invited=False, location="https://meet.example.org/abc")
    page = as_user("maya").get("/portal/").content.decode()
    assert "A meeting with all who help your family" in page
    assert 'href="https://meet.example.org/abc"' in page
    assert "You are not asked to come." in page
    assert "Tell us what you think before it" not in page


def test_a_strategy_discussion_or_professionals_meeting_shows_only_when_the_family_is_asked(world, as_user):
    _meeting(world, kind="strategy_discussion", family_invited=False, location="SECRET-ROOM")
    _meeting(
        world,
        kind="professionals",
        family_invited=False,
        location="SECRET-ROOM-2",
        starts_at=at(3),
        ends_at=at(3, 11),
        views_due_at=at(2),
    )
    page = as_user("maya").get("/portal/").content.decode()
    assert "SECRET-ROOM" not in page and "Next meeting" not in page
    assert as_user("maya", api=True).get("/api/v1/me/plan/").json()["results"][0]["meetings"] == []
    _meeting(
        world,
        kind="strategy_discussion",
        family_invited=True,
        location="Asked room",
        starts_at=at(7),
        ends_at=at(7, 11),
        views_due_at=at(6),
    )
    page = as_user("maya").get("/portal/").content.decode()
    assert "Asked room" in page and "A talk about how to keep you safe" in page


def test_cancelled_and_past_meetings_are_not_the_next_one(world, as_user):
    m = _meeting(world)
    meeting_services.meeting_cancel(meeting=m, actor=world.sam.user)
    assert "Next meeting" not in as_user("maya").get("/portal/").content.decode()


def test_the_next_meeting_never_shows_the_chair_invitees_or_views(world, as_user):
    m = _meeting(world)
    meeting_services.view_give(
        meeting=m, actor=world.sue.user, rating=3, worries="SUE-WORRY", working_well="w", next_steps="n"
    )
    page = as_user("maya").get("/portal/").content.decode()
    api = as_user("maya", api=True).get("/api/v1/me/plan/").content.decode()
    for text in (page, api):
        assert "SUE-WORRY" not in text
    assert "chair" not in api and "invitees" not in api and "Sam Tester, chair" not in page


def test_the_plan_costs_the_same_queries_with_many_meetings(world, as_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user("maya")
    _meeting(world)
    with CaptureQueriesContext(connection) as one:
        client.get("/portal/")
    for n in range(6):
        _meeting(world, starts_at=at(8 + n), ends_at=at(8 + n, 11), views_due_at=at(7 + n))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/portal/")
