"""iTIP invitations: REQUEST with ORGANIZER, ATTENDEE and a SEQUENCE rising with each change, CANCEL on
cancellation, e-mailed from the outbox without case content; meetings in the calendar feed."""

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from accountability.models import Notification, Reminder
from accountability.services import reminder_settings_for, reminders_deliver
from audit.models import AuditEvent
from meetings import services
from meetings.invitations import invitations_send
from meetings.models import InvitationMail
from tests.meetings.conftest import api, at, give

pytestmark = pytest.mark.django_db


def event_of(body: bytes):
    cal = Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_the_invitation_download_is_an_itip_request_with_organizer_and_attendees(mw, meet):
    r = api(mw.tia.user).get(f"/api/v1/meetings/{meet.id}/invite.ics")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    cal, event = event_of(r.content)
    assert str(cal["METHOD"]) == "REQUEST"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:sam@example.org"
    attendees = {str(a) for a in event["ATTENDEE"]}
    assert attendees == {f"mailto:{u}@example.org" for u in ("sam", "nia", "tia", "sue")}
    assert event.decoded("DTSTART") == meet.starts_at
    assert AuditEvent.objects.filter(action="meetings.invitation.viewed", subject_id=meet.id).exists()
    assert api(mw.oz.user).get(f"/api/v1/meetings/{meet.id}/invite.ics").status_code == 404


def test_each_change_raises_the_sequence_and_cancel_sends_method_cancel(mw, meet):
    client = api(mw.sam.user)
    r = client.patch(f"/api/v1/meetings/{meet.id}/", {"location": "Room 3"}, format="json")
    assert r.status_code == 200 and r.json()["sequence"] == 1
    r = client.patch(f"/api/v1/meetings/{meet.id}/", {"invitees": [str(mw.tia.id)]}, format="json")  # sue uninvited
    assert r.json()["sequence"] == 2
    assert InvitationMail.objects.filter(invitee__professional=mw.sue, method="CANCEL", sequence=2).exists()
    _, event = event_of(client.get(f"/api/v1/meetings/{meet.id}/invite.ics").content)
    assert int(event["SEQUENCE"]) == 2
    assert "mailto:sue@example.org" not in {str(a) for a in event["ATTENDEE"]}
    bad = client.patch(f"/api/v1/meetings/{meet.id}/", {"ends_at": at(1).isoformat()}, format="json")
    assert bad.status_code == 400 and "ends_at" in bad.json()
    r = client.patch(f"/api/v1/meetings/{meet.id}/", {"status": "cancelled"}, format="json")
    assert r.json()["status"] == "cancelled" and r.json()["sequence"] == 3
    cal, event = event_of(client.get(f"/api/v1/meetings/{meet.id}/invite.ics").content)
    assert str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 3 and str(event["STATUS"]) == "CANCELLED"


def test_the_outbox_emails_each_invitee_once_with_the_latest_sequence_and_no_case_content(mw, meet):
    services.meeting_update(meeting=meet, actor=mw.sam.user, location="Room 3, the family's street")
    give(meet, mw.nia, 3, words="SECRET-WORDS")
    first = invitations_send()
    assert first["sent"] == 4 and first["skipped"] == 4  # sequence 0 superseded by sequence 1
    assert invitations_send() == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        (ics, mimetype) = message.alternatives[0]
        assert mimetype.startswith("text/calendar; method=REQUEST")
        cal, event = event_of(ics.encode())
        assert int(event["SEQUENCE"]) == 1
        text = message.subject + message.body + ics
        for leak in ("Okafor", "Maya", "SECRET-WORDS", "Room 3", "Riverside", "conference", "Sam", "Tester"):
            assert leak not in text, leak
        assert mw.case.reference in message.subject


def test_invitees_get_an_in_app_notice_without_a_second_email(mw, meet):
    ids = list(Reminder.objects.filter(kind="invited").values_list("pk", flat=True))
    reminders_deliver(ids=ids)
    assert Notification.objects.filter(kind="invited", recipient=mw.tia.id).count() == 1
    assert not mail.outbox  # the iTIP e-mail is the invitation
    assert set(Reminder.objects.filter(kind="invited").values_list("email_status", flat=True)) == {"skipped"}


def test_a_notice_for_a_view_already_given_is_not_delivered(mw, meet):
    give(meet, mw.tia)
    ids = list(Reminder.objects.filter(kind="invited").values_list("pk", flat=True))
    reminders_deliver(ids=ids)
    assert not Notification.objects.filter(kind="invited", recipient=mw.tia.id).exists()


def test_the_meeting_is_in_the_invitees_calendar_feed(mw, meet):
    token = reminder_settings_for(professional=mw.tia).calendar_token
    body = Client().get(f"/calendar/{token}.ics").content
    events = {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    timed = events[f"meeting-{meet.id}@joinedup"]
    assert timed.decoded("DTSTART") == meet.starts_at
    assert "Okafor" not in body.decode() and "Riverside" not in body.decode()
    # the pending view is an all-day due item of the same feed
    assert any(str(uid).startswith("meeting_view-") for uid in events)
    outsider = reminder_settings_for(professional=mw.oz).calendar_token
    assert f"meeting-{meet.id}".encode() not in Client().get(f"/calendar/{outsider}.ics").content
