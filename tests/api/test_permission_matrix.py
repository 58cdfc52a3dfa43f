"""The API permission matrix, in data: relationship to the case × endpoint × method -> status,
and for lists, the ids each caller gets back == exactly the entitled set.

Relationships (see tests/api/conftest.py): sam lead professional; nia contributor (and
accountable for the world's milestone); sue on the case as team_lead (and leads sam's team);
hal leads nia's team but holds no assignment; ivy works with nia, not on the case; oz outsider;
ada agency admin of health, on no case; admin is a superuser; maya the service user; anon no token.

Every request runs in a savepoint that is rolled back, so each role meets the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from tests.api.conftest import ROLES, days

pytestmark = pytest.mark.django_db


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """A status for every role: `default`, except the named roles; maya is a service user
    (404 on professional endpoints: they do not exist for a portal account, issue 12) and
    anon gets 401 unless overridden."""
    table = dict.fromkeys(ROLES, default)
    table.update({"maya": 404, "anon": 401})
    table.update(overrides)
    return table


# Who sees the world's case and what they may do there.
CASE_VIEW = statuses(404, sam=200, nia=200, sue=200, hal=200)
CASE_MANAGE_WRITE = statuses(404, sam=201, sue=201, hal=201, nia=403)
CASE_MANAGE_EDIT = statuses(404, sam=200, sue=200, hal=200, nia=403)
DIRECTORY_READ = statuses(200)
HEALTH_ADMIN_EDIT = statuses(403, admin=200, ada=200)
HEALTH_ADMIN_CREATE = statuses(403, admin=201, ada=201)


@dataclass
class Row:
    name: str
    method: str
    path: Callable[[Any], str]
    expected: dict[str, int]
    body: Callable[[Any], dict] | None = None


def _goal(s):
    return {
        "description": "Maya reads at her age level",
        "measure": "Reading assessment at expected level",
        "target_date": days(120).isoformat(),
        "plain_summary": "Maya enjoys reading",
    }


def _milestone(s):
    return {
        "goal": str(s.goal.id),
        "title": "Reading check",
        "due_date": days(30).isoformat(),
        "accountable": str(s.nia.id),
    }


def _professional(agency_attr: str, team_attr: str):
    def body(s):
        return {
            "username": "newpro",
            "password": "An0ther-strong-phrase",
            "given_name": "New",
            "family_name": "Person",
            "agency": str(getattr(s, agency_attr).id),
            "team": str(getattr(s, team_attr).id),
            "profession": "nurse",
        }

    return body


ROWS = [
    Row("me", "get", lambda s: "/api/v1/me/", statuses(200, maya=200)),
    # cases
    Row("case list", "get", lambda s: "/api/v1/cases/", statuses(200)),
    Row(
        "case open with a person I can see",
        "post",
        lambda s: "/api/v1/cases/",
        statuses(400, sam=201, nia=201, sue=201, hal=201),
        lambda s: {"title": "New case", "people": [str(s.maya.id)], "lead_professional": str(s.sam.id)},
    ),
    Row("case detail", "get", lambda s: f"/api/v1/cases/{s.case.id}/", CASE_VIEW),
    Row("case detail, unknown id", "get", lambda s: f"/api/v1/cases/{s.goal.id}/", statuses(404)),
    Row("case detail, malformed id", "get", lambda s: "/api/v1/cases/not-a-uuid/", statuses(404)),
    Row(
        "case rename",
        "patch",
        lambda s: f"/api/v1/cases/{s.case.id}/",
        CASE_MANAGE_EDIT,
        lambda s: {"title": "Renamed"},
    ),
    # the case team
    Row("assignment list", "get", lambda s: f"/api/v1/cases/{s.case.id}/assignments/", CASE_VIEW),
    Row(
        "assignment add",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/assignments/",
        CASE_MANAGE_WRITE,
        lambda s: {"professional": str(s.ivy.id), "role": "contributor"},
    ),
    # the plan
    Row("goal list", "get", lambda s: f"/api/v1/cases/{s.case.id}/goals/", CASE_VIEW),
    Row("goal add", "post", lambda s: f"/api/v1/cases/{s.case.id}/goals/", CASE_MANAGE_WRITE, _goal),
    Row("milestone list", "get", lambda s: f"/api/v1/cases/{s.case.id}/milestones/", CASE_VIEW),
    Row("milestone add", "post", lambda s: f"/api/v1/cases/{s.case.id}/milestones/", CASE_MANAGE_WRITE, _milestone),
    Row("review list", "get", lambda s: f"/api/v1/cases/{s.case.id}/reviews/", CASE_VIEW),
    Row(
        "review add",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/reviews/",
        CASE_MANAGE_WRITE,
        lambda s: {"scheduled_for": days(40).isoformat(), "accountable": str(s.sue.id)},
    ),
    Row("milestone detail", "get", lambda s: f"/api/v1/milestones/{s.milestone.id}/", CASE_VIEW),
    Row("milestone detail, malformed id", "get", lambda s: "/api/v1/milestones/42/", statuses(404)),
    Row(
        "milestone handover by its accountable person or a manager",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        statuses(404, sam=200, nia=200, sue=200, hal=200),
        lambda s: {"accountable": str(s.sue.id)},
    ),
    Row(
        "milestone handover by a contributor who is not accountable",
        "patch",
        lambda s: f"/api/v1/milestones/{s.sue_milestone.id}/",
        CASE_MANAGE_EDIT,
        lambda s: {"accountable": str(s.nia.id)},
    ),
    Row(
        "milestone completed by status, accountable person",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        statuses(404, sam=200, nia=200, sue=200, hal=200),
        lambda s: {"status": "completed"},
    ),
    Row(
        "milestone cancelled (managers only)",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        CASE_MANAGE_EDIT,
        lambda s: {"status": "cancelled"},
    ),
    Row(
        "milestone complete, accountable person",
        "post",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/complete/",
        statuses(404, sam=200, nia=200, sue=200, hal=200),
    ),
    Row(
        "milestone complete, someone else's",
        "post",
        lambda s: f"/api/v1/milestones/{s.sue_milestone.id}/complete/",
        CASE_MANAGE_EDIT,
    ),
    Row("goal detail", "get", lambda s: f"/api/v1/goals/{s.goal.id}/", CASE_VIEW),
    Row(
        "goal edit (managers)",
        "patch",
        lambda s: f"/api/v1/goals/{s.goal.id}/",
        CASE_MANAGE_EDIT,
        lambda s: {"measure": "Attendance above 97%"},
    ),
    Row(
        "milestone date moved with a reason, accountable person or a manager",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        statuses(404, sam=200, nia=200, sue=200, hal=200),
        lambda s: {"due_date": days(25).isoformat(), "reason": "The school asked for later"},
    ),
    Row(
        "milestone date moved by a contributor who is not accountable",
        "patch",
        lambda s: f"/api/v1/milestones/{s.sue_milestone.id}/",
        CASE_MANAGE_EDIT,
        lambda s: {"due_date": days(25).isoformat(), "reason": "The school asked for later"},
    ),
    # people
    Row("people list", "get", lambda s: "/api/v1/people/", statuses(200)),
    Row(
        "person register",
        "post",
        lambda s: "/api/v1/people/",
        statuses(201, admin=403),
        lambda s: {"given_name": "Zara", "family_name": "Khan", "date_of_birth": "2019-01-02"},
    ),
    Row("person detail", "get", lambda s: f"/api/v1/people/{s.maya.id}/", CASE_VIEW),
    Row(
        "person edit",
        "patch",
        lambda s: f"/api/v1/people/{s.maya.id}/",
        CASE_VIEW,
        lambda s: {"interpreter_needed": True},
    ),
    Row(
        "portal account by the lead professional or an admin",
        "post",
        lambda s: f"/api/v1/people/{s.ben.id}/portal-account/",
        statuses(404, sam=201, admin=201, sue=403),
        lambda s: {"username": "ben.adeyemi", "password": "Ben-portal-pass-2026"},
    ),
    # the directory
    Row("agency list", "get", lambda s: "/api/v1/agencies/", DIRECTORY_READ),
    Row("agency detail", "get", lambda s: f"/api/v1/agencies/{s.health.id}/", DIRECTORY_READ),
    Row(
        "agency create (admins only)",
        "post",
        lambda s: "/api/v1/agencies/",
        statuses(403, admin=201),
        lambda s: {"name": "Northvale Housing", "kind": "housing"},
    ),
    Row(
        "agency edit by admin or its agency admin",
        "patch",
        lambda s: f"/api/v1/agencies/{s.health.id}/",
        HEALTH_ADMIN_EDIT,
        lambda s: {"information_governance_lead": str(s.hal.id)},
    ),
    Row(
        "agency edit of another agency",
        "patch",
        lambda s: f"/api/v1/agencies/{s.social.id}/",
        statuses(403, admin=200),
        lambda s: {"name": "Northvale Family Services"},
    ),
    Row("team list", "get", lambda s: "/api/v1/teams/", DIRECTORY_READ),
    Row("team detail", "get", lambda s: f"/api/v1/teams/{s.hteam.id}/", DIRECTORY_READ),
    Row(
        "team create in own agency",
        "post",
        lambda s: "/api/v1/teams/",
        HEALTH_ADMIN_CREATE,
        lambda s: {"name": "School nursing", "agency": str(s.health.id)},
    ),
    Row(
        "team create in another agency",
        "post",
        lambda s: "/api/v1/teams/",
        statuses(403, admin=201),
        lambda s: {"name": "Early help", "agency": str(s.social.id)},
    ),
    Row(
        "team edit",
        "patch",
        lambda s: f"/api/v1/teams/{s.hteam.id}/",
        HEALTH_ADMIN_EDIT,
        lambda s: {"lead": str(s.ivy.id)},
    ),
    Row("professional list", "get", lambda s: "/api/v1/professionals/", DIRECTORY_READ),
    Row("professional detail", "get", lambda s: f"/api/v1/professionals/{s.nia.id}/", DIRECTORY_READ),
    Row(
        "professional create in own agency",
        "post",
        lambda s: "/api/v1/professionals/",
        HEALTH_ADMIN_CREATE,
        _professional("health", "hteam"),
    ),
    Row(
        "professional create in another agency",
        "post",
        lambda s: "/api/v1/professionals/",
        statuses(403, admin=201),
        _professional("social", "steam"),
    ),
    Row(
        "professional edit",
        "patch",
        lambda s: f"/api/v1/professionals/{s.nia.id}/",
        HEALTH_ADMIN_EDIT,
        lambda s: {"profession": "nurse"},
    ),
]


def _call(client, row: Row, s) -> int:
    kwargs = {"format": "json"}
    if row.body is not None:
        kwargs["data"] = row.body(s)
    elif row.method != "get":
        kwargs["data"] = {}
    with transaction.atomic():
        status = getattr(client, row.method)(row.path(s), **kwargs).status_code
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_each_role_gets_the_status_its_relationship_allows(row, scene, client_as):
    got = {role: _call(client_as(role), row, scene) for role in ROLES}
    assert got == row.expected


# --- Lists answer exactly the entitled set ---------------------------------------

NOBODY = {"ivy", "oz", "ada", "admin"}


def _ids(*attrs):
    return lambda s: {str(getattr(s, a).id) for a in attrs}


LIST_ROWS = [
    (
        "cases",
        lambda s: "/api/v1/cases/",
        {
            "sam": _ids("case", "case2"),
            "nia": _ids("case"),
            "sue": _ids("case", "case2"),
            "hal": _ids("case"),
            **{r: _ids() for r in NOBODY},
        },
    ),
    (
        "people",
        lambda s: "/api/v1/people/",
        {
            "sam": _ids("maya", "ben"),
            "nia": _ids("maya"),
            "sue": _ids("maya", "ben"),
            "hal": _ids("maya"),
            **{r: _ids() for r in NOBODY},
        },
    ),
    (
        "case milestones",
        lambda s: f"/api/v1/cases/{s.case.id}/milestones/",
        {r: _ids("milestone", "sue_milestone") for r in ("sam", "nia", "sue", "hal")},
    ),
    (
        "case goals",
        lambda s: f"/api/v1/cases/{s.case.id}/goals/",
        {r: _ids("goal") for r in ("sam", "nia", "sue", "hal")},
    ),
    (
        "case reviews",
        lambda s: f"/api/v1/cases/{s.case.id}/reviews/",
        {r: _ids("review") for r in ("sam", "nia", "sue", "hal")},
    ),
    (
        "agencies",
        lambda s: "/api/v1/agencies/",
        {r: _ids("health", "social") for r in ("sam", "nia", "sue", "hal", "ivy", "oz", "ada", "admin")},
    ),
    (
        "teams",
        lambda s: "/api/v1/teams/",
        {r: _ids("hteam", "steam") for r in ("sam", "nia", "sue", "hal", "ivy", "oz", "ada", "admin")},
    ),
    (
        "professionals",
        lambda s: "/api/v1/professionals/",
        {
            r: _ids("sam", "nia", "sue", "hal", "ivy", "oz", "ada")
            for r in ("sam", "nia", "sue", "hal", "ivy", "oz", "ada", "admin")
        },
    ),
]


def _all_ids(client, path: str) -> set[str]:
    ids: list[str] = []
    url: str | None = path
    while url:
        response = client.get(url)
        assert response.status_code == 200, (path, response.status_code)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        ids += [item["id"] for item in body["results"]]
        url = body["next"]
    assert len(ids) == len(set(ids))
    return set(ids)


@pytest.mark.parametrize("name,path,entitled", LIST_ROWS, ids=[r[0] for r in LIST_ROWS])
def test_list_returns_exactly_the_entitled_ids(name, path, entitled, scene, client_as):
    got = {role: _all_ids(client_as(role), path(scene)) for role in entitled}
    assert got == {role: ids(scene) for role, ids in entitled.items()}


def test_team_assignments_list_the_active_case_team(scene, client_as):
    body = client_as("nia").get(f"/api/v1/cases/{scene.case.id}/assignments/").json()
    team = {(a["professional"], a["role"]) for a in body["results"]}
    assert team == {
        (str(scene.sam.id), "lead_professional"),
        (str(scene.nia.id), "contributor"),
        (str(scene.sue.id), "team_lead"),
    }


@pytest.mark.parametrize(
    "role,kind,has_professional,has_person",
    [
        ("sam", "professional", True, False),
        ("admin", "admin", False, False),
        ("maya", "service_user", False, True),
    ],
)
def test_me_tells_who_the_caller_is(role, kind, has_professional, has_person, scene, client_as):
    body = client_as(role).get("/api/v1/me/").json()
    assert body["kind"] == kind
    assert (body["professional"] is not None) == has_professional
    assert (body["person"] is not None) == has_person
    if role == "sam":
        assert body["professional"] == str(scene.sam.id)
        assert body["agency"] == str(scene.social.id)
    if role == "maya":
        assert body["person"] == str(scene.maya.id)
        assert body["agency"] is None
