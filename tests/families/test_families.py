"""Families, not lists of people (issue 11, found 9): households and relationships, with
who holds parental responsibility, visible by the same rule as the people in them."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Household, Relationship


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def family(world):
    mum = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(mum)
    return mum


def test_a_parent_with_parental_responsibility_is_recorded_and_listed_both_ways(world, family):
    sam = api(world.sam.user)
    r = sam.post(
        f"/api/v1/people/{family.id}/relationships/",
        {"to": str(world.maya.id), "kind": "parent", "parental_responsibility": True},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["person"], r.json()["to"], r.json()["parental_responsibility"]) == (
        str(family.id),
        str(world.maya.id),
        True,
    )
    listed = sam.get(f"/api/v1/people/{world.maya.id}/relationships/").json()
    assert [x["kind"] for x in listed["results"]] == ["parent"]
    assert AuditEvent.objects.filter(action="cases.relationship.listed", person=world.maya.id).exists()


def test_bad_relationship_input_is_400_with_field_messages_and_writes_nothing(world, family):
    sam = api(world.sam.user)
    for body, field in [
        ({"to": str(world.maya.id), "kind": "uncle"}, "kind"),
        ({"to": "not-a-uuid", "kind": "parent"}, "to"),
        ({"kind": "parent"}, "to"),
        ({"to": str(family.id), "kind": "parent"}, "to"),  # to themself
    ]:
        r = sam.post(f"/api/v1/people/{family.id}/relationships/", body, format="json")
        assert r.status_code == 400, body
        assert field in r.json(), (body, r.json())
    sam.post(f"/api/v1/people/{family.id}/relationships/", {"to": str(world.maya.id), "kind": "parent"}, format="json")
    again = sam.post(
        f"/api/v1/people/{family.id}/relationships/", {"to": str(world.maya.id), "kind": "parent"}, format="json"
    )
    assert again.status_code == 400 and "to" in again.json()
    assert Relationship.objects.count() == 1


def test_relationships_and_households_of_people_you_cannot_see_are_404_or_absent(world, family):
    oz = api(world.oz.user)
    assert oz.get(f"/api/v1/people/{world.maya.id}/relationships/").status_code == 404
    assert (
        oz.post(f"/api/v1/people/{world.maya.id}/relationships/", {"to": str(family.id), "kind": "parent"}).status_code
        == 404
    )
    stranger = case_services.person_register(given_name="Zed", family_name="Other", actor=world.oz.user)
    r = api(world.sam.user).post(
        f"/api/v1/people/{family.id}/relationships/", {"to": str(stranger.id), "kind": "sibling"}, format="json"
    )
    assert r.status_code == 400 and "to" in r.json()  # someone sam cannot see is an unknown id
    case_services.household_create(name="Okafor household", members=[family, world.maya], actor=world.sam.user)
    assert oz.get("/api/v1/households/").json()["count"] == 0
    maya = APIClient()
    maya.force_authenticate(world.maya.user)
    assert maya.get("/api/v1/households/").status_code == 404  # a service user: not theirs


def test_a_household_has_an_address_language_and_interpreter_needs(world, family):
    sam = api(world.sam.user)
    r = sam.post(
        "/api/v1/households/",
        {
            "name": "Okafor household",
            "address": "4 Mill Lane",
            "members": [str(family.id), str(world.maya.id)],
            "language": "yo",
            "interpreter_needed": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    listed = sam.get("/api/v1/households/").json()["results"]
    assert [(h["name"], h["language"], h["interpreter_needed"], sorted(h["members"])) for h in listed] == [
        ("Okafor household", "yo", True, sorted([str(family.id), str(world.maya.id)]))
    ]
    assert AuditEvent.objects.filter(action="cases.household.listed").count() == 2
    bad = sam.post("/api/v1/households/", {"name": "", "members": [], "language": "not a tag!"}, format="json")
    assert bad.status_code == 400 and {"name", "members", "language"} <= set(bad.json())
    assert Household.objects.count() == 1


def test_the_case_page_shows_the_family_as_a_genogram_style_list(world, family, client):
    case_services.relationship_add(
        person=family, to=world.maya, kind="parent", parental_responsibility=True, actor=world.sam.user
    )
    case_services.household_create(
        name="Okafor household", address="4 Mill Lane", members=[family, world.maya], actor=world.sam.user
    )
    client.force_login(world.sam.user)
    page = client.get(f"/cases/{world.case.id}/").content.decode()
    assert f"/cases/{world.case.id}/family/" in page  # loaded in its own request
    family_page = client.get(f"/cases/{world.case.id}/family/", HTTP_HX_REQUEST="true").content.decode()
    assert "Parent of Maya Okafor" in family_page
    assert "Ada Okafor is their parent" in family_page
    assert "Parental responsibility" in family_page
    assert "4 Mill Lane" in family_page
    client.force_login(world.oz.user)
    assert client.get(f"/cases/{world.case.id}/family/").status_code == 404
