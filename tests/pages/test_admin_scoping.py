"""Django admin: superusers see everything; an agency administrator sees and
changes only their own agency's teams and professionals."""

import pytest
from django.contrib.auth import get_user_model

from agencies import services as agency_services
from agencies.models import Professional, Team
from audit.models import AuditEvent


@pytest.fixture
def hal_admin(world, client):
    """hal becomes his agency's (health) administrator, with an admin-site login."""
    agency_services.professional_update(professional=world.hal, is_agency_admin=True, actor=world.admin)
    world.hal.user.is_staff = True
    world.hal.user.save(update_fields=["is_staff"])
    client.force_login(world.hal.user)
    return client


def _change_payload(professional, **override):
    data = {
        "given_name": professional.given_name,
        "family_name": professional.family_name,
        "team": str(professional.team_id) if professional.team_id else "",
        "profession": professional.profession,
        "is_agency_admin": "on" if professional.is_agency_admin else "",
        "is_active": "on" if professional.is_active else "",
    }
    data.update(override)
    return {k: v for k, v in data.items() if v != ""}


def test_agency_admin_lists_only_their_agencys_professionals(world, hal_admin):
    response = hal_admin.get("/admin/agencies/professional/")
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset)
    assert listed == {world.nia, world.hal, world.ivy}


def test_agency_admin_lists_only_their_agencys_teams_and_agency(world, hal_admin):
    teams = hal_admin.get("/admin/agencies/team/")
    assert set(teams.context["cl"].queryset) == {world.hteam}
    agencies = hal_admin.get("/admin/agencies/agency/")
    assert set(agencies.context["cl"].queryset) == {world.health}


def test_agency_admin_changes_a_professional_of_their_agency_with_an_audit_event(world, hal_admin):
    url = f"/admin/agencies/professional/{world.nia.id}/change/"
    assert hal_admin.get(url).status_code == 200
    response = hal_admin.post(url, _change_payload(world.nia, family_name="Okoro"))
    assert response.status_code == 302
    world.nia.refresh_from_db()
    assert world.nia.family_name == "Okoro"
    assert AuditEvent.objects.filter(action="agencies.professional.updated", subject_id=world.nia.id).exists()


def test_agency_admin_cannot_see_or_change_another_agencys_professional(world, hal_admin):
    url = f"/admin/agencies/professional/{world.sam.id}/change/"
    response = hal_admin.get(url)
    assert response.status_code == 302  # "does not exist" for them: back to the admin index
    hal_admin.post(url, _change_payload(world.sam, family_name="Changed"))
    world.sam.refresh_from_db()
    assert world.sam.family_name == "Tester"


def test_agency_admin_cannot_move_a_colleague_into_another_agencys_team(world, hal_admin):
    url = f"/admin/agencies/professional/{world.nia.id}/change/"
    response = hal_admin.post(url, _change_payload(world.nia, team=str(world.steam.id)))
    assert response.status_code == 200  # the form again, with an error
    assert response.context["adminform"].form.errors["team"]
    world.nia.refresh_from_db()
    assert world.nia.team_id == world.hteam.id


def test_agency_admin_cannot_create_a_team_in_another_agency(world, hal_admin):
    response = hal_admin.post("/admin/agencies/team/add/", {"agency": str(world.social.id), "name": "Sneaky"})
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not Team.objects.filter(name="Sneaky").exists()


def test_agency_admin_creates_a_team_in_their_agency_through_the_service(world, hal_admin):
    response = hal_admin.post(
        "/admin/agencies/team/add/",
        {"agency": str(world.health.id), "name": "School nursing", "lead": str(world.nia.id)},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="School nursing")
    assert (team.agency, team.lead) == (world.health, world.nia)
    assert AuditEvent.objects.filter(action="agencies.team.created", subject_id=team.id).exists()


def test_agency_admin_adds_a_professional_with_a_login_in_their_agency(world, hal_admin):
    response = hal_admin.post(
        "/admin/agencies/professional/add/",
        {
            "username": "nell",
            "password": "A-long-enough-passphrase-7",
            "given_name": "Nell",
            "family_name": "Nurse",
            "agency": str(world.health.id),
            "team": str(world.hteam.id),
            "profession": "nurse",
        },
    )
    assert response.status_code == 302
    nell = Professional.objects.get(user__username="nell")
    assert (nell.agency, nell.team) == (world.health, world.hteam)
    assert nell.user.check_password("A-long-enough-passphrase-7")


def test_admin_add_professional_with_a_weak_password_shows_an_error_and_creates_nothing(world, hal_admin):
    response = hal_admin.post(
        "/admin/agencies/professional/add/",
        {
            "username": "weak",
            "password": "password",
            "given_name": "W",
            "family_name": "K",
            "agency": str(world.health.id),
            "profession": "nurse",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password"]
    assert not get_user_model().objects.filter(username="weak").exists()


def test_superuser_sees_every_agencys_professionals(world, client):
    client.force_login(world.admin)
    response = client.get("/admin/agencies/professional/")
    assert set(response.context["cl"].queryset) == set(Professional.objects.all())


@pytest.mark.parametrize("path", ["/admin/agencies/professional/", "/admin/agencies/team/", "/admin/cases/case/"])
def test_staff_professional_who_is_not_an_agency_admin_sees_nothing(world, client, path):
    world.nia.user.is_staff = True
    world.nia.user.save(update_fields=["is_staff"])
    client.force_login(world.nia.user)
    assert client.get(path).status_code == 403


def test_agency_admin_cannot_see_cases_in_the_admin(world, hal_admin):
    assert hal_admin.get("/admin/cases/case/").status_code == 403


def test_superuser_case_admin_shows_references_but_no_titles_or_people(world, client):
    client.force_login(world.admin)
    response = client.get("/admin/cases/case/")
    body = response.content.decode()
    assert world.case.reference in body
    assert world.case.title not in body
    assert "Okafor" not in body
