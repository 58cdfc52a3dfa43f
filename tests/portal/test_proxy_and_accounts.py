"""Portal accounts (a one-time link; the person chooses their password) and proxy access
for parents and carers: through a recorded relationship, with a scope and an end date;
a child of 12 or over must agree; ends at 16 unless renewed with the young person's
agreement; frozen at once; a proxy with parental responsibility and the consents scope
records consents for the child through the portal."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import services as case_services
from cases.models import Person, ProxyAccess
from cases.selectors import proxy_in_force, sixteenth_birthday
from sharing.models import Consent


def test_the_lead_gives_a_one_time_set_password_link_and_the_person_chooses_their_password(world, client, as_user):
    kid = case_services.person_register(given_name="Tia", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(kid)
    client.force_login(world.sam.user)
    page = client.post(f"/people/{kid.id}/portal-account/", {"username": "tia"}).content.decode()
    assert "/portal/welcome/" in page
    link = "/portal/welcome/" + page.split("/portal/welcome/")[1].split("<")[0]
    user = get_user_model().objects.get(username="tia")
    assert not user.has_usable_password()
    anon = client.__class__()
    assert anon.get(link).status_code == 200
    done = anon.post(link, {"new_password1": "a-long-pass-phrase-77", "new_password2": "a-long-pass-phrase-77"})
    assert done.status_code == 302
    assert anon.get(link).status_code == 404  # one time only
    assert anon.post("/accounts/login/", {"username": "tia", "password": "a-long-pass-phrase-77"}).url == "/portal/"
    client.force_login(world.nia.user)  # not the lead
    assert client.post(f"/people/{kid.id}/portal-account/", {"username": "x"}).status_code == 403


def test_the_api_makes_a_portal_account_with_a_link_when_no_password_is_given(world):
    from rest_framework.test import APIClient

    kid = case_services.person_register(given_name="Tia", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(kid)
    api = APIClient()
    api.force_authenticate(world.sam.user)
    r = api.post(f"/api/v1/people/{kid.id}/portal-account/", {"username": "tia"}, format="json")
    assert r.status_code == 201 and r.json()["set_password_link"].startswith("/portal/welcome/")
    bad = api.post(f"/api/v1/people/{kid.id}/portal-account/", {"username": "tia2"}, format="json")
    assert bad.status_code == 400 and "username" in bad.json()


@pytest.fixture
def child(world, family):
    """Maya (born 2016) is under 12 on the suite's clock in 2026-2027."""
    return world.maya


def _link(world, **kw):
    args = {"person": world.maya, "username": "ada", "scope": "plan", "valid_until": world.goal.target_date}
    args.update(kw)
    return case_services.proxy_link(actor=world.sam.user, **args)


def test_a_proxy_needs_a_recorded_relationship_and_the_lead(world, family):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as err:
        case_services.proxy_link(
            person=world.maya, username="zed", scope="plan", valid_until=world.goal.target_date, actor=world.sam.user
        )
    assert "username" in err.value.message_dict  # no relationship recorded
    with pytest.raises(PermissionDenied):
        case_services.proxy_link(
            person=world.maya, username="ada", scope="plan", valid_until=world.goal.target_date, actor=world.nia.user
        )
    with pytest.raises(ValidationError) as err:
        _link(world, scope="all", valid_until=None)
    assert {"scope", "valid_until"} <= set(err.value.message_dict)
    assert not ProxyAccess.objects.exists()


def test_linking_a_proxy_checks_the_right_before_the_input_and_names_no_one_unseen(world, family):
    """Someone who may not manage the person's portal learns nothing from the answer, and the
    lead's message names only the person: not whose account the username is."""
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):  # not 'no relationship for Jade ...' from the input
        case_services.proxy_link(person=world.maya, username="zed", scope="x", valid_until=None, actor=world.nia.user)
    stranger = get_user_model().objects.create_user(username="jade.carter", password="x")
    Person.objects.create(given_name="Jade", family_name="Carter", user=stranger, registered_by=world.sam)
    with pytest.raises(ValidationError) as known:
        _link(world, username="jade.carter")
    with pytest.raises(ValidationError) as unknown:
        _link(world, username="nobody-has-this")
    assert known.value.message_dict["username"] == unknown.value.message_dict["username"]
    assert "Carter" not in known.value.message_dict["username"][0]


def test_a_child_of_twelve_or_over_must_agree(world, family):
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    Person.objects.filter(pk=world.maya.pk).update(date_of_birth=today.replace(year=today.year - 13))
    world.maya.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        _link(world)
    assert "child_agreed" in err.value.message_dict
    proxy = _link(world, child_agreed=True)
    assert proxy.child_agreed_on == today and proxy_in_force(proxy)


def test_proxy_access_ends_at_sixteen_unless_renewed_with_the_young_persons_agreement(world, family):
    today = timezone.localdate()
    dob = today.replace(year=today.year - 15) - datetime.timedelta(days=300)
    Person.objects.filter(pk=world.maya.pk).update(date_of_birth=dob)
    world.maya.refresh_from_db()
    proxy = _link(world, child_agreed=True, valid_until=today + datetime.timedelta(days=700))
    sixteen = sixteenth_birthday(dob)
    assert proxy_in_force(proxy, sixteen - datetime.timedelta(days=1))
    assert not proxy_in_force(proxy, sixteen)
    ProxyAccess.objects.filter(pk=proxy.pk).update(child_agreed_on=sixteen)  # renewed on the birthday
    proxy.refresh_from_db()
    assert proxy_in_force(proxy, sixteen)


def test_the_lead_freezes_a_proxy_from_the_case_page_at_once(world, family, child, client, as_user):
    proxy = _link(world)
    ada = as_user("ada")
    assert ada.get(f"/portal/for/{world.maya.id}/").status_code == 200
    client.force_login(world.sam.user)
    family_page = client.get(f"/cases/{world.case.id}/family/", HTTP_HX_REQUEST="true").content.decode()
    assert "Freeze now" in family_page
    client.post(f"/people/{world.maya.id}/proxies/{proxy.id}/freeze/", {"next": f"/cases/{world.case.id}/"})
    assert ada.get(f"/portal/for/{world.maya.id}/").status_code == 404


def test_the_proxy_sees_each_linked_persons_portal_separately(world, family, child, as_user):
    _link(world)
    ada = as_user("ada")
    own = ada.get("/portal/").content.decode()
    assert "Maya's plan" in own and "Your own plan" in own  # the switcher
    mayas = ada.get(f"/portal/for/{world.maya.id}/").content.decode()
    assert "We meet your school" in mayas
    assert "Your information" not in mayas  # plan-only scope
    assert ada.get(f"/portal/for/{world.maya.id}/information/").status_code == 403
    assert ada.get(f"/portal/for/{world.maya.id}/copy/").status_code == 200


def test_a_proxy_with_parental_responsibility_records_consent_for_the_child(world, family, child, as_user):
    _link(world, scope="plan_and_consents")
    ada = as_user("ada")
    choice = {"agency": str(world.health.id), "category": "education", "decision": "given"}
    assert ada.post(f"/portal/for/{world.maya.id}/information/confirm/", choice).status_code == 302
    consent = Consent.objects.get(person=world.maya)
    assert consent.given_by == "Ada Okafor (parental responsibility)"
    api = as_user("ada", api=True)
    r = api.post(
        f"/api/v1/people/{world.maya.id}/consents/",
        {
            "category": "health",
            "agency": str(world.social.id),
            "purpose": "p",
            "valid_from": "2026-01-01",
            "given_by": "Ada",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()


def test_without_parental_responsibility_a_consents_scope_cannot_record(world, family, child, as_user):
    from cases.models import Relationship

    Relationship.objects.filter(pk=family.rel.pk).update(parental_responsibility=False)
    _link(world, scope="plan_and_consents")
    ada = as_user("ada")
    choice = {"agency": str(world.health.id), "category": "education", "decision": "given"}
    assert ada.post(f"/portal/for/{world.maya.id}/information/confirm/", choice).status_code == 403
    assert not Consent.objects.filter(person=world.maya).exists()


def test_the_proxy_api_links_freezes_and_ends(world, family, child):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.sam.user)
    url = f"/api/v1/people/{world.maya.id}/proxies/"
    bad = api.post(url, {"username": "ada", "scope": "everything"}, format="json")
    assert bad.status_code == 400 and {"scope", "valid_until"} <= set(bad.json())
    r = api.post(
        url, {"username": "ada", "scope": "plan", "valid_until": world.goal.target_date.isoformat()}, format="json"
    )
    assert r.status_code == 201, r.json()
    proxy_id = r.json()["id"]
    assert api.post(f"{url}{proxy_id}/freeze/").json()["in_force"] is False
    assert api.delete(f"{url}{proxy_id}/").status_code == 204
    nia = APIClient()
    nia.force_authenticate(world.nia.user)
    assert nia.get(url).status_code == 403
    oz = APIClient()
    oz.force_authenticate(world.oz.user)
    assert oz.get(url).status_code == 404


def test_a_plan_only_proxy_does_not_see_who_looked(world, family, child, as_user):
    _link(world, scope="plan")
    ada = as_user("ada")
    assert ada.get(f"/portal/for/{world.maya.id}/looked/").status_code == 403
    assert "Who looked" not in ada.get(f"/portal/for/{world.maya.id}/").content.decode()
    api = as_user("ada", api=True)
    assert api.get(f"/api/v1/me/access-log/?person={world.maya.id}").status_code == 403


def test_reads_under_an_override_cleared_for_the_person_are_not_shown_to_a_proxy(world, family, child, as_user, client):
    from sharing import services as sharing_services
    from tests.sharing.conftest import override, write

    _link(world, scope="plan_and_consents")
    record = write(world, world.sam, "social_care")
    access = override(world, world.nia, "social_care")
    client.force_login(world.nia.user)
    assert client.get(f"/records/{record.id}/").status_code == 200
    sharing_services.safeguarding_review_record(
        access=access, outcome="justified", person_may_be_told=True, notes="ok", actor=world.ivy.user
    )
    safe = "keep someone safe"
    assert safe in as_user("maya").get("/portal/looked/").content.decode()  # the person is told
    assert "When we looked to keep someone safe" in as_user("maya").get("/portal/information/").content.decode()
    ada = as_user("ada")
    assert safe not in ada.get(f"/portal/for/{world.maya.id}/looked/").content.decode()
    assert (
        "When we looked to keep someone safe"
        not in ada.get(f"/portal/for/{world.maya.id}/information/").content.decode()
    )
    reasons = [
        line["reason"]
        for line in as_user("ada", api=True).get(f"/api/v1/me/access-log/?person={world.maya.id}").json()["results"]
    ]
    assert not any(safe in r for r in reasons)


def test_the_family_section_offers_portal_management_by_the_services_rule(world, family, child, client):
    """Not only this case's lead: whoever proxy_may_manage allows (the lead of the person's other
    open case here) gets the links on this case's family, and a contributor does not."""
    _link(world)
    client.force_login(world.nia.user)
    url = f"/cases/{world.case.id}/family/"
    assert "Freeze now" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    case_services.case_open(title="Maya's health", people=[world.maya], lead=world.nia, actor=world.nia.user)
    assert "Freeze now" in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_the_bulk_portal_rule_answers_as_the_single_one_for_every_actor_and_person(world):
    """`proxy_manageable_ids` (the family page's one query) decides exactly what
    `proxy_may_manage` decides person by person: the lead of an open case of the person, or
    an admin; a closed case's lead no more."""
    ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
    world.case.people.add(ada)
    tom = case_services.person_register(given_name="Tom", family_name="Ng", actor=world.nia.user)
    case_services.case_open(title="Tom's health", people=[tom, world.maya], lead=world.nia, actor=world.nia.user)
    closed = case_services.person_register(given_name="Cy", family_name="Shut", actor=world.sam.user)
    old = case_services.case_open(title="Closed one", people=[closed], lead=world.sam, actor=world.sam.user)
    case_services.case_close(case=old, reason="The family moved away.", actor=world.sam.user)
    people = [world.maya, ada, tom, closed]
    for actor in (world.sam.user, world.nia.user, world.oz.user, world.admin, world.maya.user):
        single = {p.pk for p in people if case_services.proxy_may_manage(actor=actor, person=p)}
        assert case_services.proxy_manageable_ids(actor=actor, people=people) == single, actor
    assert case_services.proxy_manageable_ids(actor=world.sam.user, people=people) == {world.maya.pk, ada.pk}
    assert case_services.proxy_manageable_ids(actor=world.nia.user, people=people) == {world.maya.pk, tom.pk}
    assert case_services.proxy_manageable_ids(actor=world.admin, people=[]) == set()
