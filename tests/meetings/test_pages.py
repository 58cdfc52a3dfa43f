"""The meeting pages: give a view, open, attendance, a decision (refused input kept), close, answer a
dissent, the reminder's link; the case page's meetings section; the due items reach the scan."""

import pytest
from django.test import Client

from accountability.models import Reminder
from accountability.services import reminders_scan
from meetings import services
from meetings.models import Decision, Dissent, MeetingStatus, NextMeeting
from plans.models import Milestone

pytestmark = pytest.mark.django_db


def login(who):
    client = Client()
    client.force_login(who.user)
    return client


def test_a_meeting_from_view_to_minutes_through_the_pages(mw, meet):
    tia = login(mw.tia)
    refused = tia.post(
        f"/meetings/{meet.id}/my-view/",
        {"worries": "Kept words", "working_well": "", "next_steps": "", "rating": "11", "category": "general"},
    )
    assert refused.status_code == 200
    assert "Kept words" in refused.content.decode() and not meet.views.exists()
    ok = tia.post(
        f"/meetings/{meet.id}/my-view/",
        {"worries": "TIA-W", "working_well": "b", "next_steps": "c", "rating": "3", "category": "general"},
    )
    assert ok.status_code == 302
    assert "TIA-W" in tia.get(f"/meetings/{meet.id}/my-view/").content.decode()
    sam = login(mw.sam)
    assert "TIA-W" not in sam.get(f"/meetings/{meet.id}/").content.decode()
    assert login(mw.nia).post(f"/meetings/{meet.id}/open/").status_code == 403
    assert sam.post(f"/meetings/{meet.id}/open/").status_code == 302
    assert "TIA-W" in sam.get(f"/meetings/{meet.id}/").content.decode()
    sam.post(
        f"/meetings/{meet.id}/attendance/",
        {f"attendance_{mw.sam.id}": "present", f"attendance_{mw.tia.id}": "apologies"},
    )
    assert meet.invitees.get(professional=mw.tia).attendance == "apologies"
    form = {"text": "", "agreed_by": [str(mw.nia.id)], "action_1_title": "Kept action title"}
    refused = sam.post(f"/meetings/{meet.id}/decisions/new/", form)
    html = refused.content.decode()
    assert refused.status_code == 200 and "Write the decision." in html and "Kept action title" in html
    assert not Decision.objects.exists()
    form = {
        "text": "A plan",
        "agreed_by": [str(mw.nia.id)],
        "dissent_1_professional": str(mw.tia.id),
        "dissent_1_reason": "Not safe yet",
        "action_1_goal": str(mw.goal.id),
        "action_1_title": "Visit weekly",
        "action_1_due_date": str(mw.milestone.due_date),
        "action_1_accountable": str(mw.nia.id),
        "action_1_plain_summary": "We visit you each week",
    }
    assert sam.post(f"/meetings/{meet.id}/decisions/new/", form).status_code == 302
    assert Milestone.objects.filter(title="Visit weekly", accountable=mw.nia).exists()
    dissent = Dissent.objects.get()
    sue = login(mw.sue)
    assert "Not safe yet" in sue.get(f"/meetings/dissents/{dissent.id}/answer/").content.decode()
    assert login(mw.nia).get(f"/meetings/dissents/{dissent.id}/answer/").status_code == 404
    assert (
        sue.post(f"/meetings/dissents/{dissent.id}/answer/", {"answer": "Reviewed with the chair"}).status_code == 302
    )
    nia = login(mw.nia)
    assert nia.post(f"/meetings/{meet.id}/close/", {"minutes": "", "plain_summary": "Kept summary"}).status_code == 200
    assert nia.post(f"/meetings/{meet.id}/close/", {"minutes": "M", "plain_summary": "P"}).status_code == 302
    meet.refresh_from_db()
    assert meet.status == MeetingStatus.CLOSED
    page = sam.get(f"/meetings/{meet.id}/").content.decode()
    assert "Reviewed with the chair" in page and "Next: Core group meeting" in page


def test_the_case_page_lists_meetings_and_the_reminder_link_leads_to_my_view(mw, meet):
    sam = login(mw.sam)
    page = sam.get(f"/cases/{mw.case.id}/").content.decode()
    assert f"/meetings/{meet.id}/" in page and "Schedule a meeting" in page
    invitation = meet.invitees.get(professional=mw.tia)
    assert login(mw.tia).get(f"/meetings/views-due/{invitation.id}/")["Location"] == f"/meetings/{meet.id}/my-view/"
    assert sam.get(f"/meetings/views-due/{invitation.id}/").status_code == 404
    assert login(mw.oz).get(f"/meetings/{meet.id}/").status_code == 404
    assert login(mw.hal).get(f"/meetings/{meet.id}/my-view/").status_code == 403  # sees the case, not invited


def test_dissent_answers_and_next_meetings_are_reminded_by_the_scan(mw, meet):
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    decision = services.decision_record(
        meeting=meet,
        actor=mw.sam.user,
        text="Decided",
        dissent=[services.DissentIn(professional=mw.tia, reason="No")],
    )
    dissent = decision.dissents.get()
    services.meeting_close(meeting=meet, actor=mw.sam.user, minutes="m", plain_summary="p")
    reminders_scan(today=dissent.answer_due, enqueue=False)
    assert Reminder.objects.filter(subject_type="meeting_dissent", kind="due_today", recipient=mw.sue.id).exists()
    core = NextMeeting.objects.get(after=meet, kind="core_group")
    reminders_scan(today=core.due_on, enqueue=False)
    assert Reminder.objects.filter(
        subject_type="next_meeting", subject_id=core.id, kind="due_today", recipient=mw.sam.id
    ).exists()


def test_once_the_meeting_opens_my_view_page_shows_the_view_i_gave_read_only(mw, meet):
    """Found by the sealed-view property test: after opening, "Your view" said only that views can
    no longer change, and the author could no longer read what they had said."""
    from tests.meetings.conftest import give

    give(meet, mw.tia, rating=0, words="TIA-OWN")
    services.meeting_open(meeting=meet, actor=mw.sam.user)
    page = login(mw.tia).get(f"/meetings/{meet.id}/my-view/").content.decode()
    assert "views can no longer change" in page
    assert "worry of TIA-OWN" in page and "next of TIA-OWN" in page and "0 out of 10" in page
    assert "Save my view" not in page
    nia = login(mw.nia).get(f"/meetings/{meet.id}/my-view/").content.decode()
    assert "TIA-OWN" not in nia
