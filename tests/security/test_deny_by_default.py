"""Deny by default (issue 10, docs/decisions/0038): every URL pattern of the project, Django admin
included, is called without signing in, with real ids of real data, by GET and by POST; none
answers with data. Sign-in (and its password forms), /healthz, static files and, by choice, the
API schema and its docs page are the only public answers. A new URL pattern is walked without
anyone listing it (tests/urlwalk.py)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from accountability import services as accountability_services
from cases import services as case_services
from tests.audit.test_every_read_audited import _a_meeting_with_a_dissent
from tests.factories import api_token_for
from tests.sharing.conftest import consent, override, write
from tests.urlwalk import walk

# Public by design: sign-in and its forms (no data in them), the health check (docs/decisions/0017),
# and the API's schema and docs page (the contract other agencies' systems build against; they
# describe the API's shape and hold no data: docs/decisions/0038).
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
    "healthz",
    "api:schema",
    "api:docs",
    # The token endpoint takes a username and password (POST); a GET is refused.
    "api:auth-token",
    # Signing in with a passkey (docs/decisions/0030): a WebAuthn challenge, and the library's
    # translations of its button texts; neither holds data of anyone's.
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:js-i18n-catalog",
}
# What an anonymous caller may be answered, besides a redirect to sign-in.
REFUSALS = {400, 401, 403, 404, 405}
SIGN_IN = ("/accounts/login/", "/admin/login/")


@pytest.fixture
def ids(world):
    record = write(world, world.sam, "general", text="Okafor home visit: Maya was upset")
    given = consent(world, world.maya, "health", world.health)
    access = override(world, world.nia, "social_care")
    assignment = world.case.assignments.first() if hasattr(world.case, "assignments") else None
    api_token_for(world.sam.user)
    calendar = accountability_services.reminder_settings_for(professional=world.nia).calendar_token
    meeting, dissent = _a_meeting_with_a_dissent(world)
    # A real household and relationship of the case, for the family pages (tests/families).
    mum = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(mum)
    household = case_services.household_create(name="Okafor household", members=[mum, world.maya], actor=world.sam.user)
    relationship = case_services.relationship_add(person=mum, to=world.maya, kind="parent", actor=world.sam.user)
    return {
        "case_id": str(world.case.id),
        "person_id": str(world.maya.id),
        "record_id": str(record.id),
        "milestone_id": str(world.milestone.id),
        "goal_id": str(world.goal.id),
        "item_id": str(world.milestone.id),
        "review_id": str(world.review.id),
        "consent_id": str(given.id),
        "access_id": str(access.id),
        "assignment_id": str(getattr(assignment, "id", uuid.uuid4())),
        "notification_id": str(uuid.uuid4()),
        "agency_id": str(world.health.id),
        "team_id": str(world.hteam.id),
        "professional_id": str(world.sam.id),
        "meeting_id": str(meeting.id),
        "dissent_id": str(dissent.id),
        "invitee_id": str(meeting.invitees.first().pk),
        "member_id": str(world.sam.id),
        "proxy_id": str(uuid.uuid4()),
        "action": "freeze",
        "sar_id": str(uuid.uuid4()),
        "household_id": str(household.id),
        "relationship_id": str(relationship.id),
        "message_id": str(uuid.uuid4()),
        "passkey_id": "1",  # the portal's own passkeys: an anonymous caller is sent to sign in first
        # The feed's secret is its credential: a guessed one must find nothing (the real one is the
        # owner's own, like a password; tests/reminders/test_inapp.py reads it).
        "token": calendar[:-4] + "abcd",
        "uidb64": "MQ",
        "object_id": str(world.sam.pk),
        "id": str(world.sam.user.pk),
        "app_label": "agencies",
        "content_type_id": "1",
        "url": "agencies/",
    }


def _patterns():
    return sorted({p.name: p for p in walk()}.values(), key=lambda p: p.name)


def test_the_walk_meets_every_part_of_the_project():
    names = {p.name for p in _patterns()}
    assert {"cases:case_detail", "api:record-detail", "portal:home", "admin:index", "sharing:audit_export"} <= names
    assert len(names) > 100


def _answer(pattern, url: str, method: str) -> str | None:
    """None when the anonymous answer is a refusal or sign-in, else what is wrong with it."""
    client = Client()
    response = getattr(client, method)(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if b"Okafor" in body or b"Maya" in body:
        return "shows personal data"
    if pattern.name in PUBLIC:
        return None
    hops = 0
    while response.status_code in (301, 302) and hops < 3:
        location = response["Location"]
        if location.startswith(SIGN_IN):
            return None
        if not location.startswith("/"):
            return f"redirects away to {location}"
        response, hops = client.get(location), hops + 1  # e.g. /admin/logout/ -> /admin/ -> sign-in
    if response.status_code in REFUSALS:
        return None
    return f"answered {response.status_code}"


def test_no_url_answers_an_anonymous_caller_with_data(ids):
    """One test for the whole walk (one world, about 350 requests)."""
    problems = []
    for pattern in _patterns():
        url = pattern.url(ids)
        for method in ("get", "post"):
            problem = _answer(pattern, url, method)
            if problem:
                problems.append(f"{method.upper()} {url} ({pattern.name}) {problem}")
    assert not problems, "without signing in:\n" + "\n".join(problems)


def test_a_signed_in_caller_gets_data_from_the_same_urls(ids, world):
    """The walk above can fail: the same URLs do answer with data once signed in."""
    client = Client()
    client.force_login(world.sam.user)
    case = client.get(f"/cases/{ids['case_id']}/")
    assert case.status_code == 200 and b"Okafor" in case.content
    api = client.get(f"/api/v1/people/{ids['person_id']}/")
    assert api.status_code == 200 and b"Maya" in api.content


def test_public_answers_hold_no_data(db):
    client = Client()
    assert client.get("/healthz").json()["status"] in ("ok", "unavailable")
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
