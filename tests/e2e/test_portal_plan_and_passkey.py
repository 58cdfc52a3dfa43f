"""The person's plan and sign-in in a real browser (issue 12): Maya sees the step her worker moved,
with its new date and the reason written for her (never the professional's), and the next meeting in
plain words; then she adds a passkey on "How you sign in" with Chromium's virtual authenticator and
signs in with it alone, on both databases.
axe-core finds no violations on each page."""

import datetime

import pytest
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from meetings import services as meeting_services
from plans import services as plan_services
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_portal import keyboard_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def _passkey_signs_in(page: Page) -> None:
    """As tests/e2e/test_passkeys.py: one click. The button shows only once the library's module
    has bound it, and the translations its handler needs load before that module
    (templates/django_otp_webauthn/): a second click would only start a second ceremony."""
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.get_by_role("heading", level=1, name="Your plan")).to_be_visible(timeout=30_000)


def _add_a_passkey(page: Page, world) -> None:
    page.get_by_role("link", name="How you sign in").click()
    expect(page.get_by_role("heading", level=1, name="How you sign in")).to_be_visible()
    expect(page.get_by_text("You do not have a passkey yet.")).to_be_visible()
    assert_accessible(page)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added on")).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=world.maya.user, confirmed=True).count() == 1
    assert_accessible(page)


def test_the_person_sees_the_new_date_and_the_next_meeting_and_adds_a_passkey(
    page, live_server, world, authenticator, passkey_site
):
    new_date = timezone.localdate() + datetime.timedelta(days=30)
    plan_services.milestone_redate(
        milestone=world.milestone,
        due_date=new_date,
        reason="SENCO off sick; deferred pending panel",
        reason_for_person="The school needs more time.",
        actor=world.nia.user,
    )
    meeting_services.meeting_schedule(
        case=world.case,
        kind="core_group",
        starts_at=_at(6, 10),
        ends_at=_at(6, 11),
        location="Riverside Civic Centre, room 2",
        chair=world.sam,
        note_taker=world.nia,
        invitees=[world.sue],
        family_invited=True,
        views_due_at=_at(5, 17),
        actor=world.sam.user,
    )
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    expect(page.get_by_text(f"Coming up, moved to {new_date.strftime('%-d %B %Y')}")).to_be_visible()
    expect(page.get_by_text("Why it moved: The school needs more time.")).to_be_visible()
    expect(page.get_by_text("SENCO")).to_have_count(0)
    expect(page.get_by_role("heading", name="Next meeting")).to_be_visible()
    expect(page.get_by_text("A meeting of the people who help you most")).to_be_visible()
    expect(page.get_by_text("Where: Riverside Civic Centre, room 2")).to_be_visible()
    assert_accessible(page)
    _add_a_passkey(page, world)


def test_the_person_signs_in_with_the_passkey_alone(page, live_server, world, authenticator, passkey_site):
    keyboard_sign_in(page, live_server.url, "maya", world.password)
    _add_a_passkey(page, world)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    _passkey_signs_in(page)
    expect(page.get_by_text("We meet your school")).to_be_visible()
