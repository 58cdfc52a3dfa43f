"""Issue 11 in a real browser: the plan edited on the pages (a goal, a due date with its
reason), a handover that tells the new holder, and a team lead who sees another agency's
overdue item on a case she oversees. Each page on the way passes axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.services import notices_deliver, reminders_deliver, reminders_scan
from agencies import services as agency_services
from cases import services as case_services
from plans import services as plan_services
from plans.models import Milestone
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_journey import sign_in, sign_out
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def link(page: Page, path: str):
    """The link to a path (its visible words are short; the hidden rest names the item)."""
    return page.locator(f'a[href="{path}"]')


def fill_date(page: Page, label: str, day: datetime.date) -> None:
    """A date field by its label: one ISO box, or GOV.UK's day / month / year boxes in a fieldset."""
    group = page.get_by_role("group", name=label)
    if group.count():
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    else:
        page.get_by_label(label, exact=True).fill(day.isoformat())


def test_lead_edits_a_goal_and_moves_a_due_date_with_a_reason_shown_in_its_history(page, live_server, world):
    new_due = timezone.localdate() + datetime.timedelta(days=30)
    sign_in(page, live_server.url, "sam", world.password)
    page.goto(f"{live_server.url}/cases/{world.case.id}/")
    link(page, f"/goals/{world.goal.id}/edit/").click()
    expect(page.get_by_role("heading", level=1, name="Edit the goal")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("How will we know?").fill("")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("Say how you will measure it.").first).to_be_visible()  # SMART stays required
    assert_accessible(page)
    page.get_by_label("How will we know?").fill("Attendance above 97% over two terms")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("How we will know: Attendance above 97% over two terms")).to_be_visible()

    link(page, f"/milestones/{world.milestone.id}/due-date/").click()
    expect(page.get_by_role("heading", level=1, name="Change the date of the milestone")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "New date", new_due)
    page.get_by_label("Why the date changes").fill("The school is shut for inset days")
    page.get_by_role("button", name="Change the date").click()
    item = page.locator(f"#milestone-{world.milestone.id}")
    expect(item).to_contain_text(f"Due {new_due:%-d %b %Y}")
    item.get_by_text("History").click()
    expect(item).to_contain_text("The school is shut for inset days")
    expect(item).to_contain_text("Date changed")
    assert_accessible(page)

    link(page, f"/milestones/{world.milestone.id}/complete/").click()
    expect(page.get_by_role("heading", level=1, name="Mark this milestone complete?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, mark it complete").click()
    expect(page.get_by_text("You can undo this for 24 hours").first).to_be_visible()
    link(page, f"/milestones/{world.milestone.id}/undo-complete/").click()
    page.get_by_role("button", name="Yes, undo it").click()
    expect(link(page, f"/milestones/{world.milestone.id}/complete/")).to_be_visible()


def test_handover_reaches_the_new_holder_as_a_notification(page, live_server, world):
    sign_in(page, live_server.url, "nia", world.password)
    page.goto(f"{live_server.url}/cases/{world.case.id}/")
    page.wait_for_load_state("networkidle")  # the case page's sections load by htmx after the page
    link(page, f"/milestones/{world.milestone.id}/handover/").click()
    page.wait_for_url(f"**/milestones/{world.milestone.id}/handover/")
    page.get_by_label("Hand over to").select_option(label=f"{world.sam.full_name} – {world.social.name}")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Handed over.")).to_be_visible()
    sign_out(page)

    notices_deliver()  # what the worker's outbox tick does every NOTICE_DELIVERY_SECONDS

    sign_in(page, live_server.url, "sam", world.password)
    page.get_by_role("link", name="Notifications").click()
    row = page.get_by_role("row").filter(has_text="has been handed over to you")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Milestone “{world.milestone.title}”")
    expect(row).to_contain_text(world.case.reference)
    assert_accessible(page)


def _demo_like_world(admin):
    """Grace leads Family Support and oversees the Carter case as its team lead; Tom leads the
    case; Leon (housing, Bea's team) holds a milestone four days late."""
    social = agency_services.agency_create(name="Riverside Children's Social Care", kind="social_care", actor=admin)
    housing = agency_services.agency_create(name="Riverside Homes", kind="housing", actor=admin)
    family = agency_services.team_create(agency=social, name="Family Support", actor=admin)
    tenancy = agency_services.team_create(agency=housing, name="Tenancy Support", actor=admin)

    def prof(username, given, family_name, agency, team, profession):
        return agency_services.professional_create(
            username=username,
            password=PASSWORD,
            given_name=given,
            family_name=family_name,
            agency=agency,
            team=team,
            profession=profession,
            email=f"{username}@example.org",
            actor=admin,
        )

    grace = prof("grace", "Grace", "Adeyemi", social, family, "manager")
    tom = prof("tom", "Tom", "Baker", social, family, "social_worker")
    bea = prof("bea", "Bea", "Lawson", housing, tenancy, "manager")
    leon = prof("leon", "Leon", "Clarke", housing, tenancy, "housing_officer")
    agency_services.team_update(team=family, lead=grace, actor=admin)
    agency_services.team_update(team=tenancy, lead=bea, actor=admin)
    jade = case_services.person_register(given_name="Jade", family_name="Carter", actor=tom.user)
    case = case_services.case_open(title="Carter family", people=[jade], lead=tom, actor=tom.user)
    case_services.assignment_add(case=case, professional=leon, role="key_worker", actor=tom.user)
    case_services.assignment_add(case=case, professional=grace, role="team_lead", actor=tom.user)
    goal = plan_services.goal_add(
        case=case,
        description="The family's rent arrears are under control",
        measure="A repayment plan kept for three months",
        target_date=timezone.localdate() + datetime.timedelta(days=90),
        plain_summary="Your rent is paid and the debt is going down",
        actor=tom.user,
    )
    milestone = plan_services.milestone_add(
        case=case,
        goal=goal,
        title="Benefits and debt advice appointment",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
        accountable=leon,
        actor=tom.user,
    )
    Milestone.objects.filter(pk=milestone.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=4))
    return case, milestone


def test_grace_sees_the_overdue_item_of_another_agency_on_a_case_she_oversees(page, live_server, admin_user):
    case, milestone = _demo_like_world(admin_user)
    reminders_deliver(ids=reminders_scan(enqueue=False).to_deliver)

    sign_in(page, live_server.url, "grace", PASSWORD)
    on_my_cases = page.locator("section", has=page.get_by_role("heading", name="On my cases"))
    row = on_my_cases.get_by_role("row").filter(has_text=milestone.title)
    expect(row).to_contain_text("Leon Clarke")
    expect(row).to_contain_text("Overdue")
    expect(on_my_cases).to_contain_text("1 overdue")
    assert_accessible(page)

    page.get_by_role("link", name="Team", exact=True).click()
    oversee = page.locator("section", has=page.get_by_role("heading", name="On the cases you oversee"))
    expect(oversee).to_contain_text("1 overdue in all")
    expect(oversee.get_by_role("row").filter(has_text=milestone.title)).to_contain_text(case.reference)
    assert_accessible(page)
    sign_out(page)

    # the escalation went to Leon's team lead and to the case's lead professional, in words
    sign_in(page, live_server.url, "tom", PASSWORD)
    page.get_by_role("link", name="Notifications").click()
    row = page.get_by_role("row").filter(has_text="escalated to you")
    expect(row).to_contain_text(f"Milestone “{milestone.title}” is overdue by 3 days or more")
    assert_accessible(page)
