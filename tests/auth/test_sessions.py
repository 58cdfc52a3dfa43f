"""Sessions: SESSION_IDLE_MINUTES (30) without a request or SESSION_MAX_HOURS (12) after signing
in end them on the server; a new session key at sign-in; sign-out deletes the server session;
every page of a signed-in user carries the idle warning (a static script, no inline script) and
the extend endpoint moves the idle clock."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from agencies.models import UserSession
from workspace.middleware import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password_alone(settings):
    settings.REQUIRE_2FA = False  # the second step is tests/auth/test_two_factor.py's


def signed_in(world, username="nia") -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": world.password}).status_code == 302
    return client


def _age(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    if "last_seen" in seconds_ago:
        session[LAST_SEEN] = now - seconds_ago["last_seen"]
    if "signed_in" in seconds_ago:
        session[SIGNED_IN_AT] = now - seconds_ago["signed_in"]
    session.save()


def test_the_limits_default_to_30_minutes_idle_and_12_hours(settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_MAX_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS


def test_signing_in_gives_a_new_session_key(world):
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    client.post("/accounts/login/", {"username": "nia", "password": world.password})
    assert client.session.session_key != before
    assert not UserSession.objects.filter(session_key=before).exists()


def test_thirty_minutes_without_a_request_end_the_session_on_the_server(world):
    client = signed_in(world)
    key = client.session.session_key
    _age(client, last_seen=30 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not UserSession.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_a_request_within_thirty_minutes_keeps_the_session_and_moves_the_clock(world):
    client = signed_in(world)
    _age(client, last_seen=29 * 60)
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] < 5


def test_twelve_hours_after_signing_in_the_session_ends_however_active(world):
    client = signed_in(world)
    _age(client, signed_in=12 * 3600 + 1, last_seen=10)
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_the_limits_come_from_the_settings(world, settings):
    settings.SESSION_IDLE_SECONDS = 5 * 60
    client = signed_in(world)
    _age(client, last_seen=5 * 60 + 1)
    assert client.get("/").status_code == 302


def test_signing_out_deletes_the_server_session(world):
    client = signed_in(world)
    key = client.session.session_key
    assert UserSession.objects.filter(session_key=key, user=world.nia.user).exists()
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()


def test_every_page_warns_before_the_idle_time_out_with_a_static_script(world):
    client = signed_in(world)
    page = client.get("/").content.decode()
    assert 'id="session-warning"' in page and "hidden" in page
    assert 'data-warn-seconds="120"' in page
    assert 'data-seconds-left="1740"' in page  # 30 minutes less the clock's one-minute resolution
    assert '<script src="/static/js/session-timeout.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page.split('id="session-warning"')[1].split("</div>")[0]


def test_the_warning_is_not_on_the_sign_in_page(db):
    assert 'id="session-warning"' not in Client().get("/accounts/login/").content.decode()


def test_stay_signed_in_moves_the_idle_clock(world):
    client = signed_in(world)
    _age(client, last_seen=28 * 60)
    response = client.post("/accounts/session/extend/")
    assert response.status_code == 200
    assert 30 * 60 - 5 <= json.loads(response.content)["seconds_left"] <= 30 * 60
    _age(client, last_seen=0)
    assert client.get("/").status_code == 200


def test_extend_is_a_post_with_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.nia.user)
    assert client.get("/accounts/session/extend/").status_code == 405
    assert client.post("/accounts/session/extend/").status_code == 403


def test_asking_how_long_is_left_does_not_count_as_activity(world):
    client = signed_in(world)
    _age(client, last_seen=25 * 60)
    response = client.get("/accounts/session/")
    assert response.status_code == 200
    assert 5 * 60 - 5 <= json.loads(response.content)["seconds_left"] <= 5 * 60
    assert int(time.time()) - client.session[LAST_SEEN] >= 25 * 60


@pytest.mark.parametrize(
    ("method", "url"), [("get", "/api/v1/me/"), ("post", "/accounts/session/extend/"), ("get", "/accounts/session/")]
)
def test_after_the_session_ended_the_api_and_the_session_endpoints_answer_401(world, method, url):
    client = signed_in(world)
    key = client.session.session_key
    _age(client, last_seen=31 * 60)
    assert getattr(client, method)(url).status_code == 401
    assert not UserSession.objects.filter(session_key=key).exists()
