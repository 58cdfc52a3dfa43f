"""Bad input gets a clear message and changes nothing: 400 with field messages in the
API, an inline error on the page."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from agencies import services as agency_services
from audit.models import AuditEvent
from sharing.models import Consent, Record, SafeguardingAccess
from tests.sharing.conftest import JUSTIFICATION, days


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(world.sam.user)
    return client


@pytest.fixture
def page(world):
    client = Client()
    client.force_login(world.sam.user)
    return client


@pytest.fixture
def stranger(world, admin_user):
    """Someone registered but on no case of the world."""
    from cases import services as case_services

    return case_services.person_register(given_name="Lee", family_name="Stranger", actor=world.oz.user)


def consent_payload(world, **overrides):
    data = {
        "category": "health",
        "agency": str(world.health.id),  # recorded by sam (social care): not of the receiving agency
        "purpose": "Joint support plan",
        "valid_from": days(0).isoformat(),
        "given_by": "Maya's mother",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record_payload(world, **overrides):
    data = {"category": "social_care", "text": "Home visit; all well.", "about": [str(world.maya.id)]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


RECORD_CASES = [
    ("unknown_category", {"category": "astrology"}, "category"),
    ("empty_text", {"text": "   "}, "text"),
    ("about_someone_not_on_the_case", "stranger", "about"),
]


@pytest.mark.parametrize(("name", "change", "field"), RECORD_CASES, ids=[c[0] for c in RECORD_CASES])
def test_bad_record_is_refused_by_the_api_and_nothing_is_saved(world, api, stranger, name, change, field):
    if change == "stranger":
        change = {"about": [str(stranger.id)]}
    before = Record.objects.count(), AuditEvent.objects.count()
    response = api.post(f"/api/v1/cases/{world.case.id}/records/", record_payload(world, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (Record.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("name", "change", "field"), RECORD_CASES, ids=[c[0] for c in RECORD_CASES])
def test_bad_record_is_refused_inline_on_the_page(world, page, stranger, name, change, field):
    if change == "stranger":
        # The form offers only the case's people: a stranger's id is not a valid choice.
        change = {"about": [str(stranger.id)]}
    response = page.post(f"/cases/{world.case.id}/records/new/", record_payload(world, **change))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert response.context["form"].errors.get(field)
    assert not Record.objects.exists()


CONSENT_CASES = [
    ("until_before_from", {"valid_from": days(5).isoformat(), "valid_until": days(1).isoformat()}, "valid_until"),
    ("unknown_category", {"category": "astrology"}, "category"),
    ("missing_agency", {"agency": None}, "agency"),
    ("missing_given_by", {"given_by": ""}, "given_by"),
    ("unknown_agency", {"agency": "9b3a2c52-5d7e-4d7a-9f57-0a8f3a1c2b11"}, "agency"),
    ("malformed_agency", {"agency": "not-an-agency"}, "agency"),
    ("decision_outside_the_list", {"decision": "maybe"}, "decision"),
    ("malformed_date", {"valid_from": "2026-02-30"}, "valid_from"),
]


@pytest.mark.parametrize(("name", "change", "field"), CONSENT_CASES, ids=[c[0] for c in CONSENT_CASES])
def test_bad_consent_is_refused_by_the_api_and_nothing_is_saved(world, api, name, change, field):
    before = AuditEvent.objects.count()
    response = api.post(f"/api/v1/people/{world.maya.id}/consents/", consent_payload(world, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Consent.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("name", "change", "field"), CONSENT_CASES, ids=[c[0] for c in CONSENT_CASES])
def test_bad_consent_is_refused_inline_on_the_page(world, page, name, change, field):
    data = {"decision": "given", **consent_payload(world, **change)}
    response = page.post(f"/people/{world.maya.id}/consents/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Consent.objects.exists()


def test_consent_for_an_unknown_agency_is_refused(world, api):
    import uuid

    response = api.post(
        f"/api/v1/people/{world.maya.id}/consents/", consent_payload(world, agency=str(uuid.uuid4())), format="json"
    )
    assert response.status_code == 400
    assert "agency" in response.json()


def test_consent_for_general_category_is_refused_as_it_is_shared_already(world, api):
    response = api.post(
        f"/api/v1/people/{world.maya.id}/consents/", consent_payload(world, category="general"), format="json"
    )
    assert response.status_code == 400


OVERRIDE_CASES = [
    ("short_justification", {"justification": "Because I am worried."}, "justification"),
    ("unknown_basis", {"lawful_basis": "curiosity"}, "lawful_basis"),
    ("unknown_category", {"category": "astrology"}, "category"),
    ("general_category", {"category": "general"}, "category"),
]


@pytest.mark.parametrize(("name", "change", "field"), OVERRIDE_CASES, ids=[c[0] for c in OVERRIDE_CASES])
def test_bad_override_is_refused_and_nothing_is_saved(world, api, name, change, field):
    data = {"category": "health", "lawful_basis": "child_at_risk", "justification": JUSTIFICATION, **change}
    response = api.post(f"/api/v1/cases/{world.case.id}/safeguarding-access/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SafeguardingAccess.objects.exists()


def test_bad_override_is_refused_inline_on_the_page(world, page):
    response = page.post(
        f"/cases/{world.case.id}/safeguarding-access/new/",
        {"category": "health", "lawful_basis": "child_at_risk", "justification": "too short"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("justification")
    assert not SafeguardingAccess.objects.exists()


def test_correction_of_a_record_of_another_case_is_refused(world, api, admin_user):
    from cases import services as case_services
    from sharing import services as sharing_services

    other = case_services.case_open(title="Other", people=[world.maya], lead=world.sam, actor=world.sam.user)
    elsewhere = sharing_services.record_write(case=other, category="general", text="Elsewhere", actor=world.sam.user)
    response = api.post(
        f"/api/v1/cases/{world.case.id}/records/",
        record_payload(world, corrects=str(elsewhere.id)),
        format="json",
    )
    assert response.status_code == 400
    assert "corrects" in response.json()
    assert Record.objects.count() == 1


def test_writing_a_record_needs_a_place_on_the_case(world, admin_user):
    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=admin_user)
    assert police  # an unrelated agency changes nothing
    client = APIClient()
    client.force_authenticate(world.oz.user)
    response = client.post(f"/api/v1/cases/{world.case.id}/records/", record_payload(world), format="json")
    assert response.status_code == 404
    assert not Record.objects.exists()


def test_bad_input_from_a_professional_of_the_receiving_agency_is_still_a_400_first(world, api):
    """Field messages come before the right: an unknown category is a 400 for anyone."""
    response = api.post(
        f"/api/v1/people/{world.maya.id}/consents/",
        consent_payload(world, agency=str(world.social.id), category="astrology"),
        format="json",
    )
    assert response.status_code == 400
    assert "category" in response.json()
    assert not Consent.objects.exists()


REVIEW_CASES = [
    ("outcome_outside_the_list", {"outcome": "fine"}, "outcome"),
    ("missing_outcome", {"outcome": None}, "outcome"),
    ("told_not_a_boolean", {"person_may_be_told": "perhaps"}, "person_may_be_told"),
]


@pytest.mark.parametrize(("name", "change", "field"), REVIEW_CASES, ids=[c[0] for c in REVIEW_CASES])
def test_bad_review_is_refused_with_a_field_message_and_nothing_is_written(world, name, change, field):
    from sharing import services as sharing_services

    access = sharing_services.safeguarding_access_take(
        case=world.case,
        category="social_care",
        lawful_basis="child_at_risk",
        justification=JUSTIFICATION,
        actor=world.nia.user,
    )
    client = APIClient()
    client.force_authenticate(world.ivy.user)  # the assigned reviewer
    body = {k: v for k, v in {"outcome": "justified", "person_may_be_told": False, **change}.items() if v is not None}
    before = AuditEvent.objects.count()
    response = client.post(f"/api/v1/safeguarding-access/{access.id}/review/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    access.refresh_from_db()
    assert (access.outcome, access.reviewed_at) == ("", None)
    assert AuditEvent.objects.count() == before


def test_bad_review_is_refused_inline_on_the_page(world):
    from sharing import services as sharing_services

    access = sharing_services.safeguarding_access_take(
        case=world.case,
        category="social_care",
        lawful_basis="child_at_risk",
        justification=JUSTIFICATION,
        actor=world.nia.user,
    )
    page = Client()
    page.force_login(world.ivy.user)
    response = page.post(f"/governance/reviews/{access.id}/", {"outcome": "fine"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("outcome")
    access.refresh_from_db()
    assert access.outcome == ""
