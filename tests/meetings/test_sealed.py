"""A sealed view stays sealed (DESIGN invariant 10): until the chair opens the meeting nobody but its
author — the chair and admins included — reads a view's words or rating in any page, API, export,
notification, e-mail, calendar or audit detail; only whether it has been given.

The property test drives random sequences of submit / edit / open / read by the chair, invitees, a
team lead who sees the case but is not invited, the family (the person, and a parent through proxy
access), an outsider and an admin, and compares every answer with an oracle. The family gives one
view; the family account that first gives it is its author (decision 0072)."""

import itertools
import json

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accountability.models import Notification
from accountability.services import reminder_settings_for, reminders_deliver, reminders_scan
from audit.models import AuditEvent
from meetings.invitations import invitations_send
from meetings.models import Invitee
from tests.meetings.conftest import api, schedule

pytestmark = pytest.mark.django_db

PEOPLE = ["sam", "nia", "tia", "sue", "hal", "oz", "admin", "maya", "pip"]
FAMILY = {"maya", "pip"}  # pip: Maya's father, a proxy in force for her
INVITED = {"sam", "nia", "tia", "sue"}  # sam chairs, nia takes notes
SEES_CASE = {"sam", "nia", "tia", "sue", "hal"}  # hal leads nia's team
CHANNELS = ["api_detail", "page_detail", "api_my_view", "page_my_view", "portal", "decisions", "ics", "case_page"]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(PEOPLE), st.integers(min_value=-2, max_value=12)),
        st.tuples(st.just("open"), st.sampled_from(PEOPLE), st.just(0)),
        st.tuples(st.just("read"), st.sampled_from(PEOPLE), st.sampled_from(CHANNELS)),
    ),
    min_size=1,
    max_size=14,
)
counter = itertools.count()


def user_of(w, who):
    return w.admin if who == "admin" else getattr(w, who).user


def may_read(reader, author, channel, opened):
    """The oracle: may `reader` see `author`'s current view through `channel`?"""
    if channel in ("api_my_view", "page_my_view"):
        return reader == author and (reader not in FAMILY or channel == "api_my_view")
    if channel == "portal":
        return reader == author and author in FAMILY and not opened
    if channel in ("api_detail", "page_detail"):
        return opened and reader in SEES_CASE  # every view here is of category general
    return False  # decisions, the .ics, the case page never carry a view


def fetch(w, meeting, who, channel):
    user = user_of(w, who)
    if channel.startswith("api_") or channel in ("decisions", "ics"):
        client = APIClient()
        client.force_authenticate(user)
        url = {
            "api_detail": f"/api/v1/meetings/{meeting.id}/",
            "api_my_view": f"/api/v1/meetings/{meeting.id}/my-view/{for_maya(w, who)}",
            "decisions": f"/api/v1/meetings/{meeting.id}/decisions/",
            "ics": f"/api/v1/meetings/{meeting.id}/invite.ics",
        }[channel]
    else:
        client = Client()
        client.force_login(user)
        url = {
            "page_detail": f"/meetings/{meeting.id}/",
            "page_my_view": f"/meetings/{meeting.id}/my-view/",
            "portal": f"/portal/for/{w.maya.id}/meetings/{meeting.id}/"
            if who == "pip"
            else f"/portal/meetings/{meeting.id}/",
            "case_page": f"/cases/{w.case.id}/",
        }[channel]
    response = client.get(url)
    assert response.status_code < 500, (who, channel, response.status_code)
    return response.content.decode()


def submit(w, meeting, who, rating, token):
    client = APIClient()
    client.force_authenticate(user_of(w, who))
    body = {"rating": rating, "worries": token, "working_well": token, "next_steps": token}
    return client.put(f"/api/v1/meetings/{meeting.id}/my-view/{for_maya(w, who)}", body, format="json")


def for_maya(w, who):
    """The proxy speaks for Maya's family by naming her."""
    return f"?person={w.maya.id}" if who == "pip" else ""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps)
def test_no_sequence_of_actions_reads_a_sealed_view(mw, pip, script):
    w = mw
    run = next(counter)
    meeting = schedule(w)
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    mail.outbox.clear()
    opened = False
    views: dict[str, tuple[str, int]] = {}  # author ("family" for the family's view) -> (token, rating)
    family_author = None  # the family account that first gave the family's view
    for n, (action, who, arg) in enumerate(script):
        if action == "submit":
            token = f"TOKEN{run}X{n}Y"
            response = submit(w, meeting, who, arg, token)
            may_author = who in INVITED or (who in FAMILY and family_author in (None, who))
            allowed = may_author and not opened and 0 <= arg <= 10
            assert (response.status_code == 200) == allowed, (who, arg, opened, response.status_code)
            if allowed and who in FAMILY:
                family_author = who
                views["family"] = (token, arg)
            elif allowed:
                views[who] = (token, arg)
            else:
                assert response.status_code in (400, 403, 404)
        elif action == "open":
            response = api(user_of(w, who)).post(f"/api/v1/meetings/{meeting.id}/open/")
            allowed = who == "sam" and not opened
            assert (response.status_code == 200) == allowed, (who, response.status_code)
            opened = opened or allowed
        else:
            text = fetch(w, meeting, who, arg)
            for slot, (token, _) in views.items():
                author = family_author if slot == "family" else slot
                assert (token in text) == may_read(who, author, arg, opened), (who, author, arg, opened)
    # Whoever reads after opening sees exactly the oracle's ratings, the family's first.
    if opened:
        data = api(w.nia.user).get(f"/api/v1/meetings/{meeting.id}/").json()
        got = {("family" if v["family"] else str(v["author"])): v["rating"] for v in data["views"]}
        ids = {"family": "family", **{p: str(getattr(w, p).id) for p in INVITED}}
        assert got == {ids[a]: r for a, (_, r) in views.items()}
        if "family" in views:
            assert data["views"][0]["family"] is True
    else:
        data = api(w.sam.user).get(f"/api/v1/meetings/{meeting.id}/").json()
        assert "views" not in data and "spread" not in data
        given_ids = {str(getattr(w, p).id) for p in views if p != "family"}
        assert set(data["views_given"]) == given_ids
    # Nothing else ever carries a view: the audit trail, notifications, e-mails, the calendar.
    reminders_scan(today=meeting.views_due_on, enqueue=False)
    reminders_deliver(ids=list(meeting_reminders(meeting)))
    invitations_send()
    leaks = [json.dumps(e.detail) for e in AuditEvent.objects.filter(id__gt=first_event)]
    leaks += [m.subject + m.body + "".join(a[0] for a in getattr(m, "alternatives", [])) for m in mail.outbox]
    leaks += [str(n.__dict__) for n in Notification.objects.all()]
    for p in INVITED:
        token = reminder_settings_for(professional=getattr(w, p)).calendar_token
        leaks.append(Client().get(f"/calendar/{token}.ics").content.decode())
    for token, _ in views.values():
        assert not any(token in text for text in leaks)


def meeting_reminders(meeting):
    from accountability.models import Reminder

    ids = Invitee.objects.filter(meeting=meeting).values_list("id", flat=True)
    return Reminder.objects.filter(subject_id__in=list(ids)).values_list("pk", flat=True)


def test_the_chair_sees_who_has_answered_but_not_what(mw):
    meeting = schedule(mw)
    submit(mw, meeting, "tia", 3, "TIA-SECRET")
    for channel in ("api_detail", "page_detail"):
        text = fetch(mw, meeting, "sam", channel)
        assert "TIA-SECRET" not in text
    data = api(mw.sam.user).get(f"/api/v1/meetings/{meeting.id}/").json()
    assert data["views_given"] == [str(mw.tia.id)]
    assert "Given" in fetch(mw, meeting, "sam", "page_detail")
