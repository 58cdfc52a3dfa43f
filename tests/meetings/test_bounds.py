"""Bad dates and unbounded text (review C1): a date outside 1900-2200 or a text over its maximum
(agencies.validation) is a 400 with a field message (or the page form's error), nothing written,
never a 500 further down (closing a meeting in 9999 computes the next ones in 10000)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agencies.validation import DATE_RANGE_MESSAGE, LONG_TEXT_MAX, NOTE_MAX, PLAIN_SUMMARY_MAX
from meetings import services
from meetings.models import Decision, Meeting, MeetingView
from plans.models import Milestone
from tests.meetings.conftest import api, schedule

pytestmark = pytest.mark.django_db


def far(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def test_a_meeting_in_9999_is_refused_by_the_api_and_the_service(mw):
    body = {
        "kind": "review_conference",
        "starts_at": "9999-10-01T10:00:00Z",
        "ends_at": "9999-10-01T12:00:00Z",
        "location": "Room 2",
        "chair": str(mw.sam.id),
        "note_taker": str(mw.nia.id),
        "views_due_at": "9999-09-30T10:00:00Z",
    }
    r = api(mw.sam.user).post(f"/api/v1/cases/{mw.case.id}/meetings/", body, format="json")
    assert r.status_code == 400, r.content
    assert set(r.json()) >= {"starts_at", "ends_at", "views_due_at"}
    assert not Meeting.objects.exists()
    with pytest.raises(services.ValidationError) as exc:
        schedule(
            mw,
            kind="initial_conference",
            starts_at=far(9999, 12, 30),
            ends_at=far(9999, 12, 30, 12),
            views_due_at=far(9999, 12, 29),
        )
    assert exc.value.message_dict["starts_at"] == [DATE_RANGE_MESSAGE]
    assert not Meeting.objects.exists()


def test_a_meeting_late_in_2200_closes_and_suggests_the_next_ones(mw):
    m = schedule(
        mw,
        kind="review_conference",
        starts_at=far(2200, 12, 30),
        ends_at=far(2200, 12, 30, 12),
        views_due_at=far(2200, 12, 29),
    )
    services.meeting_open(meeting=m, actor=mw.sam.user)
    r = api(mw.nia.user).post(f"/api/v1/meetings/{m.id}/close/", {"minutes": "M", "plain_summary": "P"})
    assert r.status_code == 200, r.content


def test_the_page_form_refuses_a_meeting_in_9999(mw):
    client = Client()
    client.force_login(mw.sam.user)
    r = client.post(
        f"/cases/{mw.case.id}/meetings/new/",
        {
            "kind": "review_conference",
            "starts_at": "9999-10-01T10:00",
            "ends_at": "9999-10-01T12:00",
            "location": "Room 2",
            "chair": str(mw.sam.id),
            "note_taker": str(mw.nia.id),
            "views_due_at": "9999-09-30T10:00",
        },
    )
    assert r.status_code == 200
    assert DATE_RANGE_MESSAGE in r.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("field", ["worries", "working_well", "next_steps"])
def test_a_view_text_over_its_maximum_is_a_400(mw, meet, field):
    body = {"rating": 5, "worries": "w", "working_well": "g", "next_steps": "n", field: "x" * (NOTE_MAX + 1)}
    r = api(mw.tia.user).put(f"/api/v1/meetings/{meet.id}/my-view/", body, format="json")
    assert r.status_code == 400 and field in r.json()
    with pytest.raises(services.ValidationError) as exc:
        services.view_give(meeting=meet, actor=mw.tia.user, **body)
    assert field in exc.value.message_dict
    assert not MeetingView.objects.exists()


def _decision(mw, **overrides):
    body = {
        "text": "A plan",
        "agreed_by": [str(mw.sam.id)],
        "dissent": [{"professional": str(mw.tia.id), "reason": "Not safe"}],
        "actions": [
            {
                "goal": str(mw.goal.id),
                "title": "Visit",
                "due_date": str(mw.milestone.due_date),
                "accountable": str(mw.nia.id),
                "plain_summary": "We visit",
            }
        ],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "x" * (NOTE_MAX + 1)}, "text"),
        ({"dissent": [{"reason": "x" * (NOTE_MAX + 1)}]}, "dissent"),
        ({"actions": [{"due_date": "9999-01-01"}]}, "actions"),
        ({"actions": [{"plain_summary": "x" * (PLAIN_SUMMARY_MAX + 1)}]}, "actions"),
    ],
)
def test_a_decision_with_an_unbounded_text_or_date_is_a_400_and_writes_nothing(mw, meet, change, field):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    body = _decision(mw)
    for key, value in change.items():
        body[key] = [{**body[key][0], **value[0]}] if isinstance(value, list) else value
    milestones = Milestone.objects.count()
    r = api(mw.sam.user).post(f"/api/v1/meetings/{meet.id}/decisions/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert not Decision.objects.exists() and Milestone.objects.count() == milestones


def test_the_service_refuses_an_action_due_in_9999(mw, meet):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    action = services.ActionIn(
        goal=mw.goal, title="Visit", due_date=datetime.date(9999, 1, 1), accountable=mw.nia, plain_summary=""
    )
    with pytest.raises(services.ValidationError) as exc:
        services.decision_record(meeting=meet, actor=mw.sam.user, text="A plan", actions=[action])
    assert DATE_RANGE_MESSAGE in str(exc.value.message_dict["actions"])
    assert not Decision.objects.exists()


def test_the_decision_page_shows_an_action_date_out_of_range(mw, meet):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    client = Client()
    client.force_login(mw.sam.user)
    form = {
        "text": "A plan",
        "action_1_goal": str(mw.goal.id),
        "action_1_title": "Visit",
        "action_1_due_date": "9999-01-01",
        "action_1_accountable": str(mw.nia.id),
    }
    r = client.post(f"/meetings/{meet.id}/decisions/new/", form)
    assert r.status_code == 200 and DATE_RANGE_MESSAGE in r.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": "x" * (LONG_TEXT_MAX + 1), "plain_summary": "P"}, "minutes"),
        ({"minutes": "M", "plain_summary": "x" * (PLAIN_SUMMARY_MAX + 1)}, "plain_summary"),
    ],
)
def test_closing_with_an_unbounded_text_is_a_400(mw, meet, body, field):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    r = api(mw.nia.user).post(f"/api/v1/meetings/{meet.id}/close/", body, format="json")
    assert r.status_code == 400 and field in r.json()
    with pytest.raises(services.ValidationError) as exc:
        services.meeting_close(meeting=meet, actor=mw.nia.user, **body)
    assert field in exc.value.message_dict
    meet.refresh_from_db()
    assert meet.status == "open"
