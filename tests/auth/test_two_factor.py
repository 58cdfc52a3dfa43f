"""Two factors for professionals and admins (REQUIRE_2FA on, the default): signing in with a
password alone reaches nothing but the second step; an authenticator app is enrolled with a QR code
drawn on the server; ten single-use recovery codes; service users may enrol and are not forced; an
admin resets a professional's factors (audited); the demo (REQUIRE_2FA off) says so."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from agencies import accounts
from agencies.models import ApiToken, UserSession
from audit.models import AuditEvent
from tests.auth.totp import code_now

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"


def password_step(client: Client, username: str, password: str, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


@pytest.fixture
def sam_app(world):
    """sam has set up an authenticator app."""
    return TOTPDevice.objects.create(user=world.sam.user, name="Authenticator app", confirmed=True)


def test_two_factor_sign_in_is_on_by_default(settings):
    assert settings.REQUIRE_2FA is True


def test_a_professional_without_a_second_factor_is_sent_to_set_one_up(world):
    client = Client()
    response = password_step(client, "nia", world.password)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP + "?next=")
    for page in ("/", f"/cases/{world.case.id}/", "/people/", "/admin/"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        assert answer["Location"].startswith(SETUP), page


def test_a_professional_with_an_app_is_asked_for_its_code_before_any_page(world, sam_app):
    client = Client()
    response = password_step(client, "sam", world.password, next_url=f"/cases/{world.case.id}/")
    assert response["Location"].startswith(VERIFY)
    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"].startswith(VERIFY)
    # The API does not count a session that has not verified its second factor.
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_the_right_code_opens_the_pages_under_a_new_session_key(world, sam_app):
    client = Client()
    password_step(client, "sam", world.password)
    key_after_password = client.session.session_key
    response = client.post(VERIFY, {"code": code_now(sam_app), "next": f"/cases/{world.case.id}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{world.case.id}/"
    assert client.session.session_key != key_after_password
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_wrong_code_keeps_the_pages_closed(world, sam_app):
    client = Client()
    password_step(client, "sam", world.password)
    wrong = f"{(int(code_now(sam_app)) + 1) % 1000000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "This code is wrong or has expired" in response.content.decode()
    assert client.get("/").status_code == 302


def test_the_admin_site_asks_for_the_second_factor_too(world):
    TOTPDevice.objects.create(user=world.admin, name="Authenticator app", confirmed=True)
    client = Client()
    password_step(client, "admin", world.password)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_enrolling_an_app_shows_a_qr_code_drawn_here_then_ten_recovery_codes(world):
    client = Client()
    password_step(client, "nia", world.password)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "QR code for your authenticator app" in page
    assert "otpauth://" not in page  # the secret travels only inside the drawn QR code and the typed key
    # No inline script (the strict CSP): every script is a file or a JSON data block.
    for tag in re.findall(r"<script[^>]*>", page):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    device = TOTPDevice.objects.get(user=world.nia.user, confirmed=False)
    assert re.search(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", page)  # the key to type by hand, in groups

    response = client.post(SETUP, {"code": code_now(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200  # enrolling verified this session
    assert AuditEvent.objects.filter(action="agencies.second_factor.enrolled", actor=world.nia.id).exists()


def test_a_wrong_first_code_does_not_enrol_the_app(world):
    client = Client()
    password_step(client, "nia", world.password)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert "This code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.nia.user, confirmed=True).exists()
    assert client.get("/").status_code == 302


def test_a_session_that_has_not_verified_cannot_enrol_another_app(world, sam_app):
    client = Client()
    password_step(client, "sam", world.password)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post("/accounts/two-factor/recovery-codes/").status_code == 302
    assert not StaticToken.objects.filter(device__user=world.sam.user).exists()


def test_a_recovery_code_signs_in_once(world, sam_app):
    codes = accounts.recovery_codes_issue(user=world.sam.user)
    assert len(codes) == 10
    first = Client()
    password_step(first, "sam", world.password)
    assert first.post(VERIFY, {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    second = Client()
    password_step(second, "sam", world.password)
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 200  # used up
    assert second.get("/").status_code == 302
    assert accounts.recovery_codes_left(world.sam.user) == 9


def test_new_recovery_codes_replace_the_old_ones(world, sam_app):
    old = accounts.recovery_codes_issue(user=world.sam.user)
    client = Client()
    client.force_login(world.sam.user)
    response = client.post("/accounts/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert not StaticToken.objects.filter(device__user=world.sam.user, token__in=old).exists()


def test_service_users_are_not_made_to_use_a_second_factor(world):
    client = Client()
    response = password_step(client, "maya", world.password)
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_a_service_user_who_enrolled_is_asked_for_the_code(world):
    device = TOTPDevice.objects.create(user=world.maya.user, name="Authenticator app", confirmed=True)
    client = Client()
    response = password_step(client, "maya", world.password)
    assert response["Location"].startswith(VERIFY)
    assert client.get("/portal/").status_code == 302
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get("/portal/").status_code == 200


def test_an_enrolled_service_user_s_unverified_session_does_not_reach_the_api(world):
    TOTPDevice.objects.create(user=world.maya.user, name="Authenticator app", confirmed=True)
    client = Client()
    password_step(client, "maya", world.password)
    for path in ("/api/v1/me/", "/api/v1/me/plan/", "/api/v1/me/messages/", "/api/v1/me/access-log/"):
        assert client.get(path).status_code in (401, 403), path


def test_a_token_for_an_account_that_enrolled_a_factor_needs_its_code(world):
    device = TOTPDevice.objects.create(user=world.maya.user, name="Authenticator app", confirmed=True)
    client = Client()
    asked = client.post(
        "/api/v1/auth/token/", {"username": "maya", "password": world.password, "name": "phone"}, "application/json"
    )
    assert asked.status_code == 400 and "otp" in asked.json()
    given = client.post(
        "/api/v1/auth/token/",
        {"username": "maya", "password": world.password, "name": "phone", "otp": code_now(device)},
        "application/json",
    )
    assert given.status_code == 200 and given.json()["token"]


def test_with_two_factor_sign_in_off_an_enrolled_professional_still_verifies_before_the_api(world, settings):
    settings.REQUIRE_2FA = False
    TOTPDevice.objects.create(user=world.nia.user, name="Authenticator app", confirmed=True)
    client = Client()
    password_step(client, "nia", world.password)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_with_two_factor_sign_in_off_a_password_signs_a_professional_in_and_the_page_says_so(world, settings):
    settings.REQUIRE_2FA = False
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert "Two-factor sign-in is off" in page and "REQUIRE_2FA=0" in page
    response = password_step(client, "nia", world.password)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_the_sign_in_page_says_a_code_follows_when_two_factor_sign_in_is_on(db):
    page = Client().get(LOGIN).content.decode()
    assert "Two-factor sign-in is off" not in page
    assert "authenticator app" in page


def _reset_through_the_admin(admin_client: Client, professional) -> object:
    return admin_client.post(
        "/admin/agencies/professional/",
        {"action": "reset_second_factors", "_selected_action": [str(professional.pk)]},
    )


def test_an_admin_resets_a_professionals_factors_which_ends_their_sessions_and_tokens(world, sam_app):
    accounts.recovery_codes_issue(user=world.sam.user)
    WebAuthnCredential.objects.create(
        user=world.sam.user,
        name="Passkey",
        confirmed=True,
        credential_id=b"\x01" * 16,
        public_key=b"\x02" * 32,
        sign_count=0,
        backup_eligible=False,
        backup_state=False,
    )
    sam = Client()
    sam.force_login(world.sam.user)
    ApiToken.objects.create(user=world.sam.user, name="case system")
    admin = Client()
    admin.force_login(world.admin)

    response = _reset_through_the_admin(admin, world.sam)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.sam.user).exists()
    assert not StaticDevice.objects.filter(user=world.sam.user).exists()
    assert not WebAuthnCredential.objects.filter(user=world.sam.user).exists()
    assert not ApiToken.objects.filter(user=world.sam.user).exists()
    assert not UserSession.objects.filter(user=world.sam.user).exists()
    assert sam.get("/").status_code == 302  # signed out
    event = AuditEvent.objects.get(action="agencies.second_factor.reset")
    assert event.actor_user_id == world.admin.pk and event.detail["user"] == world.sam.user.pk
    # Their next sign-in enrols again.
    assert password_step(Client(), "sam", world.password)["Location"].startswith(SETUP)


def test_an_agency_administrator_resets_only_their_own_agencys_professionals(world, sam_app):
    from agencies import services as agency_services

    agency_services.professional_update(professional=world.hal, is_agency_admin=True, actor=world.admin)
    world.hal.user.is_staff = True
    world.hal.user.save(update_fields=["is_staff"])
    hal = Client()
    hal.force_login(world.hal.user)
    _reset_through_the_admin(hal, world.sam)  # sam works for the other agency
    assert TOTPDevice.objects.filter(user=world.sam.user).exists()
    assert not AuditEvent.objects.filter(action="agencies.second_factor.reset").exists()


def test_force_login_in_tests_stands_for_both_steps(world):
    client = Client()
    client.force_login(world.nia.user)
    assert client.get("/").status_code == 200
    unverified = Client()
    unverified.force_login_password_only(world.nia.user)
    assert unverified.get("/").status_code == 302
    assert int(unverified.session[SESSION_KEY]) == world.nia.user.pk


def test_a_session_that_has_not_verified_cannot_begin_adding_a_passkey(world, sam_app):
    client = Client()
    password_step(client, "sam", world.password)
    response = client.post("/accounts/two-factor/passkeys/registration/begin/")
    assert response.status_code in (401, 403)
    verified = Client()
    verified.force_login(world.sam.user)
    begun = verified.post("/accounts/two-factor/passkeys/registration/begin/")
    assert begun.status_code == 200
    assert begun.json()["rp"]["id"] == "localhost"
