"""Sign-in throttling: a username locks after 5 failures for 15 minutes, whether or not it exists,
with the same answer either way; an address after 20 failures within an hour across usernames,
even with the right password; the client address is REMOTE_ADDR unless NUM_PROXIES trusted proxies
sit in front (then X-Forwarded-For, counted from the right), and the audit trail uses the same."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _password_alone(settings):
    settings.REQUIRE_2FA = False
    cache.clear()


def sign_in(username, password, client=None, **extra):
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, **extra)


def _visible(response) -> str:
    """The answer without its per-response CSRF token and CSP nonces."""
    import re

    return re.sub(r'value="[^"]{20,}"|nonce="[^"]+"|"(X-CSRFToken|csrfToken)": "[^"]+"', "", response.content.decode())


def test_five_failures_lock_a_username_even_with_the_right_password(world):
    for _ in range(4):
        assert sign_in("nia", "wrong-password-1").status_code == 200
    assert sign_in("nia", "wrong-password-1").status_code == 429  # the fifth locks
    locked = sign_in("nia", world.password)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in Client().session


def test_an_unknown_username_locks_and_reads_exactly_like_a_real_one(world):
    wrong_real = sign_in("nia", "wrong-password-1")
    wrong_unknown = sign_in("nobody-here", "wrong-password-1")
    assert wrong_real.status_code == wrong_unknown.status_code == 200
    assert _visible(wrong_real).replace('value="nia"', "") == _visible(wrong_unknown).replace('value="nobody-here"', "")
    for _ in range(4):
        sign_in("nia", "wrong-password-1")
        sign_in("nobody-here", "wrong-password-1")
    locked_real, locked_unknown = sign_in("nia", "x"), sign_in("nobody-here", "x")
    assert locked_real.status_code == locked_unknown.status_code == 429
    assert _visible(locked_real) == _visible(locked_unknown)


def test_the_lock_on_a_username_lasts_fifteen_minutes(world, settings):
    import datetime

    from axes.models import AccessAttempt

    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for _ in range(5):
        sign_in("nia", "wrong-password-1")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - datetime.timedelta(minutes=16)
    )
    assert sign_in("nia", world.password).status_code == 302


def test_twenty_failures_from_one_address_across_usernames_lock_that_address(world):
    for i in range(20):
        assert sign_in(f"someone{i}", "wrong-password-1").status_code == 200
    assert sign_in("nia", world.password).status_code == 429  # a real account, the right password
    assert sign_in("nia", world.password, REMOTE_ADDR="198.51.100.7").status_code == 302  # another address


def test_nineteen_failures_from_one_address_do_not(world):
    for i in range(19):
        sign_in(f"someone{i}", "wrong-password-1")
    assert sign_in("nia", world.password).status_code == 302


def test_address_failures_older_than_an_hour_no_longer_count(world):
    import datetime

    from axes.models import AccessFailureLog

    for i in range(20):
        sign_in(f"someone{i}", "wrong-password-1")
    AccessFailureLog.objects.update(
        attempt_time=AccessFailureLog.objects.first().attempt_time - datetime.timedelta(minutes=61)
    )
    assert sign_in("nia", world.password).status_code == 302


def test_a_spoofed_forwarded_for_does_not_escape_the_address_lock_without_trusted_proxies(world, settings):
    assert settings.NUM_PROXIES == 0
    for i in range(20):
        sign_in(f"someone{i}", "wrong-password-1", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert sign_in("nia", world.password, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_client(world, settings):
    settings.NUM_PROXIES = 1
    for i in range(20):
        sign_in(f"someone{i}", "wrong-password-1", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="10.0.0.1")
    # Same proxy, another client: not locked; the locked client: locked.
    assert sign_in("nia", world.password, HTTP_X_FORWARDED_FOR="203.0.113.6", REMOTE_ADDR="10.0.0.1").status_code == 302
    assert sign_in("ivy", world.password, HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="10.0.0.1").status_code == 429


def test_the_token_endpoint_is_locked_by_address_too(world):
    api = APIClient()
    for i in range(20):
        api.post(TOKEN, {"username": f"someone{i}", "password": "wrong-password-1"}, format="json")
    response = api.post(TOKEN, {"username": "maya", "password": world.password}, format="json")
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed sign-in attempts. Try again later."}


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "203.0.113.5"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.5"}, "203.0.113.5"),
        (2, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.5"}, "198.51.100.1"),
        (3, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.5"}, "198.51.100.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "10.0.0.1"),
    ],
)
def test_the_client_address_rule(settings, proxies, meta, expected):
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected


def test_the_audit_trail_records_the_address_by_the_same_rule(world, settings):
    settings.NUM_PROXIES = 1
    client = Client()
    client.force_login(world.sam.user)
    client.get(f"/people/{world.maya.id}/", HTTP_X_FORWARDED_FOR="203.0.113.8", REMOTE_ADDR="10.0.0.1")
    event = AuditEvent.objects.filter(actor=world.sam.id, person=world.maya.id).latest("at")
    assert event.ip == "203.0.113.8"
