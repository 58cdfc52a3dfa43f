"""Issue 11 in a real browser: from the case page's family section a social worker records a
household and a relationship, first with a mistake (the error summary, nothing lost), and sees
both in the family list. Each page passes axe-core and fits 320 px without sideways scroll."""

import pytest
from playwright.sync_api import Page, expect

from cases import services as case_services
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_journey import sign_in
from tests.e2e.test_layout_and_trail import assert_no_page_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def checked(page: Page) -> None:
    assert_accessible(page)
    assert_no_page_scroll(page)


def test_a_household_and_a_relationship_are_recorded_from_the_case_page(page: Page, live_server, world):
    ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ada)
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, "sam", world.password)
    page.goto(f"{live_server.url}/cases/{world.case.id}/")
    family = page.locator("section[aria-labelledby='family-heading']")  # loaded by htmx after the page
    expect(family.get_by_text("No household is recorded yet.")).to_be_visible()
    checked(page)

    family.get_by_role("link", name="Record a household").click()
    expect(page.get_by_role("heading", level=1, name="Record a household")).to_be_visible()
    checked(page)
    page.get_by_label("Address (optional)").fill("4 Mill Lane, Northvale")
    page.get_by_role("button", name="Record the household").click()
    summary = page.locator(".ju-error-summary")
    expect(summary).to_contain_text("Give the household a name")
    expect(summary).to_contain_text("Choose at least one person who lives here.")
    expect(page.get_by_label("Address (optional)")).to_have_value("4 Mill Lane, Northvale")  # nothing lost
    checked(page)
    page.get_by_label("Name of the household").fill("Okafor household")
    page.get_by_label("Ada Okafor").check()
    page.get_by_label("Maya Okafor (born 14 March 2016)").check()
    page.get_by_label("Language spoken at home").fill("yo")
    page.get_by_label("The household needs an interpreter").check()
    page.get_by_role("button", name="Record the household").click()
    expect(page.get_by_text("Okafor household is recorded.")).to_be_visible()
    households = page.locator("#family-households")
    expect(households).to_contain_text("Who lives here: Ada Okafor, Maya Okafor")
    expect(households).to_contain_text("Interpreter needed")
    checked(page)

    page.goto(f"{live_server.url}/cases/{world.case.id}/")
    family.get_by_role("link", name="Record a relationship", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Record a relationship")).to_be_visible()
    checked(page)
    page.get_by_label("Who").select_option(label="Ada Okafor")
    page.get_by_label("Parent", exact=True).check()
    page.get_by_label("Of", exact=True).select_option(label="Ada Okafor")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Record the relationship").click()
    expect(page.locator(".ju-error-summary")).to_contain_text("A person cannot be related to themself.")
    expect(page.get_by_label("Parent", exact=True)).to_be_checked()  # the choices are kept
    checked(page)
    page.get_by_label("Of", exact=True).select_option(label="Maya Okafor")
    page.get_by_role("button", name="Record the relationship").click()
    expect(page.get_by_text("The relationship is recorded.")).to_be_visible()
    ada_row = page.locator(f"#family-{ada.id}")
    expect(ada_row).to_contain_text("Parent of Maya Okafor")
    expect(ada_row).to_contain_text("Parental responsibility")
    expect(page.locator(f"#family-{world.maya.id}")).to_contain_text("Ada Okafor is their parent")
    checked(page)
