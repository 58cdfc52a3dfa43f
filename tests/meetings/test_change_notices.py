"""A meeting moved or cancelled is told to its invitees in the app (the outbox, delivered by the
worker) and by e-mail as each prefers, naming only the case reference and the day; the one who
made the change is not told; an uninvited professional is not told of a cancellation."""

import pytest
from django.core import mail
from django.test import Client

from accountability.models import Notification, ReminderSettings
from accountability.services import notices_deliver, reminder_settings_for
from meetings import services
from tests.meetings.conftest import api, at, give

pytestmark = pytest.mark.django_db


def notices(kind):
    return {n.recipient: n for n in Notification.objects.filter(kind=kind)}


def test_a_new_time_or_place_tells_every_invitee_but_the_chair_in_the_app_and_by_email(mw, meet):
    give(meet, mw.tia, 6)  # a view already given does not stop the notice
    reminder_settings_for(professional=mw.sue)
    ReminderSettings.objects.filter(professional=mw.sue).update(delivery="none")
    r = api(mw.sam.user).patch(
        f"/api/v1/meetings/{meet.id}/",
        {"starts_at": at(3).isoformat(), "ends_at": at(3, 12).isoformat()},
        format="json",
    )
    assert r.status_code == 200
    notices_deliver()
    told = notices("meeting_changed")
    assert set(told) == {mw.nia.id, mw.tia.id, mw.sue.id}
    assert told[mw.tia.id].link == f"/meetings/{meet.id}/" and told[mw.tia.id].case_reference == mw.case.reference
    changed = [m for m in mail.outbox if "has been changed" in m.subject]
    assert sorted(m.to[0] for m in changed) == ["nia@example.org", "tia@example.org"]  # sue chose no e-mail
    for message in changed:
        assert mw.case.reference in message.subject
        assert at(3).strftime("%d %B %Y") in message.body
        for leak in ("Okafor", "Maya", "Riverside", "conference", "Sam"):
            assert leak not in message.subject + message.body, leak


def test_a_change_of_place_is_told_but_a_change_of_invitees_alone_is_not(mw, meet):
    services.meeting_update(meeting=meet, actor=mw.sam.user, invitees=[mw.tia])  # sue uninvited
    notices_deliver()
    assert not Notification.objects.filter(kind="meeting_changed").exists()
    services.meeting_update(meeting=meet, actor=mw.sam.user, location="Room 3")
    notices_deliver()
    assert set(notices("meeting_changed")) == {mw.nia.id, mw.tia.id}


def test_cancelling_tells_the_invitees_in_the_app_and_by_email_without_case_content(mw, meet):
    services.meeting_update(meeting=meet, actor=mw.sam.user, invitees=[mw.tia])  # sue uninvited
    r = api(mw.sam.user).patch(f"/api/v1/meetings/{meet.id}/", {"status": "cancelled"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    notices_deliver()
    told = notices("meeting_cancelled")
    assert set(told) == {mw.nia.id, mw.tia.id}  # not sam, who cancelled; not sue, no longer invited
    subjects = [m.subject for m in mail.outbox if "cancelled" in m.subject]
    assert len(subjects) == 2 and all(mw.case.reference in s for s in subjects)
    body = "".join(m.body for m in mail.outbox)
    assert "Riverside" not in body and "Okafor" not in body


def test_the_notification_page_says_the_meeting_was_cancelled(mw, meet):
    services.meeting_cancel(meeting=meet, actor=mw.sam.user)
    notices_deliver()
    page = Client()
    page.force_login(mw.tia.user)
    body = page.get("/notifications/").content.decode()
    assert "the meeting has been cancelled" in body and f"/meetings/{meet.id}/" in body


def test_a_meeting_moved_again_on_a_later_day_is_told_again_and_twice_in_one_day_once(mw, meet, monkeypatch):
    import datetime

    from django.utils import timezone

    services.meeting_update(meeting=meet, actor=mw.sam.user, location="Room 3")
    services.meeting_update(meeting=meet, actor=mw.sam.user, location="Room 4")  # the same day: one notice
    notices_deliver()
    assert Notification.objects.filter(kind="meeting_changed", recipient=mw.nia.id).count() == 1
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(days=2))
    services.meeting_update(meeting=meet, actor=mw.sam.user, location="Room 5")  # same meeting day, later
    notices_deliver()
    assert Notification.objects.filter(kind="meeting_changed", recipient=mw.nia.id).count() == 2
