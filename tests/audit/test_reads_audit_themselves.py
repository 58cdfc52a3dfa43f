"""Reading personal data audits itself, in the selector that reads it (one place):
whoever pages, slices or exports a list gets exactly the rows it read audited."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.reads import AuditedRead
from cases import selectors as case_selectors
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(world.sam.user)
    return client


def test_counting_reads_nothing_and_audits_nothing_but_a_page_audits_its_rows(world):
    for i in range(3):
        sharing_services.record_write(case=world.case, category="general", text=f"Note {i}", actor=world.sam.user)
    listed = sharing_selectors.record_list_visible_to(user=world.nia.user, case=world.case)
    assert isinstance(listed, AuditedRead)
    assert listed.count() == 3
    assert not events("cases.record.listed").exists()
    page = listed[:2]
    assert len(page) == 2
    assert set(events("cases.record.listed", actor=world.nia.id).values_list("subject_id", flat=True)) == {
        r.id for r in page
    }


def test_the_people_page_and_api_list_audit_every_person_shown(world, api):
    client = Client()
    client.force_login(world.sam.user)
    assert client.get("/people/").status_code == 200
    assert events("cases.person.listed", person=world.maya.id, actor=world.sam.id).count() == 1
    assert api.get("/api/v1/people/").status_code == 200
    assert events("cases.person.listed", person=world.maya.id, actor=world.sam.id).count() == 2


def test_reading_one_person_through_the_api_is_audited(world, api):
    assert api.get(f"/api/v1/people/{world.maya.id}/").status_code == 200
    assert events("cases.person.viewed", person=world.maya.id, actor=world.sam.id).count() == 1


def test_reading_consent_decisions_is_audited_with_the_persons_own_reads_as_self(world, api):
    assert api.get(f"/api/v1/people/{world.maya.id}/consents/").status_code == 200
    assert not events("cases.consent.listed").exists()  # nothing recorded yet: no decision was read
    sharing_services.consent_record(
        person=world.maya,
        category="health",
        agency=world.health,
        purpose="Health visiting",
        valid_from=world.milestone.due_date.replace(day=1),
        given_by="Maya's mother",
        actor=world.sam.user,
    )
    assert api.get(f"/api/v1/people/{world.maya.id}/consents/").status_code == 200
    assert events("cases.consent.listed", person=world.maya.id, actor=world.sam.id, basis="").count() == 1
    list(sharing_selectors.consent_list_for(user=world.maya.user, person=world.maya))
    assert events("cases.consent.listed", person=world.maya.id, basis="self").count() == 1


def test_the_case_pages_records_section_audits_what_it_shows(world):
    sharing_services.record_write(case=world.case, category="general", text="Visible", actor=world.sam.user)
    client = Client()
    client.force_login(world.nia.user)
    assert client.get(f"/cases/{world.case.id}/sharing/").status_code == 200
    assert events("cases.record.listed", actor=world.nia.id).count() == 1
    assert events("cases.consent.listed", person=world.maya.id, actor=world.nia.id).count() == 1


def test_person_list_read_is_what_the_search_selector_finds(world):
    read = case_selectors.person_list_read(user=world.sam.user, query="maya")
    assert [p.pk for p in read] == [
        p.pk for p in case_selectors.person_search_visible_to(user=world.sam.user, query="maya")
    ]
