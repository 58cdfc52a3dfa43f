"""Families on the pages (issue 11): from the case's family section a professional records a
household, changes it, adds and removes its members, records a relationship between two
people of the case and removes one, each removal confirmed first. Rights are the services'
(as the API's): the pages answer 404 for what the viewer may not see, every write is audited,
and a refusal keeps what was typed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Household, Relationship

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(world):
    """Maya's mother, on the case."""
    mum = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(mum)
    return mum


@pytest.fixture
def home(world, ada):
    return case_services.household_create(
        name="Okafor household", address="4 Mill Lane", members=[ada, world.maya], actor=world.sam.user
    )


@pytest.fixture
def parent(world, ada):
    return case_services.relationship_add(
        person=ada, to=world.maya, kind="parent", parental_responsibility=True, actor=world.sam.user
    )


def _urls(world, home, parent):
    case = world.case.id
    return {
        "household_add": reverse("cases:household_add", args=[case]),
        "household_edit": reverse("cases:household_edit", args=[case, home.id]),
        "member_remove": reverse("cases:household_member_remove", args=[case, home.id, world.maya.id]),
        "relationship_add": reverse("cases:case_relationship_add", args=[case]),
        "relationship_remove": reverse("cases:relationship_remove", args=[case, parent.id]),
    }


def _family(client, world) -> str:
    return client.get(reverse("cases:case_family", args=[world.case.id])).content.decode()


# --- Rights ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["oz", "maya", "admin"])
def test_who_cannot_see_the_case_gets_404_on_every_family_page_and_changes_nothing(world, home, parent, client, who):
    user = {"oz": world.oz.user, "maya": world.maya.user, "admin": world.admin}[who]
    client.force_login(user)
    for name, url in _urls(world, home, parent).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"name": "Taken", "members": [str(world.maya.id)], "language": "en"}).status_code == (
            404
        ), name
    assert Household.objects.get().name == "Okafor household"
    assert home.members.count() == 2 and Relationship.objects.count() == 1


def test_anyone_on_the_case_team_may_record_the_family_as_the_api_allows(world, ada, client):
    """Not only the lead: nia (another agency's contributor) sees the case's people, so the
    services let her record who lives together, as the API does."""
    client.force_login(world.nia.user)
    assert "Record a household" in _family(client, world)
    r = client.post(
        reverse("cases:household_add", args=[world.case.id]),
        {"name": "Okafor household", "members": [str(ada.id), str(world.maya.id)], "language": "en"},
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="cases.household.created", actor_user_id=world.nia.user.pk).count() == 2


def test_a_household_or_relationship_not_of_this_case_is_404(world, home, parent, client):
    other = case_services.person_register(given_name="Bo", family_name="Smith", actor=world.sam.user)
    theirs = case_services.household_create(name="Smith household", members=[other], actor=world.sam.user)
    stranger = case_services.person_register(given_name="Zed", family_name="Other", actor=world.oz.user)
    # recorded elsewhere (oz may not see Maya, so no service of his would record it)
    hidden = Relationship.objects.create(person=stranger, to=world.maya, kind="other", recorded_by=world.oz)
    client.force_login(world.sam.user)
    case = world.case.id
    assert client.get(reverse("cases:household_edit", args=[case, theirs.id])).status_code == 404
    assert client.get(reverse("cases:household_edit", args=[case, "not-a-uuid"])).status_code == 404
    # a relationship with someone sam may not see is not shown, and its page is 404
    assert client.get(reverse("cases:relationship_remove", args=[case, hidden.id])).status_code == 404
    assert client.post(reverse("cases:relationship_remove", args=[case, hidden.id])).status_code == 404
    assert "Zed" not in _family(client, world)
    # someone in the household whom sam may not see is not named, nor removable
    home.members.add(stranger)
    client.get(reverse("cases:household_edit", args=[case, home.id]))
    assert "Zed" not in client.get(reverse("cases:household_edit", args=[case, home.id])).content.decode()
    assert client.get(reverse("cases:household_member_remove", args=[case, home.id, stranger.id])).status_code == 404
    assert Relationship.objects.filter(pk=hidden.pk).exists() and home.members.filter(pk=stranger.pk).exists()


def test_the_services_refuse_people_the_actor_may_not_see_and_non_professionals(world, ada, home):
    stranger = case_services.person_register(given_name="Zed", family_name="Other", actor=world.oz.user)
    with pytest.raises(PermissionDenied):
        case_services.household_create(name="X", members=[stranger, ada], actor=world.sam.user)
    with pytest.raises(PermissionDenied):
        case_services.relationship_add(person=stranger, to=ada, kind="parent", actor=world.sam.user)
    with pytest.raises(PermissionDenied):
        case_services.household_update(
            household=home,
            actor=world.oz.user,
            name="Taken",
            address="",
            language="en",
            interpreter_needed=False,
        )
    with pytest.raises(PermissionDenied):
        case_services.household_member_remove(household=home, person=ada, actor=world.admin)
    assert Household.objects.count() == 1 and Relationship.objects.count() == 0


# --- Households ------------------------------------------------------------------------


def test_a_household_is_recorded_from_the_case_and_shows_in_the_family(world, ada, client):
    client.force_login(world.sam.user)
    family = _family(client, world)
    assert "No household is recorded yet." in family
    url = reverse("cases:household_add", args=[world.case.id])
    assert url in family
    page = client.get(url).content.decode()
    assert "Ada Okafor" in page and "Maya Okafor" in page  # the members are the case's people
    r = client.post(
        url,
        {
            "name": "Okafor household",
            "members": [str(ada.id), str(world.maya.id)],
            "address": "4 Mill Lane\nNorthvale",
            "language": "yo",
            "interpreter_needed": "on",
        },
        follow=True,
    )
    assert r.redirect_chain[-1][0] == reverse("cases:case_family", args=[world.case.id])
    body = r.content.decode()
    assert "Okafor household is recorded." in body
    assert "Who lives here: Ada Okafor, Maya Okafor" in body
    assert "Language at home: yo" in body and "Interpreter needed" in body
    household = Household.objects.get()
    assert (household.address, household.language, household.interpreter_needed) == (
        "4 Mill Lane\nNorthvale",
        "yo",
        True,
    )
    assert set(household.members.all()) == {ada, world.maya}
    assert AuditEvent.objects.filter(action="cases.household.created").count() == 2


def test_a_bad_household_shows_every_problem_and_keeps_what_was_typed(world, ada, client):
    client.force_login(world.sam.user)
    url = reverse("cases:household_add", args=[world.case.id])
    r = client.post(url, {"name": "", "address": "4 Mill Lane", "language": "not a tag!"})
    assert r.status_code == 200
    assert set(r.context["form"].errors) == {"name", "members", "language"}
    body = r.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_name"' in body  # the summary links to the field
    assert "Choose at least one person who lives here." in body
    assert "Give a language tag such as en, cy, pl or ar." in body  # the service's message, inline
    assert "4 Mill Lane" in body and 'value="not a tag!"' in body
    assert Household.objects.count() == 0
    # someone who is not on the case is not a choice
    outsider = case_services.person_register(given_name="Bo", family_name="Smith", actor=world.sam.user)
    r = client.post(url, {"name": "Mixed", "members": [str(outsider.id)], "language": "en"})
    assert "members" in r.context["form"].errors and Household.objects.count() == 0


def test_a_household_is_changed_and_gains_a_member(world, ada, client):
    home = case_services.household_create(name="Okafor household", members=[world.maya], actor=world.sam.user)
    client.force_login(world.sam.user)
    url = reverse("cases:household_edit", args=[world.case.id, home.id])
    assert url in _family(client, world)
    page = client.get(url)
    assert page.context["form"]["name"].value() == "Okafor household"
    assert AuditEvent.objects.filter(action="cases.household.viewed", person=world.maya.id).exists()
    bad = client.post(url, {"name": " ", "address": "12 New Road", "language": "en"})
    assert "name" in bad.context["form"].errors and "12 New Road" in bad.content.decode()
    r = client.post(url, {"name": "Okafor home", "address": "12 New Road", "language": "en", "members": [str(ada.id)]})
    assert r.status_code == 302
    home.refresh_from_db()
    assert (home.name, home.address) == ("Okafor home", "12 New Road")
    assert set(home.members.all()) == {ada, world.maya}
    updated = AuditEvent.objects.get(action="cases.household.updated")
    assert updated.person == world.maya.id and updated.detail == {"fields": ["address", "name"]}
    assert AuditEvent.objects.get(action="cases.household.member_added").person == ada.id


def test_removing_a_member_asks_first_and_the_last_member_stays(world, home, ada, client):
    client.force_login(world.sam.user)
    url = reverse("cases:household_member_remove", args=[world.case.id, home.id, world.maya.id])
    assert url in client.get(reverse("cases:household_edit", args=[world.case.id, home.id])).content.decode()
    confirm = client.get(url).content.decode()
    assert "Remove Maya Okafor from Okafor household?" in confirm and "Yes, remove Maya" in confirm
    assert home.members.count() == 2  # asking changed nothing
    assert client.post(url).status_code == 302
    assert list(home.members.all()) == [ada]
    assert AuditEvent.objects.get(action="cases.household.member_removed").person == world.maya.id
    last = client.post(reverse("cases:household_member_remove", args=[world.case.id, home.id, ada.id]))
    assert last.status_code == 200 and "the only person in this household" in last.content.decode()
    assert list(home.members.all()) == [ada]


# --- Relationships ---------------------------------------------------------------------


def test_a_relationship_between_two_people_of_the_case_is_recorded_and_shown(world, ada, client):
    client.force_login(world.sam.user)
    url = reverse("cases:case_relationship_add", args=[world.case.id])
    assert url in _family(client, world)
    r = client.post(
        url, {"person": str(ada.id), "kind": "parent", "to": str(world.maya.id), "parental_responsibility": "yes"}
    )
    assert r.status_code == 302
    rel = Relationship.objects.get()
    assert (rel.person, rel.to, rel.kind, rel.parental_responsibility) == (ada, world.maya, "parent", True)
    family = _family(client, world)
    assert "Parent of Maya Okafor" in family and "Parental responsibility" in family
    assert reverse("cases:relationship_remove", args=[world.case.id, rel.id]) in family
    assert AuditEvent.objects.filter(action="cases.relationship.added").count() == 2


def test_a_bad_relationship_shows_field_messages_and_keeps_the_choices(world, ada, client):
    client.force_login(world.sam.user)
    url = reverse("cases:case_relationship_add", args=[world.case.id])
    empty = client.post(url, {"person": "", "to": ""})
    assert set(empty.context["form"].errors) == {"person", "kind", "to", "parental_responsibility"}
    assert "Say whether they hold parental responsibility." in empty.content.decode()
    same = client.post(
        url, {"person": str(ada.id), "kind": "sibling", "to": str(ada.id), "parental_responsibility": "no"}
    )
    assert same.context["form"].errors["to"] == ["A person cannot be related to themself."]
    assert same.context["form"]["kind"].value() == "sibling"
    ok = {"person": str(ada.id), "kind": "parent", "to": str(world.maya.id), "parental_responsibility": "no"}
    client.post(url, ok)
    again = client.post(url, ok)
    assert again.context["form"].errors["to"] == ["This relationship is recorded already."]
    assert Relationship.objects.count() == 1


def test_a_case_with_one_person_says_how_to_relate_them_instead_of_a_form(world, client):
    client.force_login(world.sam.user)
    page = client.get(reverse("cases:case_relationship_add", args=[world.case.id])).content.decode()
    assert "Only one person is on this case" in page and '<form method="post"' not in page.split("<main")[1]
    assert reverse("cases:case_relationship_add", args=[world.case.id]) not in _family(client, world)


def test_removing_a_relationship_asks_first_and_is_audited_with_what_it_said(world, parent, client):
    client.force_login(world.sam.user)
    url = reverse("cases:relationship_remove", args=[world.case.id, parent.id])
    confirm = client.get(url).content.decode()
    assert "Remove this relationship?" in confirm and "Ada Okafor is the parent of Maya Okafor" in confirm
    assert Relationship.objects.count() == 1  # asking changed nothing
    assert AuditEvent.objects.filter(action="cases.relationship.viewed").count() == 2
    r = client.post(url, follow=True)
    assert "The relationship is removed." in r.content.decode()
    assert Relationship.objects.count() == 0
    events = AuditEvent.objects.filter(action="cases.relationship.removed")
    assert {e.person for e in events} == {parent.person_id, world.maya.id}
    assert events.first().detail["kind"] == "parent" and events.first().detail["parental_responsibility"] is True
    assert client.post(url).status_code == 404  # gone


def test_a_relationship_that_gives_portal_access_cannot_be_removed(world, parent, client):
    case_services.person_portal_account_create(
        person=parent.person, username="ada", password=world.password, actor=world.sam.user
    )
    case_services.proxy_link(
        person=world.maya,
        username="ada",
        scope="plan",
        valid_until=world.case.opened_at.date().replace(year=world.case.opened_at.year + 1),
        child_agreed=True,
        actor=world.sam.user,
    )
    client.force_login(world.sam.user)
    r = client.post(reverse("cases:relationship_remove", args=[world.case.id, parent.id]))
    assert r.status_code == 200
    assert "End that access first." in r.content.decode()
    assert Relationship.objects.filter(pk=parent.pk).exists()
    assert not AuditEvent.objects.filter(action="cases.relationship.removed").exists()


# --- Reads of people who are not on the case --------------------------------------------


def test_a_household_member_not_on_the_case_shown_on_the_family_page_is_audited(world, client):
    """The family page names everyone of a shown household the viewer may see, people who are
    not on the case too: each of them shown is a read of their data, audited for the viewer."""
    lodger = case_services.person_register(given_name="Xavier", family_name="Lodge", actor=world.sam.user)
    case_services.household_create(name="Mill Lane", members=[world.maya, lodger], actor=world.sam.user)
    client.force_login(world.sam.user)
    assert "Xavier Lodge" in _family(client, world)
    read = AuditEvent.objects.filter(person=lodger.id, actor=world.sam.id, case=world.case.id)
    assert read.filter(action="cases.household.listed").exists()


def test_a_relative_not_on_the_case_shown_on_the_family_page_is_audited(world, client):
    gran = case_services.person_register(given_name="Grace", family_name="Okafor", actor=world.sam.user)
    case_services.relationship_add(
        person=gran, to=world.maya, kind="grandparent", parental_responsibility=False, actor=world.sam.user
    )
    client.force_login(world.sam.user)
    assert "Grace Okafor is their grandparent" in _family(client, world)
    read = AuditEvent.objects.filter(person=gran.id, actor=world.sam.id, case=world.case.id)
    assert read.filter(action="cases.relationship.listed").exists()


def test_a_proxy_not_on_the_case_shown_on_the_family_page_is_audited(world, client):
    """A parent or carer with access to the person's portal is named on the family page even
    to a viewer who may not see them otherwise: that name is a read of them, audited."""
    gran = case_services.person_register(given_name="Grace", family_name="Okafor", actor=world.sam.user)
    case_services.relationship_add(
        person=gran, to=world.maya, kind="grandparent", parental_responsibility=True, actor=world.sam.user
    )
    case_services.person_portal_account_create(
        person=gran, username="grace", password=world.password, actor=world.sam.user
    )
    case_services.proxy_link(
        person=world.maya,
        username="grace",
        scope="plan",
        valid_until=world.case.opened_at.date().replace(year=world.case.opened_at.year + 1),
        child_agreed=True,
        actor=world.sam.user,
    )
    # nia (on the case, of another agency) may not see Grace herself, so no relationship shows
    # her, but the family page names her as having access to Maya's portal: a read of her.
    client.force_login(world.nia.user)
    family = _family(client, world)
    assert "Grace Okafor sees this portal" in family and "is their grandparent" not in family
    assert AuditEvent.objects.filter(
        action="cases.proxy.listed", person=gran.id, actor=world.nia.id, case=world.case.id
    ).exists()
