"""In-app notifications: header count, notifications page, API, settings, calendar feed, team escalations."""

import datetime

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from icalendar import Calendar

from accountability.context_processors import notifications
from accountability.models import Notification, ReminderSettings
from accountability.services import reminder_settings_for
from agencies.models import Professional
from audit.models import AuditEvent
from tests.reminders.conftest import run_scan


def calendar_token(professional: Professional) -> str:
    """The secret of the professional's calendar feed (issued on first use, as the settings page does)."""
    return reminder_settings_for(professional=professional).calendar_token


D = datetime.timedelta


@pytest.fixture
def nia_client(client, world):
    client.force_login(world.nia.user)
    return client


@pytest.fixture
def reminded(world):
    """nia has a due-today notification; hal an escalation for another milestone."""
    run_scan(world.milestone.due_date)
    return Notification.objects.get(recipient=world.nia.id)


def test_unread_count_shows_in_the_header_of_pages(nia_client, reminded):
    html = nia_client.get("/notifications/settings/").content.decode()
    assert '1<span class="ju-visually-hidden"> unread</span>' in html
    assert "/notifications/" in html


def test_notifications_page_lists_mine_and_links_to_the_item(nia_client, world, reminded):
    html = nia_client.get("/notifications/").content.decode()
    assert world.case.reference in html
    assert "Due today" in html
    assert f'value="{reminded.link}"' in html


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(nia_client, world, reminded):
    response = nia_client.post(f"/notifications/{reminded.id}/read/", {"next": reminded.link})
    assert response.status_code == 302 and response["Location"] == reminded.link
    reminded.refresh_from_db()
    assert reminded.read_at is not None
    assert AuditEvent.objects.filter(action="accountability.notification.read", subject_id=reminded.id).exists()


def test_mark_read_refuses_an_offsite_next_url(nia_client, reminded):
    response = nia_client.post(f"/notifications/{reminded.id}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(nia_client, world, reminded):
    run_scan(world.milestone.due_date - D(days=1))
    assert Notification.objects.filter(recipient=world.nia.id, read_at=None).count() == 2
    nia_client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=world.nia.id, read_at=None).exists()
    html = nia_client.get("/notifications/settings/").content.decode()
    assert "unread" not in html.split("<main")[0]


def test_nobody_can_mark_someone_elses_notification_read(client, world, reminded):
    client.force_login(world.oz.user)
    client.post(f"/notifications/{reminded.id}/read/")
    reminded.refresh_from_db()
    assert reminded.read_at is None
    assert world.case.reference not in client.get("/notifications/").content.decode()


def test_notification_pages_require_sign_in(client):
    assert client.get("/notifications/").status_code == 302


def test_api_lists_my_notifications_with_the_contract_fields(nia_client, world, reminded):
    response = nia_client.get("/api/v1/me/notifications/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    (item,) = body["results"]
    assert item["kind"] == "due_today"
    assert item["subject_type"] == "milestone"
    assert item["subject_id"] == str(world.milestone.id)
    assert item["due_date"] == world.milestone.due_date.isoformat()
    assert {"id", "created_at", "read_at", "link"} <= set(item)


def test_api_shows_only_the_callers_notifications(client, world, reminded):
    client.force_login(world.sam.user)
    assert client.get("/api/v1/me/notifications/").json()["count"] == 0


def test_api_requires_authentication(client):
    assert client.get("/api/v1/me/notifications/").status_code in (401, 403)


def test_api_list_query_count_is_constant(nia_client, world, django_assert_max_num_queries):
    for offset in (7, 1, 0, -1):
        run_scan(world.milestone.due_date - D(days=offset))
    with django_assert_max_num_queries(6):
        assert nia_client.get("/api/v1/me/notifications/").json()["count"] == 4


def test_choosing_digest_on_the_settings_page_saves_it(nia_client, world):
    response = nia_client.post("/notifications/settings/", {"reminder_delivery": "digest"})
    assert response.status_code == 302
    assert ReminderSettings.objects.get(professional=world.nia).delivery == "digest"
    bad = nia_client.post("/notifications/settings/", {"reminder_delivery": "hourly"})
    assert bad.status_code == 200 and "ju-error-message" in bad.content.decode()


def test_calendar_feed_lists_my_items_with_kind_and_reference_only(client, world):
    url = f"/calendar/{calendar_token(world.nia)}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [f"Milestone due: {world.case.reference}"]
    assert events[0].decoded("dtstart") == world.milestone.due_date
    assert str(world.milestone.id) in str(events[0]["url"])
    text = response.content.decode()
    for secret in ("Maya", "Okafor", world.milestone.title, world.case.title, "Nia"):
        assert secret not in text


def test_calendar_feed_of_a_completed_or_closed_item_omits_it(client, world):
    from plans import services as plan_services

    plan_services.milestone_complete(milestone=world.milestone, actor=world.nia.user)
    cal = Calendar.from_ical(client.get(f"/calendar/{calendar_token(world.nia)}.ics").content)
    assert cal.walk("VEVENT") == []


def test_resetting_the_calendar_address_stops_the_old_one(nia_client, world):
    old = calendar_token(world.nia)
    assert nia_client.get(f"/calendar/{old}.ics").status_code == 200
    assert nia_client.get("/notifications/calendar/reset/").status_code == 405
    nia_client.post("/notifications/calendar/reset/")
    new = ReminderSettings.objects.get(professional=world.nia).calendar_token
    assert new != old
    assert nia_client.get(f"/calendar/{old}.ics").status_code == 404
    assert nia_client.get(f"/calendar/{new}.ics").status_code == 200
    assert new in nia_client.get("/notifications/settings/").content.decode()


def test_unknown_calendar_token_is_404(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_team_lead_sees_escalations_in_the_team_section(rf, world):
    run_scan(world.milestone.due_date + D(days=3))
    request = rf.get("/team/")
    request.user = world.hal.user
    html = Template("{% load accountability_tags %}{% team_escalations %}").render(RequestContext(request, {}))
    assert "Escalations to you" in html and world.case.reference in html and "Unread" in html
    # in words: the kind of item and its title (hal may see the case), never "Milestone · New"
    assert f"Milestone “{world.milestone.title}” is overdue by 3 days or more" in html
    request.user = world.nia.user
    html = Template("{% load accountability_tags %}{% team_escalations %}").render(RequestContext(request, {}))
    assert world.case.reference not in html


def test_header_count_costs_no_query_for_anonymous_visitors(django_assert_num_queries, db):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        html = Template('{% include "accountability/includes/nav_link.html" %}').render(Context(notifications(request)))
    assert html.strip() == ""


def test_team_page_shows_the_leads_escalations(client, world):
    run_scan(world.milestone.due_date + D(days=3))
    client.force_login(world.hal.user)
    html = client.get("/team/").content.decode()
    assert "Escalations to you" in html and world.case.reference in html


def test_api_can_list_only_unread_notifications(nia_client, world, reminded):
    run_scan(world.milestone.due_date - D(days=1))
    nia_client.post(f"/notifications/{reminded.id}/read/")
    assert nia_client.get("/api/v1/me/notifications/").json()["count"] == 2
    unread = nia_client.get("/api/v1/me/notifications/?unread=true").json()
    assert [n["kind"] for n in unread["results"]] == ["due_tomorrow"]


def test_notifications_page_query_count_is_constant(nia_client, world, django_assert_max_num_queries):
    for offset in (7, 1, 0, -1):
        run_scan(world.milestone.due_date - D(days=offset))
    with django_assert_max_num_queries(10):
        assert nia_client.get("/notifications/").status_code == 200
