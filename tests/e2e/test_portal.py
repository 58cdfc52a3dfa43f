"""The person's portal in a real browser: every page passes axe-core at phone width
(320 px) without sideways scrolling, in English and in Welsh, Polish, Arabic and Urdu (right
to left for the last two), and a keyboard-only journey signs in, reads the plan, takes back a
yes to sharing and sends a message. Screenshots of each page at phone and desktop sizes go to
the test output (TEST_OUTPUT_DIR, default test-output/screenshots; not committed)."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sharing import services as sharing_services
from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ["", "workers/", "messages/", "say/", "information/", "information/change/", "looked/", "copy/", "sign-in/"]
# The family's meetings list is a portal page too.
ALL_PAGES = [*PAGES, "meetings/"]
PHONE = {"width": 320, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
# The home page's heading in each language (the catalogue's words).
YOUR_PLAN = {"en-gb": "Your plan", "cy": "Eich cynllun", "pl": "Twój plan", "ar": "خطتك", "ur": "آپ کا منصوبہ"}
SCREENSHOTS = (
    Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[2] / "test-output")) / "screenshots"
)


def screenshot(page: Page, language: str, path: str) -> None:
    """The page as it stands, full length, named by language, page and width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "-") or "plan"
    page.screenshot(
        path=str(SCREENSHOTS / f"portal-{language}-{name}-{page.viewport_size['width']}px.png"), full_page=True
    )


def keyboard_sign_in(page: Page, base_url: str, username: str, password: str, language: str = "en-gb") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=YOUR_PLAN[language])).to_be_visible()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_every_portal_page_is_accessible_at_320_px(page, live_server, world):
    page.set_viewport_size(PHONE)
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    for path in ALL_PAGES:
        page.goto(f"{live_server.url}/portal/{path}")
        assert_accessible(page)
        no_sideways_scroll(page)
        screenshot(page, "en-gb", path)
    page.set_viewport_size(DESKTOP)
    for path in ALL_PAGES:
        page.goto(f"{live_server.url}/portal/{path}")
        screenshot(page, "en-gb", path)


@pytest.mark.parametrize("language", ["cy", "pl", "ar", "ur"])
def test_every_portal_page_in_each_language_is_accessible_at_phone_and_desktop_sizes(
    page, live_server, world, language
):
    world.maya.preferred_language = language
    world.maya.save(update_fields=["preferred_language"])
    page.set_viewport_size(PHONE)
    keyboard_sign_in(page, live_server.url, "maya", world.password, language)
    rtl = language in {"ar", "ur"}
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for path in ALL_PAGES:
            page.goto(f"{live_server.url}/portal/{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert page.evaluate("getComputedStyle(document.body).direction") == ("rtl" if rtl else "ltr"), path
            if size is PHONE or rtl:  # axe at 320 px in every language; the right-to-left ones at both sizes
                assert_accessible(page)
            no_sideways_scroll(page)
            screenshot(page, language, path)


def test_the_language_switcher_works_from_the_keyboard_and_keeps_the_page(page, live_server, world):
    page.set_viewport_size(PHONE)
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    page.goto(f"{live_server.url}/portal/workers/")
    page.get_by_role("button", name="اردو").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1, name="آپ کے کارکن")).to_be_visible()
    assert page.url.endswith("/portal/workers/")
    no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1, name="Eich gweithwyr")).to_be_visible()
    expect(page.locator("html")).not_to_have_attribute("dir", "rtl")


def test_a_keyboard_only_journey_reads_the_plan_takes_back_a_yes_and_sends_a_message(page, live_server, world):
    sharing_services.consent_record(
        person=world.maya,
        category="health",
        agency=world.social,
        purpose="To help with your plan",
        valid_from=timezone.localdate() - datetime.timedelta(days=1),
        given_by="Maya Okafor",
        actor=world.maya.user,
    )
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    expect(page.get_by_text("We meet your school")).to_be_visible()

    page.get_by_role("link", name="Who can see what").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your information")).to_be_visible()
    page.get_by_role("link", name="Take back your yes").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Take back your yes")).to_be_visible()
    page.get_by_role("button", name="Yes, take it back").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("They cannot see it now")

    page.get_by_role("link", name="Talk to us").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Your message").focus()
    page.keyboard.type("Can we meet after school?")
    page.get_by_role("button", name="Send", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("listitem").filter(has_text="Can we meet after school?")).to_have_count(1)
    assert_accessible(page)
