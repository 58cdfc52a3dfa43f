"""Permission matrix: relationship of the viewer to a record × read path -> visible
or not. Every path reads through cases.selectors, so every row must agree.

Paths: the record page, the case's record list page, the API list, the API detail,
the search page, the CSV export (page and API)."""

import datetime
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services as agency_services
from cases import services as case_services
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing.models import Consent, SafeguardingAccess
from tests.sharing.conftest import consent, days, override, write


def _marker() -> str:
    return f"marker{uuid.uuid4().hex[:12]}"


# Each relationship builds a record and returns (viewer, record). The record is
# written by sam (social care) unless it is the viewer's own agency's.
def own_agency(w, text):
    return w.nia, write(w, w.nia, "health", text=text)


def coordination(w, text):
    return w.nia, write(w, w.sam, "general", text=text)


def consent_active(w, text):
    consent(w, w.maya, "social_care", w.health)
    return w.nia, write(w, w.sam, "social_care", text=text)


def consent_expired(w, text):
    consent(w, w.maya, "social_care", w.health, valid_from=days(-30), valid_until=days(-1))
    return w.nia, write(w, w.sam, "social_care", text=text)


def consent_withdrawn(w, text):
    sharing_services.consent_withdraw(consent=consent(w, w.maya, "social_care", w.health), actor=w.sam.user)
    return w.nia, write(w, w.sam, "social_care", text=text)


def consent_for_another_agency(w, text):
    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=w.admin)
    consent(w, w.maya, "social_care", police)
    return w.nia, write(w, w.sam, "social_care", text=text)


def consent_from_only_some_people(w, text):
    ben = case_services.person_register(given_name="Ben", family_name="Okafor", actor=w.sam.user)
    w.case.people.add(ben)
    consent(w, w.maya, "social_care", w.health)
    return w.nia, write(w, w.sam, "social_care", about=[w.maya, ben], text=text)


def consent_from_every_person(w, text):
    ben = case_services.person_register(given_name="Ben", family_name="Okafor", actor=w.sam.user)
    w.case.people.add(ben)
    consent(w, w.maya, "social_care", w.health)
    consent(w, ben, "social_care", w.health)
    return w.nia, write(w, w.sam, "social_care", about=[w.maya, ben], text=text)


def override_active(w, text):
    override(w, w.nia, "social_care")
    return w.nia, write(w, w.sam, "social_care", text=text)


def override_expired(w, text):
    access = override(w, w.nia, "social_care")
    past = timezone.now() - datetime.timedelta(hours=80)
    SafeguardingAccess.objects.filter(pk=access.pk).update(
        started_at=past, expires_at=past + datetime.timedelta(hours=72)
    )
    return w.nia, write(w, w.sam, "social_care", text=text)


def not_on_the_case(w, text):
    # oz works for the same agency as the author, and maya consented to share with it:
    # still nothing, because oz is not on the case.
    consent(w, w.maya, "health", w.social)
    return w.oz, write(w, w.nia, "health", text=text)


def not_on_the_case_even_for_general(w, text):
    return w.oz, write(w, w.sam, "general", text=text)


RELATIONSHIPS = {
    "own_agency": (own_agency, True),
    "coordination": (coordination, True),
    "consent_active": (consent_active, True),
    "consent_expired": (consent_expired, False),
    "consent_withdrawn": (consent_withdrawn, False),
    "consent_for_another_agency": (consent_for_another_agency, False),
    "consent_from_only_some_people": (consent_from_only_some_people, False),
    "consent_from_every_person": (consent_from_every_person, True),
    "override_active": (override_active, True),
    "override_expired": (override_expired, False),
    "not_on_the_case": (not_on_the_case, False),
    "not_on_the_case_general": (not_on_the_case_even_for_general, False),
}


def page_detail(w, viewer, record, text):
    client = Client()
    client.force_login(viewer.user)
    response = client.get(f"/records/{record.id}/")
    assert response.status_code in (200, 404)
    return response.status_code == 200


def page_list(w, viewer, record, text):
    client = Client()
    client.force_login(viewer.user)
    response = client.get(f"/cases/{w.case.id}/records/")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and str(record.id) in response.content.decode()


def case_page(w, viewer, record, text):
    """The case page's records section (loaded into the case page with htmx)."""
    client = Client()
    client.force_login(viewer.user)
    response = client.get(f"/cases/{w.case.id}/sharing/", HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and str(record.id) in response.content.decode()


def api_list(w, viewer, record, text):
    client = APIClient()
    client.force_authenticate(viewer.user)
    response = client.get(f"/api/v1/cases/{w.case.id}/records/")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and str(record.id) in {r["id"] for r in response.json()["results"]}


def api_detail(w, viewer, record, text):
    client = APIClient()
    client.force_authenticate(viewer.user)
    response = client.get(f"/api/v1/records/{record.id}/")
    assert response.status_code in (200, 404)
    return response.status_code == 200


def search(w, viewer, record, text):
    client = Client()
    client.force_login(viewer.user)
    response = client.get("/records/search/", {"q": text})
    assert response.status_code == 200
    return str(record.id) in response.content.decode()


def export_page(w, viewer, record, text):
    client = Client()
    client.force_login(viewer.user)
    response = client.get(f"/cases/{w.case.id}/records/export.csv")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and str(record.id) in response.content.decode()


def export_api(w, viewer, record, text):
    client = APIClient()
    client.force_authenticate(viewer.user)
    response = client.get(f"/api/v1/cases/{w.case.id}/records/export/")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and text in response.content.decode()


PATHS = {
    "page_detail": page_detail,
    "page_list": page_list,
    "case_page": case_page,
    "api_list": api_list,
    "api_detail": api_detail,
    "search": search,
    "export_page": export_page,
    "export_api": export_api,
}

MATRIX = [(rel, path) for rel in RELATIONSHIPS for path in PATHS]


@pytest.mark.parametrize(("relationship", "path"), MATRIX, ids=[f"{r}-{p}" for r, p in MATRIX])
def test_record_visibility_matrix(world, relationship, path):
    build, expected = RELATIONSHIPS[relationship]
    text = _marker()
    viewer, record = build(world, text)
    assert PATHS[path](world, viewer, record, text) is expected


def test_matrix_covers_every_consent_state_the_issue_names():
    assert {"consent_active", "consent_expired", "consent_withdrawn", "consent_for_another_agency"} <= set(
        RELATIONSHIPS
    )
    assert {"consent_from_only_some_people", "override_active", "override_expired", "not_on_the_case"} <= set(
        RELATIONSHIPS
    )


CONSENT_ROWS = {  # relationship -> the states of the Consent rows it records through the services
    "consent_active": ["shared"],
    "consent_expired": ["expired"],
    "consent_withdrawn": ["withdrawn"],
    "consent_for_another_agency": ["shared"],
    "consent_from_only_some_people": ["shared"],
    "consent_from_every_person": ["shared", "shared"],
}


@pytest.mark.parametrize("relationship", sorted(CONSENT_ROWS))
def test_consent_relationships_record_real_decisions_in_the_state_they_are_named_for(world, relationship):
    build, _ = RELATIONSHIPS[relationship]
    build(world, _marker())
    today = timezone.localdate()
    states = [sharing_selectors.consent_state(c, today) for c in Consent.objects.order_by("created_at", "id")]
    assert states == CONSENT_ROWS[relationship]
    recorded_by = set(Consent.objects.values_list("recorded_by", flat=True))
    assert recorded_by == {world.sam.id}  # recorded by the lead professional, not by the receiving agency
