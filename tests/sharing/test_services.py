"""Records, consent, the safeguarding override and the audit trail, through the
services, selectors and API as a user would use them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases import services as case_services
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing.models import SafeguardingAccess
from tests.sharing.conftest import consent, days, override, write


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- Records -------------------------------------------------------------------------


def test_writing_a_record_defaults_to_everyone_on_the_case_and_is_audited(world):
    record = write(world, world.sam, "general")
    assert [p.pk for p in record.about.all()] == [world.maya.pk]
    event = events("cases.record.written", subject_id=record.id).get()
    assert (event.actor, event.person, event.case, event.subject_agency) == (
        world.sam.id,
        world.maya.id,
        world.case.id,
        world.social.id,
    )


def test_a_correction_is_a_new_record_and_the_original_stays(world):
    original = write(world, world.sam, "social_care", text="Visited on Monday.")
    response = api_as(world.sam.user).post(
        f"/api/v1/cases/{world.case.id}/records/", {"text": "Visited on Tuesday.", "corrects": str(original.id)}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["corrects"] == str(original.id)
    assert body["category"] == "social_care"
    assert sharing_selectors.record_get_for(user=world.sam.user, record_id=original.id).text == "Visited on Monday."
    assert events("cases.record.corrected", subject_id=body["id"]).exists()


def test_records_cannot_be_changed_or_deleted_through_the_api(world):
    record = write(world, world.sam, "general")
    client = api_as(world.sam.user)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/records/{record.id}/", {"text": "changed"}).status_code == 405
    assert sharing_selectors.record_get_for(user=world.sam.user, record_id=record.id).text == record.text


def test_reading_a_record_is_audited_with_its_basis(world):
    record = write(world, world.sam, "general")
    response = api_as(world.nia.user).get(f"/api/v1/records/{record.id}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["basis"] == "coordination"
    event = events("cases.record.viewed", subject_id=record.id).get()
    assert (event.actor, event.basis, event.person, event.ip) == (
        world.nia.id,
        "coordination",
        world.maya.id,
        "10.1.2.3",
    )


def test_refused_read_of_an_existing_record_is_audited_and_answers_404(world):
    record = write(world, world.nia, "health")
    response = api_as(world.sam.user).get(f"/api/v1/records/{record.id}/")
    assert response.status_code == 404
    event = events("cases.record.access_refused", subject_id=record.id).get()
    assert (event.actor, event.subject_agency) == (world.sam.id, world.health.id)
    assert not events("cases.record.viewed").exists()


def test_unknown_or_malformed_record_ids_answer_404(world):
    client = api_as(world.sam.user)
    assert client.get("/api/v1/records/not-a-uuid/").status_code == 404
    assert client.get("/api/v1/records/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_list_read_audits_one_event_per_record_shown(world):
    shown = [write(world, world.sam, "general") for _ in range(3)]
    hidden = write(world, world.nia, "health")
    response = api_as(world.sam.user).get(f"/api/v1/cases/{world.case.id}/records/")
    assert {r["id"] for r in response.json()["results"]} == {str(r.id) for r in shown}
    listed = events("cases.record.listed", actor=world.sam.id)
    assert sorted(str(e.subject_id) for e in listed) == sorted(str(r.id) for r in shown)
    assert not listed.filter(subject_id=hidden.id).exists()


def test_search_finds_only_visible_records_across_cases(world):
    other = case_services.case_open(title="Other family", people=[world.maya], lead=world.nia, actor=world.nia.user)
    mine = sharing_services.record_write(
        case=other, category="health", text="Needle phobia noted", actor=world.nia.user
    )
    theirs = write(world, world.sam, "social_care", text="Needle phobia mentioned by mum")
    found = {r.id for r in sharing_selectors.record_search(user=world.nia.user, q="needle")}
    assert found == {mine.id}
    assert theirs.id not in found


# --- Consent -------------------------------------------------------------------------


def test_the_person_records_and_withdraws_their_own_consent_through_the_portal_account(world):
    client = api_as(world.maya.user)
    response = client.post(
        f"/api/v1/people/{world.maya.id}/consents/",
        {
            "category": "mental_health",
            "agency": str(world.social.id),
            "purpose": "Support at home",
            "valid_from": days(0).isoformat(),
            "given_by": "Maya",
        },
    )
    assert response.status_code == 201
    consent_id = response.json()["id"]
    assert response.json()["recorded_by"] is None
    assert client.get(f"/api/v1/people/{world.maya.id}/consents/").json()["count"] == 1
    withdrawn = client.post(f"/api/v1/consents/{consent_id}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "withdrawn"
    assert events("cases.consent.recorded", basis="self").exists()
    assert events("cases.consent.withdrawn", person=world.maya.id).exists()


def test_a_person_cannot_read_or_record_someone_elses_consent(world):
    other = case_services.person_register(given_name="Ola", family_name="Other", actor=world.sam.user)
    client = api_as(world.maya.user)
    assert client.get(f"/api/v1/people/{other.id}/consents/").status_code == 404
    c = consent(world, world.maya, "health", world.social)
    assert api_as(world.oz.user).post(f"/api/v1/consents/{c.id}/withdraw/").status_code == 404
    assert api_as(world.oz.user).get(f"/api/v1/people/{world.maya.id}/consents/").status_code == 404


def test_withdrawing_twice_is_refused(world):
    c = consent(world, world.maya, "health", world.social)
    sharing_services.consent_withdraw(consent=c, actor=world.sam.user)
    with pytest.raises(ValidationError):
        sharing_services.consent_withdraw(consent=c, actor=world.sam.user)


def test_consent_grid_shows_each_state(world, admin_user):
    from agencies import services as agency_services

    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=admin_user)
    consent(world, world.maya, "health", world.social)
    consent(world, world.maya, "housing", world.social, valid_from=days(-9), valid_until=days(-2))
    consent(world, world.maya, "education", world.social, decision="refused")
    sharing_services.consent_withdraw(consent=consent(world, world.maya, "police", police), actor=world.sam.user)
    (grid,) = sharing_selectors.consent_grid(user=world.sam.user, case=world.case)
    states = {(row.category, agency.name): state for row in grid.rows for agency, state in row.cells}
    assert states[("health", world.social.name)] == "shared"
    assert states[("housing", world.social.name)] == "expired"
    assert states[("education", world.social.name)] == "refused"
    assert states[("police", police.name)] == "withdrawn"
    assert states[("health", world.health.name)] == "not_shared"
    assert ("general", world.social.name) not in states


def test_a_new_consent_after_a_withdrawal_shares_again(world):
    c = consent(world, world.maya, "health", world.social)
    sharing_services.consent_withdraw(consent=c, actor=world.sam.user)
    consent(world, world.maya, "health", world.social)
    (grid,) = sharing_selectors.consent_grid(user=world.sam.user, case=world.case)
    states = {(row.category, agency.pk): state for row in grid.rows for agency, state in row.cells}
    assert states[("health", world.social.pk)] == "shared"


# --- The safeguarding override --------------------------------------------------------


def test_taking_an_override_lasts_72_hours_and_opens_a_review_for_the_ig_lead(world):
    access = override(world, world.nia, "social_care")
    assert access.expires_at - access.started_at == datetime.timedelta(hours=72)
    assert access.reviewer == world.ivy
    assert access.review_due == timezone.localdate() + datetime.timedelta(days=sharing_services.OVERRIDE_REVIEW_DAYS)
    assert list(sharing_selectors.override_review_queue(user=world.ivy.user)) == [access]
    assert list(sharing_selectors.override_review_queue(user=world.sue.user)) == []
    assert events("cases.override.started", subject_id=access.id, person=world.maya.id).exists()


def test_a_second_active_override_for_the_same_category_is_refused(world):
    override(world, world.nia, "social_care")
    with pytest.raises(ValidationError):
        override(world, world.nia, "social_care")


def test_each_read_through_an_override_is_audited_as_a_use(world):
    record = write(world, world.sam, "social_care")
    access = override(world, world.nia, "social_care")
    api_as(world.nia.user).get(f"/api/v1/records/{record.id}/")
    api_as(world.nia.user).get(f"/api/v1/cases/{world.case.id}/records/")
    assert events("cases.override.used", subject_id=access.id).count() == 2
    assert events("cases.record.viewed", subject_id=record.id, basis="override").exists()
    assert events("cases.record.listed", subject_id=record.id, basis="override").exists()


def test_ending_an_override_early_is_audited_and_stops_it(world):
    record = write(world, world.sam, "social_care")
    access = override(world, world.nia, "social_care")
    response = api_as(world.nia.user).get(f"/api/v1/records/{record.id}/")
    assert response.status_code == 200
    sharing_services.safeguarding_access_end(access=access, actor=world.nia.user)
    assert events("cases.override.ended", subject_id=access.id, detail__reason="ended").count() == 1
    assert api_as(world.nia.user).get(f"/api/v1/records/{record.id}/").status_code == 404
    with pytest.raises(PermissionDenied):
        sharing_services.safeguarding_access_end(access=access, actor=world.sam.user)


def test_expiry_is_audited_once_at_the_first_read_after_it(world):
    record = write(world, world.sam, "social_care")
    access = override(world, world.nia, "social_care")
    past = timezone.now() - datetime.timedelta(hours=73)
    SafeguardingAccess.objects.filter(pk=access.pk).update(
        started_at=past, expires_at=past + datetime.timedelta(hours=72)
    )
    client = api_as(world.nia.user)
    assert client.get(f"/api/v1/records/{record.id}/").status_code == 404
    assert client.get(f"/api/v1/cases/{world.case.id}/records/").status_code == 200
    ended = events("cases.override.ended", subject_id=access.id)
    assert ended.count() == 1
    assert ended.get().detail["reason"] == "expired"
    assert sharing_services.safeguarding_access_expire_due() == 0


def test_the_expiry_sweep_audits_every_expired_override_once(world):
    access = override(world, world.nia, "social_care")
    later = timezone.now() + datetime.timedelta(hours=73)
    assert sharing_services.safeguarding_access_expire_due(now=later) == 1
    assert sharing_services.safeguarding_access_expire_due(now=later) == 0
    access.refresh_from_db()
    assert access.ended_at == access.expires_at


def test_only_the_assigned_reviewer_reviews_an_override(world):
    access = override(world, world.nia, "social_care")
    with pytest.raises(PermissionDenied):
        sharing_services.safeguarding_review_record(
            access=access, outcome="justified", person_may_be_told=True, actor=world.sue.user
        )
    with pytest.raises(Http404):
        sharing_selectors.override_get_for(user=world.sue.user, access_id=access.id)
    sharing_services.safeguarding_review_record(
        access=access, outcome="not_justified", person_may_be_told=True, actor=world.ivy.user
    )
    access.refresh_from_db()
    assert (access.outcome, access.person_may_be_told, access.reviewed_by) == ("not_justified", True, world.ivy)
    assert list(sharing_selectors.override_review_queue(user=world.ivy.user)) == []
    assert events("cases.override.reviewed", subject_id=access.id).exists()
    with pytest.raises(ValidationError):
        sharing_services.safeguarding_review_record(
            access=access, outcome="justified", person_may_be_told=False, actor=world.ivy.user
        )


def test_review_needs_an_outcome(world):
    access = override(world, world.nia, "social_care")
    with pytest.raises(ValidationError):
        sharing_services.safeguarding_review_record(
            access=access, outcome="", person_may_be_told=False, actor=world.ivy.user
        )


def test_review_page_records_an_outcome(world, client):
    access = override(world, world.nia, "social_care")
    client.force_login(world.ivy.user)
    assert client.get("/governance/reviews/").status_code == 200
    response = client.post(f"/governance/reviews/{access.id}/", {"outcome": "justified", "person_may_be_told": "on"})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.outcome == "justified"


def test_override_banner_shows_on_the_case_page_while_active(world, client):
    access = override(world, world.nia, "social_care")
    client.force_login(world.nia.user)
    sections = f"/cases/{world.case.id}/sharing/"  # the case page's sharing sections (htmx-loaded)
    assert "Safeguarding override active" in client.get(sections, HTTP_HX_REQUEST="true").content.decode()
    assert "Safeguarding override active" in client.get(f"/cases/{world.case.id}/records/").content.decode()
    sharing_services.safeguarding_access_end(access=access, actor=world.nia.user)
    assert "Safeguarding override active" not in client.get(sections, HTTP_HX_REQUEST="true").content.decode()


# --- The audit trail -------------------------------------------------------------------


def test_ig_lead_reads_events_of_their_agency_and_about_its_records(world):
    health_record = write(world, world.nia, "health")
    social_record = write(world, world.sam, "social_care")
    consent(world, world.maya, "health", world.social)
    api_as(world.sam.user).get(f"/api/v1/records/{health_record.id}/")  # social reads a health record
    api_as(world.sam.user).get(f"/api/v1/records/{social_record.id}/")  # social reads a social record
    body = api_as(world.ivy.user).get("/api/v1/audit/?action=cases.record.viewed").json()
    assert [(e["actor"], e["case"], e["person"], e["basis"]) for e in body["results"]] == [
        (str(world.sam.id), str(world.case.id), str(world.maya.id), "consent")
    ]
    assert {"action", "actor", "actor_name", "person", "case", "basis", "at"} <= set(body["results"][0])
    all_ivy = sharing_selectors.audit_list_visible_to(user=world.ivy.user)
    assert all(e.actor_agency == world.health.id or e.subject_agency == world.health.id for e in all_ivy)


def test_admin_reads_every_event_and_others_are_refused(world):
    write(world, world.sam, "general")
    before = AuditEvent.objects.count()  # reading the trail adds its own event after counting
    assert api_as(world.admin).get("/api/v1/audit/").json()["count"] == before
    assert api_as(world.sam.user).get("/api/v1/audit/").status_code == 403
    assert api_as(world.maya.user).get("/api/v1/audit/").status_code == 404  # not a path for a portal account


def test_audit_filters_by_case_person_actor_action_and_dates(world):
    record = write(world, world.sam, "general")
    sharing_selectors.record_get_for(user=world.nia.user, record_id=record.id)
    client = api_as(world.admin)

    def ids(query):
        return {e["action"] for e in client.get(f"/api/v1/audit/?{query}").json()["results"]}

    assert ids(f"actor={world.nia.id}&action=cases.record.viewed") == {"cases.record.viewed"}
    assert ids(f"case={world.case.id}&action=cases.record.") == {"cases.record.written", "cases.record.viewed"}
    assert "cases.record.viewed" in ids(f"person={world.maya.id}")
    today = timezone.localdate()
    assert ids(f"from={today}&to={today}&action=cases.record.viewed") == {"cases.record.viewed"}
    assert ids(f"to={today - datetime.timedelta(days=1)}") == set()
    assert ids("case=not-a-uuid") == set()


def test_audit_csv_export_for_ig_leads(world, client):
    write(world, world.nia, "health")
    client.force_login(world.ivy.user)
    response = client.get("/audit/export.csv?action=cases.record.written")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("when,action,action_code,who")
    assert len(lines) == 2 and "Wrote a record,cases.record.written" in lines[1]
    assert api_as(world.ivy.user).get("/api/v1/audit/export/").status_code == 200
    client.force_login(world.sam.user)
    assert client.get("/audit/").status_code == 403


def test_navigation_offers_reviews_and_audit_to_ig_leads_only(world, client):
    client.force_login(world.ivy.user)
    page = client.get("/").content.decode()
    assert "Override reviews" in page and "Audit trail" in page
    client.force_login(world.sam.user)
    page = client.get("/").content.decode()
    assert "Override reviews" not in page and "Audit trail" not in page
    assert "Search records" in page


def test_the_person_sees_what_is_shared_and_overrides_they_may_be_told_about(world, client):
    consent(world, world.maya, "health", world.social)
    told = override(world, world.nia, "social_care")
    hidden = override(world, world.nia, "housing")
    sharing_services.safeguarding_review_record(
        access=told, outcome="justified", person_may_be_told=True, actor=world.ivy.user
    )
    sharing_services.safeguarding_review_record(
        access=hidden, outcome="justified", person_may_be_told=False, actor=world.ivy.user
    )
    assert list(sharing_selectors.overrides_told_to(person=world.maya)) == [told]
    client.force_login(world.maya.user)
    page = client.get("/portal/information/").content.decode()  # the person's own page (portal)
    assert "Your information" in page
    assert page.count("They did this to keep someone safe") == 1  # the told one only
    grid = sharing_selectors.person_consent_grid(user=world.maya.user, person=world.maya)
    states = {(row.category, agency.pk): state for row in grid.rows for agency, state in row.cells}
    assert states[("health", world.social.pk)] == "shared"


def test_the_person_records_consent_on_the_page_and_withdraws_it(world, client):
    client.force_login(world.maya.user)
    choice = {"decision": "given", "category": "education", "agency": str(world.health.id)}
    assert client.post("/portal/information/confirm/", choice).status_code == 302  # after checking the answers
    (recorded,) = sharing_selectors.consent_list_for(user=world.maya.user, person=world.maya)
    assert (recorded.recorded_by, recorded.recorded_by_user) == (None, world.maya.user)
    assert client.post(f"/portal/information/{recorded.id}/withdraw/").status_code == 302
    recorded.refresh_from_db()
    assert recorded.withdrawn_at is not None
    other = case_services.person_register(given_name="Ola", family_name="Other", actor=world.sam.user)
    assert client.get(f"/people/{other.id}/consents/new/").status_code == 404
    assert client.get(f"/people/{world.maya.id}/consents/new/").status_code == 404  # the professional form
