"""Bad input never answers 500, on SQLite or PostgreSQL (issue 10, docs/decisions/0037): NUL
characters anywhere are a 400, text longer than its field takes is a 400 with a field message,
dates outside 1900-2200 are refused, and a date already stored at 9999-12-31 does not break the
calendar feed. Nothing is written by a refused request."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from icalendar import Calendar
from rest_framework.test import APIClient

from accountability import services as accountability_services
from agencies.validation import LATEST_DATE, LONG_TEXT_MAX, NOTE_MAX, PLAN_TEXT_MAX
from plans.models import Goal, Milestone
from sharing.models import Consent, Record

NUL_QUERIES = [
    "/cases/?q=%00",
    "/people/?q=%00",
    "/records/search/?q=%00",
    "/cases/{case}/records/?q=%00",
    "/cases/?q=a%00b&status=open",
    "/cases/?%00=x",
    "/api/v1/cases/?q=%00",
    "/api/v1/people/?q=%00",
    "/api/v1/cases/{case}/records/?q=%00",
    "/api/v1/cases/{case}/records/?category=%00",
    "/api/v1/audit/?action=%00",
]


@pytest.mark.parametrize("url", NUL_QUERIES)
def test_a_nul_in_the_query_string_is_a_400(world, api, page, url):
    url = url.format(case=world.case.id)
    client = api if url.startswith("/api/") else page
    if "audit" in url:
        client = APIClient()
        client.force_authenticate(world.admin)
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert b"NUL" in response.content


def test_a_nul_in_a_json_body_is_a_400_and_nothing_is_written(world, api):
    before = Record.objects.count()
    for body in (
        {"category": "general", "text": "Seen at home\u0000"},
        {"category": "general", "text": "Seen at home", "about": ["\u0000"]},
        {"category": "general", "text": "Seen at home", "\u0000": "x"},
    ):
        response = api.post(f"/api/v1/cases/{world.case.id}/records/", body, format="json")
        assert response.status_code == 400, body
    assert Record.objects.count() == before


def test_a_nul_in_a_form_body_is_a_400_and_nothing_is_written(world, page):
    before = Record.objects.count()
    response = page.post(f"/cases/{world.case.id}/records/new/", {"category": "general", "text": "Seen\x00"})
    assert response.status_code == 400
    assert Record.objects.count() == before


def test_a_nul_in_the_path_is_a_400(world, page):
    assert page.get("/cases/%00/").status_code == 400


def _consent(world, **fields):
    body = {
        "category": "health",
        "agency": str(world.health.id),
        "purpose": "Joint support plan",
        "given_by": "Maya's mother",
        "valid_from": datetime.date.today().isoformat(),
        **fields,
    }
    client = APIClient()
    client.force_authenticate(world.sam.user)
    return client.post(f"/api/v1/people/{world.maya.id}/consents/", body, format="json")


@pytest.mark.parametrize(
    ("field", "longest"),
    [
        ("purpose", Consent._meta.get_field("purpose").max_length),
        ("given_by", Consent._meta.get_field("given_by").max_length),
    ],
)
def test_consent_text_longer_than_its_column_is_a_400_with_a_field_message(world, field, longest):
    before = Consent.objects.count()
    response = _consent(world, **{field: "x" * 5000})
    assert response.status_code == 400
    assert field in response.json()
    assert Consent.objects.count() == before
    accepted = _consent(world, **{field: "x" * longest})
    assert accepted.status_code == 201, accepted.json()


def test_record_text_justification_and_goal_text_have_limits(world, api):
    case = world.case.id
    too_long = api.post(f"/api/v1/cases/{case}/records/", {"category": "general", "text": "x" * (LONG_TEXT_MAX + 1)})
    assert too_long.status_code == 400 and "text" in too_long.json()
    assert (
        api.post(f"/api/v1/cases/{case}/records/", {"category": "general", "text": "x" * LONG_TEXT_MAX}).status_code
        == 201
    )
    override = api.post(
        f"/api/v1/cases/{case}/safeguarding-access/",
        {"category": "health", "lawful_basis": "child_at_risk", "justification": "x" * (NOTE_MAX + 1)},
    )
    assert override.status_code == 400 and "justification" in override.json()
    goal = api.post(
        f"/api/v1/cases/{case}/goals/",
        {
            "description": "x" * (PLAN_TEXT_MAX + 1),
            "measure": "m",
            "target_date": "2027-01-01",
            "plain_summary": "p",
        },
    )
    assert goal.status_code == 400 and "description" in goal.json()
    closing = api.patch(f"/api/v1/cases/{case}/", {"status": "closed", "closure_reason": "x" * (NOTE_MAX + 1)})
    assert closing.status_code == 400 and "closure_reason" in closing.json()


def test_pages_refuse_overlong_text_with_a_message_and_keep_the_form(world, page):
    response = page.post(
        f"/people/{world.maya.id}/consents/new/",
        {
            "decision": "given",
            "category": "health",
            "agency": str(world.health.id),
            "purpose": "p" * 5000,
            "given_by": "Maya",
        },
    )
    assert response.status_code == 200
    assert "at most 300 characters" in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("due", ["9999-12-31", "1899-12-31", "2201-01-01", "0001-01-01"])
def test_dates_outside_1900_to_2200_are_refused(world, api, due):
    response = api.post(
        f"/api/v1/cases/{world.case.id}/milestones/",
        {"goal": str(world.goal.id), "title": "Far away", "due_date": due, "accountable": str(world.nia.id)},
    )
    assert response.status_code == 400 and "due_date" in response.json()
    assert "1900 and 2200" in str(response.json()["due_date"])
    assert not Milestone.objects.filter(title="Far away").exists()
    person = api.post("/api/v1/people/", {"given_name": "A", "family_name": "B", "date_of_birth": due})
    assert person.status_code == 400 and "date_of_birth" in person.json()


def test_the_edges_of_the_range_are_accepted(world, api):
    response = api.post(
        f"/api/v1/cases/{world.case.id}/milestones/",
        {
            "goal": str(world.goal.id),
            "title": "Edge",
            "due_date": LATEST_DATE.isoformat(),
            "accountable": str(world.nia.id),
        },
    )
    assert response.status_code == 201, response.json()
    person = api.post("/api/v1/people/", {"given_name": "A", "family_name": "B", "date_of_birth": "1900-01-01"})
    assert person.status_code == 201, person.json()


def test_the_milestone_page_refuses_a_date_past_2200(world, page):
    response = page.post(
        f"/cases/{world.case.id}/milestones/new/",
        {"goal": str(world.goal.id), "title": "Far away", "due_date": "9999-12-31", "accountable": str(world.nia.id)},
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2200." in response.content.decode()
    assert not Milestone.objects.filter(title="Far away").exists()


def test_a_milestone_due_9999_12_31_does_not_break_the_calendar_feed(world):
    """Stored before the limits existed (or written around them): the feed still answers."""
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=datetime.date(9999, 12, 31))
    token = accountability_services.reminder_settings_for(professional=world.nia).calendar_token
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    far = [e for e in events if e.decoded("dtstart") == datetime.date(9999, 12, 31)]
    assert len(far) == 1 and "DTEND" not in far[0]
    # and so do My work and the reminder scan's reads of the same item
    nia = Client()
    nia.force_login(world.nia.user)
    assert nia.get("/").status_code == 200


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "to=0001-01-01", "from=9999-12-31"])
def test_audit_filters_with_extreme_dates_answer_without_error(world, query):
    api = APIClient()
    api.force_authenticate(world.admin)
    assert api.get(f"/api/v1/audit/?{query}").status_code == 200
    # the page's filter form says in words what is wrong with a date out of range (400), never 500
    page = Client()
    page.force_login(world.admin)
    response = page.get(f"/audit/?{query.replace('to=', 'date_to=').replace('from=', 'date_from=')}")
    assert response.status_code == 400
    assert "between 1900 and 2200" in response.content.decode()


def test_goal_text_limit_applies_to_the_page_form_too(world, page):
    response = page.post(
        f"/cases/{world.case.id}/goals/new/",
        {"description": "x" * (PLAN_TEXT_MAX + 1), "measure": "m", "target_date": "2027-01-01", "plain_summary": "p"},
    )
    assert response.status_code == 200
    assert not Goal.objects.filter(measure="m").exists()


def test_a_professionals_email_longer_than_its_column_is_a_400(world):
    api = APIClient()
    api.force_authenticate(world.admin)
    body = {
        "username": "longmail",
        "password": "Str0ng-pass-phrase-92",
        "given_name": "Long",
        "family_name": "Mail",
        "agency": str(world.health.id),
        "team": str(world.hteam.id),
        "profession": "nurse",
        "email": "a" * 250 + "@example.org",
    }
    response = api.post("/api/v1/professionals/", body)
    assert response.status_code == 400 and "email" in response.json()


def test_a_goal_patch_keeps_the_bounds_of_a_new_goal(world, api):
    """PATCH answered 200 to a 100,000-character summary and a date in 9999 that POST refuses."""
    url = f"/api/v1/goals/{world.goal.id}/"
    before = Goal.objects.values().get(pk=world.goal.pk)
    for field, value in (
        ("description", "d" * (PLAN_TEXT_MAX + 1)),
        ("measure", "m" * (PLAN_TEXT_MAX + 1)),
        ("plain_summary", "x" * 100_000),
        ("target_date", "9999-12-31"),
    ):
        response = api.patch(url, {field: value}, format="json")
        assert response.status_code == 400 and field in response.json(), (field, response.status_code)
    note = api.patch(url, {"achievement": "achieved", "note": "n" * (NOTE_MAX + 1)}, format="json")
    assert note.status_code == 400 and "note" in note.json()
    assert Goal.objects.values().get(pk=world.goal.pk) == before
