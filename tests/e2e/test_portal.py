"""The person's portal in a real browser: every page passes axe-core at phone width
(320 px) without sideways scrolling, and a keyboard-only journey signs in, reads the
plan, takes back a yes to sharing and sends a message."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sharing import services as sharing_services
from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "",
    "workers/",
    "messages/",
    "say/",
    "information/",
    "information/change/",
    "looked/",
    "copy/",
    "meetings/",
    "sign-in/",
]


def keyboard_sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your plan")).to_be_visible()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_every_portal_page_is_accessible_at_320_px(page, live_server, world):
    page.set_viewport_size({"width": 320, "height": 800})
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    for path in PAGES:
        page.goto(f"{live_server.url}/portal/{path}")
        assert_accessible(page)
        no_sideways_scroll(page)


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
