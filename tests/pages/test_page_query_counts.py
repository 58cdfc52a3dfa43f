"""My work, the case list and the case page cost at most 13 queries, and the
same number when the data grows tenfold (nothing is loaded per row). 13: the page's own reads
(the case page now carries the meetings' section too) plus three per request for signing in
(the session, the user, the verified second factor)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from plans import services as plan_services
from tests.factories import ProfessionalFactory

MAX_QUERIES = 13


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _grow(world, n):
    """Add n of everything each page lists: team members, people, goals,
    milestones (some overdue), reviews on the world's case; and n more cases
    that sam leads and nia and hal's team work on."""
    sam = world.sam.user
    for i in range(n):
        colleague = ProfessionalFactory(agency=world.health, team=world.hteam)
        case_services.assignment_add(case=world.case, professional=colleague, role="contributor", actor=sam)
        person = case_services.person_register(given_name=f"Child{i}", family_name="Okafor", actor=sam)
        world.case.people.add(person)
        goal = plan_services.goal_add(
            case=world.case,
            description=f"Goal {i}",
            measure="Measured",
            target_date=_days(100),
            plain_summary="Plain",
            actor=sam,
        )
        for accountable, due in ((world.nia, i % 10), (colleague, 20 + i)):
            plan_services.milestone_add(
                case=world.case, goal=goal, title=f"Step {i}", due_date=_days(due), accountable=accountable, actor=sam
            )
        plan_services.review_add(case=world.case, scheduled_for=_days(30 + i), accountable=world.sam, actor=sam)
        other = case_services.case_open(title=f"Case {i}", people=[person, world.maya], lead=world.sam, actor=sam)
        case_services.assignment_add(case=other, professional=world.nia, role="contributor", actor=sam)
        other_goal = plan_services.goal_add(
            case=other, description="G", measure="M", target_date=_days(50), plain_summary="P", actor=sam
        )
        plan_services.milestone_add(
            case=other, goal=other_goal, title="M", due_date=_days(i % 12), accountable=world.nia, actor=sam
        )
        plan_services.review_add(case=other, scheduled_for=_days(i + 3), accountable=world.nia, actor=sam)
    # some items overdue, as in real life: move due dates into the past directly
    world.case.milestones.filter(title="Step 0").update(due_date=_days(-3))


PAGES = [
    ("my_work", "nia", lambda w: reverse("workspace:my_work")),
    ("my_work", "sam", lambda w: reverse("workspace:my_work")),
    ("case_list", "sam", lambda w: reverse("cases:case_list")),
    ("case_list", "hal", lambda w: reverse("cases:case_list") + "?status=open&q=case"),
    ("case", "sam", lambda w: reverse("cases:case_detail", args=[w.case.id])),
    ("case", "nia", lambda w: reverse("cases:case_detail", args=[w.case.id])),
    ("case", "hal", lambda w: reverse("cases:case_detail", args=[w.case.id])),
    ("case_family", "sam", lambda w: reverse("cases:case_family", args=[w.case.id])),
    ("case_family", "nia", lambda w: reverse("cases:case_family", args=[w.case.id])),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("page", "user", "url"), PAGES, ids=[f"{p}-{u}" for p, u, _ in PAGES])
def test_page_query_count_is_small_and_constant_when_data_grows_tenfold(
    world, login, django_assert_max_num_queries, page, user, url
):
    client = login(user)
    _grow(world, 2)
    small = _count(client, url(world))
    _grow(world, 18)  # 2 -> 20 of everything
    large = _count(client, url(world))
    assert large == small
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url(world))
