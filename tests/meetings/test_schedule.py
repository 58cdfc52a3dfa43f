"""Scheduling: chair and note-taker from the team, invitees told in-app and by iTIP, bad input
answers 400 with field messages and writes nothing."""

import pytest
from django.test import Client

from accountability.models import Reminder
from audit.models import AuditEvent
from meetings.models import InvitationMail, Invitee, Meeting
from tests.meetings.conftest import api, at, schedule

pytestmark = pytest.mark.django_db


def body(w, **overrides):
    data = {
        "kind": "initial_conference",
        "starts_at": at(3).isoformat(),
        "ends_at": at(3, 12).isoformat(),
        "location": "https://meet.example.org/abc",
        "chair": str(w.sam.id),
        "note_taker": str(w.nia.id),
        "invitees": [str(w.tia.id)],
        "family_invited": True,
        "views_due_at": at(2).isoformat(),
    }
    data.update(overrides)
    return data


def test_scheduling_invites_chair_note_taker_and_invitees_with_a_notice_and_an_itip_mail(mw):
    meeting = schedule(mw)
    invited = set(Invitee.objects.filter(meeting=meeting).values_list("professional_id", flat=True))
    assert invited == {mw.sam.id, mw.nia.id, mw.tia.id, mw.sue.id}
    notices = Reminder.objects.filter(kind="invited", subject_type="meeting_view")
    assert set(notices.values_list("recipient", flat=True)) == invited
    assert set(notices.values_list("due_date", flat=True)) == {meeting.views_due_on}
    mails = InvitationMail.objects.filter(invitee__meeting=meeting)
    assert set(mails.values_list("method", "sequence")) == {("REQUEST", 0)}
    assert mails.count() == 4
    event = AuditEvent.objects.get(action="meetings.meeting.scheduled")
    assert event.detail == {"kind": "initial_conference", "invitees": 4, "family_invited": True}


def test_the_api_schedules_and_answers_the_meeting(mw):
    response = api(mw.sam.user).post(f"/api/v1/cases/{mw.case.id}/meetings/", body(mw), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "scheduled" and data["views_given"] == [] and "views" not in data
    listed = api(mw.nia.user).get(f"/api/v1/cases/{mw.case.id}/meetings/").json()
    assert [m["id"] for m in listed["results"]] == [data["id"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": at(3, 9).isoformat()}, "ends_at"),
        ({"note_taker": "CHAIR"}, "note_taker"),
        ({"chair": "OZ"}, "chair"),
        ({"invitees": ["OZ"]}, "invitees"),
        ({"views_due_at": at(4).isoformat()}, "views_due_at"),
        ({"starts_at": at(-1).isoformat(), "ends_at": at(-1, 12).isoformat()}, "starts_at"),
        ({"location": "  "}, "location"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": "not a date"}, "starts_at"),
    ],
)
def test_bad_schedules_answer_400_with_the_field_and_write_nothing(mw, overrides, field):
    ids = {"CHAIR": str(mw.sam.id), "OZ": str(mw.oz.id)}
    fixed = {k: ([ids.get(x, x) for x in v] if isinstance(v, list) else ids.get(v, v)) for k, v in overrides.items()}
    before = AuditEvent.objects.count()
    response = api(mw.sam.user).post(f"/api/v1/cases/{mw.case.id}/meetings/", body(mw, **fixed), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Meeting.objects.exists() and not InvitationMail.objects.exists()
    assert not Reminder.objects.filter(kind="invited").exists()
    assert AuditEvent.objects.filter(action__startswith="meetings.").count() == 0
    assert AuditEvent.objects.count() == before


def test_only_a_case_manager_schedules_and_outsiders_get_404(mw):
    assert api(mw.nia.user).post(f"/api/v1/cases/{mw.case.id}/meetings/", body(mw), format="json").status_code == 403
    assert api(mw.oz.user).post(f"/api/v1/cases/{mw.case.id}/meetings/", body(mw), format="json").status_code == 404
    assert not Meeting.objects.exists()


def test_the_schedule_page_keeps_what_was_typed_when_refused(mw):
    client = Client()
    client.force_login(mw.sam.user)
    form = {
        "kind": "core_group",
        "starts_at": at(3).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": at(3, 9).strftime("%Y-%m-%dT%H:%M"),
        "location": "Typed place 42",
        "chair": str(mw.sam.id),
        "note_taker": str(mw.sam.id),
        "invitees": [str(mw.tia.id)],
        "views_due_at": at(2).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(f"/cases/{mw.case.id}/meetings/new/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The meeting must end after it starts." in html
    assert "The note-taker must be someone other than the chair." in html
    assert 'value="Typed place 42"' in html
    assert not Meeting.objects.exists()
    ok = dict(form, ends_at=at(3, 12).strftime("%Y-%m-%dT%H:%M"), note_taker=str(mw.nia.id))
    assert client.post(f"/cases/{mw.case.id}/meetings/new/", ok).status_code == 302
    assert Meeting.objects.count() == 1


def test_meeting_pages_carry_no_inline_script_or_style(mw, meet):
    client = Client()
    client.force_login(mw.sam.user)
    for url in (f"/meetings/{meet.id}/", f"/meetings/{meet.id}/my-view/", f"/cases/{mw.case.id}/meetings/new/"):
        html = client.get(url).content.decode()
        main = html.split('id="main', 1)[-1]
        assert "style=" not in main, url
        assert "<script>" not in main and "<script " not in main.replace("<script src", ""), url
