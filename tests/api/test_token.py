"""POST /api/v1/auth/token/: a token for the right credentials, 400 for wrong ones,
never a token for a locked-out account, and a per-address throttle of at least 30/minute."""

from __future__ import annotations

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from agencies import services as agency_services
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def login(client, username, password, **extra):
    return client.post(URL, {"username": username, "password": password}, format="json", **extra)


def test_right_credentials_answer_a_token_that_signs_in(world):
    client = APIClient()
    response = login(client, "sam", world.password)
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["professional"] == str(world.sam.id)
    assert AuditEvent.objects.filter(action="agencies.auth_token.issued", actor=world.sam.id).exists()


def test_service_user_gets_a_token_too(world):
    response = login(APIClient(), "maya", world.password)
    assert response.status_code == 200
    assert response.json()["token"]


def test_same_token_is_answered_on_each_sign_in(world):
    first = login(APIClient(), "nia", world.password).json()["token"]
    second = login(APIClient(), "nia", world.password).json()["token"]
    assert first == second


@pytest.mark.parametrize(
    "username,password",
    [("sam", "wrong-password-1"), ("nobody", "whatever-password"), ("SAM ", "")],
)
def test_wrong_credentials_answer_400_without_a_token(world, username, password):
    response = login(APIClient(), username, password)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_missing_password_is_a_field_error(world):
    response = APIClient().post(URL, {"username": "sam"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_deactivated_professional_gets_no_token_and_their_old_token_stops_working(world):
    client = APIClient()
    token = login(client, "oz", world.password).json()["token"]
    agency_services.professional_update(professional=world.oz, is_active=False, actor=world.admin)
    response = login(APIClient(), "oz", world.password)
    assert response.status_code == 400
    assert "token" not in response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_bad_authorization_header_does_not_block_signing_in(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert login(client, "sam", world.password).status_code == 200


def test_five_wrong_passwords_lock_the_account_out_even_with_the_right_one(world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = APIClient()
    for _ in range(5):
        assert login(client, "sam", "wrong-password-1").status_code in (400, 403, 429)
    response = login(client, "sam", world.password)
    assert response.status_code in (403, 429)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert b'"token"' not in response.content


def test_a_locked_out_account_does_not_lock_out_colleagues(world):
    client = APIClient()
    for _ in range(6):
        login(client, "sam", "wrong-password-1")
    assert login(client, "nia", world.password).status_code == 200


def _throttle_limit() -> int:
    rate = api_settings.DEFAULT_THROTTLE_RATES["auth_token"]
    number, _, period = rate.partition("/")
    assert period.startswith("m"), "the auth_token rate is per minute"
    return int(number)


def test_token_endpoint_accepts_at_least_30_requests_a_minute_from_one_address(world):
    limit = _throttle_limit()
    assert limit >= 30
    client = APIClient()
    # Different usernames each time, so the account lockout is not what answers.
    answers = [login(client, f"someone{i}", "wrong-password-1").status_code for i in range(30)]
    assert answers == [400] * 30
    assert login(client, "sam", world.password).status_code == 200


def test_token_endpoint_throttles_one_address_beyond_its_rate(world):
    limit = _throttle_limit()
    client = APIClient()
    for i in range(limit):
        assert login(client, f"someone{i}", "wrong-password-1").status_code == 400
    assert login(client, "sam", world.password).status_code == 429
    # A forged X-Forwarded-For does not buy a fresh allowance.
    assert login(client, "sam", world.password, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another address still can.
    assert login(client, "sam", world.password, REMOTE_ADDR="198.51.100.7").status_code == 200
