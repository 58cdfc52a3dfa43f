"""Passkeys (django-otp-webauthn) in a real browser with Chromium's virtual authenticator: a
professional adds one on the two-factor page, then uses it as the second factor after the
password, and in place of password and code at sign-in."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password_step(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def _passkey_signs_in(page, button: str) -> None:
    """One click on the passkey button lands on My work. The button shows only once the library's
    module has bound it, and the translations its handler needs load before that module
    (templates/django_otp_webauthn/): a second click would only start a second ceremony."""
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible(timeout=30_000)


def test_a_passkey_is_added_then_signs_in_as_second_factor_and_in_place_of_the_password(
    page, live_server, world, authenticator, passkey_site
):
    password_step(page, live_server.url, "nia", world.password)
    expect(page.get_by_role("heading", level=1, name="Two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added")).to_be_visible(timeout=30_000)
    assert WebAuthnCredential.objects.filter(user=world.nia.user, confirmed=True).count() == 1
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()  # adding it verified the session
    sign_out(page)

    # The password, then the passkey as the second factor.
    password_step(page, live_server.url, "nia", world.password)
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    _passkey_signs_in(page, "Use a passkey")
    sign_out(page)

    # The passkey alone, in place of password and code.
    _passkey_signs_in(page, "Use a passkey instead")
    expect(page.get_by_text(world.nia.full_name)).to_be_visible()


def test_a_passkey_is_added_by_a_click_made_as_soon_as_the_button_shows_on_a_slow_catalog(
    page, live_server, world, authenticator, passkey_site
):
    """The passkey scripts' click handlers call gettext() from the translations catalog
    (.../passkeys/jsi18n/). Loaded `async` as django-otp-webauthn's template has it, the catalog
    could arrive after the module script had shown the button, and a click then did nothing at
    all: no request, no message. Here the catalog answers late and the button is clicked at once."""

    def late_catalog(route):
        page.wait_for_timeout(1_500)
        route.continue_()

    page.route("**/passkeys/jsi18n/", late_catalog)
    password_step(page, live_server.url, "nia", world.password)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added")).to_be_visible(timeout=30_000)
    page.unroute_all(behavior="ignoreErrors")  # the reload's catalog may still be held back
