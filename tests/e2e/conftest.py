"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then refuse the
# test's own (synchronous) database calls. The live server runs in its own thread, unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# Passkeys: Chromium's virtual authenticator (through CDP) and the site bound to the live server.
@pytest.fixture
def authenticator(page: Page):
    """A platform authenticator that holds discoverable credentials and verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added: dict = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    return added["authenticatorId"]


@pytest.fixture
def passkey_site(settings, live_server):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
