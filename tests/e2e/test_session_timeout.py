"""The idle time-out warning in a real browser (static/js/session-timeout.js): it appears before
the session's idle limit, "Stay signed in" extends the session, and when the time is up an ended
session goes to the sign-in page while a session kept alive elsewhere does not."""

import time

import pytest
from django.contrib.sessions.backends.base import SessionBase
from playwright.sync_api import Page, expect

from agencies.sessions import SessionStore
from workspace.middleware import LAST_SEEN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_sessions(settings):
    """65 s idle: pages count 5 s down (a minute less for the idle clock's resolution); warn 3 s before."""
    settings.REQUIRE_2FA = False
    settings.SESSION_IDLE_SECONDS = 65
    settings.SESSION_WARNING_SECONDS = 3


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()


def _session(page: Page) -> SessionBase:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key)


def test_the_warning_appears_and_stay_signed_in_extends_the_session(page, live_server, world, short_sessions):
    sign_in(page, live_server.url, "nia", world.password)
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("second")
    before = _session(page)[LAST_SEEN]
    time.sleep(1.1)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert _session(page)[LAST_SEEN] > before
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()


def test_an_ended_session_goes_to_sign_in_and_a_live_one_stays(page, live_server, world, short_sessions):
    sign_in(page, live_server.url, "nia", world.password)
    # Countdown over, but the server's session still has a minute: the page stays.
    time.sleep(7)
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    # A fresh page counts 5 s down; meanwhile the session goes idle past its limit (as if the
    # minutes had passed), so the check at the end of the countdown finds it ended.
    page.reload()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    session = _session(page)
    session[LAST_SEEN] = int(time.time()) - 120
    session.save()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible(timeout=12_000)
    assert "next=" in page.url
