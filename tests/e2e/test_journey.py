"""The journey of issue 2 in a real browser: a lead professional plans work for a
colleague in another agency, and the colleague finds it on My work. Each page on
the way passes axe-core's accessibility checks."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.auth.totp import code_now
from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, username: str, password: str, landing: str | None = "My work") -> None:
    """Both steps, as a professional does with REQUIRE_2FA on: the password, then the code their
    authenticator app shows now (an app is enrolled for them here if they have none, as
    `authenticator_app` does); `landing`: the heading of the page the user lands on."""
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    # django-otp refuses a code of a time step already used (a replay): a second sign-in of the
    # same person within 30 s takes the next step's code, which the device's tolerance accepts.
    device.refresh_from_db()
    step_now = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift).t()
    page.get_by_label("Code").fill(code_now(device, offset_steps=1 if device.last_t >= step_now else 0))
    page.get_by_role("button", name="Continue").click()
    if landing:
        expect(page.get_by_role("heading", level=1, name=landing)).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    else:  # wherever they land (the admin's pages have their own header)
        expect(page.get_by_role("heading", level=1, name="Enter your code")).to_have_count(0)


def fill_date(page: Page, legend: str, day: datetime.date) -> None:
    """GOV.UK's date input: the day, month and year boxes of the fieldset named `legend`."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


@pytest.fixture
def authenticator_app(world):
    """sam and nia have each set up an authenticator app."""
    for professional in (world.sam, world.nia):
        TOTPDevice.objects.create(user=professional.user, name="Authenticator app", confirmed=True)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def test_sign_in_page_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_lead_plans_a_milestone_for_a_colleague_who_sees_it_on_my_work(page, live_server, world, authenticator_app):
    target = timezone.localdate() + datetime.timedelta(days=60)
    due = timezone.localdate() + datetime.timedelta(days=10)
    goal_text = "Maya's family has a stable home"
    milestone_title = "Housing needs assessment with Maya's family"

    sign_in(page, live_server.url, "sam", world.password)
    page.get_by_role("link", name=world.case.title).first.click()
    expect(page.get_by_role("heading", level=1, name=world.case.title)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("What will be different?").fill(goal_text)
    page.get_by_label("How will we know?").fill("A tenancy agreement signed and no moves for six months")
    fill_date(page, "By when?", target)
    page.get_by_label("In plain words for the person").fill("You have a safe home to live in")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("heading", level=3, name=goal_text)).to_be_visible()

    page.goto(f"{live_server.url}/cases/{world.case.id}/milestones/new/")
    page.get_by_label("Goal").select_option(label=goal_text)
    page.get_by_label("Milestone", exact=True).fill(milestone_title)
    fill_date(page, "Due date", due)
    page.get_by_label("Accountable professional").select_option(label=f"{world.nia.full_name} – {world.health.name}")
    page.get_by_label("In plain words for the person").fill("We look at what help you need with housing")
    page.get_by_role("button", name="Add the milestone").click()
    item = page.get_by_role("listitem").filter(has_text=milestone_title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"Accountable: {world.nia.full_name}")
    sign_out(page)

    sign_in(page, live_server.url, "nia", world.password)
    row = page.get_by_role("row").filter(has_text=milestone_title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(world.case.title)
    expect(row).to_contain_text(due.strftime("%-d %b %Y"))
    assert_accessible(page)


def test_the_two_factor_pages_are_accessible(page, live_server, world):
    """nia has no authenticator app yet: the password step leads to setting one up (QR code),
    then, next time, to the code step; axe-core finds nothing on either."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(code_now(TOTPDevice.objects.get(user=world.nia.user, confirmed=False)))
    page.get_by_role("button", name="Set up the app").click()
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    sign_out(page)
    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    assert_accessible(page)
