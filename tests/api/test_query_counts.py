"""The case list and case detail API stay within 10 queries, and the count does not
move when the data grows tenfold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import services as agency_services
from cases import services as case_services
from plans import services as plan_services
from tests.api.conftest import days, token_client

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def grow(world, n: int, *, start: int = 0):
    """n more cases led by sam, each about two people, with a colleague, a goal, a milestone
    and a review; returns the last case opened."""
    case = None
    for i in range(start, start + n):
        colleague = agency_services.professional_create(
            username=f"grow{i}",
            password=world.password,
            given_name="Grow",
            family_name=f"Colleague{i}",
            agency=world.health,
            team=world.hteam,
            profession="nurse",
            actor=world.admin,
        )
        people = [
            case_services.person_register(given_name=f"P{i}", family_name=f"Family{i}-{k}", actor=world.sam.user)
            for k in range(2)
        ]
        case = case_services.case_open(title=f"Case {i}", people=people, lead=world.sam, actor=world.sam.user)
        case_services.assignment_add(case=case, professional=colleague, role="contributor", actor=world.sam.user)
        goal = plan_services.goal_add(
            case=case,
            description="Things improve",
            measure="Scale rises by 2",
            target_date=days(60),
            plain_summary="Things get better",
            actor=world.sam.user,
        )
        plan_services.milestone_add(
            case=case, goal=goal, title="Visit", due_date=days(7), accountable=colleague, actor=world.sam.user
        )
        plan_services.review_add(case=case, scheduled_for=days(30), accountable=colleague, actor=world.sam.user)
    return case


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["sam", "hal"])
def test_case_list_api_queries_stay_constant_as_cases_grow_tenfold(world, role, django_assert_max_num_queries):
    client = token_client(getattr(world, role).user)
    grow(world, 3)
    small = count_queries(client, "/api/v1/cases/")
    grow(world, 27, start=3)
    assert client.get("/api/v1/cases/").json()["count"] >= (30 if role == "sam" else 1)
    with django_assert_max_num_queries(MAX_QUERIES):
        large = count_queries(client, "/api/v1/cases/")
    assert large == small
    # The token with its professional, then the page with each case's people (one query;
    # no COUNT while the first page is not full).
    assert small == 2


def test_case_detail_api_queries_stay_constant_as_the_case_grows_tenfold(world, django_assert_max_num_queries):
    client = token_client(world.sam.user)
    grow(world, 2)
    small = count_queries(client, f"/api/v1/cases/{world.case.id}/")
    grow(world, 18, start=2)
    # The case itself grows too: more people (a second case carries them) and more plan.
    for k in range(9):
        plan_services.goal_add(
            case=world.case,
            description=f"Goal {k}",
            measure="Measured",
            target_date=days(90),
            plain_summary="Plain",
            actor=world.sam.user,
        )
    with django_assert_max_num_queries(MAX_QUERIES):
        large = count_queries(client, f"/api/v1/cases/{world.case.id}/")
    assert large == small


def test_case_detail_api_queries_do_not_grow_with_the_people_on_the_case(world, django_assert_max_num_queries):
    client = token_client(world.sam.user)
    few = [case_services.person_register(given_name="A", family_name=f"F{k}", actor=world.sam.user) for k in range(2)]
    many = [case_services.person_register(given_name="B", family_name=f"M{k}", actor=world.sam.user) for k in range(20)]
    small_case = case_services.case_open(title="Small", people=few, lead=world.sam, actor=world.sam.user)
    large_case = case_services.case_open(title="Large", people=many, lead=world.sam, actor=world.sam.user)
    small = count_queries(client, f"/api/v1/cases/{small_case.id}/")
    with django_assert_max_num_queries(MAX_QUERIES):
        large = count_queries(client, f"/api/v1/cases/{large_case.id}/")
    assert large == small
    assert len(client.get(f"/api/v1/cases/{large_case.id}/").json()["people"]) == 20


def test_case_milestones_api_queries_stay_constant_as_milestones_grow_tenfold(world, django_assert_max_num_queries):
    client = token_client(world.nia.user)
    path = f"/api/v1/cases/{world.case.id}/milestones/"

    def add(n):
        for k in range(n):
            plan_services.milestone_add(
                case=world.case,
                goal=world.goal,
                title=f"Step {k}",
                due_date=days(10 + k),
                accountable=world.nia,
                actor=world.sam.user,
            )

    add(2)
    small = count_queries(client, path)
    add(27)
    with django_assert_max_num_queries(MAX_QUERIES):
        large = count_queries(client, path)
    assert large == small
