"""POST /api/v1/auth/token/: a new token for the right credentials (and, for professionals and
admins, the current one-time code), 400 for wrong ones, never a token for a locked-out account,
a per-address throttle of at least 30/minute; DELETE revokes the token it is sent with."""

from __future__ import annotations

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from agencies import accounts
from agencies import services as agency_services
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


@pytest.fixture
def codes(world):
    """codes("sam") -> one of sam's single-use recovery codes, a new one each call."""
    issued: dict[str, list[str]] = {}

    def next_code(username: str) -> str:
        if username not in issued:
            user = world.admin if username == "admin" else getattr(world, username).user
            issued[username] = accounts.recovery_codes_issue(user=user)
        return issued[username].pop()

    return next_code


def login(client, username, password, otp=None, **extra):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post(URL, body, format="json", **extra)


def test_right_credentials_and_code_answer_a_token_that_signs_in(world, codes):
    client = APIClient()
    response = login(client, "sam", world.password, codes("sam"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at", "name"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["professional"] == str(world.sam.id)
    assert AuditEvent.objects.filter(action="agencies.auth_token.issued", actor=world.sam.id).exists()


def test_service_user_gets_a_token_without_a_code(world):
    response = login(APIClient(), "maya", world.password)
    assert response.status_code == 200
    assert response.json()["token"]


def test_each_sign_in_answers_a_new_token(world, codes):
    first = login(APIClient(), "nia", world.password, codes("nia")).json()["token"]
    second = login(APIClient(), "nia", world.password, codes("nia")).json()["token"]
    assert first != second


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


def test_deactivated_professional_gets_no_token_and_their_old_token_stops_working(world, codes):
    client = APIClient()
    token = login(client, "oz", world.password, codes("oz")).json()["token"]
    agency_services.professional_update(professional=world.oz, is_active=False, actor=world.admin)
    response = login(APIClient(), "oz", world.password, codes("oz"))
    assert response.status_code == 400
    assert "token" not in response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_bad_authorization_header_does_not_block_signing_in(world, codes):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert login(client, "sam", world.password, codes("sam")).status_code == 200


def test_five_wrong_passwords_lock_the_account_out_even_with_the_right_one(world, settings, codes):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = APIClient()
    for _ in range(5):
        assert login(client, "sam", "wrong-password-1").status_code in (400, 403, 429)
    response = login(client, "sam", world.password, codes("sam"))
    assert response.status_code in (403, 429)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert b'"token"' not in response.content


def test_a_locked_out_account_does_not_lock_out_colleagues(world, codes):
    client = APIClient()
    for _ in range(6):
        login(client, "sam", "wrong-password-1")
    assert login(client, "nia", world.password, codes("nia")).status_code == 200


def _throttle_limit() -> int:
    rate = api_settings.DEFAULT_THROTTLE_RATES["auth_token"]
    number, _, period = rate.partition("/")
    assert period.startswith("m"), "the auth_token rate is per minute"
    return int(number)


def test_token_endpoint_accepts_at_least_30_requests_a_minute_from_one_address(world, settings, codes):
    limit = _throttle_limit()
    assert limit >= 30
    # This is the request-rate throttle, not the per-address lock-out of failed sign-ins (tests/auth).
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 1000
    client = APIClient()
    # Different usernames each time, so the account lockout is not what answers.
    answers = [login(client, f"someone{i}", "wrong-password-1").status_code for i in range(30)]
    assert answers == [400] * 30
    assert login(client, "sam", world.password, codes("sam")).status_code == 200


def test_token_endpoint_throttles_one_address_beyond_its_rate(world, settings, codes):
    limit = _throttle_limit()
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 1000
    client = APIClient()
    for i in range(limit):
        assert login(client, f"someone{i}", "wrong-password-1").status_code == 400
    assert login(client, "sam", world.password, codes("sam")).status_code == 429
    # A forged X-Forwarded-For does not buy a fresh allowance.
    assert login(client, "sam", world.password, codes("sam"), HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another address still can.
    assert login(client, "sam", world.password, codes("sam"), REMOTE_ADDR="198.51.100.7").status_code == 200
