"""The Team page's caseloads (issue 11): each member's open cases, items and overdue items,
with a drill-down to that member's items, for the lead of their team only; the page's
query count does not grow with the team."""

import datetime

import pytest
from django.utils import timezone

from agencies import services as agency_services
from cases import services as case_services
from plans import services as plan_services
from plans.models import Milestone


def _row(html, name):
    body = html.split('id="members-caption"')[1].split("</tbody>")[0]
    row = next(r for r in body.split("<tr>") if name in r)
    return [cell.split("</td>")[0].strip() for cell in row.split('<td class="ju-numeric">')[1:]]


def _count(cell):
    return int(
        cell.replace('<span class="ju-count ju-count--overdue">', "")
        .replace('<span class="ju-count">', "")
        .split("<")[0]
    )


def test_each_member_shows_open_cases_items_and_overdue(world, client):
    Milestone.objects.filter(pk=world.milestone.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=4))
    client.force_login(world.hal.user)
    html = client.get("/team/").content.decode()
    assert [_count(c) for c in _row(html, "Nia Tester")] == [1, 1, 1, 0]  # cases, items, overdue, this week
    assert [_count(c) for c in _row(html, "Ivy Tester")] == [0, 0, 0, 0]
    client.force_login(world.sue.user)
    html = client.get("/team/").content.decode()
    assert [_count(c) for c in _row(html, "Sam Tester")] == [1, 0, 0, 0]
    assert [_count(c) for c in _row(html, "Sue Tester")] == [1, 1, 0, 0]  # the review in 60 days
    caseloads = html[html.index("Caseloads") :]
    caseloads = caseloads[: caseloads.find("<h2", 10)] if "<h2" in caseloads[10:] else caseloads
    assert "Nia Tester" not in caseloads  # another team's member has no caseload row here
    # (her overdue item on a case Sue oversees is listed under the cases she oversees: issue 11)


def test_a_closed_case_and_a_completed_item_leave_the_caseload(world, client):
    plan_services.milestone_complete(milestone=world.milestone, actor=world.nia.user)
    client.force_login(world.hal.user)
    assert [_count(c) for c in _row(client.get("/team/").content.decode(), "Nia Tester")] == [1, 0, 0, 0]


def test_the_lead_drills_down_to_a_members_items(world, client):
    client.force_login(world.hal.user)
    html = client.get("/team/").content.decode()
    assert f'href="/team/{world.nia.id}/"' in html
    page = client.get(f"/team/{world.nia.id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nia Tester: items" in body and "Meet the school" in body and world.case.reference in body


@pytest.mark.parametrize(
    ("viewer", "member", "status"),
    [
        ("hal", "sam", 404),  # another team's member
        ("sue", "nia", 404),
        ("hal", "not-a-uuid", 404),
        ("nia", "nia", 403),  # not a team lead
        ("sue", "sam", 200),
    ],
)
def test_only_the_lead_of_the_members_team_sees_their_items(world, client, viewer, member, status):
    client.force_login(getattr(world, viewer).user)
    member_id = getattr(world, member).id if hasattr(world, member) else member
    assert client.get(f"/team/{member_id}/").status_code == status


def test_items_on_cases_the_lead_cannot_see_are_left_out(world, client, monkeypatch):
    """A kind of item whose holder need not be on the case team (registered by a later app)
    may sit on a case the member's team lead cannot see: the drill-down leaves it out."""
    from accountability.registry import WorkItem
    from workspace import views

    other = case_services.case_open(title="Another family", people=[world.maya], lead=world.sam, actor=world.sam.user)
    due = timezone.localdate() + datetime.timedelta(days=2)

    def items(*, professional):
        return [
            WorkItem(
                "thing", "Thing", other.id, "Hidden thing", due, other.id, other.reference, other.title, "/", "due_soon"
            ),
            WorkItem(
                "thing",
                "Thing",
                world.case.id,
                "Seen thing",
                due,
                world.case.id,
                world.case.reference,
                "",
                "/",
                "due_soon",
            ),
        ]

    monkeypatch.setattr(views, "work_items_for", items)
    client.force_login(world.hal.user)
    body = client.get(f"/team/{world.ivy.id}/").content.decode()
    assert "Seen thing" in body
    assert "Hidden thing" not in body and other.reference not in body and "Another family" not in body


def _grow(world, n):
    for i in range(n):
        member = agency_services.professional_create(
            username=f"member{n}x{i}",
            password=world.password,
            given_name=f"Member{i}",
            family_name="Grown",
            agency=world.health,
            team=world.hteam,
            profession="nurse",
            actor=world.admin,
        )
        case = case_services.case_open(title=f"Case {i}", people=[world.maya], lead=world.sam, actor=world.sam.user)
        case_services.assignment_add(case=case, professional=member, role="key_worker", actor=world.sam.user)
        goal = plan_services.goal_add(
            case=case,
            description="A goal",
            measure="A measure",
            target_date=timezone.localdate() + datetime.timedelta(days=30),
            plain_summary="A goal",
            actor=world.sam.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=goal,
            title=f"Step {i}",
            due_date=timezone.localdate() + datetime.timedelta(days=3),
            accountable=member,
            plain_summary="A step",
            actor=world.sam.user,
        )
        plan_services.review_add(
            case=case,
            scheduled_for=timezone.localdate() + datetime.timedelta(days=5),
            accountable=member,
            actor=world.sam.user,
        )


def test_the_team_page_query_count_is_constant_in_the_team_size(world, client, django_assert_max_num_queries):
    client.force_login(world.hal.user)
    _grow(world, 1)
    with django_assert_max_num_queries(14) as small:
        assert client.get("/team/").status_code == 200
    _grow(world, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/team/").content.decode()
    assert html.count("Grown") >= 11
