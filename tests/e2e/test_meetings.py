"""The meetings journey of issue 13 in a real browser: the chair schedules a meeting; an invitee
gives a sealed view that another invitee cannot read; the chair opens the meeting and sees the
views side by side with their spread, records a decision with a dissent and an action that
becomes a milestone on the plan, and closes the meeting. axe-core finds nothing on each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from plans.models import Milestone
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_journey import fill_date, sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEALED = "Nia's sealed worry about the nights"


def local(days: int, hour: int) -> str:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def give_view(page: Page, *, worries: str, rating: int) -> None:
    page.get_by_role("link", name="Give my view").click()
    expect(page.get_by_role("heading", level=1, name="Your view")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What are we worried about?").fill(worries)
    page.get_by_label("What is working well?").fill("School mornings are calmer")
    page.get_by_label("What needs to happen?").fill("A plan for the evenings")
    page.get_by_role("group", name="On a scale of 0 to 10").get_by_label(str(rating), exact=True).check()
    page.get_by_role("button", name="Save my view").click()
    expect(page.get_by_text("Your view is saved.")).to_be_visible()


def test_a_meeting_from_scheduling_to_closing(page, live_server, world):
    sam, nia, sue = world.sam, world.nia, world.sue
    kind = "Initial child protection conference"

    sign_in(page, live_server.url, "sam", world.password)
    page.goto(f"{live_server.url}/cases/{world.case.id}/")
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_role("heading", level=1, name="Schedule a meeting")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Kind of meeting").select_option(label=kind)
    page.get_by_label("Starts").fill(local(3, 10))
    page.get_by_label("Ends").fill(local(3, 12))
    page.get_by_label("Place or online meeting link").fill("Riverside Civic Centre, room 2")
    page.get_by_label("Chair").select_option(label=f"{sam.full_name} – {sam.agency.name}")
    page.get_by_label("Note-taker").select_option(label=f"{nia.full_name} – {nia.agency.name}")
    page.get_by_role("group", name="Invite from the case team").get_by_label(
        f"{sue.full_name} – {sue.agency.name}"
    ).check()
    page.get_by_label("Views due by").fill(local(2, 17))
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1, name=kind)).to_be_visible()
    meeting = Meeting.objects.get(case=world.case)
    meeting_url = f"{live_server.url}/meetings/{meeting.id}/"
    sign_out(page)

    # nia gives her view, alone
    sign_in(page, live_server.url, "nia", world.password)
    page.goto(meeting_url)
    give_view(page, worries=SEALED, rating=2)
    sign_out(page)

    # sue sees that nia has given a view, and nothing of what it says
    sign_in(page, live_server.url, "sue", world.password)
    page.goto(meeting_url)
    expect(page.get_by_text("Views are sealed")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=nia.full_name)).to_contain_text("Given")
    expect(page.get_by_role("row").filter(has_text=sue.full_name)).to_contain_text("Not given")
    assert SEALED not in page.content()
    assert_accessible(page)
    give_view(page, worries="Sue's worry about money", rating=8)
    page.goto(f"{meeting_url}my-view/")
    assert SEALED not in page.content()
    sign_out(page)

    # sam opens the meeting: both views side by side, the spread flagged
    sign_in(page, live_server.url, "sam", world.password)
    page.goto(meeting_url)
    assert SEALED not in page.content()  # the chair too reads nothing before opening
    page.get_by_role("button", name="Open the meeting and show the views").click()
    expect(page.get_by_role("heading", level=2, name="Views, side by side")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=f"{nia.full_name} ({nia.agency.name})")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=f"{sue.full_name} ({sue.agency.name})")).to_be_visible()
    expect(page.get_by_text(SEALED)).to_be_visible()
    expect(page.get_by_text("Ratings from 2 to 8 (a range of 6).")).to_be_visible()
    expect(page.get_by_text("Views differ widely — discuss before deciding.")).to_be_visible()
    assert_accessible(page)

    # a decision with a dissent, and an action that becomes a milestone
    due = timezone.localdate() + datetime.timedelta(days=21)
    action = "Evening routine plan with the family"
    page.get_by_role("link", name="Record a decision").click()
    expect(page.get_by_role("heading", level=1, name="Record a decision")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Decision", exact=True).fill("Maya stays at home with a support plan for the evenings")
    agreed = page.get_by_role("group", name="Who agreed")
    agreed.get_by_label(f"{sam.full_name} – {sam.agency.name}").check()
    agreed.get_by_label(f"{sue.full_name} – {sue.agency.name}").check()
    page.get_by_label("Dissent 1: who disagreed").select_option(label=f"{nia.full_name} – {nia.agency.name}")
    page.get_by_label("Dissent 1: their reason, in their own words").fill("The nights are not safe enough yet")
    page.get_by_label("Action 1: goal").select_option(label=world.goal.description)
    page.get_by_label("Action 1: what").fill(action)
    fill_date(page, "Action 1: due date", due)
    page.get_by_label("Action 1: accountable professional").select_option(label=f"{nia.full_name} – {nia.agency.name}")
    page.get_by_label("Action 1: in plain words for the person").fill("We make a plan for your evenings")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_text(f"{nia.full_name} disagreed: The nights are not safe enough yet")).to_be_visible()
    expect(page.get_by_text(f"Agreed: {sam.full_name}, {sue.full_name}")).to_be_visible()
    expect(page.get_by_text(f"accountable: {nia.full_name}")).to_be_visible()
    milestone = Milestone.objects.get(title=action)
    assert (milestone.goal_id, milestone.accountable_id, milestone.due_date) == (world.goal.id, nia.id, due)

    page.get_by_role("link", name=action).click()  # the action is a milestone on the plan
    expect(page.get_by_role("heading", level=1, name=world.case.title)).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text=action)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"Accountable: {nia.full_name}")

    # close with the minutes
    page.goto(meeting_url)
    page.get_by_role("link", name="Close with the minutes").click()
    expect(page.get_by_role("heading", level=1, name="Close the meeting")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Minutes").fill("Views shared; decision recorded with one dissent.")
    page.get_by_label("Summary for the family, in plain words").fill("We agreed a plan for your evenings.")
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_role("heading", level=2, name="Minutes")).to_be_visible()
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()
    assert_accessible(page)
