"""Issue 11 in a real browser: every page of the list at 320 px (and the audit trail at
200 % zoom) without horizontal page scroll, each passing axe-core; the IG lead opens the
records opened under an override; a 404 page in the site's layout with navigation."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from sharing import selectors as sharing_selectors
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_journey import sign_in
from tests.sharing.conftest import override, write

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# What reaches past the window's right edge, and its parent, to say what spills.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const name = e => e.tagName + '.' + e.className;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 12)
    .map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + ' in ' + name(e.parentElement));
}"""
TABLE_SCROLLS = "() => { const w = document.querySelector('.ju-table-wrap'); return w.scrollWidth > w.clientWidth; }"


def assert_no_page_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(WIDEST) if overflow > 0 else []
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {page.viewport_size}: {wide}"


@pytest.fixture
def trail_world(world):
    """nia takes an override on the case's social care records and opens sam's note under it."""
    note = write(world, world.sam, "social_care", about=[world.maya])
    write(world, world.nia, "health", about=[world.maya])
    access = override(world, world.nia, "social_care")
    sharing_selectors.record_get_for(user=world.nia.user, record_id=note.id)
    return access


@pytest.mark.parametrize("width", [320])
def test_the_pages_fit_320_px_and_pass_axe(page, live_server, world, trail_world, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server.url, "hal", world.password)  # leads nia's team, sees the case
    for path, heading in [
        ("/", "My work"),
        ("/cases/", None),
        (f"/cases/{world.case.id}/", world.case.title),
        ("/team/", "Team"),
        (f"/team/{world.nia.id}/", "Nia Tester: items"),
    ]:
        page.goto(f"{live_server.url}{path}")
        if heading:
            expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_no_page_scroll(page)
        assert_accessible(page)


@pytest.mark.parametrize(("width", "label"), [(320, "320 px"), (640, "200 % zoom of a 1280 px window")])
def test_the_audit_trail_fits_and_passes_axe(page, live_server, world, trail_world, width, label):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server.url, "ivy", world.password, landing=None)
    page.goto(f"{live_server.url}/audit/?person=Maya+Okafor")
    expect(page.get_by_role("heading", level=1, name="Audit trail")).to_be_visible()
    expect(page.get_by_role("cell", name="Maya Okafor").first).to_be_visible()
    assert_no_page_scroll(page)
    assert_accessible(page)
    wrap = page.locator(".ju-table-wrap")
    if page.evaluate(
        "() => { const w = document.querySelector('.ju-table-wrap'); return w.scrollWidth > w.clientWidth; }"
    ):
        expect(wrap.locator(".ju-table-wrap__cue")).to_be_visible()  # the table scrolls, and says so


def test_the_person_filter_auto_completes(page, live_server, world, trail_world):
    sign_in(page, live_server.url, "ivy", world.password, landing=None)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Person").press_sequentially("Oka", delay=50)
    expect(page.locator("#id_person_suggestions option[value='Maya Okafor']")).to_have_count(1)
    page.get_by_label("Person").fill("Maya Okafor")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="Maya Okafor").first).to_be_visible()
    page.get_by_label("Person").fill("Nobody Here")
    page.get_by_role("button", name="Filter").click()
    expect(
        page.get_by_text("No one called “Nobody Here” appears in the audit trail you can read.").first
    ).to_be_visible()
    assert_accessible(page)


def test_the_ig_lead_opens_the_records_opened_under_an_override(page, live_server, world, trail_world):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, "ivy", world.password, landing="Safeguarding override reviews")
    assert_no_page_scroll(page)
    assert_accessible(page)
    page.get_by_role("link", name=f"Review the override on {world.case.reference}").click()
    page.get_by_role("link", name="See the records opened under this override").click()
    expect(page.get_by_role("heading", level=1, name="Records opened under this override")).to_be_visible()
    expect(page.get_by_role("cell", name="Opened")).to_have_count(1)
    expect(page.get_by_role("cell", name="Maya Okafor")).to_be_visible()
    assert_no_page_scroll(page)
    assert_accessible(page)


def test_a_404_has_the_layout_navigation_and_a_way_back(page, live_server, world):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, "sam", world.password)
    response = page.goto(f"{live_server.url}/cases/{uuid.uuid4()}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="My work").first).to_be_visible()
    assert_no_page_scroll(page)
    assert_accessible(page)


def test_the_date_input_forms_fit_320_px_and_pass_axe_with_errors_in_words(page, live_server, world):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, "sam", world.password)
    page.goto(f"{live_server.url}/cases/{world.case.id}/milestones/new/")
    due = page.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Add the milestone").click()
    expect(page.get_by_role("link", name="Due date must be a real date, for example 27 3 2026.")).to_be_visible()
    expect(page.get_by_role("group", name="Due date").get_by_label("Day")).to_have_value("31")
    assert_no_page_scroll(page)
    assert_accessible(page)
    page.goto(f"{live_server.url}/people/{world.maya.id}/consents/new/")
    expect(page.get_by_role("group", name="From")).to_be_visible()
    assert_no_page_scroll(page)
    assert_accessible(page)
