"""API tokens (django-rest-knox): the one-time code on POST for accounts that must use two factors,
only a digest stored, named per client, expiring after API_TOKEN_TTL_HOURS, DELETE -> 204 then 401,
every token revoked on a password change and on deactivation (which also ends every session),
and none of them back on reactivation; the OpenAPI schema documents it all."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies import accounts
from agencies import services as agency_services
from agencies.models import ApiToken, UserSession
from audit.models import AuditEvent
from tests.auth.totp import code_now

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sam_app(world):
    return TOTPDevice.objects.create(user=world.sam.user, name="Authenticator app", confirmed=True)


def issue(username, password, **more):
    return APIClient().post(URL, {"username": username, "password": password, **more}, format="json")


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_professional_must_send_the_current_code(world, sam_app):
    missing = issue("sam", world.password)
    assert missing.status_code == 400
    assert missing.json()["otp"] == ["The current one-time code is required."]
    right = issue("sam", world.password, otp=code_now(sam_app))
    assert right.status_code == 200
    assert with_token(right.json()["token"]).get("/api/v1/me/").status_code == 200


def test_a_wrong_code_answers_400_with_a_field_message(world, sam_app):
    wrong = issue("sam", world.password, otp="123456" if code_now(sam_app) != "123456" else "654321")
    assert wrong.status_code == 400
    assert wrong.json()["otp"] == ["This code is wrong or has expired."]
    assert "token" not in wrong.json()
    assert not ApiToken.objects.filter(user=world.sam.user).exists()


def test_a_professional_without_a_second_factor_is_told_to_set_one_up(world):
    response = issue("nia", world.password, otp="123456")
    assert response.status_code == 400
    assert "Set up two-factor sign-in" in response.json()["otp"][0]


def test_a_wrong_code_counts_towards_the_lock_out(world, sam_app, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        issue("sam", world.password, otp="000000" if code_now(sam_app) != "000000" else "111111")
    assert issue("sam", world.password, otp=code_now(sam_app)).status_code == 429


def test_with_two_factor_sign_in_off_the_password_is_enough(world, settings):
    settings.REQUIRE_2FA = False
    assert issue("nia", world.password).status_code == 200


def test_the_answer_names_the_client_and_when_it_expires(world, settings):
    settings.REQUIRE_2FA = False
    before = timezone.now()
    body = issue("nia", world.password, name="Northvale case system").json()
    assert set(body) == {"token", "expires_at", "name"}
    assert body["name"] == "Northvale case system"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert datetime.timedelta(hours=10) - datetime.timedelta(minutes=1) < expires - before
    assert expires - before <= datetime.timedelta(hours=10, minutes=1)
    assert ApiToken.objects.get(user=world.nia.user).name == "Northvale case system"


def test_only_a_digest_of_the_key_is_stored(world, settings):
    settings.REQUIRE_2FA = False
    key = issue("nia", world.password).json()["token"]
    stored = ApiToken.objects.get(user=world.nia.user)
    assert key not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128 and stored.token_key == key[:15]


def test_an_expired_token_answers_401(world, settings):
    settings.REQUIRE_2FA = False
    key = issue("nia", world.password).json()["token"]
    ApiToken.objects.filter(user=world.nia.user).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_the_lifetime_comes_from_api_token_ttl_hours(world, settings):
    settings.REQUIRE_2FA = False
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=1)}
    body = issue("nia", world.password).json()
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires - timezone.now() < datetime.timedelta(hours=1, minutes=1)


def test_delete_revokes_the_token_it_is_sent_with_and_no_other(world, settings):
    settings.REQUIRE_2FA = False
    first = issue("nia", world.password, name="one").json()["token"]
    second = issue("nia", world.password, name="two").json()["token"]
    client = with_token(first)
    assert client.delete(URL).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert client.delete(URL).status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="agencies.auth_token.revoked", actor=world.nia.id).count() == 1


def test_delete_without_a_token_answers_401(db):
    assert APIClient().delete(URL).status_code == 401


def test_a_password_change_revokes_every_token(world, settings):
    settings.REQUIRE_2FA = False
    keys = [issue("nia", world.password, name=n).json()["token"] for n in ("one", "two")]
    user = get_user_model().objects.get(pk=world.nia.user.pk)
    user.set_password("a-brand-new-password-7")
    user.save()
    for key in keys:
        assert with_token(key).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="agencies.credentials.revoked", detail__reason="password_changed").exists()


def test_a_password_change_through_the_page_revokes_tokens_and_keeps_this_session(world, settings):
    settings.REQUIRE_2FA = False
    key = issue("nia", world.password).json()["token"]
    client = Client()
    client.force_login(world.nia.user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": world.password,
            "new_password1": "another-new-pass-91",
            "new_password2": "another-new-pass-91",
        },
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/v1/me/").status_code == 401
    assert client.get("/").status_code == 200


def test_signing_in_again_does_not_revoke_tokens(world, settings):
    settings.REQUIRE_2FA = False
    key = issue("nia", world.password).json()["token"]
    Client().post("/accounts/login/", {"username": "nia", "password": world.password})
    assert with_token(key).get("/api/v1/me/").status_code == 200


def test_deactivation_ends_every_session_and_token_and_reactivation_brings_none_back(world, settings):
    settings.REQUIRE_2FA = False
    key = issue("oz", world.password).json()["token"]
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.post("/accounts/login/", {"username": "oz", "password": world.password})
        assert browser.get("/").status_code == 200
    assert UserSession.objects.filter(user=world.oz.user).count() == 2

    agency_services.professional_update(professional=world.oz, is_active=False, actor=world.admin)
    assert not UserSession.objects.filter(user=world.oz.user).exists()
    assert not ApiToken.objects.filter(user=world.oz.user).exists()

    agency_services.professional_update(professional=world.oz, is_active=True, actor=world.admin)
    assert with_token(key).get("/api/v1/me/").status_code == 401
    for browser in browsers:
        assert browser.get("/").status_code == 302


def test_a_token_of_a_service_user_needs_no_code(world):
    assert issue("maya", world.password).status_code == 200


def test_tokens_issued_by_the_service_are_kept_per_client(world):
    _, key_a = accounts.api_token_issue(user=world.sam.user, name="a")
    _, key_b = accounts.api_token_issue(user=world.sam.user, name="b")
    assert key_a != key_b
    assert sorted(ApiToken.objects.filter(user=world.sam.user).values_list("name", flat=True)) == ["a", "b"]


def test_the_schema_documents_the_token_endpoint(world):
    client = APIClient()
    client.force_login(world.sam.user)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/v1/auth/token/"]
    assert set(operations["post"]["responses"]) >= {"200", "400", "429"}
    assert set(operations["delete"]["responses"]) >= {"204", "401"}
    request_body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"username", "password", "otp", "name"} <= set(schema["components"]["schemas"][request_body]["properties"])
    answer = operations["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"token", "expires_at"} <= set(schema["components"]["schemas"][answer]["properties"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def _passkey(user):
    """A confirmed passkey (django-otp-webauthn): a device, but one that cannot check a typed code."""
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=user,
        name="Passkey",
        confirmed=True,
        credential_id=b"\x01" * 16,
        public_key=b"\x02" * 32,
        sign_count=0,
        backup_eligible=False,
        backup_state=False,
    )


def test_a_portal_user_with_only_a_passkey_gets_a_token_with_the_password(world):
    _passkey(world.maya.user)  # the portal's passkey enrolment issues no recovery codes
    response = issue("maya", world.password)
    assert response.status_code == 200
    assert with_token(response.json()["token"]).get("/api/v1/me/").status_code == 200


def test_a_professional_with_only_a_passkey_is_told_to_add_a_code_factor_and_gets_no_token(world):
    _passkey(world.nia.user)  # REQUIRE_2FA applies to nia: the token must not skip the second factor
    for data in ({}, {"otp": "123456"}):
        response = issue("nia", world.password, **data)
        assert response.status_code == 400
        message = response.json()["otp"][0]
        assert "authenticator app or recovery codes" in message and "/accounts/two-factor/" in message
    assert not ApiToken.objects.filter(user=world.nia.user).exists()


def test_a_professional_with_a_passkey_and_recovery_codes_gets_a_token_with_a_recovery_code(world):
    _passkey(world.nia.user)
    code = accounts.recovery_codes_issue(user=world.nia.user)[0]
    assert issue("nia", world.password).json()["otp"] == ["The current one-time code is required."]
    assert issue("nia", world.password, otp=code).status_code == 200


def test_a_user_with_an_app_and_a_passkey_still_needs_a_valid_code(world, sam_app, settings):
    settings.REQUIRE_2FA = False  # the code is asked because sam has an app, not because of the setting
    _passkey(world.sam.user)
    assert issue("sam", world.password).json()["otp"] == ["The current one-time code is required."]
    assert issue("sam", world.password, otp=code_now(sam_app)).status_code == 200
    wrong = issue("sam", world.password, otp="123456" if code_now(sam_app) != "123456" else "654321")
    assert wrong.status_code == 400 and ApiToken.objects.filter(user=world.sam.user).count() == 1
