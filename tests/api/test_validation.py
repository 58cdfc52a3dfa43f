"""Bad input answers 400 with a message under the offending field and changes nothing.
No input produces a 500."""

from __future__ import annotations

import pytest

from agencies.models import Agency, Professional, Team
from audit.models import AuditEvent
from cases.models import Case, Person, RoleAssignment
from plans.models import Goal, Handover, Milestone, Review
from tests.api.conftest import days

pytestmark = pytest.mark.django_db

UNKNOWN = "6f1c1f0e-8a47-4f8e-9a43-0d4b7c1e2a11"


def goal_body(**changes):
    body = {
        "description": "Maya reads at her age level",
        "measure": "Reading assessment at expected level",
        "target_date": days(120).isoformat(),
        "plain_summary": "Maya enjoys reading",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def milestone_body(s, **changes):
    body = {
        "goal": str(s.goal.id),
        "title": "Reading check",
        "due_date": days(30).isoformat(),
        "accountable": str(s.nia.id),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def case_body(s, **changes):
    body = {"title": "New case", "people": [str(s.maya.id)], "lead_professional": str(s.sam.id)}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def professional_body(s, **changes):
    body = {
        "username": "newpro",
        "password": "An0ther-strong-phrase",
        "given_name": "New",
        "family_name": "Person",
        "agency": str(s.health.id),
        "team": str(s.hteam.id),
        "profession": "nurse",
    }
    body.update(changes)
    return body


GOALS = lambda s: f"/api/v1/cases/{s.case.id}/goals/"  # noqa: E731
MILESTONES = lambda s: f"/api/v1/cases/{s.case.id}/milestones/"  # noqa: E731

# (name, role, method, path, body, field expected in the 400 answer)
CASES = [
    ("goal without a measure", "sam", "post", GOALS, lambda s: goal_body(measure=...), "measure"),
    ("goal with a blank measure", "sam", "post", GOALS, lambda s: goal_body(measure="  "), "measure"),
    ("goal without a target date", "sam", "post", GOALS, lambda s: goal_body(target_date=...), "target_date"),
    (
        "goal with an impossible date",
        "sam",
        "post",
        GOALS,
        lambda s: goal_body(target_date="2027-02-30"),
        "target_date",
    ),
    (
        "goal with a date in the past",
        "sam",
        "post",
        GOALS,
        lambda s: goal_body(target_date=days(-1).isoformat()),
        "target_date",
    ),
    ("goal without a plain summary", "sam", "post", GOALS, lambda s: goal_body(plain_summary=...), "plain_summary"),
    ("goal body that is not an object", "sam", "post", GOALS, lambda s: ["measure"], "non_field_errors"),
    (
        "milestone for someone not on the case team",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, accountable=str(s.oz.id)),
        "accountable",
    ),
    (
        "milestone for an unknown professional",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, accountable=UNKNOWN),
        "accountable",
    ),
    (
        "milestone for a malformed professional id",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, accountable="abc"),
        "accountable",
    ),
    (
        "milestone without anyone accountable",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, accountable=None),
        "accountable",
    ),
    ("milestone under an unknown goal", "sam", "post", MILESTONES, lambda s: milestone_body(s, goal=UNKNOWN), "goal"),
    ("milestone under a malformed goal id", "sam", "post", MILESTONES, lambda s: milestone_body(s, goal="x1"), "goal"),
    (
        "milestone with a non-ISO date",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, due_date="31/12/2026"),
        "due_date",
    ),
    (
        "milestone due in the past",
        "sam",
        "post",
        MILESTONES,
        lambda s: milestone_body(s, due_date=days(-3).isoformat()),
        "due_date",
    ),
    ("milestone without a title", "sam", "post", MILESTONES, lambda s: milestone_body(s, title=""), "title"),
    (
        "review for someone not on the case team",
        "sam",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/reviews/",
        lambda s: {"scheduled_for": days(20).isoformat(), "accountable": str(s.ivy.id)},
        "accountable",
    ),
    (
        "review with an impossible date",
        "sam",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/reviews/",
        lambda s: {"scheduled_for": "2026-13-01", "accountable": str(s.sue.id)},
        "scheduled_for",
    ),
    (
        "assignment with an unknown role",
        "sam",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/assignments/",
        lambda s: {"professional": str(s.ivy.id), "role": "boss"},
        "role",
    ),
    (
        "assignment of an unknown professional",
        "sam",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/assignments/",
        lambda s: {"professional": UNKNOWN, "role": "contributor"},
        "professional",
    ),
    (
        "assignment of someone already in that role",
        "sam",
        "post",
        lambda s: f"/api/v1/cases/{s.case.id}/assignments/",
        lambda s: {"professional": str(s.nia.id), "role": "contributor"},
        "professional",
    ),
    (
        "case without a lead professional",
        "sam",
        "post",
        lambda s: "/api/v1/cases/",
        lambda s: case_body(s, lead_professional=...),
        "lead_professional",
    ),
    (
        "case about an unknown person",
        "sam",
        "post",
        lambda s: "/api/v1/cases/",
        lambda s: case_body(s, people=[UNKNOWN]),
        "people",
    ),
    ("case about nobody", "sam", "post", lambda s: "/api/v1/cases/", lambda s: case_body(s, people=[]), "people"),
    (
        "case with people not a list",
        "sam",
        "post",
        lambda s: "/api/v1/cases/",
        lambda s: case_body(s, people="maya"),
        "people",
    ),
    ("case without a title", "sam", "post", lambda s: "/api/v1/cases/", lambda s: case_body(s, title=""), "title"),
    (
        "case closed without a reason",
        "sam",
        "patch",
        lambda s: f"/api/v1/cases/{s.case.id}/",
        lambda s: {"status": "closed"},
        "closure_reason",
    ),
    (
        "case closed with too short a reason",
        "sam",
        "patch",
        lambda s: f"/api/v1/cases/{s.case.id}/",
        lambda s: {"status": "closed", "closure_reason": "done"},
        "closure_reason",
    ),
    (
        "person born in the future",
        "sam",
        "post",
        lambda s: "/api/v1/people/",
        lambda s: {"given_name": "A", "family_name": "B", "date_of_birth": days(3).isoformat()},
        "date_of_birth",
    ),
    (
        "person with a language that is not a BCP 47 tag",
        "sam",
        "post",
        lambda s: "/api/v1/people/",
        lambda s: {"given_name": "A", "family_name": "B", "preferred_language": "english please"},
        "preferred_language",
    ),
    (
        "person without a family name",
        "sam",
        "post",
        lambda s: "/api/v1/people/",
        lambda s: {"given_name": "A"},
        "family_name",
    ),
    (
        "milestone handed to someone not on the team",
        "sam",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        lambda s: {"accountable": str(s.oz.id)},
        "accountable",
    ),
    (
        "milestone handed to its accountable person",
        "sam",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        lambda s: {"accountable": str(s.nia.id)},
        "accountable",
    ),
    (
        "milestone with an unknown status",
        "sam",
        "patch",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        lambda s: {"status": "finished"},
        "status",
    ),
    (
        "portal account for someone who has one",
        "sam",
        "post",
        lambda s: f"/api/v1/people/{s.maya.id}/portal-account/",
        lambda s: {"username": "maya2", "password": "An0ther-strong-phrase"},
        "username",
    ),
    (
        "portal account with a weak password",
        "sam",
        "post",
        lambda s: f"/api/v1/people/{s.ben.id}/portal-account/",
        lambda s: {"username": "ben", "password": "123"},
        "password",
    ),
    (
        "agency of an unknown kind",
        "admin",
        "post",
        lambda s: "/api/v1/agencies/",
        lambda s: {"name": "X", "kind": "bank"},
        "kind",
    ),
    (
        "agency with a name already used",
        "admin",
        "post",
        lambda s: "/api/v1/agencies/",
        lambda s: {"name": s.health.name.upper(), "kind": "health"},
        "name",
    ),
    (
        "information-governance lead from another agency",
        "admin",
        "patch",
        lambda s: f"/api/v1/agencies/{s.health.id}/",
        lambda s: {"information_governance_lead": str(s.sam.id)},
        "information_governance_lead",
    ),
    (
        "team led by someone of another agency",
        "admin",
        "post",
        lambda s: "/api/v1/teams/",
        lambda s: {"name": "School nursing", "agency": str(s.health.id), "lead": str(s.sam.id)},
        "lead",
    ),
    (
        "team of an unknown agency",
        "admin",
        "post",
        lambda s: "/api/v1/teams/",
        lambda s: {"name": "School nursing", "agency": UNKNOWN},
        "agency",
    ),
    (
        "professional with a weak password",
        "admin",
        "post",
        lambda s: "/api/v1/professionals/",
        lambda s: professional_body(s, password="password"),
        "password",
    ),
    (
        "professional with a username already taken",
        "admin",
        "post",
        lambda s: "/api/v1/professionals/",
        lambda s: professional_body(s, username="NIA"),
        "username",
    ),
    (
        "professional in a team of another agency",
        "admin",
        "post",
        lambda s: "/api/v1/professionals/",
        lambda s: professional_body(s, team=str(s.steam.id)),
        "team",
    ),
    (
        "professional of an unknown profession",
        "admin",
        "post",
        lambda s: "/api/v1/professionals/",
        lambda s: professional_body(s, profession="wizard"),
        "profession",
    ),
]

COUNTED = [Agency, Team, Professional, Person, Case, RoleAssignment, Goal, Milestone, Review, Handover, AuditEvent]


def snapshot():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.parametrize("name,role,method,path,body,field", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(name, role, method, path, body, field, scene, client_as):
    client = client_as(role)
    before = snapshot()
    response = getattr(client, method)(path(scene), body(scene), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert response.json()[field], "the field carries a message"
    assert snapshot() == before


def test_milestone_edits_do_not_change_anything_when_one_part_fails(scene, client_as):
    """A handover together with a bad due date: neither happens."""
    response = client_as("sam").patch(
        f"/api/v1/milestones/{scene.milestone.id}/",
        {"accountable": str(scene.sue.id), "due_date": days(-5).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()
    scene.milestone.refresh_from_db()
    assert scene.milestone.accountable_id == scene.nia.id
    assert not Handover.objects.exists()


def test_completing_a_milestone_twice_is_a_400(scene, client_as):
    client = client_as("nia")
    assert client.post(f"/api/v1/milestones/{scene.milestone.id}/complete/").status_code == 200
    again = client.post(f"/api/v1/milestones/{scene.milestone.id}/complete/")
    assert again.status_code == 400
    assert "status" in again.json()


def test_malformed_json_is_a_400(scene, client_as):
    response = client_as("sam").generic(
        "POST", f"/api/v1/cases/{scene.case.id}/goals/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert not Goal.objects.exclude(pk=scene.goal.pk).exists()
