"""Open, attendance, decisions with dissent and actions, close: the meeting's life after the views."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accountability import registry
from accountability.services import reminders_scan
from audit.models import AuditEvent
from meetings import services
from meetings.models import Action, Decision, Dissent, MeetingStatus, NextMeeting
from meetings.schedule import add_working_days
from plans.models import Milestone
from sharing.models import Record
from tests.meetings.conftest import api, at, give, schedule

pytestmark = pytest.mark.django_db


def family_view(meeting, w, rating=2):
    return services.view_give(
        meeting=meeting,
        actor=w.maya.user,
        rating=rating,
        worries="We worry about money",
        working_well="Mum takes Maya to school",
        next_steps="Help with the bills",
    )


def test_opening_shows_views_side_by_side_family_first_with_the_spread_and_the_flag(mw, meet):
    give(meet, mw.sam, 7)
    give(meet, mw.nia, 6)
    give(meet, mw.tia, 5)
    family_view(meet, mw, rating=2)
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    data = api(mw.nia.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert data["status"] == "open"
    assert data["views"][0]["family"] is True and data["views"][0]["author"] is None
    assert data["views"][0]["worries"] == "We worry about money"
    assert {v["author"] for v in data["views"][1:]} == {str(mw.sam.id), str(mw.nia.id), str(mw.tia.id)}
    assert data["spread"]["min"] == 2 and data["spread"]["max"] == 7
    assert data["spread"]["range"] == 5 and data["spread"]["flagged"] is True
    assert {(r["agency"], r["rating"]) for r in data["spread"]["ratings"]} == {
        (None, 2),
        (str(mw.social.id), 7),
        (str(mw.health.id), 6),
        (str(mw.school.id), 5),
    }
    # each professional view is now a record of its category, written by its author
    records = Record.objects.filter(case=mw.case, text__startswith="View for the")
    assert {(r.author_id, r.category) for r in records} == {
        (mw.sam.id, "general"),
        (mw.nia.id, "general"),
        (mw.tia.id, "general"),
    }
    page = Client()
    page.force_login(mw.sam.user)
    html = page.get(f"/meetings/{meet.id}/").content.decode()
    assert "Views differ widely — discuss before deciding." in html
    assert html.index("We worry about money") < html.index("worry of sam")


def test_a_narrow_range_is_not_flagged(mw, meet):
    give(meet, mw.sam, 5)
    give(meet, mw.nia, 8)
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    spread = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()["spread"]
    assert (spread["range"], spread["flagged"]) == (3, False)


def test_only_the_chair_opens(mw, meet):
    for who in (mw.nia, mw.sue, mw.tia):
        assert api(who.user).post(f"/api/v1/meetings/{meet.id}/open/").status_code == 403
    assert api(mw.oz.user).post(f"/api/v1/meetings/{meet.id}/open/").status_code == 404
    assert api(mw.admin).post(f"/api/v1/meetings/{meet.id}/open/").status_code == 404
    assert api(mw.sam.user).post(f"/api/v1/meetings/{meet.id}/open/").status_code == 200
    assert api(mw.sam.user).post(f"/api/v1/meetings/{meet.id}/open/").status_code == 400


def test_attendance_and_quorum_of_a_conference(mw, meet):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    client = api(mw.nia.user)
    r = client.patch(
        f"/api/v1/meetings/{meet.id}/",
        {"attendance": {str(mw.sam.id): "present", str(mw.nia.id): "present", str(mw.tia.id): "apologies"}},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["quorate"] is False  # two agencies present
    r = client.patch(f"/api/v1/meetings/{meet.id}/", {"attendance": {str(mw.tia.id): "present"}}, format="json")
    assert r.json()["quorate"] is True
    assert r.json()["attendance"][str(mw.tia.id)] == "present"
    bad = client.patch(f"/api/v1/meetings/{meet.id}/", {"attendance": {str(mw.oz.id): "present"}}, format="json")
    assert bad.status_code == 400 and "attendance" in bad.json()
    assert (
        api(mw.tia.user)
        .patch(f"/api/v1/meetings/{meet.id}/", {"attendance": {str(mw.tia.id): "absent"}}, format="json")
        .status_code
        == 403
    )


def test_a_core_group_has_no_quorum_rule(mw):
    m = schedule(mw, kind="core_group")
    services.meeting_open(meeting=m, actor=mw.sam.user)
    assert api(mw.sam.user).get(f"/api/v1/meetings/{m.id}/").json()["quorate"] is None


def decision_body(w, **overrides):
    data = {
        "text": "Maya stays at home with a child protection plan.",
        "agreed_by": [str(w.sam.id), str(w.nia.id)],
        "dissent": [{"professional": str(w.tia.id), "reason": "School sees bruises every Monday."}],
        "actions": [
            {
                "goal": str(w.goal.id),
                "title": "Weekly home visit",
                "due_date": str(w.milestone.due_date),
                "accountable": str(w.nia.id),
                "plain_summary": "A nurse visits every week",
            }
        ],
    }
    data.update(overrides)
    return data


def test_a_decision_records_agreement_dissent_and_makes_actions_milestones_in_one_step(mw, meet):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    r = api(mw.sam.user).post(f"/api/v1/meetings/{meet.id}/decisions/", decision_body(mw), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert set(data["agreed_by"]) == {str(mw.sam.id), str(mw.nia.id)}
    (milestone_id,) = data["actions"]
    milestone = Milestone.objects.get(pk=milestone_id)
    assert (milestone.accountable_id, milestone.goal_id, milestone.title) == (
        mw.nia.id,
        mw.goal.id,
        "Weekly home visit",
    )
    assert Action.objects.get(milestone=milestone).decision.meeting_id == meet.id
    (dissent,) = Dissent.objects.all()
    # sam (the chair) works in sue's team: sue answers, within 28 days
    assert dissent.answerer_id == mw.sue.id
    assert dissent.answer_due == timezone.localdate() + datetime.timedelta(days=28)
    decision = Decision.objects.get()
    assert decision.record.category == "general" and "School sees bruises" in decision.record.text
    # the dissent is a due item of the chair's team lead: on sue's work, and answered in writing
    assert [i.id for i in registry.work_items_for(mw.sue) if i.subject_type == "meeting_dissent"] == [dissent.id]
    assert api(mw.sam.user).post(f"/api/v1/meeting-dissents/{dissent.id}/answer/", {"answer": "x"}).status_code == 404
    empty = api(mw.sue.user).post(f"/api/v1/meeting-dissents/{dissent.id}/answer/", {"answer": " "})
    assert empty.status_code == 400 and "answer" in empty.json()
    ok = api(mw.sue.user).post(f"/api/v1/meeting-dissents/{dissent.id}/answer/", {"answer": "Agreed to check weekly."})
    assert ok.status_code == 200
    shown = api(mw.nia.user).get(f"/api/v1/meetings/{meet.id}/decisions/").json()["results"][0]
    assert shown["dissent"][0]["answer"] == "Agreed to check weekly."
    assert not [i for i in registry.work_items_for(mw.sue) if i.subject_type == "meeting_dissent"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "  "}, "text"),
        ({"agreed_by": ["OZ"]}, "agreed_by"),
        ({"dissent": [{"professional": "TIA", "reason": ""}]}, "dissent"),
        ({"actions": [{"goal": "GOAL", "title": "", "due_date": "2020-01-01", "accountable": "TIA"}]}, "actions"),
        ({"actions": [{"goal": "GOAL", "title": "Visit", "due_date": "DUE", "accountable": "OZ"}]}, "actions"),
    ],
)
def test_a_bad_decision_answers_400_and_writes_nothing(mw, meet, overrides, field):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    ids = {"OZ": str(mw.oz.id), "TIA": str(mw.tia.id), "GOAL": str(mw.goal.id), "DUE": str(mw.milestone.due_date)}

    def fix(v):
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        return ids.get(v, v)

    milestones, records = Milestone.objects.count(), Record.objects.count()
    r = api(mw.sam.user).post(
        f"/api/v1/meetings/{meet.id}/decisions/", decision_body(mw, **fix(overrides)), format="json"
    )
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert not Decision.objects.exists() and not Dissent.objects.exists()
    assert (Milestone.objects.count(), Record.objects.count()) == (milestones, records)


def test_actions_need_the_plan_right_of_plans_services(mw):
    """nia chairs; she is not a case manager, so her actions are refused (403) and nothing is written."""
    m = schedule(mw, chair=mw.nia, note_taker=mw.tia)
    services.meeting_open(meeting=m, actor=mw.nia.user)
    r = api(mw.nia.user).post(
        f"/api/v1/meetings/{m.id}/decisions/", decision_body(mw, dissent=[], agreed_by=[str(mw.nia.id)]), format="json"
    )
    assert r.status_code == 403
    assert not Decision.objects.exists()
    r = api(mw.nia.user).post(
        f"/api/v1/meetings/{m.id}/decisions/", decision_body(mw, dissent=[], actions=[], agreed_by=[]), format="json"
    )
    assert r.status_code == 201


def test_closing_writes_minutes_suggests_the_next_meetings_and_freezes_views_and_decisions(mw, meet):
    give(meet, mw.nia, 4)
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    decision = services.decision_record(meeting=meet, actor=mw.sam.user, text="First decision")
    bad = api(mw.nia.user).post(f"/api/v1/meetings/{meet.id}/close/", {"minutes": "", "plain_summary": ""})
    assert bad.status_code == 400 and {"minutes", "plain_summary"} <= set(bad.json())
    assert (
        api(mw.tia.user).post(f"/api/v1/meetings/{meet.id}/close/", {"minutes": "m", "plain_summary": "p"}).status_code
        == 403
    )
    r = api(mw.nia.user).post(
        f"/api/v1/meetings/{meet.id}/close/", {"minutes": "We talked.", "plain_summary": "We will help you."}
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed" and r.json()["plain_summary"] == "We will help you."
    held = meet.starts_at.astimezone().date()
    kinds = dict(NextMeeting.objects.filter(after=meet).values_list("kind", "due_on"))
    assert kinds["core_group"] == add_working_days(held, 10)
    assert set(kinds) == {"core_group", "review_conference"}
    assert {i.subject_type for i in registry.work_items_for(mw.sam)} >= {"next_meeting"}
    # frozen: views and decisions cannot change; a correction is a new, audited, entry
    with pytest.raises(ValidationError):
        give(meet, mw.nia, 9)
    with pytest.raises(ValidationError):
        services.decision_record(meeting=meet, actor=mw.sam.user, text="Another")
    correction = services.decision_record(meeting=meet, actor=mw.sam.user, text="Corrected", corrects=decision)
    assert Decision.objects.get(pk=decision.pk).text == "First decision"
    assert correction.corrects_id == decision.id
    assert AuditEvent.objects.filter(action="meetings.decision.corrected", subject_id=correction.id).exists()
    # scheduling a core group fulfils that suggestion
    schedule(mw, kind="core_group", starts_at=at(5), ends_at=at(5, 11), views_due_at=at(4))
    assert NextMeeting.objects.get(after=meet, kind="core_group").scheduled is not None
    assert NextMeeting.objects.get(after=meet, kind="review_conference").scheduled is None


def test_pending_views_are_reminded_by_the_registry_scan_and_stop_once_given(mw, meet):
    due = meet.views_due_on
    give(meet, mw.nia)
    result = reminders_scan(today=due, enqueue=False)
    assert result.reminders >= 1
    from accountability.models import Reminder

    due_today = Reminder.objects.filter(subject_type="meeting_view", kind="due_today")
    assert set(due_today.values_list("recipient", flat=True)) == {mw.sam.id, mw.tia.id, mw.sue.id}
    assert all(r.link.startswith("/meetings/views-due/") for r in due_today)
    assert "meeting_view" in {i.subject_type for i in registry.work_items_for(mw.tia)}
    # the chair sees who has and has not answered
    data = api(mw.sam.user).get(f"/api/v1/meetings/{meet.id}/").json()
    assert data["views_given"] == [str(mw.nia.id)]


def test_a_cancelled_meeting_stops_pending_views(mw, meet):
    assert services.meeting_cancel(meeting=meet, actor=mw.sam.user).status == MeetingStatus.CANCELLED
    assert not [i for i in registry.work_items_for(mw.tia) if i.subject_type == "meeting_view"]
    with pytest.raises(ValidationError):
        services.meeting_open(meeting=meet, actor=mw.sam.user)
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(meeting=meet, actor=mw.tia.user)
