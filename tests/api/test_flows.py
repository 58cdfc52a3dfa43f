"""What another agency's system does through the API, end to end: the writes land
through the services (audited, handovers recorded) and read back in the contract's shapes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from agencies.accounts import recovery_codes_issue
from audit.models import AuditEvent
from cases import services as case_services
from plans.models import Handover, Milestone
from tests.api.conftest import days

pytestmark = pytest.mark.django_db


def test_opening_a_case_answers_its_id_and_reference_and_puts_the_lead_on_the_team(scene, client_as):
    client = client_as("sam")
    response = client.post(
        "/api/v1/cases/",
        {"title": "Okafor school transition", "people": [str(scene.maya.id)], "lead_professional": str(scene.sam.id)},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"C-\d{4}-\d{5}", body["reference"])
    assert body["people"] == [str(scene.maya.id)]
    assert body["lead_professional"] == str(scene.sam.id)
    team = client.get(f"/api/v1/cases/{body['id']}/assignments/").json()["results"]
    assert [(a["professional"], a["role"]) for a in team] == [(str(scene.sam.id), "lead_professional")]
    assert body["id"] in {c["id"] for c in client.get("/api/v1/cases/").json()["results"]}


def test_patching_accountable_hands_the_milestone_over_and_records_who_did_it(scene, client_as):
    response = client_as("sam").patch(
        f"/api/v1/milestones/{scene.milestone.id}/", {"accountable": str(scene.sue.id)}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["accountable"] == str(scene.sue.id)
    handover = Handover.objects.get(subject_id=scene.milestone.id)
    assert (handover.from_professional, handover.to_professional, handover.handed_over_by) == (
        scene.nia,
        scene.sue,
        scene.sam,
    )
    assert AuditEvent.objects.filter(action="cases.milestone.handed_over", subject_id=scene.milestone.id).exists()


def test_accountable_person_completes_their_milestone(scene, client_as):
    response = client_as("nia").post(f"/api/v1/milestones/{scene.milestone.id}/complete/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["completed_by"] == str(scene.nia.id)
    assert body["completed_at"]


def test_patching_status_completes_through_the_one_complete_service_and_reopens(scene, client_as):
    done = client_as("nia").patch(f"/api/v1/milestones/{scene.milestone.id}/", {"status": "completed"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    reopened = client_as("sam").patch(f"/api/v1/milestones/{scene.milestone.id}/", {"status": "open"}, format="json")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.json()["completed_at"] is None
    # One path completes a milestone (POST .../complete/ and PATCH status both audit it as completed).
    assert AuditEvent.objects.filter(action="cases.milestone.completed", subject_id=scene.milestone.id).count() == 1
    # Reopened within 24 hours of completing: the completion is undone (issue 11), audited as such.
    assert (
        AuditEvent.objects.filter(action="cases.milestone.completion_undone", subject_id=scene.milestone.id).count()
        == 1
    )


def test_manager_edits_milestone_title_and_due_date_with_a_reason_kept_in_its_history(scene, client_as):
    url = f"/api/v1/milestones/{scene.milestone.id}/"
    refused = client_as("sue").patch(url, {"due_date": days(20).isoformat()}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    response = client_as("sue").patch(
        url,
        {"title": "Meet the head teacher", "due_date": days(20).isoformat(), "reason": "School closed that week"},
        format="json",
    )
    assert response.status_code == 200
    milestone = Milestone.objects.get(pk=scene.milestone.id)
    assert (milestone.title, milestone.due_date) == ("Meet the head teacher", days(20))
    (moved,) = [h for h in response.json()["history"] if h["change"] == "due_date"]
    assert moved["reason"] == "School closed that week"
    assert moved["to"] == days(20).isoformat() and moved["by"] == str(scene.sue.id)


def test_new_milestone_reads_back_with_its_accountable_professional(scene, client_as):
    client = client_as("sam")
    created = client.post(
        f"/api/v1/cases/{scene.case.id}/milestones/",
        {
            "goal": str(scene.goal.id),
            "title": "School visit",
            "due_date": days(10).isoformat(),
            "accountable": str(scene.nia.id),
            "plain_summary": "We visit your school",
        },
        format="json",
    )
    assert created.status_code == 201
    body = client_as("nia").get(f"/api/v1/milestones/{created.json()['id']}/").json()
    assert body["accountable"] == str(scene.nia.id)
    assert body["goal"] == str(scene.goal.id)
    assert body["due_date"] == days(10).isoformat()


def test_closing_a_case_by_patch_leaves_it_read_only(scene, client_as):
    client = client_as("sam")
    closed = client.patch(
        f"/api/v1/cases/{scene.case.id}/",
        {"status": "closed", "closure_reason": "Family no longer needs support."},
        format="json",
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert client.get(f"/api/v1/cases/{scene.case.id}/").status_code == 200
    goal = client.post(
        f"/api/v1/cases/{scene.case.id}/goals/",
        {"description": "x", "measure": "y", "target_date": days(9).isoformat(), "plain_summary": "z"},
        format="json",
    )
    assert goal.status_code == 403


def test_portal_account_lets_the_person_sign_in_as_a_service_user(scene, client_as):
    response = client_as("sam").post(
        f"/api/v1/people/{scene.ben.id}/portal-account/",
        {"username": "ben.adeyemi", "password": "Ben-portal-pass-2026"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {"person": str(scene.ben.id), "username": "ben.adeyemi", "set_password_link": None}
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "ben.adeyemi", "password": "Ben-portal-pass-2026"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert (me["kind"], me["person"], me["professional"]) == ("service_user", str(scene.ben.id), None)


def test_admin_builds_the_directory_and_the_new_professional_can_sign_in(scene, client_as):
    admin = client_as("admin")
    agency = admin.post("/api/v1/agencies/", {"name": "Northvale Housing", "kind": "housing"}, format="json").json()
    team = admin.post("/api/v1/teams/", {"name": "Tenancy support", "agency": agency["id"]}, format="json").json()
    pro = admin.post(
        "/api/v1/professionals/",
        {
            "username": "hana",
            "password": "Hana-strong-pass-26",
            "given_name": "Hana",
            "family_name": "Ito",
            "agency": agency["id"],
            "team": team["id"],
            "profession": "housing_officer",
        },
        format="json",
    ).json()
    assert admin.patch(f"/api/v1/teams/{team['id']}/", {"lead": pro["id"]}, format="json").json()["lead"] == pro["id"]
    ig = admin.patch(f"/api/v1/agencies/{agency['id']}/", {"information_governance_lead": pro["id"]}, format="json")
    assert ig.json()["information_governance_lead"] == pro["id"]
    credentials = {"username": "hana", "password": "Hana-strong-pass-26"}
    # The password is right; a professional then needs a second factor (REQUIRE_2FA).
    no_factor = APIClient().post("/api/v1/auth/token/", credentials, format="json")
    assert no_factor.status_code == 400 and "otp" in no_factor.json()
    code = recovery_codes_issue(user=get_user_model().objects.get(username="hana"))[0]
    signed_in = APIClient().post("/api/v1/auth/token/", {**credentials, "otp": code}, format="json")
    assert signed_in.status_code == 200
    assert "password" not in pro and "username" not in pro


def test_lists_page_with_next_links(scene, client_as):
    for k in range(51):
        case_services.person_register(given_name="P", family_name=f"Page{k:02d}", actor=scene.oz.user)
    client = client_as("oz")
    first = client.get("/api/v1/people/").json()
    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_directory_lists_filter_by_agency(scene, client_as):
    client = client_as("nia")
    teams = client.get(f"/api/v1/teams/?agency={scene.health.id}").json()["results"]
    assert [t["id"] for t in teams] == [str(scene.hteam.id)]
    people = client.get(f"/api/v1/professionals/?agency={scene.social.id}").json()["results"]
    assert {p["id"] for p in people} == {str(scene.sam.id), str(scene.sue.id), str(scene.oz.id)}
    assert client.get("/api/v1/teams/?agency=not-a-uuid").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        lambda s: "/api/v1/cases/",
        lambda s: f"/api/v1/cases/{s.case.id}/",
        lambda s: f"/api/v1/cases/{s.case.id}/milestones/",
        lambda s: f"/api/v1/milestones/{s.milestone.id}/",
        lambda s: "/api/v1/teams/",
        lambda s: f"/api/v1/people/{s.maya.id}/",
        lambda s: "/api/v1/me/",
    ],
    ids=["cases", "case", "milestones", "milestone", "teams", "person", "me"],
)
def test_browsable_api_pages_render_for_a_signed_in_professional(scene, path):
    client = APIClient()
    client.force_login(scene.sam.user)
    response = client.get(path(scene), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
